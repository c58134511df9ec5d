"""Party names, demonyms, capitals and loose spellings."""

import pytest

from bot.news.parties import find_parties, normalise_party


@pytest.mark.parametrize(
    ("name", "party"),
    [
        ("Japanese", "Japan"),
        ("Washington", "United States"),
        ("U.S.", "United States"),
        ("America", "United States"),
        ("the United States", "United States"),
        ("Brussels", "European Union"),
        ("the bloc", "European Union"),
        ("EU", "European Union"),
        ("Britain", "United Kingdom"),
        ("UK", "United Kingdom"),
        ("S. Korea", "South Korea"),
        ("Seoul", "South Korea"),
        ("Hanoi", "Vietnam"),
        ("Jakarta", "Indonesia"),
        ("Beijing", "China"),
        ("Tokyo", "Japan"),
        ("swiss", "Switzerland"),
        ("japn", "Japan"),
        ("Mexican", "Mexico"),
        ("New Delhi", "India"),
        ("Brazilians", "Brazil"),
        ("Canada's", "Canada"),
        ("swizerland", "Switzerland"),
        ("indonesa", "Indonesia"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_normalise_party(name: str, party: str | None) -> None:
    assert normalise_party(name) == party


def test_find_parties_in_running_text() -> None:
    text = "US-China talks resumed; Vietnamese-origin goods and UK-built cars were discussed with Seoul."
    assert find_parties(text) == ["United States", "China", "Vietnam", "United Kingdom", "South Korea"]


def test_pronoun_and_longer_words_are_not_parties() -> None:
    assert find_parties("Tell us about the Americas and a turkey dinner") == []
