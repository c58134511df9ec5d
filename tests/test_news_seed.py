"""The seed article (a Kyodo report on the Japan-US deal, with reader comments after the copyright line)."""

from datetime import date
from pathlib import Path

import pytest

from bot.news.analyze import analyze_document

SEED = Path("/work/shared/corpus/seed-kyodo-japan-us-deal.txt")
LOCAL = Path(__file__).parent / "fixtures" / "news" / "seed-kyodo-japan-us-deal.txt"


@pytest.fixture(scope="module")
def seed():
    path = LOCAL if LOCAL.exists() else SEED
    # The wire story ran on Saturday, July 26, 2025 ("sources close to the matter said Saturday").
    return analyze_document(path.read_text(), published=date(2025, 7, 26))


def test_parties_and_date(seed) -> None:
    assert seed.relevant
    (deal,) = seed.deals
    assert deal["parties"] == ["Japan", "United States"]
    assert deal["date"] == "2025-07-23"


def test_car_tariff_with_previous_rate(seed) -> None:
    (deal,) = seed.deals
    tariffs = [t for t in deal["terms"] if t["type"] == "tariff"]
    assert len(tariffs) == 1
    car = tariffs[0]
    assert (car["imposed_by"], car["on_goods_from"], car["subject"]) == ("United States", "Japan", "cars")
    assert car["rate_pct"] == 15.0
    assert car["previous_rate_pct"] == 27.5
    assert "27.5 percent" in car["sentence"]


def test_investment_and_rice(seed) -> None:
    (deal,) = seed.deals
    investments = [t for t in deal["terms"] if t["type"] == "investment"]
    assert [(t["by"], t["in"], t["amount_usd"]) for t in investments] == [("Japan", "United States", 550e9)]
    purchases = [t for t in deal["terms"] if t["type"] == "purchase"]
    assert [(t["by"], t["of"]) for t in purchases] == [("Japan", "US rice")]


def test_negotiators(seed) -> None:
    (deal,) = seed.deals
    sides = {p["name"].split()[-1]: p["side"] for p in deal["people"]}
    assert sides["Akazawa"] == "Japan"
    assert sides["Lutnick"] == "United States"


def test_nothing_from_reader_comments(seed) -> None:
    assert "Legrande" not in seed.text and "kowtows" not in seed.text
    amounts = {t.get("amount_usd") for d in seed.deals for t in d["terms"]}
    assert amounts <= {550e9, None}
    assert "9X" not in seed.summary and "GDP" not in seed.summary
