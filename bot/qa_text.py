"""Reading facts out of story sentences: percentages, dollar amounts, counts, dates and names.

Pure functions over strings; the Q&A engine precomputes these per sentence once, when it loads.
Every mention keeps its character span so the engine can look at the words around it (what the
figure is about, whether it is a previous or a threatened rate, whose it is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_MONTH_ABBR = {m[:3]: i for m, i in MONTHS.items()} | {"sept": 9}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MON = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"


@dataclass(slots=True, frozen=True)
class Mention:
    value: float
    start: int
    end: int
    text: str


@dataclass(slots=True, frozen=True)
class DateMention:
    day: date
    year_known: bool
    start: int
    end: int
    text: str


def _f(s: str) -> float:
    return float(s.replace(",", ""))


# ---------------------------------------------------------------- sentences

_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z\"'“‘(\u2014\-•])|\n+")
_BULLET = re.compile(r"^\s*(?:[•\-–—*·]|\d{1,2}:\d{2}\s*[—–-]?)\s*")


_ABBREV = re.compile(
    r"(?:\b(?:a\.m|p\.m|U\.S|U\.K|E\.U|Mr|Mrs|Ms|Dr|St|No|Gov|Sen|Rep|Inc|Corp|Ltd|Co|vs|e\.g|i\.e|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z])\.$"
)


def split_sentences(text: str) -> list[str]:
    """Sentences and headings of a story, bullets and timestamps stripped; very short bits dropped."""
    merged: list[str] = []
    for part in _SPLIT.split(text or ""):
        if merged and _ABBREV.search(merged[-1]) and not merged[-1].endswith("\n"):
            merged[-1] = merged[-1] + " " + part
        else:
            merged.append(part)
    out = []
    for part in merged:
        part = _BULLET.sub("", part.strip()).strip()
        if len(part) >= 12 and len(part.split()) >= 3:
            out.append(part)
    return out


# ---------------------------------------------------------------- numbers

_PCT = re.compile(_NUM + r"\s*(?:%|percent\b|per cent\b|pct\b|pc\b)(?!\s*points?)", re.I)
_SCALE = {
    "trillion": 1e12,
    "tn": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
}
_MONEY = re.compile(
    r"(?:(?:US|U\.S\.)?\$|USD\s?)\s?" + _NUM + r"(?:\s*(trillion|billion|million|tn|bn|mn|b|m)\b)?"
    r"|" + _NUM + r"\s*(trillion|billion|million)\s+(?:U\.?S\.?\s+)?dollars\b",
    re.I,
)
_COUNT = re.compile(
    r"(?<![\d$.,])(\d{1,3}(?:,\d{3})+|\d+)(?![\d.,]*\s*(?:%|percent|per cent|pc\b|bn|billion|"
    r"million|trillion|tn\b|a\.m|p\.m))\s+([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)"
)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


_ZERO = re.compile(
    r"\b(?:tariff|duty)[- ]free\b|\bzero[- ](?:tariffs?|duty|duties|rate)\b|\bzero per ?cent\b|"
    r"\bfree of (?:tariffs|duties|duty)\b",
    re.I,
)


_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORD_NUMBERS = (
    {w: i for i, w in enumerate(_UNITS)}
    | _TENS
    | {f"{t}-{u}": v + i for t, v in _TENS.items() for i, u in enumerate(_UNITS) if 0 < i < 10}
    | {"a hundred": 100, "one hundred": 100}
)
_WORD_PCT = re.compile(
    r"\b("
    + "|".join(sorted(map(re.escape, _WORD_NUMBERS), key=len, reverse=True))
    + r")\s+(?:percent|per cent)\b",
    re.I,
)


def percents(s: str) -> list[Mention]:
    """Percentages ("15%", "15 per cent", "fifteen percent"), and zero rates said in words
    ("tariff-free", "zero-tariff") as 0."""
    found = [Mention(_f(m.group(1)), m.start(), m.end(), m.group(0)) for m in _PCT.finditer(s)]
    found += [
        Mention(float(_WORD_NUMBERS[m.group(1).lower()]), m.start(), m.end(), m.group(0))
        for m in _WORD_PCT.finditer(s)
    ]
    found += [Mention(0.0, m.start(), m.end(), m.group(0)) for m in _ZERO.finditer(s)]
    return sorted(found, key=lambda m: m.start)


def money(s: str) -> list[Mention]:
    out = []
    for m in _MONEY.finditer(s):
        if m.group(1):
            scale = _SCALE.get((m.group(2) or "").lower(), 1.0)
            value = _f(m.group(1)) * scale
        else:
            value = _f(m.group(3)) * _SCALE[m.group(4).lower()]
        if value >= 1000:  # "$5" alone is a price, not a deal figure
            out.append(Mention(value, m.start(), m.end(), m.group(0)))
    return out


def counts(s: str) -> list[Mention]:
    """Whole numbers followed by a noun ("50 Boeing jets", "100,000 cars"); not years, not money."""
    out = []
    for m in _COUNT.finditer(s):
        value = _f(m.group(1))
        noun = m.group(2).lower()
        if (
            _YEAR.fullmatch(m.group(1))
            or noun.split()[0] in MONTHS
            or noun.startswith(("days", "day", "hours"))
        ):
            continue
        before = s[max(0, m.start() - 12) : m.start()].lower()
        if re.search(_MON + r"\s*$", before, re.I) or "$" in before[-2:]:
            continue
        out.append(Mention(value, m.start(), m.end(), m.group(0)))
    return out


def years(s: str) -> list[Mention]:
    return [Mention(float(m.group(1)), m.start(), m.end(), m.group(0)) for m in _YEAR.finditer(s)]


def money_words(value: float) -> str:
    """$550 billion, $1.2 trillion, $750 million, $8,000."""
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= scale:
            n = value / scale
            return f"${n:,.2f}".rstrip("0").rstrip(".") + f" {word}"
    return f"${value:,.0f}"


def pct_words(value: float) -> str:
    return f"{value:g}%"


# ---------------------------------------------------------------- dates

_MD = re.compile(r"\b" + _MON + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?", re.I)
_DM = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MON + r"\b(?:,?\s+(\d{4}))?", re.I)
_WEEKDAY = re.compile(
    r"\b(?:(last|next|this)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"(?!\s*,?\s*(?:\d|" + _MON + r"))",
    re.I,
)
_TODAY = re.compile(r"\b(today|tonight|yesterday|tomorrow)\b", re.I)
_FUTURE_NEAR = re.compile(
    r"\b(will|would|from next|is due|are due|due to|scheduled|starting|from|until|by|"
    r"expires?|begins?|next)\b[^.;]*$",
    re.I,
)
_FUTURE = re.compile(r"\b(will|would|from next|is due|are due|set to|scheduled|expires?|until)\b", re.I)


def _month(word: str) -> int:
    w = word.lower().rstrip(".")
    return MONTHS.get(w) or _MONTH_ABBR.get(w[:4] if w.startswith("sept") else w[:3], 0)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def explicit_dates(s: str, default_year: int) -> list[DateMention]:
    out = []
    for m in _MD.finditer(s):
        year = int(m.group(3)) if m.group(3) else None
        when = _safe_date(year or default_year, _month(m.group(1)), int(m.group(2)))
        if when:
            out.append(DateMention(when, year is not None, m.start(), m.end(), m.group(0)))
    for m in _DM.finditer(s):
        year = int(m.group(3)) if m.group(3) else None
        when = _safe_date(year or default_year, _month(m.group(2)), int(m.group(1)))
        if when and not any(o.start <= m.start() < o.end for o in out):
            out.append(DateMention(when, year is not None, m.start(), m.end(), m.group(0)))
    for m in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", s):
        when = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if when:
            out.append(DateMention(when, True, m.start(), m.end(), m.group(0)))
    return sorted(out, key=lambda d: d.start)


def relative_dates(s: str, ref: date | None) -> list[DateMention]:
    """Weekdays and today/yesterday resolved against the story's date (past unless the verb is future)."""
    if ref is None:
        return []
    out = []
    for m in _WEEKDAY.finditer(s):
        # tense from the words just before the day: "will take effect on Monday", "signed late on Monday"
        future = bool(_FUTURE_NEAR.search(s[max(0, m.start() - 40) : m.start()]))
        target = WEEKDAYS.index(m.group(2).lower())
        delta = (ref.weekday() - target) % 7
        when = ref - timedelta(days=delta)
        mod = (m.group(1) or "").lower()
        if mod == "next" or (future and delta and mod != "last"):
            when = ref + timedelta(days=(target - ref.weekday()) % 7 or 7)
        elif mod == "last" and delta == 0:
            when = ref - timedelta(days=7)
        out.append(DateMention(when, False, m.start(), m.end(), m.group(0)))
    for m in _TODAY.finditer(s):
        shift = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[m.group(1).lower()]
        out.append(DateMention(ref + timedelta(days=shift), False, m.start(), m.end(), m.group(0)))
    return out


def all_dates(s: str, ref: date | None, default_year: int) -> list[DateMention]:
    explicit = explicit_dates(s, ref.year if ref else default_year)
    rel = [r for r in relative_dates(s, ref) if not any(abs(r.end - e.start) < 4 for e in explicit)]
    return sorted(explicit + rel, key=lambda d: d.start)


def date_words(d: date, year_known: bool) -> str:
    text = f"{d:%B} {d.day}"
    return f"{text}, {d.year}" if year_known else text


_MAYBE = re.compile(r"\b(could|may|might|threat\w*|warn\w*)\b", re.I)
_FORWARD = re.compile(r"\b(from|until|by|starting|effective|before|after|through)\s*$", re.I)
_DATELINE = re.compile(r"^[A-Z][A-Za-z .'/-]{1,40},\s+" + _MON + r"\s+(\d{1,2})\b", re.I)
_WEEKDAY_DATE = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+(?:"
    + _MON
    + r"\s+(\d{1,2})|(\d{1,2})\s+"
    + _MON
    + r")\b",
    re.I,
)


def story_date(text: str, title: str, default_year: int) -> date | None:
    """When a story without a publication date was written, from its own words: a dateline
    ("TOKYO, July 23 —"), else the latest weekday-dated event ("on Tuesday, July 22"), else the latest
    date it mentions in the past."""
    head = f"{title}\n{text}"
    # the story's year only when it dates an event in full ("May 8, 2025"); "in 2024" is background
    full = [d.day.year for d in explicit_dates(head[:3000], default_year) if d.year_known]
    year = max(set(full), key=full.count) if full else default_year
    for line in head.splitlines()[:4]:
        m = _DATELINE.search(line.strip())
        if m:
            return _safe_date(year, _month(m.group(1)), int(m.group(2)))
    dated = []
    for m in _WEEKDAY_DATE.finditer(head):
        if m.group(1):
            d = _safe_date(year, _month(m.group(1)), int(m.group(2)))
        else:
            d = _safe_date(year, _month(m.group(4)), int(m.group(3)))
        if d:
            dated.append(d)
    if dated:
        return max(dated)
    past = [
        d.day
        for s in split_sentences(head)
        if not _FUTURE.search(s) and not _MAYBE.search(s)
        for d in explicit_dates(s, year)
        if not _FORWARD.search(s[max(0, d.start - 14) : d.start])
    ]
    return max(past) if past else None


def corpus_year(texts: list[str], published_years: list[int]) -> int:
    """The year undated stories most likely belong to: that of the dated stories beside them, else
    the year whose calendar fits the stories' "Tuesday, July 22" pairs, else the year full dates
    name most, else the latest year mentioned."""
    if published_years:
        return max(set(published_years), key=published_years.count)
    full = [d.day.year for t in texts[:2000] for d in explicit_dates(t[:3000], 2000) if d.year_known]
    if full:
        return max(set(full), key=full.count)
    fitted = calendar_year(texts)
    if fitted:
        return fitted
    found = [int(y) for t in texts[:2000] for y in _YEAR.findall(t[:3000]) if 2000 <= int(y) <= 2100]
    return max(found) if found else date.today().year


def calendar_year(texts: list[str], min_pairs: int = 3) -> int | None:
    """The year, near today, in which most "weekday, month day" pairs fall on that weekday."""
    pairs = []
    for t in texts[:2000]:
        for m in _WEEKDAY_DATE.finditer(t[:3000]):
            weekday = WEEKDAYS.index(m.group(0).split()[0].rstrip(",").lower())
            month, day = (
                (_month(m.group(1)), int(m.group(2))) if m.group(1) else (_month(m.group(4)), int(m.group(3)))
            )
            pairs.append((weekday, month, day))
    if len(pairs) < min_pairs:
        return None
    this_year = date.today().year
    votes = {}
    for year in range(this_year - 15, this_year + 6):
        votes[year] = sum(1 for wd, mo, d in pairs if (x := _safe_date(year, mo, d)) and x.weekday() == wd)
    best = max(votes.values())
    if best < 0.6 * len(pairs):
        return None
    return max((y for y, v in votes.items() if v == best), key=lambda y: -abs(y - this_year))


# ---------------------------------------------------------------- people

_TITLE = (
    r"(?:Prime Minister|President|Vice Premier|Premier|Chancellor|Commerce Secretary|Treasury Secretary|"
    r"Secretary of State|Trade Representative|Trade Commissioner|Commissioner|General Secretary|"
    r"Secretary|Minister(?: (?:for|of) [A-Z][a-z]+(?:(?: and| &)? [A-Z][a-z]+)*?)?|"
    r"Ambassador|Governor|Envoy|Chief Negotiator|negotiator|minister|envoy|commissioner|secretary|"
    r"representative|chief|Deputy Prime Minister|Foreign Minister|Finance Minister|Trade Minister|"
    r"Economy Minister|Senator|Chancellor of the Exchequer|Business Secretary)"
)
_NAME_TOKEN = r"[A-ZÀ-ÖØ-Þ\u0100-\u017f][\w'’\-\u00c0-\u017f]*"
_NAME = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{1,3}}"
_TITLED = re.compile(rf"\b{_TITLE}\s+({_NAME})")
_APPOSITIVE = re.compile(rf"\b({_NAME}),\s+(?:the\s+)?(?:[\w'’-]+\s+){{0,4}}{_TITLE}\b")
_NOT_NAME = {
    "The",
    "A",
    "An",
    "And",
    "But",
    "On",
    "In",
    "At",
    "For",
    "Of",
    "With",
    "After",
    "Before",
    "US",
    "U.S.",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "White",
    "House",
    "Donald",
    "Trump",
    "Union",
    "European",
    "States",
    "United",
    "Kingdom",
    "Department",
    "Office",
    "Ministry",
    "Commission",
    "Treasury",
    "Commerce",
    "Trade",
    "Affairs",
    "Economic",
    "Economy",
    # places and bodies that sit where names do ("in the West Midlands, the prime minister said")
    "Midlands",
    "Street",
    "Island",
    "City",
    "County",
    "Province",
    "Republic",
    "Bank",
    "Group",
    "Motor",
    "Motors",
    "Airlines",
    "Council",
    "Parliament",
    "Congress",
    "Senate",
}


@dataclass(slots=True, frozen=True)
class Person:
    name: str
    start: int
    end: int
    title: str


def people(s: str) -> list[Person]:
    """Named officials: 'Trade Minister Jane Roe', 'Jane Roe, the chief negotiator'."""
    found: dict[str, Person] = {}
    for m in _TITLED.finditer(s):
        name = _trim_name(m.group(1))
        if name:
            found.setdefault(
                name, Person(name, m.start(1), m.start(1) + len(name), m.group(0)[: m.start(1) - m.start()])
            )
    for m in _APPOSITIVE.finditer(s):
        name = _trim_name(m.group(1))
        if name:
            found.setdefault(name, Person(name, m.start(1), m.start(1) + len(name), m.group(0)))
    return sorted(found.values(), key=lambda p: p.start)


def _trim_name(raw: str) -> str | None:
    tokens = raw.split()
    while tokens and tokens[0] in _NOT_NAME - {"Donald", "Trump"}:
        tokens = tokens[1:]
    cut = []
    for t in tokens:
        if t in _NOT_NAME and t not in ("Donald", "Trump") or t.lower() in MONTHS:
            break
        cut.append(re.sub(r"['’]s$", "", t))
        if t.endswith(("'s", "’s")):
            break
    if len(cut) < 2 and not (len(cut) == 1 and len(cut[0]) > 3):
        return None
    return " ".join(cut) or None
