"""Dates as articles state them, resolved to calendar dates.

"July 23", "Tuesday, July 22", "Thursday 8 May", "Oct 27", "2025-07-23" and relative forms
("on Tuesday", "today", "yesterday", "last week") are found with their spans. A text without a
publication date gets its year from the text itself: a weekday written beside a date pins the year
("Wednesday, July 2" is 2025); otherwise a full date with a year, then the year after the last
full year the article quotes statistics for ("a deficit of $123 billion in 2024"), then today.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

_MONTHS = {
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
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_WEEKDAYS = {
    d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}

_MONTH = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_WEEKDAY = r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+((?:19|20)\d{2}))?"

_DATE_HINT_RE = re.compile(r"\d|day\b|tonight|week|month", re.I)
_MONTH_HINT_RE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
_REL_HINT_RE = re.compile(r"day\b|tonight|week\b|month\b", re.I)
_ISO_RE = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
# "Tuesday, July 22, 2025", "Tuesday (July 15)", "July 22"
_MDY_RE = re.compile(r"(?:\b" + _WEEKDAY + r",?\s+\(?)?\b" + _MONTH + r"\s+" + _DAY + r"\b\)?" + _YEAR)
# "Thursday 8 May", "30 June 2025", "Monday 30 June"
_DMY_RE = re.compile(r"(?:\b" + _WEEKDAY + r",?\s+)?\b" + _DAY + r"\s+" + _MONTH + r"\b" + _YEAR)
_REL_RE = re.compile(
    r"\b(?:(?:on|late on|early on|late|earlier on|last)\s+)?"
    + _WEEKDAY
    + r"\b(?!,?\s+\(?(?:\d|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))"
    r"|\b(today|tonight|yesterday|this week|last week|earlier this week|this month|last month)\b",
    re.I,
)
_STAT_YEAR_RE = re.compile(r"\b(?:in|for|during|of)\s+((?:19|20)\d{2})\b(?![-/]\d)(?!\s*[-–]\s*\d)")
_DATELINE_RE = re.compile(r"^\s*[A-Z][A-Z .'/-]{2,40},\s+(?=[A-Z][a-z]{2})")
_ANY_YEAR_RE = re.compile(r"\b((?:19|20)\d{2})\b")


@dataclass(slots=True, frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    month: int | None = None
    day: int | None = None
    year: int | None = None
    weekday: int | None = None
    relative: str | None = None  # "weekday", "today", "yesterday", "last week", ...


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return _MONTHS[key[:4]] if key.startswith("sept") else _MONTHS[key[:3]]


@lru_cache(maxsize=4096)
def find_dates(text: str) -> tuple[DateMention, ...]:
    """Explicit and relative date mentions, in order."""
    if not _DATE_HINT_RE.search(text):
        return ()
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    months = bool(_MONTH_HINT_RE.search(text))
    for m in _ISO_RE.finditer(text) if "-" in text else ():
        out.append(
            DateMention(m.start(), m.end(), m.group(0), int(m.group(2)), int(m.group(3)), int(m.group(1)))
        )
        taken.append((m.start(), m.end()))
    for m in _MDY_RE.finditer(text) if months else ():
        if not free(m.start(), m.end()):
            continue
        day = int(m.group(3))
        if not 1 <= day <= 31:
            continue
        wd = _WEEKDAYS[m.group(1).lower()] if m.group(1) else None
        year = int(m.group(4)) if m.group(4) else None
        out.append(DateMention(m.start(), m.end(), m.group(0), _month(m.group(2)), day, year, wd))
        taken.append((m.start(), m.end()))
    for m in _DMY_RE.finditer(text) if months else ():
        if not free(m.start(), m.end()):
            continue
        day = int(m.group(2))
        if not 1 <= day <= 31:
            continue
        wd = _WEEKDAYS[m.group(1).lower()] if m.group(1) else None
        year = int(m.group(4)) if m.group(4) else None
        out.append(DateMention(m.start(), m.end(), m.group(0), _month(m.group(3)), day, year, wd))
        taken.append((m.start(), m.end()))
    for m in _REL_RE.finditer(text) if _REL_HINT_RE.search(text) else ():
        if not free(m.start(), m.end()):
            continue
        if m.group(1):
            out.append(
                DateMention(
                    m.start(), m.end(), m.group(0), weekday=_WEEKDAYS[m.group(1).lower()], relative="weekday"
                )
            )
        else:
            out.append(DateMention(m.start(), m.end(), m.group(0), relative=m.group(2).lower()))
    return tuple(sorted(out, key=lambda d: d.start))


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def infer_year(text: str, today: date | None = None) -> int:
    """The year an undated article was written in, from its own words; the current year without any."""
    today = today or date.today()
    return _year_evidence(text, today) or today.year


def _year_evidence(text: str, today: date) -> int | None:
    mentions = find_dates(text)
    votes: Counter[int] = Counter()
    for d in mentions:
        if d.weekday is not None and d.month and d.day and d.year is None:
            for year in range(today.year + 1, 1999, -1):
                day = _valid(year, d.month, d.day)
                if day and day.weekday() == d.weekday:
                    votes[year] += 1
                    break  # the latest consistent year not after next year
    if votes:
        return votes.most_common(1)[0][0]
    full = [d.year for d in mentions if d.year and d.month and d.year >= today.year - 15]
    if full:
        return max(full)
    stats = [int(y) for y in _STAT_YEAR_RE.findall(text) if int(y) <= today.year]
    if stats:
        return min(max(stats) + 1, today.year)
    return None


def _year_from_weekdays(text: str, month: int, day: int, today: date) -> int | None:
    """A dated wire story that says "on Tuesday" nearly always means the day before its dateline:
    the year in which that holds for the lead's weekdays is the likeliest one."""
    lead = " ".join(text.strip().splitlines()[:3])[:600]
    weekdays = [d.weekday for d in find_dates(lead) if d.relative == "weekday" and d.weekday is not None]
    if not weekdays:
        return None
    weekdays = weekdays[:1]  # the lead's first weekday is the story's own event
    best: tuple[int, int] | None = None
    for year in range(today.year, today.year - 4, -1):
        when = _valid(year, month, day)
        if when is None or when > today:
            continue
        misfit = sum(abs((when.weekday() - wd) % 7 - 1) for wd in weekdays)
        if best is None or misfit < best[0]:
            best = (misfit, year)
    return best[1] if best and best[0] == 0 else None


def document_date(text: str, published: date | None, today: date | None = None) -> tuple[date | None, int]:
    """(the article's own date if it states one, the year to resolve bare dates with)."""
    if published:
        return published, published.year
    today = today or date.today()
    evidence = _year_evidence(text, today)
    year = evidence or today.year
    # A dateline ("WASHINGTON, July 2 (wire) —") or a dated title line ("Trade deal day — Thursday 8 May").
    for number, line in enumerate(text.strip().splitlines()[:3]):
        dateline = _DATELINE_RE.match(line)
        heading = number == 0 and len(line.split()) <= 12 and not line.rstrip().endswith(".")
        if not (dateline or heading):
            continue
        for d in find_dates(line[: dateline.end() + 40] if dateline else line):
            if d.month and d.day and (dateline or d.weekday is not None):
                if evidence is None and d.year is None:
                    year = _year_from_weekdays(text, d.month, d.day, today) or year
                return _valid(d.year or year, d.month, d.day), year
    return None, year


def resolve(mention: DateMention, reference: date | None, year: int) -> date | None:
    """A calendar date for a mention, relative forms counted back from the reference date."""
    if mention.month and mention.day:
        if mention.year:
            return _valid(mention.year, mention.month, mention.day)
        if reference is None:
            return _valid(year, mention.month, mention.day)
        best = None
        for y in (reference.year - 1, reference.year, reference.year + 1):
            cand = _valid(y, mention.month, mention.day)
            if cand and (best is None or abs((cand - reference).days) < abs((best - reference).days)):
                best = cand
        return best
    if reference is None:
        return None
    if mention.relative == "weekday" and mention.weekday is not None:
        back = (reference.weekday() - mention.weekday) % 7
        return reference - timedelta(days=back)
    return {
        "today": reference,
        "tonight": reference,
        "yesterday": reference - timedelta(days=1),
        "last week": reference - timedelta(days=7),
        "earlier this week": reference - timedelta(days=max(1, reference.weekday())),
        "this week": reference,
    }.get(mention.relative or "")


def years_mentioned(text: str) -> list[int]:
    return [int(y) for y in _ANY_YEAR_RE.findall(text)]
