"""Party names as people type them: countries, blocs, demonyms, short forms and typos.

Used by the ledger (to key terms by party pair), by question understanding and by sentence
features. `find_parties(text)` finds canonical names in running text; `resolve_party(word)` turns
one user-typed name ("japn", "S. Korea", "the EU deal") into a canonical name or None.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import lru_cache

US = "United States"
EU = "European Union"

# canonical name -> names, short forms and demonyms that mean it in running text
_NAMES: dict[str, tuple[str, ...]] = {
    US: (
        "united states",
        "united states of america",
        "u.s.",
        "u.s.a.",
        "usa",
        "us",
        "america",
        "american",
        "americans",
        "washington",
        "the states",
        "white house",
    ),
    EU: (
        "european union",
        "eu",
        "e.u.",
        "europe",
        "european",
        "europeans",
        "brussels",
        "the bloc",
        "european commission",
    ),
    "United Kingdom": (
        "united kingdom",
        "uk",
        "u.k.",
        "britain",
        "great britain",
        "british",
        "england",
        "english",
        "london",
        "downing street",
        "brit",
        "brits",
    ),
    "Japan": ("japan", "japanese", "tokyo"),
    "China": ("china", "chinese", "beijing", "prc", "people's republic of china", "mainland china"),
    "South Korea": (
        "south korea",
        "s. korea",
        "s korea",
        "korea",
        "korean",
        "south korean",
        "seoul",
        "republic of korea",
        "rok",
    ),
    "Vietnam": ("vietnam", "viet nam", "vietnamese", "hanoi"),
    "Indonesia": ("indonesia", "indonesian", "indonesians", "jakarta"),
    "India": ("india", "indian", "new delhi"),
    "Switzerland": ("switzerland", "swiss", "bern"),
    "Canada": ("canada", "canadian", "ottawa"),
    "Mexico": ("mexico", "mexican", "mexico city"),
    "Brazil": ("brazil", "brazilian", "brasilia"),
    "Philippines": ("philippines", "philippine", "filipino", "manila"),
    "Thailand": ("thailand", "thai", "bangkok"),
    "Malaysia": ("malaysia", "malaysian"),
    "Cambodia": ("cambodia", "cambodian", "phnom penh"),
    "Laos": ("laos", "lao"),
    "Myanmar": ("myanmar", "burma"),
    "Taiwan": ("taiwan", "taiwanese", "taipei"),
    "Australia": ("australia", "australian", "canberra"),
    "New Zealand": ("new zealand",),
    "Singapore": ("singapore", "singaporean"),
    "Bangladesh": ("bangladesh", "bangladeshi", "dhaka"),
    "Pakistan": ("pakistan", "pakistani", "islamabad"),
    "Sri Lanka": ("sri lanka", "sri lankan"),
    "Israel": ("israel", "israeli"),
    "Turkey": ("turkey", "turkish", "turkiye", "ankara"),
    "Saudi Arabia": ("saudi arabia", "saudi", "riyadh"),
    "United Arab Emirates": ("united arab emirates", "uae", "emirati"),
    "South Africa": ("south africa", "south african", "pretoria"),
    "Argentina": ("argentina", "argentine", "argentinian", "buenos aires"),
    "Chile": ("chile", "chilean"),
    "Colombia": ("colombia", "colombian"),
    "Norway": ("norway", "norwegian"),
    "Russia": ("russia", "russian", "moscow"),
    "Ukraine": ("ukraine", "ukrainian", "kyiv"),
    "Germany": ("germany", "german", "berlin"),
    "France": ("france", "french", "paris"),
    "Italy": ("italy", "italian", "rome"),
    "Ecuador": ("ecuador", "ecuadorian"),
    "Guatemala": ("guatemala", "guatemalan"),
    "El Salvador": ("el salvador", "salvadoran"),
    "Lesotho": ("lesotho",),
}

# Every other country by its plain name (and a common demonym where it is unambiguous), so that a
# question about a country the stories never mention is recognised, and answered "don't know".
_OTHER_COUNTRIES = """afghanistan:afghan albania:albanian algeria:algerian andorra angola:angolan armenia:armenian
austria:austrian azerbaijan bahamas bahrain:bahraini barbados belarus belgium:belgian belize benin bhutan bolivia:bolivian
bosnia botswana brunei bulgaria:bulgarian burkina faso burundi cameroon:cameroonian cape verde chad comoros congo
costa rica croatia:croatian cuba:cuban cyprus:cypriot czech republic:czech czechia denmark:danish djibouti dominica
dominican republic egypt:egyptian equatorial guinea eritrea estonia:estonian eswatini ethiopia:ethiopian fiji
finland:finnish gabon gambia georgia:georgian ghana:ghanaian greece:greek grenada guinea guyana haiti:haitian
honduras:honduran hungary:hungarian iceland:icelandic iran:iranian iraq:iraqi ireland:irish jamaica:jamaican
jordan:jordanian kazakhstan:kazakh kenya:kenyan kiribati kosovo kuwait:kuwaiti kyrgyzstan latvia:latvian
lebanon:lebanese liberia libya:libyan liechtenstein lithuania:lithuanian luxembourg madagascar malawi maldives mali
malta:maltese mauritania mauritius moldova monaco mongolia:mongolian montenegro morocco:moroccan mozambique namibia
nauru nepal:nepalese netherlands:dutch nicaragua:nicaraguan niger nigeria:nigerian north korea north macedonia
oman panama:panamanian papua new guinea paraguay:paraguayan peru:peruvian poland:polish portugal:portuguese
qatar:qatari romania:romanian rwanda samoa san marino senegal serbia:serbian seychelles sierra leone slovakia:slovak
slovenia:slovenian solomon islands somalia south sudan spain:spanish sudan suriname sweden:swedish syria:syrian
tajikistan tanzania timor-leste togo tonga trinidad and tobago tunisia:tunisian turkmenistan tuvalu uganda
uruguay:uruguayan uzbekistan vanuatu venezuela:venezuelan yemen zambia zimbabwe hong kong macau"""


def _other_countries() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    # names can hold spaces ("costa rica"): multi-word names are read against _MULTIWORD
    words = _OTHER_COUNTRIES.split()
    i = 0
    while i < len(words):
        for size in (4, 3, 2, 1):
            chunk = " ".join(words[i : i + size])
            name, _, demonym = chunk.partition(":")
            if size == 1 or name in _MULTIWORD:
                canon = name.title().replace(" And ", " and ")
                out[canon] = (name,) + ((demonym,) if demonym else ())
                i += size
                break
    return out


_MULTIWORD = {
    "burkina faso",
    "cape verde",
    "costa rica",
    "czech republic",
    "dominican republic",
    "equatorial guinea",
    "north korea",
    "north macedonia",
    "papua new guinea",
    "san marino",
    "sierra leone",
    "solomon islands",
    "south sudan",
    "trinidad and tobago",
    "hong kong",
}
for _canon, _names in _other_countries().items():
    _NAMES.setdefault(_canon, _names)


# Regions a user may rank or list deals by ("rank the Asian deals by tariff").
REGIONS: dict[str, tuple[str, ...]] = {
    "asia": (
        "Japan",
        "China",
        "South Korea",
        "Vietnam",
        "Indonesia",
        "India",
        "Philippines",
        "Thailand",
        "Malaysia",
        "Cambodia",
        "Laos",
        "Myanmar",
        "Taiwan",
        "Singapore",
        "Bangladesh",
        "Pakistan",
        "Sri Lanka",
    ),
    "europe": (EU, "United Kingdom", "Switzerland", "Norway", "Germany", "France", "Italy"),
    "americas": (
        "Canada",
        "Mexico",
        "Brazil",
        "Argentina",
        "Chile",
        "Colombia",
        "Ecuador",
        "Guatemala",
        "El Salvador",
    ),
}
_REGION_WORDS = {
    "asia": "asia",
    "asian": "asia",
    "southeast asian": "asia",
    "europe": "europe",
    "european": "europe",
    "americas": "americas",
    "latin american": "americas",
}

# Words that look like a name in running text but rarely mean the country there.
_AMBIGUOUS_IN_TEXT = {
    "us",
    "english",
    "french",
    "german",
    "turkey",
    "chile",
    "rome",
    "paris",
    "berlin",
    "lao",
    "europe",
}

ALIASES: dict[str, str] = {alias: canon for canon, names in _NAMES.items() for alias in names}
for _canon in _NAMES:
    ALIASES[_canon.lower()] = _canon


def _alias_pattern(aliases: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(aliases, key=len, reverse=True)
    body = "|".join(re.escape(a) for a in ordered)
    return re.compile(rf"(?<![\w.])(?:{body})(?![\w])", re.I)


# Names that in news text are more often something else (the US state of Georgia, a person called
# Jordan or Chad): recognised in questions, never in story text.
_QUESTION_ONLY = {
    "georgia",
    "georgian",
    "jordan",
    "chad",
    "niger",
    "guinea",
    "mali",
    "dominica",
    "congo",
    "monaco",
    "greek",
    "polish",
    "panama",
    "samoa",
    "tonga",
    "cuba",
    "malta",
    "jamaica",
}
_TEXT_RE = _alias_pattern(a for a in ALIASES if a not in _AMBIGUOUS_IN_TEXT and a not in _QUESTION_ONLY)
_QUESTION_RE = _alias_pattern(a for a in ALIASES if a not in _AMBIGUOUS_IN_TEXT)
_US_RE = re.compile(r"(?<![\w.])(?:US|U\.S\.)(?![\w])")  # "US" only in capitals: "us" is a pronoun
# "Turkey" and "Chile" are countries when capitalised; "turkey" and "chile" are food
_TITLED_RE = re.compile(
    r"(?<![\w.])(?:" + "|".join(re.escape(a.title()) for a in _AMBIGUOUS_IN_TEXT if a != "us") + r")(?![\w])"
)


def canonical(name: str | None) -> str | None:
    """A canonical party name for an exact alias (case-insensitive), else None."""
    if not name:
        return None
    key = re.sub(r"\s+", " ", name.strip().lower())
    key = re.sub(r"^the ", "", key) if key not in ALIASES else key
    return ALIASES.get(key)


def normalise(name: str) -> str:
    """Canonical name when known, the input tidied otherwise (extraction may name rare countries)."""
    return canonical(name) or name.strip()


@lru_cache(maxsize=4096)
def find_parties(text: str) -> tuple[str, ...]:
    """Canonical parties named in running text, in order of first mention."""
    found: dict[str, int] = {}
    for m in _TEXT_RE.finditer(text):
        canon = ALIASES[m.group(0).lower()]
        found.setdefault(canon, m.start())
    for m in _US_RE.finditer(text):
        found.setdefault(US, m.start())
    for m in _TITLED_RE.finditer(text):
        found.setdefault(ALIASES[m.group(0).lower()], m.start())
    return tuple(sorted(found, key=found.__getitem__))


def region_of(text: str) -> str | None:
    low = text.lower()
    for word, region in sorted(_REGION_WORDS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{word}\b", low):
            return region
    return None


_QUESTION_TOKEN = re.compile(r"[a-z][a-z.'’]*", re.I)


def parties_in_question(question: str, known_words: frozenset[str] = frozenset()) -> list[str]:
    """Parties a user named, forgiving short forms and typos ("japn", "indonesa", "S. Korea").

    `known_words` is vocabulary seen in the stories: a word found there is taken as spelled, so
    only unknown words are matched loosely against the names.
    """
    found: dict[str, int] = {}
    text = question.replace("’", "'")
    for m in _QUESTION_RE.finditer(text):
        found.setdefault(ALIASES[m.group(0).lower()], m.start())
    for m in re.finditer(
        r"(?<![\w.])(?:US|U\.S\.|USA)(?![\w])|\b(?:us|usa)\b(?=\s*(?:\?|$|deal|tariff|rate))", text
    ):
        found.setdefault(US, m.start())
    for m in _TITLED_RE.finditer(text):
        found.setdefault(ALIASES[m.group(0).lower()], m.start())
    if "EU" in text or "E.U." in text:
        found.setdefault(EU, text.find("E"))
    for m in _QUESTION_TOKEN.finditer(text):
        word = m.group(0).lower().strip(".'")
        if len(word) < 4 or word in ALIASES or word in known_words or word in _COMMON_WORDS:
            continue
        # a typo keeps its first letter ("japn", "vietnm", "indonisia"); "while" is not "chile"
        keys = [k for k in _FUZZY_KEYS if k[0] == word[0]]
        match = difflib.get_close_matches(word, keys, n=1, cutoff=0.85)
        if match:
            found.setdefault(ALIASES[match[0]], m.start())
    return sorted(found, key=found.__getitem__)


# One-word aliases long enough to be matched loosely.
_FUZZY_KEYS = [a for a in ALIASES if " " not in a and "." not in a and len(a) >= 4]
# Question words that sit close to a country name in spelling.
_COMMON_WORDS = {
    "pain",
    "china",
    "chain",
    "chins",
    "india",
    "japan",
    "rates",
    "trade",
    "tarif",
    "tariff",
    "which",
    "their",
    "there",
    "what",
    "when",
    "much",
    "many",
    "deal",
    "deals",
    "more",
    "less",
    "same",
    "after",
    "before",
    "under",
    "above",
    "korea",
    "about",
    "other",
    "swiss",
    "thais",
}
