"""Relevance: deal stories against stories whose main subject is something else."""

from pathlib import Path

import pytest

from bot.news.analyze import analyze, analyze_document

FIXTURES = Path(__file__).parent / "fixtures" / "news"


@pytest.mark.parametrize(
    ("name", "relevant"),
    [
        ("korea-deal-wire.txt", True),
        ("india-deal-page.html", True),
        ("swiss-threat.txt", True),
        ("cpi-prices.txt", False),
        ("company-costs.txt", False),
        ("court-ruling.txt", False),
        ("customs-revenue.txt", False),
    ],
)
def test_fixture_relevance(name: str, relevant: bool) -> None:
    result = analyze_document((FIXTURES / name).read_text())
    assert result.relevant is relevant
    assert (result.relevance >= 0.5) is relevant
    assert result.cues, "the cues that decided it are reported"
    if not relevant:
        assert result.deals == []


def test_unrelated_news_without_trade_words() -> None:
    result = analyze(
        "A strong earthquake struck off the coast on Wednesday.\nWaves of 3 metres hit the port."
    )
    assert not result.relevant
    assert result.relevance < 0.1


def test_score_orders_stories() -> None:
    deal = analyze_document((FIXTURES / "korea-deal-wire.txt").read_text())
    prices = analyze_document((FIXTURES / "cpi-prices.txt").read_text())
    assert deal.relevance > prices.relevance


def test_contract_shape() -> None:
    result = analyze_document((FIXTURES / "korea-deal-wire.txt").read_text())
    contract = result.to_contract("korea-deal-wire.txt")
    assert set(contract) == {"source", "relevant", "title", "summary", "deals"}
    deal = contract["deals"][0]
    assert set(deal) >= {"parties", "status", "date", "terms", "people"}
    assert all("sentence" in term for term in deal["terms"])


@pytest.mark.parametrize(
    "text",
    [
        "Q&A: what the Swiss deal means\nQ: What rate will Swiss goods pay?\nA: 15%, down from the 39% imposed "
        "in August.\nQ: What did Switzerland promise?\nA: Swiss firms will invest $200 billion in the US.",
        "Brazil hit with 50% tariff as talks stall\nA 50% US tariff on most Brazilian goods took effect on "
        "Wednesday after talks between Brasilia and Washington stalled.",
    ],
)
def test_explainers_and_threats_tied_to_talks_are_deal_stories(text: str) -> None:
    result = analyze(text)
    assert result.relevant
    assert any(t["type"] == "tariff" for d in result.deals for t in d["terms"])
