"""Summaries: extractive, grounded, short, and naming the parties and headline terms."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.news.analyze import analyze, analyze_document
from bot.news.numbers import number_tokens
from bot.news.parties import find_parties
from bot.news.summary import MAX_WORDS

FIXTURES = Path(__file__).parent / "fixtures" / "news"

PARTNERS = ["Japan", "Vietnam", "India", "Brazil", "the European Union", "Switzerland", "Thailand"]
TEMPLATES = [
    "{p} and the United States agreed a trade deal on Tuesday that sets a {a}% US tariff on its goods.",
    "The rate replaces the {b}% that had been threatened from August 1.",
    "Until now, exporters from {p} have been paying {c}%.",
    "{p} will invest ${m} billion in American factories, officials said.",
    "{p} agreed to buy ${n} billion of US energy over three years.",
    "Shares in {p} rose {s}% and the main index gained {t} points.",
    "The trade surplus of {p} with the US was ${n} billion in {y}.",
    "About {q} cars a year will enter the US at {a}% under a quota.",
    "Negotiators will meet again next month, a spokesperson for {p} said.",
]


@st.composite
def articles(draw) -> str:
    partner = draw(st.sampled_from(PARTNERS))
    values = {
        "p": partner,
        "a": draw(st.integers(0, 60)),
        "b": draw(st.integers(1, 150)),
        "c": draw(st.floats(0.5, 60).map(lambda x: round(x, 1))),
        "m": draw(st.integers(1, 900)),
        "n": draw(st.floats(0.5, 900).map(lambda x: round(x, 2))),
        "s": draw(st.floats(0.1, 9.9).map(lambda x: round(x, 1))),
        "t": draw(st.integers(10, 2000)),
        "y": draw(st.integers(2015, 2025)),
        "q": draw(st.integers(1000, 500_000)).__format__(","),
    }
    order = draw(st.permutations(TEMPLATES))
    count = draw(st.integers(2, len(TEMPLATES)))
    return "\n".join(t.format(**values) for t in order[:count])


@settings(max_examples=50, deadline=None)
@given(articles())
def test_summary_never_holds_a_number_absent_from_its_source(text: str) -> None:
    result = analyze(text)
    assert number_tokens(result.summary) <= number_tokens(text)
    assert len(result.summary.split()) <= MAX_WORDS


def test_summary_names_parties_and_headline_terms() -> None:
    result = analyze_document((FIXTURES / "korea-deal-wire.txt").read_text())
    assert {"South Korea", "United States"} <= set(find_parties(result.summary))
    assert "15%" in result.summary and "25%" in result.summary
    assert len(result.summary.split()) <= MAX_WORDS
    assert 1 <= result.summary.count(". ") + 1 <= 3


def test_summary_of_html_page_ignores_page_clutter() -> None:
    result = analyze_document((FIXTURES / "india-deal-page.html").read_text())
    assert "18%" in result.summary and "50%" in result.summary
    for clutter in ("Subscribe", "Save 50%", "Most read", "100% agree"):
        assert clutter not in result.summary
        assert clutter not in result.text


def test_summary_is_deterministic() -> None:
    text = (FIXTURES / "swiss-threat.txt").read_text()
    assert analyze(text).summary == analyze(text).summary


WORDS = [
    "tariff",
    "deal",
    "Japan",
    "US",
    "EU",
    "15%",
    "from",
    "to",
    "27.5%",
    "$550 billion",
    "on",
    "cars",
    "Trump",
    "said",
    "Tuesday",
    "July 23",
    "will",
    "buy",
    "invest",
    ",",
    ".",
    "\n",
    "instead of",
    "threatened",
    "—",
]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=80))
def test_analyze_never_fails_and_stays_grounded(words: list[str]) -> None:
    text = " ".join(words)
    result = analyze(text)
    assert number_tokens(result.summary) <= number_tokens(text)
    assert len(result.summary.split()) <= MAX_WORDS
    for deal in result.deals:
        for term in deal["terms"]:
            assert term["sentence"] in text
