"""Deal card, compare table, answer and story list Replies."""

from __future__ import annotations

from datetime import date

from bot import cards
from bot.models import Answer, Deal, Evidence, SourceRef, Term, TermValue


def _ev(story: int, day: date, sentence: str) -> Evidence:
    return Evidence(
        story_id=story,
        url=f"https://news.example/{story}",
        title=f"Story {story}",
        sentence=sentence,
        stated_on=day,
    )


def _deal() -> Deal:
    cars = Term(
        key="tariff|United States|Japan|cars",
        type="tariff",
        label="United States tariff on cars from Japan",
        history=[
            TermValue(
                {"type": "tariff", "rate_pct": 27.5, "previous_rate_pct": 2.5, "threatened_rate_pct": None},
                [_ev(1, date(2030, 4, 3), "cars pay 27.5%")],
            ),
            TermValue(
                {"type": "tariff", "rate_pct": 15.0, "previous_rate_pct": 27.5, "threatened_rate_pct": 25.0},
                [
                    _ev(2, date(2030, 7, 23), "cut to 15% from 27.5%"),
                    _ev(3, date(2030, 9, 16), "15% in force"),
                ],
            ),
        ],
    )
    pledge = Term(
        key="investment|Japan|United States",
        type="investment",
        label="Japan investment in United States",
        history=[
            TermValue(
                {"type": "investment", "by": "Japan", "amount_usd": 5.5e11},
                [_ev(2, date(2030, 7, 23), "invest $550 billion")],
            )
        ],
    )
    disputed = Term(
        key="tariff|United States|Japan|all goods",
        type="tariff",
        label="United States tariff on all goods from Japan",
        history=[
            TermValue(
                {"type": "tariff", "rate_pct": 15.0}, [_ev(2, date(2030, 7, 23), "15%")], conflict=True
            ),
            TermValue(
                {"type": "tariff", "rate_pct": 16.0}, [_ev(4, date(2030, 7, 23), "16%")], conflict=True
            ),
        ],
    )
    return Deal(
        id=1,
        parties=["Japan", "United States"],
        status="in_effect",
        date=date(2030, 9, 16),
        terms=[pledge, cars, disputed],
        people=[{"name": "Ryo Tanaka", "side": "Japan"}],
        story_ids=[1, 2, 3, 4],
        updated_at=date(2030, 9, 16),
    )


def test_deal_card_has_parties_status_terms_dates_and_sources():
    stories = {
        i: cards.StoryRef(i, f"https://news.example/{i}", f"Story {i}", date(2030, 1, i))
        for i in (1, 2, 3, 4)
    }
    reply = cards.deal_card(
        _deal(), stories, [("announced", date(2030, 7, 23)), ("in_effect", date(2030, 9, 16))]
    )
    assert reply.kind == "deal" and reply.title == "Japan – United States"
    assert reply.as_of == date(2030, 9, 16)
    fields = {f.name: f.value for f in reply.fields}
    assert fields["Status"] == "in effect"
    assert fields["Key dates"] == "announced Jul 23, 2030; in effect Sep 16, 2030"
    assert fields["United States tariff on cars from Japan"] == "27.5% → 15% (threatened 25%)"
    assert fields["Japan investment in United States"] == "$550 billion"
    assert fields["United States tariff on all goods from Japan"].endswith("⚠ sources disagree")
    assert fields["Negotiators"] == "Ryo Tanaka (Japan)"
    names = [f.name for f in reply.fields]
    assert names.index("United States tariff on all goods from Japan") < names.index(
        "Japan investment in United States"
    )
    # sources: stories stating the current values first, with their sentence
    assert reply.sources[0].quote in ("15%", "16%", "15% in force")
    assert {s.id for s in reply.sources} == {"1", "2", "3", "4"}
    assert "Japan – United States: in effect (as of Sep 16, 2030)" in reply.text


def test_history_points_are_dated_values():
    cars = _deal().terms[1]
    assert cards.history_points(cars) == [(date(2030, 4, 3), 27.5), (date(2030, 7, 23), 15.0)]
    assert cards.tariff_change(cars) == (27.5, 15.0)


def test_compare_table_lines_up_columns_and_names_missing():
    reply = cards.compare_reply(
        [
            ("Vietnam", {"US tariff": "46% → 20%", "Status": "announced"}),
            ("Indonesia", {"US tariff": "32% → 19%", "Purchases": "$15 billion energy"}),
        ],
        missing=["Laos"],
    )
    assert reply.table[0] == ("", "Vietnam", "Indonesia")
    assert ("Purchases", "—", "$15 billion energy") in reply.table
    lines = reply.text.splitlines()
    assert lines[1].startswith("US tariff") and "46% → 20%" in lines[1] and "32% → 19%" in lines[1]
    assert lines[-1] == "Nothing on file for: Laos"


def test_answer_reply_keeps_three_lines_and_sources():
    src = SourceRef("7", "https://news.example/7", "T", "quote")
    reply = cards.answer_reply(Answer("q", "one\ntwo\nthree\nfour", (src,)), "")
    assert reply.text == "one\ntwo\nthree" and reply.sources == (src,)
    dont = cards.answer_reply(Answer("q", None), "My sources don't say.\nOn file for Laos: nothing.")
    assert dont.text.startswith("My sources don't say.") and dont.sources == ()


def test_latest_reply_lists_stories():
    story = cards.StoryRef(3, "https://news.example/3", "A" * 200, date(2030, 5, 1))
    reply = cards.latest_reply([(story, "summary", ["Japan"])], "Japan")
    assert reply.text.splitlines()[0] == "Latest deal stories about Japan:"
    assert "May 1: " in reply.text and "…" in reply.text
    assert cards.latest_reply([], None).text == "No deal stories yet."
