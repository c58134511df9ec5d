"""Understanding a deal question: which parties, which fact, which goods, which moment.

`parse_question(text, known_words)` returns a `Question`. It is rule-based on purpose: the set of
facts a trade desk asks about is small (rates now / before / threatened, pledges, purchases, quotas,
dates, people, parties, comparisons, rankings) and each has plain-word cues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot import qa_parties
from bot.qa_parties import US
from bot.qa_text import MONTHS, counts, money, percents

# Goods and topics: a question naming one must be answered from a sentence naming it too.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "cars": ("car", "cars", "auto", "autos", "automobile", "vehicle", "vehicles", "automotive", "carmaker"),
    "steel": ("steel", "aluminium", "aluminum", "metal", "metals"),
    "transship": ("transship", "transshipped", "transshipment", "transhipped", "transhipment", "rerouted"),
    # not "package": an "investment package" is no parcel
    "parcels": ("parcel", "parcels", "packages", "postal", "de minimis", "low-value"),
    "aircraft": ("boeing", "aircraft", "jet", "jets", "plane", "planes", "airliner", "airliners"),
    "energy": ("energy", "lng", "oil", "gas", "fuel"),
    "chips": ("chip", "chips", "semiconductor", "semiconductors"),
    "defence": ("defence", "defense", "military", "weapon", "weapons", "arms"),
    "rice": ("rice",),
    "beef": ("beef",),
    "farm": ("agricultural", "agriculture", "farm", "soybeans", "corn", "wheat"),
    "pharma": ("pharmaceutical", "pharmaceuticals", "drug", "drugs", "medicine", "medicines"),
    "aerospace": ("aerospace", "engines"),
    "profits": ("profit", "profits"),
    "lumber": ("lumber", "timber", "wood"),
    "textiles": ("textile", "textiles", "garment", "garments", "apparel", "clothing", "footwear", "shoes"),
    "electronics": ("electronics", "smartphone", "smartphones", "computers"),
    "ethanol": ("ethanol",),
    "fentanyl": ("fentanyl",),
}
SUBJECT_OF = {w: k for k, words in SUBJECTS.items() for w in words}
GENERIC_GOODS = ("goods", "imports", "exports", "products", "everything", "most", "all")

STOPWORDS = set(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "will",
        "would",
        "could",
        "should",
        "can",
        "may",
        "might",
        "shall",
        "has",
        "have",
        "had",
        "what",
        "whats",
        "what's",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "much",
        "many",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "their",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "i",
        "we",
        "you",
        "your",
        "our",
        "me",
        "my",
        "any",
        "some",
        "about",
        "into",
        "under",
        "over",
        "after",
        "before",
        "than",
        "then",
        "now",
        "still",
        "just",
        "get",
        "got",
        "gets",
        "up",
        "out",
        "as",
        "at",
        "if",
        "so",
        "not",
        "no",
        "yes",
        "under",
        "deal",
        "deals",
        "agreement",
        "tell",
        "please",
        "there",
        "here",
        "much",
        "does",
        "did",
    ]
)

_SUMMARY = re.compile(
    r"\bterms\b|\bwhat'?s in (?:the|it)\b|\bdetails\b|\bsummar|\btell me about\b|\bwhat do we know\b|"
    r"\boverview\b|\bwhat does the \w+ (?:deal|agreement) (?:say|include)"
)
_FACT_WORDS = re.compile(
    r"\btarr?iff|\brate\b|\binvest|\bbuy|\bpurchas|\bwhen\b|\bwho\b|\bhow (?:much|many)\b|\bquota|"
    r"\bdut(?:y|ies)\b|\bdate\b"
)

_KIND_CUES: list[tuple[str, str]] = [
    # "who got a 100,000-car quota?" asks for a country, not a person
    (
        r"\bwho (?:got|gets|has|have|won|secured|received|faces|is paying|pays)\b.*\b(?:quota|rate|tariff|deal|"
        r"%|percent|exemption)",
        "parties",
    ),
    (
        r"\bwho (?:promised|pledged|committed|agreed to (?:buy|invest|purchase|import)|will (?:buy|invest)|"
        r"is (?:buying|investing)|bought|invested)\b",
        "parties",
    ),
    (r"\bwho\b|\bnegotiator|\bwhich (?:\w+ )?(?:official|minister|person|people)\b", "people"),
    (
        r"\bwhen\b|\bwhat date\b|\bwhich date\b|\bby when\b|\bfrom what date\b|\bwhat day\b|\bhow long\b|"
        r"\bcame first\b|\bdeadline\b",
        "date",
    ),
    (
        r"\bwhich (?:country|countries|nation|nations|deal|partner|side|one)\b|\bwhat (?:country|countries|nation)\b|"
        r"\bapart from\b|\bbesides\b",
        "parties",
    ),
    (r"\binvest", "investment"),
    (
        r"\bbuy|\bbuying|\bbyuing|\bpurchas|\bimport (?:more|of)|\bimports? of\b|\bto import\b|\bspend|\bspending|\border(?:s|ed)?\b"
        r"|\bincreas\w* (?:\w+ )*imports",
        "purchase",
    ),
    (r"\bstatus\b|\bsigned yet\b|\bin (?:force|effect) yet\b|\bstill on\b|\bcollapsed\b", "status"),
    (
        r"\btarr?iff?s?\b|\btarif\b|\brates?\b|\bduty\b|\bduties\b|\blev(?:y|ies)\b|\bpa(?:y|ys|ying|id)\b|\bcharge|"
        r"\btax(?:ed|es)?\b|\bhit\b|\bfac(?:e|es|ing)\b|\bcost\b",
        "rate",
    ),
    (r"\bquota\b|\bceiling\b|\ballowance\b", "quota"),
]


@dataclass(slots=True)
class Question:
    text: str
    parties: list[str]
    kind: str  # rate, investment, purchase, quota, date, people, parties, status, compare, rank, unknown
    role: str = "now"  # for rates: now, previous, threat, snapback
    subjects: set[str] = field(default_factory=set)
    keywords: list[str] = field(default_factory=list)
    reverse: bool = False  # the other party's tariffs on US goods
    wants: str = ""  # count, percent, money, deadline, names
    event: str = ""  # for dates: announced, effective, signed, expires
    compare: str = ""  # lower, higher, first, same
    region: str | None = None
    numbers: list[float] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    goods_words: list[str] = field(default_factory=list)  # goods the lexicon does not know ("pork", "copper")
    as_of: date | None = None
    latest: bool = False
    side: bool = True  # people questions: one side's official ("Japan's negotiator"), not anyone on the deal
    side_party: str | None = None  # ... and which side, when the question says ("for the US")

    @property
    def focus(self) -> list[str]:
        """The parties the question is about: the United States only when it is the only one named."""
        others = [p for p in self.parties if p != US]
        return others or self.parties


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9][a-z0-9'’\-]*", text.lower())


def parse_question(text: str, known_words: frozenset[str] = frozenset()) -> Question:
    low = " " + text.lower().replace("’", "'") + " "
    parties = qa_parties.parties_in_question(text, known_words)
    q = Question(text=text, parties=parties, kind="unknown")
    q.region = qa_parties.region_of(text) if re.search(r"\b(rank|list|all|every|deals)\b", low) else None
    q.subjects = {SUBJECT_OF[w] for w in _tokens(low) if w in SUBJECT_OF}
    q.subjects |= {SUBJECT_OF[w] for w in ("de minimis", "low-value") if w in low}
    q.keywords = [w for w in _tokens(low) if w not in STOPWORDS and len(w) > 1]
    q.numbers = (
        [m.value for m in percents(text)] + [m.value for m in counts(text)] + [m.value for m in money(text)]
    )
    q.goods_words = _unknown_goods(low, q.subjects)
    m = re.search(r"\b(?:apart from|besides|other than|except)\s+([a-z .']+?)(?:,|\s+which|\s+what|$)", low)
    if m:
        q.excluded = qa_parties.parties_in_question(m.group(1), known_words)
    q.latest = bool(
        re.search(r"\b(now|currently|current|right now|today|latest|still|end up|ended up)\b", low)
    )
    m = re.search(
        r"\b(?:as of|as at|in|during|back in|at the (?:start|end) of) (?:early |mid-?|late )?("
        + "|".join(MONTHS)
        + r")\b(?! \d)",
        low,
    )
    if m and q_kind_is_rate(low):
        q.as_of = date(2000, MONTHS[m.group(1)], 28)  # year filled in against the stories

    for pattern, kind in _KIND_CUES:
        if re.search(pattern, low):
            q.kind = kind
            break
    if _SUMMARY.search(low) and not _FACT_WORDS.search(low) and parties:
        q.kind = "summary"  # "what are the terms of the UK deal?": the deal's headline terms
    # "what share of the profits ..." is a percentage whatever the topic
    if re.search(r"\b(what|which) (share|percentage|percent|portion|fraction)\b|\bhow much of the\b", low):
        q.wants = "percent"
    elif re.search(r"\bhow many\b|\bnumber of\b", low):
        q.wants = "count"
    elif re.search(r"\bby when\b|\bby what (date|year)\b|\bdeadline\b|\bover how long\b", low):
        q.wants = "deadline"
    elif re.search(r"\bby how much\b|\bhow much more\b", low):
        q.wants = "change"
    if q.wants == "deadline" and re.search(r"\binvest", low):
        q.kind = "investment"
    if (
        q.kind in ("unknown", "rate")
        and re.search(r"\bhow much\b", low)
        and not re.search(r"\btarr?iff?|\brate\b|\bdut(y|ies)\b|\blevy\b|\bcharge|\btax", low)
    ):
        q.kind = "purchase"  # "how much Boeing business ..." asks for an amount

    # rates: which moment
    if re.search(
        r"\bgo back\b|\brevert|\bsnap ?back|\breturn to\b|\bfall back\b|\bif \w+ (doesn't|does not|fails)",
        low,
    ):
        q.role = "snapback"
    elif re.search(r"\bthreat|\boriginally\b|\binitially\b|\bletter\b|\bwarned\b|\bfirst announced\b", low):
        q.role = "threat"
    elif re.search(
        r"\bbefore\b|\bpreviously\b|\bprior\b|\bused to\b|\bhad been\b|\bwere paying\b|"
        r"\bwas it\b|\bold rate\b|\bhow high was\b|\bhad (?:\w+ ){0,3}been\b",
        low,
    ):
        q.role = "previous"

    # direction: "what does Britain charge on US-made cars", "China's tariffs on American goods"
    other = [p for p in parties if p != US]
    if other and re.search(
        r"\b(charges?|charging|impose[sd]?|levies|levy|put|puts|tariffs?)\s+(?:\w+\s+){0,2}on\s+"
        r"(?:the\s+)?(?:us|u\.s\.|american|america's|us-made|us-built|american-made)\b",
        low,
    ):
        q.reverse = True
    if re.search(r"\bretaliatory (?:tariffs?|rates?|dut(?:y|ies)|levy|levies)\b|\bcounter-?tariff", low):
        q.reverse = True

    # dates: which event
    if q.kind == "date":
        if re.search(
            r"\bexpire|\brun out\b|\bruns out\b|\blapse|\bend\b|\bends\b|\bdeadline\b|\bhow long\b", low
        ):
            q.event = "expires"
        elif re.search(r"\bsign", low):
            q.event = "signed"
        elif re.search(
            r"\beffect\b|\bkick|\bforce\b|\bapply\b|\bapplies\b|\bstart|\bbegin|\bfrom what date\b|"
            r"\bimplement|\blive\b",
            low,
        ):
            q.event = "effective"
        else:
            q.event = "announced"

    if q.kind == "people" and other:
        q.side = _asks_for_side(low, other[0])
        for party in parties:
            names = "|".join(re.escape(a) for a, c in qa_parties.ALIASES.items() if c == party)
            if re.search(rf"\b(?:for|on behalf of) (?:the )?(?:{names})\b", low):
                q.side, q.side_party = True, party

    # comparisons and rankings
    cmp_words = re.search(
        r"\b(lower|less|cheaper|smaller|least|lowest|higher|more|bigger|larger|highest|most|"
        r"first|earlier|sooner|later|same|different|identical|vs|versus|compare|compared)\b",
        low,
    )
    if re.search(r"\brank|\border (?:the )?\w* ?deals\b|\bsort\b", low) or (q.region and not other):
        q.kind = "rank"
        q.compare = (
            "higher" if re.search(r"\b(higher|highest|most|worst|toughest|steepest)\b", low) else "lower"
        )
    elif (
        len(other) >= 2
        and cmp_words
        and q.kind != "parties"
        or (len(other) >= 2 and " or " in low and q.kind in ("rate", "investment", "date", "purchase"))
    ):
        q.compare = _direction(low)
        q.kind = "compare:" + _compared_fact(q, low)
    if q.kind == "parties" and len(other) >= 2 and " or " in low:
        q.compare = _direction(low)
        q.kind = "compare:" + _compared_fact(q, low)
    return q


_ROLE_NOUNS = (
    r"(?:negotiators?|officials?|ministers?|side|team|delegation|leaders?|president|premier|envoys?|"
    r"commissioner|secretary|representative|counterparts?|chief)"
)


def _asks_for_side(low: str, party: str) -> bool:
    """'Japan's negotiator', 'EU official', 'for Japan', 'in Vietnam' ask for one side's person;
    'who signed the Japan order' asks about the deal, whoever's side they are on."""
    names = "|".join(re.escape(a) for a, c in qa_parties.ALIASES.items() if c == party)
    if re.search(rf"\b(?:{names})(?:'s)?\s+(?:\w+\s+){{0,2}}{_ROLE_NOUNS}\b", low):
        return True
    if re.search(rf"\b(?:{names})'s\b|\b(?:for|in|from|of) (?:the )?(?:{names})\b", low):
        return True
    return not re.search(
        rf"\b(?:{names})\b[\w\s-]{{0,25}}?\b(?:deal|order|agreement|pact|truce|framework|"
        rf"statement|talks|accord)\b",
        low,
    )


_NOT_GOODS_WORDS = frozenset(
    [
        "goods",
        "imports",
        "exports",
        "products",
        "items",
        "things",
        "deal",
        "deals",
        "agreement",
        "trade",
        "tariff",
        "tariffs",
        "rate",
        "rates",
        "duty",
        "duties",
        "average",
        "top",
        "most",
        "all",
        "everything",
        "border",
        "arrival",
        "entry",
        "time",
        "now",
        "today",
        "average",
        "whole",
        "rest",
        "each",
    ]
)


def _unknown_goods(low: str, subjects: set[str]) -> list[str]:
    """'the tariff on US pork', 'duties for copper imports': a goods word the lexicon lacks. Such a word
    must appear in the answer's sentence, or a general rate would be passed off as the rate for it."""
    out = []
    for m in re.finditer(
        r"\b(?:on|for) (?:the |all |its |their )?([a-z][a-z.-]{1,})(?:\s+([a-z][a-z-]{3,}))?", low
    ):
        first, second = m.group(1), m.group(2)
        # "on US pork", "on Swiss watches", "on American-made cars": the goods follow a name
        word = (
            second
            if (
                qa_parties.canonical(first.strip("."))
                or first.endswith("-made")
                or first in ("us", "u.s.", "american", "imported", "foreign")
            )
            else first
        )
        if not word or len(word) < 4:
            continue
        if word in _NOT_GOODS_WORDS or word in STOPWORDS or word in SUBJECT_OF or qa_parties.canonical(word):
            continue
        if subjects and any(word.startswith(w) for s in subjects for w in SUBJECTS[s]):
            continue
        out.append(word)
    return out


def q_kind_is_rate(low: str) -> bool:
    """A month in a rate question ("the tariff on Japanese cars in April") asks about that time."""
    return bool(
        re.search(r"\btarr?iff|\brate\b|\bdut(?:y|ies)\b|\bpaying\b|\bpaid\b|\bcharged?\b", low)
    ) and not re.search(r"\bthreat|\bletter\b|\bwhen\b", low)


def _direction(low: str) -> str:
    if re.search(r"\b(same|different|identical|equal)\b", low):
        return "same"
    if re.search(r"\b(first|earlier|sooner)\b", low):
        return "first"
    if re.search(r"\b(later|last)\b", low):
        return "last"
    if re.search(r"\b(lower|less|cheaper|smaller|least|lowest)\b", low):
        return "lower"
    if re.search(r"\b(better|best)\b", low) and not re.search(r"\binvest|\bbuy|\bpurchas", low):
        return "lower"  # a better deal on tariffs is a lower rate
    return "higher"


def _compared_fact(q: Question, low: str) -> str:
    if re.search(r"\bfirst\b|\bearlier\b|\bsooner\b|\bwhen\b|\blater\b", low):
        return "date"
    if re.search(r"\binvest", low):
        return "investment"
    if re.search(r"\bbuy|\bpurchas|\bspend", low):
        return "purchase"
    return "rate"
