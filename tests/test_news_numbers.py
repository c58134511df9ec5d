"""Percentages and money amounts as writers put them."""

import pytest

from bot.news.numbers import find_money, find_percents, number_tokens, parse_count, parse_money, parse_percent


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("the levy was cut to 15 percent from 27.5", [15.0, 27.5]),
        ("a 15% levy, down from 25%", [15.0, 25.0]),
        ("tariffs of 19pc on most exports", [19.0]),
        ("a duty of 10 per cent", [10.0]),
        ("charged at 25 pct", [25.0]),
        ("from 27.5 to 15 percent", [27.5, 15.0]),
        ("importers must hand over a fifth of the value of each shipment", [20.0]),
        ("a zero percent rate", [0.0]),
        ("rates rose by 2 percentage points", []),
        ("shares rose 3% from 2024 levels", [3.0]),
    ],
)
def test_find_percents(text: str, values: list[float]) -> None:
    assert [m.value for m in find_percents(text)] == values


@pytest.mark.parametrize(
    ("text", "usd"),
    [
        ("a pledge of $550 billion", 550e9),
        ("550 billion dollars of investment", 550e9),
        ("$550bn in projects", 550e9),
        ("US$0.55 trillion", 550e9),
        ("600 billion U.S. dollars", 600e9),
        ("$600bn", 600e9),
        ("an order worth $4.5 billion", 4.5e9),
        ("a $5m grant", 5e6),
        ("€21 billion of goods", None),
        ("¥1.4 trillion", None),
        ("1.4 billion litres of ethanol", None),
    ],
)
def test_parse_money(text: str, usd: float | None) -> None:
    assert parse_money(text) == usd


def test_other_currencies_are_found_but_not_usd() -> None:
    found = find_money("¥1.4 trillion (about $9.5 billion)")
    assert [(m.value, m.usd) for m in found] == [(1.4e12, False), (9.5e9, True)]


def test_parse_percent_and_count() -> None:
    assert parse_percent("no figure here") is None
    assert parse_percent("a 27.5% rate") == 27.5
    assert parse_count("1.4 billion litres") == 1.4e9
    assert parse_count("100,000 cars") == 100_000


def test_number_tokens_normalise_commas_and_zeros() -> None:
    assert number_tokens("100,000 cars at 10.0% and 27.50%") == {"100000", "10", "27.5"}
