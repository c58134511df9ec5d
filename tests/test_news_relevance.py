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
