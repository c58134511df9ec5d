"""Deal dates: stated dates, relative days against the publication date, and the year from the text."""

from datetime import date

import pytest

from bot.news.analyze import analyze
from bot.news.dates import document_date, find_dates, infer_year, resolve


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Officials met on Wednesday, July 2, to settle the text.", 2025),
        ("The order was signed on Thursday 4 September.", 2025),
        ("Talks resumed on Monday, March 4.", 2024),
        ("The deficit was $120 billion in 2024, the ministry said.", 2025),
        ("The agreement was signed on July 23, 2019.", 2019),
    ],
)
def test_infer_year_from_the_text(text: str, year: int) -> None:
    assert infer_year(text, today=date(2026, 11, 28)) == year


def test_no_evidence_falls_back_to_the_current_year() -> None:
    assert infer_year("They met on July 23.", today=date(2026, 11, 28)) == 2026


@pytest.mark.parametrize(
    ("phrase", "reference", "expected"),
    [
        ("on Tuesday", date(2025, 7, 16), date(2025, 7, 15)),
        ("on Wednesday", date(2025, 7, 16), date(2025, 7, 16)),
        ("July 23", date(2025, 7, 26), date(2025, 7, 23)),
        ("December 30", date(2026, 1, 3), date(2025, 12, 30)),
        ("last week", date(2025, 7, 16), date(2025, 7, 9)),
        ("yesterday", date(2025, 7, 16), date(2025, 7, 15)),
    ],
)
def test_resolve_against_the_publication_date(phrase: str, reference: date, expected: date) -> None:
    (mention,) = find_dates(phrase)
    assert resolve(mention, reference, reference.year) == expected


def test_dateline_dates_the_article() -> None:
    reference, year = document_date("HANOI, July 3 (wire) — Vietnam said on Wednesday...", None)
    assert reference is not None and (reference.month, reference.day) == (7, 3)


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        (
            "BANGKOK, Aug 1 (wire) — Thailand and the United States agreed a trade deal on Thursday, July 31, "
            "that sets a 19% US tariff on Thai goods.",
            None,
            "2025-07-31",
        ),
        (
            "President Trump said on Tuesday that he had agreed a deal setting a 19% tariff on Philippine goods.",
            date(2025, 7, 23),
            "2025-07-22",
        ),
        (
            "The trade deal with Switzerland takes effect from Monday 1 December, backdated to November 14, "
            "cutting the US tariff on Swiss goods to 15% from 39%.",
            date(2025, 11, 30),
            "2025-11-14",
        ),
    ],
)
def test_deal_date(text: str, published: date | None, expected: str) -> None:
    result = analyze(text, published=published)
    assert result.deals and result.deals[0]["date"] == expected


def test_negotiating_story_has_no_deal_date() -> None:
    text = (
        "Trade talks between Seoul and Washington resumed on Friday, May 16, as negotiators tried to head off "
        "a 25% tariff on Korean goods."
    )
    result = analyze(text)
    assert result.deals[0]["status"] == "negotiating"
    assert result.deals[0]["date"] is None


def test_dateline_and_weekday_pick_the_year() -> None:
    # No year and no weekday beside a date: a wire story's "on Monday" is the day before its dateline,
    # which holds for Aug 12 only in 2025 among recent years.
    text = "WASHINGTON, Aug 12 (wire) — The president extended the truce with a signed order late on Monday."
    reference, year = document_date(text, None, today=date(2026, 11, 28))
    assert (reference, year) == (date(2025, 8, 12), 2025)
