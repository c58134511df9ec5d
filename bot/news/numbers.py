"""Percentages and money amounts as news copy writes them.

Pure and fast: compiled patterns, no state. Every finder returns mentions with their character span
so the term extractors can reason about the words around each number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"

# "15 percent", "27.5%", "19pc", "10 per cent", "25 pct"; not "percentage points" (a change, not a rate).
_PERCENT_RE = re.compile(
    _NUM + r"(?:\s*%|\s*-?\s*(?:percent|per\s+cent|pct|pc)\b)(?!\s*(?:-\s*)?points?\b)", re.I
)
_WORD_PERCENT_RE = re.compile(r"\b(zero|nil)\s*(?:%|percent\b|per\s+cent\b)", re.I)

# Fractions said in words: "a fifth of the value" is a 20% rate.
_FRACTIONS = {
    "half": 50.0,
    "a third": 100 / 3,
    "one third": 100 / 3,
    "a quarter": 25.0,
    "one quarter": 25.0,
    "a fifth": 20.0,
    "one fifth": 20.0,
    "a tenth": 10.0,
    "one tenth": 10.0,
}
_FRACTION_RE = re.compile(
    r"\b(half|(?:a|one)\s+(?:third|quarter|fifth|tenth))\s+of\s+(?:the|its|their)\s+(?:value|price)", re.I
)

_SCALES = {
    "trillion": 1e12,
    "tn": 1e12,
    "tr": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "m": 1e6,
}
_SCALE = r"(trillion|billion|million|tn|tr|bn|mln|mn|b|m)\b"
# Currency marks that mean US dollars; other currencies are recognised so they are NOT read as USD.
_USD_PREFIX = r"(?:US\s?\$|U\.S\.\s?\$|USD\s?|\$)"
_OTHER_PREFIX = r"(?:€|EUR\s?|£|GBP\s?|¥|JPY\s?|₩|KRW\s?|A\$|C\$|S\$|HK\$|NT\$|Rs\.?\s?|₹)"
_USD_SUFFIX = r"(?:\s+(?:US|U\.S\.|American)\s+dollars?|\s+dollars?|\s*USD)\b"
_OTHER_SUFFIX = r"(?:\s+(?:euros?|pounds?|yen|won|yuan|renminbi|rupees?|ringgit|baht|dong|rupiah|pesos?))\b"

_MONEY_RE = re.compile(
    r"(?P<prefix>"
    + _OTHER_PREFIX
    + r"|"
    + _USD_PREFIX
    + r")?\s?"
    + _NUM
    + r"(?:\s*-?\s*"
    + _SCALE
    + r")?"
    + r"(?P<suffix>"
    + _USD_SUFFIX
    + r"|"
    + _OTHER_SUFFIX
    + r")?",
    re.I,
)


_DIGIT_RE = re.compile(r"\d")
_CURRENCY_HINT_RE = re.compile(
    r"[$€£¥₩₹]|USD|EUR|GBP|JPY|KRW|Rs\b|dollar|euro|pound|yen|\bwon\b|yuan|renminbi|rupee|ringgit|baht|dong|"
    r"rupiah|peso",
    re.I,
)


@dataclass(slots=True, frozen=True)
class Mention:
    """A number found in text: its value and where it sits."""

    value: float
    start: int
    end: int
    text: str


@dataclass(slots=True, frozen=True)
class MoneyMention(Mention):
    usd: bool  # False when the amount is in another currency (euros, yen...)


def _num(s: str) -> float:
    return float(s.replace(",", ""))


# A bare number that is a rate only because a percentage sits beside it:
# "cut to 15 percent from 27.5", "from 27.5 to 15%".
_BARE_AFTER_RE = re.compile(
    r"\b(?:down |up )?from\s+" + _NUM + r"\b(?![\d,.]*\s*(?:%|per|pc|pct|billion|million|trillion))", re.I
)
_BARE_BEFORE_RE = re.compile(
    r"\bfrom\s+" + _NUM + r"\s+to\s+(?=" + _NUM + r"\s*(?:%|percent|per cent|pct|pc)\b)", re.I
)


@lru_cache(maxsize=4096)
def find_percents(text: str) -> tuple[Mention, ...]:
    """Every percentage in `text`, in order ("15 percent", "27.5%", "19pc", "a fifth of the value")."""
    found = [Mention(_num(m.group(1)), m.start(), m.end(), m.group(0)) for m in _PERCENT_RE.finditer(text)]
    if found and "from" in text:
        for m in _BARE_AFTER_RE.finditer(text):
            if _num(m.group(1)) < 1000 and any(0 <= m.start() - p.end <= 12 for p in found):
                found.append(Mention(_num(m.group(1)), m.start(1), m.end(1), m.group(1)))
        for m in _BARE_BEFORE_RE.finditer(text):
            found.append(Mention(_num(m.group(1)), m.start(1), m.end(1), m.group(1)))
    found += [Mention(0.0, m.start(), m.end(), m.group(0)) for m in _WORD_PERCENT_RE.finditer(text)]
    for m in _FRACTION_RE.finditer(text):
        key = re.sub(r"\s+", " ", m.group(1).lower())
        found.append(Mention(round(_FRACTIONS[key], 2), m.start(), m.end(), m.group(0)))
    return tuple(sorted(found, key=lambda x: x.start))


def parse_percent(text: str) -> float | None:
    """The first percentage in `text`, or None."""
    found = find_percents(text)
    return found[0].value if found else None


@lru_cache(maxsize=4096)
def find_money(text: str) -> tuple[MoneyMention, ...]:
    """Money amounts: "$550 billion", "550 billion dollars", "$550bn", "US$0.55 trillion",
    "600 billion U.S. dollars". A bare number is money only with a currency mark; a bare
    "1.4 billion" (litres, people) is not money.
    """
    out: list[MoneyMention] = []
    if not _DIGIT_RE.search(text) or not _CURRENCY_HINT_RE.search(text):
        return ()
    for m in _MONEY_RE.finditer(text):
        prefix, suffix = m.group("prefix"), m.group("suffix")
        scale = m.group(3)
        if not prefix and not suffix:
            continue
        value = _num(m.group(2))
        if scale:
            # A lone "m"/"b" must be glued to the number ("$5m"), not a following word.
            value *= _SCALES[scale.lower()]
        other = bool(prefix and re.match(_OTHER_PREFIX, prefix, re.I)) or bool(
            suffix and re.match(_OTHER_SUFFIX, suffix, re.I)
        )
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        out.append(MoneyMention(value, start, m.end(), m.group(0).strip(), usd=not other))
    return tuple(out)


def parse_money(text: str) -> float | None:
    """The first US-dollar amount in `text`, as a full number (550e9 for "$550 billion"), or None."""
    for m in find_money(text):
        if m.usd:
            return m.value
    return None


_COUNT_RE = re.compile(_NUM + r"(?:\s*-?\s*(million|billion|thousand)\b)?", re.I)
_COUNT_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def parse_count(text: str) -> float | None:
    """A plain quantity: "100,000", "1.4 billion", "13,000" -> float."""
    m = _COUNT_RE.search(text)
    if not m:
        return None
    value = _num(m.group(1))
    if m.group(2):
        value *= _COUNT_SCALES[m.group(2).lower()]
    return value


NUMBER_TOKEN_RE = re.compile(r"\d[\d,]*(?:\.\d+)?")


def number_tokens(text: str) -> set[str]:
    """Digit strings in `text`, normalised (commas and trailing zeros dropped), for grounding checks."""
    out = set()
    for tok in NUMBER_TOKEN_RE.findall(text):
        tok = tok.rstrip(",").replace(",", "")
        if "." in tok:
            tok = tok.rstrip("0").rstrip(".")
        out.add(tok)
    return out
