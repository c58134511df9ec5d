"""Sentences and clauses of an article, with the layout facts the extractors need.

A liveblog timestamp line, a bullet, a Q&A question and a heading are kept as their own sentences;
abbreviations ("U.S.", "a.m.", "Jr.") do not end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_INITIALS_RE = re.compile(r"[a-z]|(?:[a-z]\.){1,}[a-z]")
_END_PUNCT_RE = re.compile(r"[.!:;]\W*$")
_ABBREVIATIONS = frozenset(
    [
        "u.s",
        "u.k",
        "e.u",
        "u.n",
        "jr",
        "sr",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "mt",
        "no",
        "inc",
        "corp",
        "co",
        "ltd",
        "vs",
        "v",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "d.c",
        "gen",
        "sen",
        "rep",
        "gov",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "fig",
        "approx",
        "est",
        "dept",
    ]
)
_BOUNDARY_RE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_BULLET_RE = re.compile(r"^\s*(?:[-•*·–—]|\d+[.)])\s+")
_TIMESTAMP_RE = re.compile(
    r"^\s*\d{1,2}[:.]\d{2}(?:\s*(?:a\.?m\.?|p\.?m\.?|BST|GMT|ET|EDT|UTC))?\s*(?:[—–-]\s*)?"
)


@dataclass(slots=True)
class Sentence:
    text: str
    index: int  # position in the article
    paragraph: int  # line/paragraph number
    heading: bool  # a short line without final punctuation, or a question line


def _split_line(line: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in _BOUNDARY_RE.finditer(line):
        before = line[start : m.start()].rstrip("\"'”’)")
        last_word = before.rsplit(None, 1)[-1].lower().rstrip(".!?") if before.split() else ""
        if last_word in _ABBREVIATIONS or _INITIALS_RE.fullmatch(last_word):
            continue
        # "U.S." ends with a period and a capital follows constantly: only a real stop splits it,
        # which we accept when the next word is not a name continuation; keep it simple and merge.
        if before.endswith(("U.S.", "U.K.", "E.U.")) and not line[m.end() :].startswith(
            ("The ", "It ", "A ")
        ):
            continue
        parts.append(line[start : m.start() + (m.end() - m.start() - len(m.group(0).lstrip()))].strip())
        start = m.end()
    parts.append(line[start:].strip())
    return [p for p in parts if p]


def split_sentences(text: str) -> list[Sentence]:
    """Sentences in reading order; each line is at least one sentence."""
    out: list[Sentence] = []
    for para, raw_line in enumerate(text.splitlines()):
        line = _BULLET_RE.sub("", raw_line).strip()
        line = _TIMESTAMP_RE.sub("", line).strip() if _TIMESTAMP_RE.match(line) else line
        if not line:
            continue
        for part in _split_line(line):
            heading = part.endswith("?") or (len(part.split()) <= 12 and not _END_PUNCT_RE.search(part))
            out.append(Sentence(part, len(out), para, heading))
    return out


# Clause boundaries inside a sentence: "..., and China will cut ...", "...; that falls to 15%", " — ".
_CLAUSE_RE = re.compile(
    r";\s+|\s+[—–]\s+|\s+--\s+|,\s+(?:and|but|while|whereas)\s+|\s+while\s+|,\s+with\s+(?=[A-Z])"
)


# A piece that opens with a comparison belongs to the clause before it:
# "set at 15 percent -- lower than the 27.5 percent that was to have been levied --".
_CONTINUES_RE = re.compile(
    r"(?:(?:far |much |well )?(?:lower|higher|less|more|below|above) than|instead of|rather than|down from|up from|"
    r"from\b|compared|against|versus|replacing|not the|a cut from|itself)",
    re.I,
)


@lru_cache(maxsize=4096)
def split_clauses(sentence: str) -> tuple[tuple[int, str], ...]:
    """(offset, clause) pieces of a sentence."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in _CLAUSE_RE.finditer(sentence):
        if m.start() > start:
            out.append((start, sentence[start : m.start()]))
        start = m.end()
    if start < len(sentence):
        out.append((start, sentence[start:]))
    merged: list[tuple[int, str]] = []
    for offset, piece in out:
        if merged and _CONTINUES_RE.match(piece):
            prev_offset, _ = merged[-1]
            merged[-1] = (prev_offset, sentence[prev_offset : offset + len(piece)])
        else:
            merged.append((offset, piece))
    return tuple(merged) or ((0, sentence),)


WORD_RE = re.compile(r"\S+")


def word_count(text: str) -> int:
    return len(WORD_RE.findall(text))
