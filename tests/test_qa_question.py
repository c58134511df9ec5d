"""Question understanding, table-driven: which fact, which moment, which goods, which parties."""

from __future__ import annotations

import pytest

from bot.qa_question import parse_question

CASES = [
    # question, kind, role, subjects, extra expectations
    ("What tariff will Korean cars face?", "rate", "now", {"cars"}, {}),
    ("what was the rate on swiss goods before the deal?", "rate", "previous", set(), {}),
    ("How high a tariff was Thailand originally threatened with?", "rate", "threat", set(), {}),
    ("If Korea breaks the deal, what rate could the tariff go back to?", "rate", "snapback", set(), {}),
    ("What does Canada charge on US-made cars?", "rate", "now", {"cars"}, {"reverse": True}),
    ("How much is Korea investing in the US?", "investment", "now", set(), {}),
    ("by when must the $300bn be invested?", "investment", "now", set(), {"wants": "deadline"}),
    ("what share of the profits does Washington keep?", "unknown", "now", {"profits"}, {"wants": "percent"}),
    ("how many boeing jets is thailand byuing", "purchase", "now", {"aircraft"}, {"wants": "count"}),
    ("How much LNG will Seoul buy?", "purchase", "now", {"energy"}, {}),
    ("How big is Mexico's steel quota?", "quota", "now", {"steel"}, {}),
    ("When was the Korea deal announced?", "date", "now", set(), {"event": "announced"}),
    ("when did the lower rate on korean cars kick in", "date", "now", {"cars"}, {"event": "effective"}),
    ("What date was the order signed?", "date", "now", set(), {"event": "signed"}),
    ("when does the truce run out now?", "date", "now", set(), {"event": "expires", "latest": True}),
    ("Who is Korea's chief negotiator?", "people", "now", set(), {"side": True}),
    ("Who signed the Korea framework?", "people", "now", set(), {"side": False}),
    ("Which country agreed to buy 40 Boeing jets?", "parties", "now", {"aircraft"}, {"numbers": [40.0]}),
    ("who got a 500,000-tonne steel quota?", "parties", "now", {"steel"}, {}),
    (
        "which got the lower rate, Thailand or the Philippines?",
        "compare:rate",
        "now",
        set(),
        {"compare": "lower"},
    ),
    (
        "Who pledged more investment, Korea or Switzerland?",
        "compare:investment",
        "now",
        set(),
        {"compare": "higher"},
    ),
    (
        "Which came first, the Swiss deal or the Korea deal?",
        "compare:date",
        "now",
        set(),
        {"compare": "first"},
    ),
    ("korea vs swiss tariff, same or different?", "compare:rate", "now", set(), {"compare": "same"}),
    ("rank the asian deals by tariff", "rank", "now", set(), {"region": "asia", "compare": "lower"}),
    ("what are the terms of the korea deal?", "summary", "now", set(), {}),
]


@pytest.mark.parametrize(("text", "kind", "role", "subjects", "extra"), CASES, ids=[c[0] for c in CASES])
def test_parse(text, kind, role, subjects, extra):
    q = parse_question(text)
    assert (q.kind, q.role, q.subjects) == (kind, role, subjects)
    for name, value in extra.items():
        assert getattr(q, name) == value, name


def test_time_and_exclusions():
    q = parse_question("what was the tariff on korean cars in january?")
    assert q.as_of is not None and q.as_of.month == 1
    assert parse_question("Apart from Thailand, which other country got 19%?").excluded == ["Thailand"]
    assert parse_question("what's the tariff on US pork?").goods_words == ["pork"]
    assert parse_question("what's the tariff on swiss watches?").goods_words == ["watches"]
    assert parse_question("what's the tariff on korean cars?").goods_words == []


def test_focus_drops_the_united_states_unless_alone():
    assert parse_question("US tariff on Japan?").focus == ["Japan"]
    assert parse_question("Who is the US trade representative?").focus == ["United States"]
