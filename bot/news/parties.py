"""Trading parties: country names, demonyms, capitals used as metonyms, and loose spellings.

`normalise_party("Japanese")` -> "Japan", `normalise_party("the bloc")` -> "European Union".
`find_parties(text)` lists the parties a text mentions, in order of first mention.
`party_mentions(text)` gives every mention with its span and kind, for the term extractors.

Canonical names are short plain English ("United States", "European Union", "South Korea").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# canonical: (names and aliases, demonyms, capital or seat of government used as a metonym)
_COUNTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "United States": (
        ("United States", "United States of America", "U.S.", "US", "U.S.A.", "USA", "America", "the States"),
        ("American", "Americans", "U.S.-made", "US-made", "US-built", "U.S.-built"),
        ("Washington", "the White House"),
    ),
    "European Union": (
        ("European Union", "EU", "E.U.", "the bloc", "European Commission", "the Commission", "Europe"),
        ("European", "Europeans"),
        ("Brussels",),
    ),
    "United Kingdom": (
        ("United Kingdom", "UK", "U.K.", "Britain", "Great Britain", "England"),
        ("British", "Briton", "Britons", "UK-built", "UK-made", "British-built", "British-made", "English"),
        ("London", "Downing Street", "Whitehall"),
    ),
    "China": (
        ("China", "People's Republic of China", "PRC", "mainland China"),
        ("Chinese",),
        ("Beijing",),
    ),
    "Japan": (("Japan", "Nippon"), ("Japanese",), ("Tokyo",)),
    "South Korea": (
        ("South Korea", "S. Korea", "Republic of Korea", "ROK", "Korea"),
        ("South Korean", "Korean", "Korean-built", "Korean-made"),
        ("Seoul",),
    ),
    "North Korea": (("North Korea", "DPRK"), ("North Korean",), ("Pyongyang",)),
    "Vietnam": (("Vietnam", "Viet Nam"), ("Vietnamese",), ("Hanoi",)),
    "Indonesia": (("Indonesia",), ("Indonesian",), ("Jakarta",)),
    "India": (("India",), ("Indian",), ("New Delhi", "Delhi")),
    "Canada": (("Canada",), ("Canadian",), ("Ottawa",)),
    "Mexico": (("Mexico",), ("Mexican",), ("Mexico City",)),
    "Switzerland": (("Switzerland",), ("Swiss",), ("Bern", "Berne")),
    "Taiwan": (("Taiwan",), ("Taiwanese",), ("Taipei",)),
    "Thailand": (("Thailand",), ("Thai",), ("Bangkok",)),
    "Malaysia": (("Malaysia",), ("Malaysian",), ("Kuala Lumpur", "Putrajaya")),
    "Philippines": (("Philippines", "the Philippines"), ("Philippine", "Filipino", "Filipinos"), ("Manila",)),
    "Cambodia": (("Cambodia",), ("Cambodian",), ("Phnom Penh",)),
    "Laos": (("Laos",), ("Lao", "Laotian"), ("Vientiane",)),
    "Myanmar": (("Myanmar", "Burma"), ("Burmese",), ("Naypyidaw",)),
    "Singapore": (("Singapore",), ("Singaporean",), ()),
    "Bangladesh": (("Bangladesh",), ("Bangladeshi",), ("Dhaka",)),
    "Pakistan": (("Pakistan",), ("Pakistani",), ("Islamabad",)),
    "Sri Lanka": (("Sri Lanka",), ("Sri Lankan",), ("Colombo",)),
    "Australia": (("Australia",), ("Australian",), ("Canberra",)),
    "New Zealand": (("New Zealand",), ("New Zealander", "Kiwi"), ("Wellington",)),
    "Brazil": (("Brazil",), ("Brazilian",), ("Brasilia", "Brasília")),
    "Argentina": (("Argentina",), ("Argentine", "Argentinian"), ("Buenos Aires",)),
    "Chile": (("Chile",), ("Chilean",), ("Santiago",)),
    "Peru": (("Peru",), ("Peruvian",), ("Lima",)),
    "Colombia": (("Colombia",), ("Colombian",), ("Bogota", "Bogotá")),
    "Ecuador": (("Ecuador",), ("Ecuadorian",), ("Quito",)),
    "Guatemala": (("Guatemala",), ("Guatemalan",), ()),
    "El Salvador": (("El Salvador",), ("Salvadoran",), ("San Salvador",)),
    "Costa Rica": (("Costa Rica",), ("Costa Rican",), ()),
    "Russia": (("Russia", "Russian Federation"), ("Russian",), ("Moscow", "the Kremlin")),
    "Ukraine": (("Ukraine",), ("Ukrainian",), ("Kyiv", "Kiev")),
    "Turkey": (("Turkey", "Türkiye", "Turkiye"), ("Turkish",), ("Ankara",)),
    "Israel": (("Israel",), ("Israeli",), ()),
    "Saudi Arabia": (("Saudi Arabia",), ("Saudi",), ("Riyadh",)),
    "United Arab Emirates": (("United Arab Emirates", "UAE", "U.A.E."), ("Emirati",), ("Abu Dhabi",)),
    "Qatar": (("Qatar",), ("Qatari",), ("Doha",)),
    "Egypt": (("Egypt",), ("Egyptian",), ("Cairo",)),
    "South Africa": (("South Africa",), ("South African",), ("Pretoria",)),
    "Nigeria": (("Nigeria",), ("Nigerian",), ("Abuja",)),
    "Kenya": (("Kenya",), ("Kenyan",), ("Nairobi",)),
    "Lesotho": (("Lesotho",), (), ("Maseru",)),
    "Madagascar": (("Madagascar",), ("Malagasy",), ()),
    "Norway": (("Norway",), ("Norwegian",), ("Oslo",)),
    "Iceland": (("Iceland",), ("Icelandic",), ("Reykjavik",)),
    "Liechtenstein": (("Liechtenstein",), (), ("Vaduz",)),
    "Germany": (("Germany",), ("German",), ("Berlin",)),
    "France": (("France",), ("French",), ("Paris", "the Elysee", "the Élysée")),
    "Italy": (("Italy",), ("Italian",), ("Rome",)),
    "Spain": (("Spain",), ("Spanish",), ("Madrid",)),
    "Portugal": (("Portugal",), ("Portuguese",), ("Lisbon",)),
    "Netherlands": (("Netherlands", "the Netherlands", "Holland"), ("Dutch",), ("The Hague", "Amsterdam")),
    "Belgium": (("Belgium",), ("Belgian",), ()),
    "Ireland": (("Ireland",), ("Irish",), ("Dublin",)),
    "Poland": (("Poland",), ("Polish",), ("Warsaw",)),
    "Sweden": (("Sweden",), ("Swedish",), ("Stockholm",)),
    "Denmark": (("Denmark",), ("Danish",), ("Copenhagen",)),
    "Finland": (("Finland",), ("Finnish",), ("Helsinki",)),
    "Austria": (("Austria",), ("Austrian",), ("Vienna",)),
    "Hungary": (("Hungary",), ("Hungarian",), ("Budapest",)),
    "Czech Republic": (("Czech Republic", "Czechia"), ("Czech",), ("Prague",)),
    "Greece": (("Greece",), ("Greek",), ("Athens",)),
    "Serbia": (("Serbia",), ("Serbian",), ("Belgrade",)),
    "Iran": (("Iran",), ("Iranian",), ("Tehran",)),
    "Iraq": (("Iraq",), ("Iraqi",), ("Baghdad",)),
    "Jordan": (("Jordan",), ("Jordanian",), ("Amman",)),
    "Morocco": (("Morocco",), ("Moroccan",), ("Rabat",)),
    "Algeria": (("Algeria",), ("Algerian",), ("Algiers",)),
    "Tunisia": (("Tunisia",), ("Tunisian",), ("Tunis",)),
    "Kazakhstan": (("Kazakhstan",), ("Kazakh",), ("Astana",)),
    "Mongolia": (("Mongolia",), ("Mongolian",), ("Ulaanbaatar",)),
    "Hong Kong": (("Hong Kong",), (), ()),
    "Nicaragua": (("Nicaragua",), ("Nicaraguan",), ("Managua",)),
    "Dominican Republic": (("Dominican Republic",), ("Dominican",), ("Santo Domingo",)),
    "Venezuela": (("Venezuela",), ("Venezuelan",), ("Caracas",)),
    "Mercosur": (("Mercosur",), (), ()),
    "ASEAN": (("ASEAN", "Association of Southeast Asian Nations"), (), ()),
}

# Loose spellings people type in chat ("japn", "swiss"); the Q&A parser reuses normalise_party.
_LOOSE = {
    "japn": "Japan",
    "jpn": "Japan",
    "japna": "Japan",
    "jp": "Japan",
    "vn": "Vietnam",
    "viet": "Vietnam",
    "vietnamm": "Vietnam",
    "indo": "Indonesia",
    "indonesa": "Indonesia",
    "chna": "China",
    "cn": "China",
    "prc": "China",
    "sk": "South Korea",
    "korea south": "South Korea",
    "uk": "United Kingdom",
    "gb": "United Kingdom",
    "gbr": "United Kingdom",
    "brits": "United Kingdom",
    "eu": "European Union",
    "e.u": "European Union",
    "euro zone": "European Union",
    "eurozone": "European Union",
    "europian union": "European Union",
    "us": "United States",
    "u.s": "United States",
    "usa": "United States",
    "united state": "United States",
    "unted states": "United States",
    "the us": "United States",
    "the u.s.": "United States",
    "the uk": "United Kingdom",
    "the eu": "European Union",
    "the united states": "United States",
    "the united kingdom": "United Kingdom",
    "the european union": "European Union",
    "switz": "Switzerland",
    "swiss confederation": "Switzerland",
    "south korean": "South Korea",
}


def _fold(text: str) -> str:
    """Lower case without accents or doubled spaces: the key every alias is looked up by."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text.strip().lower())


@dataclass(slots=True, frozen=True)
class PartyMention:
    party: str
    start: int
    end: int
    text: str
    kind: str  # "name", "demonym" or "capital"


def _build_tables() -> tuple[dict[str, str], dict[str, str], re.Pattern[str]]:
    alias: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for canonical, (names, demonyms, capitals) in _COUNTRIES.items():
        for kind, words in (("name", names), ("demonym", demonyms), ("capital", capitals)):
            for word in (canonical, *words) if kind == "name" else words:
                alias[_fold(word)] = canonical
                kinds[_fold(word)] = kind
    # Longest first so "South Korea" wins over "Korea", "U.S.-made" over "U.S.".
    words = sorted(
        {w for c, (n, d, cap) in _COUNTRIES.items() for w in (c, *n, *d, *cap)}, key=len, reverse=True
    )
    # Case-sensitive on purpose: "US" the country, not "us" the pronoun; "Turkey", not "turkey".
    # "South American bloc", "Latin American markets" are not the United States.
    regions = r"(?<!South )(?<!Latin )(?<!North )(?<!Central )"
    pattern = re.compile(r"(?<![\w.$])" + regions + _trie_pattern(words) + r"(?!\w)(?:'s|’s)?")
    return alias, kinds, pattern


def _trie_pattern(words: list[str]) -> str:
    """One regex for many literal words, shaped as a trie: far faster than a flat alternation.
    Optional tails are greedy, so the longest alias that ends at a word boundary wins."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + build(trie) + ")"


_ALIAS, _KINDS, _MENTION_RE = _build_tables()
# Only full names and demonyms are fuzzy-matched; short codes ("US", "UK") would match too much.
_FUZZY_KEYS = [k for k, kind in _KINDS.items() if kind in ("name", "demonym") and len(k) >= 5]


@lru_cache(maxsize=4096)
def normalise_party(name: str) -> str | None:
    """Canonical party for a name, demonym, capital or loose spelling; None when unknown."""
    key = _fold(name).removesuffix("'s").removesuffix("’s").strip(" .,;:")
    if not key:
        return None
    for candidate in (key, key.removeprefix("the "), key.rstrip(".")):
        if candidate in _ALIAS:
            return _ALIAS[candidate]
        if candidate in _LOOSE:
            return _LOOSE[candidate]
    if key.endswith("s") and key[:-1] in _ALIAS and _KINDS.get(key[:-1]) == "demonym":
        return _ALIAS[key[:-1]]
    if len(key) >= 5:  # a typed name with a slip: "swizerland", "indonesa", "vietnma"
        close = difflib.get_close_matches(key, _FUZZY_KEYS, n=1, cutoff=0.85)
        if close:
            return _ALIAS[close[0]]
    return None


@lru_cache(maxsize=4096)
def party_mentions(text: str) -> tuple[PartyMention, ...]:
    """Every party mention with its span; a possessive "'s" is part of the span."""
    out = []
    for m in _MENTION_RE.finditer(text):
        word = m.group(0).removesuffix("'s").removesuffix("’s")
        key = _fold(word)
        party = _ALIAS.get(key)
        if party is None:
            continue
        # "US" inside an all-caps heading is still the country; "America" in "Americas" is excluded above.
        out.append(PartyMention(party, m.start(), m.end(), m.group(0), _KINDS.get(key, "name")))
    return tuple(out)


def find_parties(text: str) -> list[str]:
    """Parties mentioned in `text`, in order of first mention."""
    return list(dict.fromkeys(m.party for m in party_mentions(text)))
