"""Extractive, deterministic summaries: one to three of the article's own sentences (trimmed when
long) that carry the parties and the headline terms, at most 60 words. Nothing is paraphrased, so
every number and name in the summary is in the article.
"""

from __future__ import annotations

import re

from bot.news.numbers import find_money, find_percents
from bot.news.parties import find_parties
from bot.news.text import Sentence, word_count

MAX_WORDS = 60
_NOISE_RE = re.compile(r"\s*\((?:wire|AP|Reuters|AFP|Bloomberg|staff)\)\s*", re.I)
_TRIM_AT_RE = re.compile(
    r",\s+(?:according to|the source said|sources said|he said|she said|officials said)\b.*$|"
    r"\s+--\s*$",
    re.I,
)
_CUT_RE = re.compile(r"[,;—–]\s+|\s+--\s+")


def _values(deals: list[dict]) -> tuple[set[float], set[float], list[str]]:
    percents: set[float] = set()
    money: set[float] = set()
    words: list[str] = []
    for deal in deals:
        for t in deal.get("terms", []):
            for k in ("rate_pct", "previous_rate_pct", "threatened_rate_pct"):
                if t.get(k) is not None:
                    percents.add(float(t[k]))
            if t.get("amount_usd"):
                money.add(float(t["amount_usd"]))
            if t.get("quantity"):
                q = t["quantity"]
                words.append(f"{q:,.0f}" if isinstance(q, float | int) else str(q).split()[0])
        for p in deal.get("people", [])[:4]:
            words.append(p["name"])
        if deal.get("date"):
            words.append("")
    return percents, money, [w for w in words if w]


def _facts(text: str, percents: set[float], money: set[float], words: list[str]) -> set[str]:
    found = {f"p{p.value}" for p in find_percents(text) if p.value in percents}
    found |= {f"m{m.value}" for m in find_money(text) if any(abs(m.value - v) <= 0.011 * v for v in money)}
    found |= {f"w{w}" for w in words if w in text}
    return found


def _stray_numbers(text: str, percents: set[float]) -> int:
    return sum(1 for p in find_percents(text) if p.value not in percents)


def _shorten(text: str, budget: int) -> str | None:
    """The sentence cut back at a clause boundary to fit `budget` words, or None."""
    text = _TRIM_AT_RE.sub("", text).rstrip(" ,;")
    if word_count(text) <= budget:
        return text
    cuts = [m.start() for m in _CUT_RE.finditer(text)]
    for cut in reversed(cuts):
        head = text[:cut].rstrip(" ,;")
        if word_count(head) <= budget and word_count(head) >= 6:
            return head + "."
    return None


def summarise(title: str, sentences: list[Sentence], deals: list[dict], max_words: int = MAX_WORDS) -> str:
    """One to three sentences naming the parties and the headline terms."""
    percents, money, words = _values(deals)
    parties = {p for d in deals for p in d.get("parties", [])}
    candidates: list[tuple[int, str]] = []
    if title and (not sentences or title.strip() != sentences[0].text.strip()):
        candidates.append((-1, _NOISE_RE.sub(" ", title).strip()))
    for s in sentences:
        if word_count(s.text) >= 5:
            candidates.append((s.index, _NOISE_RE.sub(" ", s.text).strip()))
    if not candidates:
        return ""
    chosen: list[tuple[int, str]] = []
    covered: set[str] = set()
    named: set[str] = set()
    used_words = 0
    for _ in range(3):
        best: tuple[float, int, str] | None = None
        for index, text in candidates:
            if any(index == c[0] for c in chosen):
                continue
            fitted = _shorten(text, max_words - used_words)
            if not fitted:
                continue
            facts = _facts(fitted, percents, money, words) - covered
            new_parties = set(find_parties(fitted)) & parties - named
            score = 3.0 * len(facts) + 1.0 * len(new_parties) - 1.5 * _stray_numbers(fitted, percents)
            score += 1.0 if index <= 1 else 0.0
            if not chosen and not facts and index > 2:
                score -= 1.0
            score -= 0.02 * word_count(fitted)
            if chosen and not facts:
                continue
            if best is None or score > best[0]:
                best = (score, index, fitted)
        if best is None or (chosen and best[0] <= 0.5):
            break
        _, index, fitted = best
        chosen.append((index, fitted))
        covered |= _facts(fitted, percents, money, words)
        named |= set(find_parties(fitted))
        used_words += word_count(fitted)
        if used_words >= max_words - 5:
            break
    chosen.sort()
    out = " ".join(t if re.search(r"[.!?\"”]$", t) else t + "." for _, t in chosen)
    return re.sub(r"\s+", " ", out).strip()
