"""Party names as users type them: short forms, demonyms, typos, and words that only look like names."""

from __future__ import annotations

import pytest

from bot.qa_parties import find_parties, parties_in_question, region_of


@pytest.mark.parametrize(
    ("question", "parties"),
    [
        ("japn tariff?", ["Japan"]),
        ("tarrif on jpanese cars", ["Japan"]),
        ("whats the tarif for indonisia", ["Indonesia"]),
        ("Veitnam rate", ["Vietnam"]),
        ("swiss rate", ["Switzerland"]),
        ("S. Korea deal", ["South Korea"]),
        ("the EU deal", ["European Union"]),
        ("what did the brits get", ["United Kingdom"]),
        ("us tariff on uk cars", ["United States", "United Kingdom"]),
        ("which got the lower rate, Turkey or Chile?", ["Turkey", "Chile"]),
        ("while being chief of the parts mail", []),  # near a name in spelling, but words
        ("tell us about it", []),
        ("rate for costa rica?", ["Costa Rica"]),
        ("what did Georgia get?", ["Georgia"]),
    ],
)
def test_parties_in_question(question, parties):
    assert parties_in_question(question) == parties


def test_find_parties_in_running_text():
    text = "Washington and Tokyo agreed; US officials said Japanese carmakers and the bloc would follow."
    assert find_parties(text) == ("United States", "Japan", "European Union")
    assert find_parties("Roast turkey with chile sauce, said the chef, who told us so.") == ()
    assert find_parties("Hyundai builds cars in Georgia, Jordan Smith said.") == ()  # a state and a person


def test_regions():
    assert region_of("rank the Asian deals by tariff") == "asia"
    assert region_of("european deals") == "europe"
    assert region_of("all deals") is None
