"""Extractive, deterministic summaries: the article's own sentences (or clauses of them), trimmed by
deleting asides, that carry the parties and the headline terms; one to three units, at most 60
words. Nothing is paraphrased, so every number and name in a summary is in the article.
"""

from __future__ import annotations

import re

from bot.news.dates import find_dates
from bot.news.numbers import find_money, find_percents, parse_count
from bot.news.parties import find_parties, party_mentions
from bot.news.text import Sentence, split_clauses, word_count

MAX_WORDS = 60
POOL = 8  # candidate units searched in combination

_DATELINE_RE = re.compile(
    r"^[A-Z][A-Z .'/-]{2,40}(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([^)]{1,20}\))?\s*[—–-]+\s*"
)
_PAREN_RE = re.compile(r"\s*\(([^()]{0,80})\)")
_RELATIVE_RE = re.compile(
    r",\s+(?:who|which|whose|where)\s+[^,;—]{3,120}?,(?=\s)|,\s+(?:which|where)\s+[^,;—]{3,150}?(?=\.?$)"
)
_TRAILING_RE = re.compile(
    r",\s+(?:according to|the source said|sources said|he said|she said|officials said|saying|many of them|"
    r"most of them|some of them|in his words|in her words)\b[^.]*$",
    re.I,
)
_LEADING_RE = re.compile(
    r"^(?:According to [^,]{3,60},\s+|(?:In|At|On|After|During|Under) [^,]{3,50},\s+)"
    r"(?:(?:[A-Z][\w.'-]*\s+){0,3}[A-Z][\w.'-]*\s+(?:said|says|added|told reporters),\s+)?"
)
# "It builds on the rate announced in July: Washington will..." — the lead-in before a colon.
_LEAD_IN_RE = re.compile(r"^[A-Z][^:]{10,90}:\s+(?=[A-Z])")
_DURATION_RE = re.compile(r"\b\d+[- ]days?\b|\b\d+[- ]months?\b")
_DURATION_CONTEXT_RE = re.compile(r"\b(?:truce|pause|paus\w+|suspen\w+|extend\w*|extension|reprieve)\b", re.I)
_QA_LABEL_RE = re.compile(r"^(?:Q|A|Answer|Question)\s*[:.]\s+")
_DEADLINE_RE = re.compile(
    r"\b(?:cut-?off|deadline|expir\w+|lapses?|runs? until|extended (?:to|until))\b", re.I
)
_DASH_ASIDE_RE = re.compile(r"\s+[—–]\s+[^—–]{3,120}?\s+[—–]\s+|\s+--\s+[^-]{3,120}?\s+--\s+")
_DASH_TAIL_RE = re.compile(r"\s+(?:[—–]|--)\s+[^—–]*$")
_COUNT_RE = re.compile(
    r"(?<![\d.,$])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*(?:million|billion)\b)?(?![\d%])", re.I
)
_PROPER_RE = re.compile(r"\b[A-Z][a-z]{3,}\b")


def _fact_spans(text: str, facts: dict[str, set]) -> list[tuple[str, int]]:
    """(fact key, end position) for every fact the text states (memoised per summary)."""
    memo = facts.setdefault("memo", {})  # type: ignore[arg-type]
    if text not in memo:
        memo[text] = _find_fact_spans(text, facts)  # type: ignore[index]
    return memo[text]  # type: ignore[index]


def _find_fact_spans(text: str, facts: dict[str, set]) -> list[tuple[str, int]]:
    spans = [(f"p{p.value:g}", p.end) for p in find_percents(text) if p.value in facts["percent"]]
    for m in find_money(text):
        for v in facts["money"]:
            if abs(m.value - v) <= 0.011 * v:
                spans.append((f"m{v:g}", m.end))
    for m in _COUNT_RE.finditer(text):
        value = parse_count(m.group(0))
        if value in facts["count"]:
            spans.append((f"c{value:g}", m.end()))
    lowered = text.lower()
    for w in facts["words"]:
        at = lowered.find(w.lower())
        if at >= 0:
            spans.append((f"w{w}", at + len(w)))
    return spans


def _fact_keys(text: str, facts: dict[str, set]) -> set[str]:
    return {key for key, _ in _fact_spans(text, facts)}


_TAIL_CUT_RE = re.compile(
    r"(?<![\d])(?:,\s+|\s+[—–]\s+|;\s+|\s+--\s+)"
    r"|\s+(?=(?:while|after|because|since|although|though|before|once|when|if|ending|adding|saying|citing|"
    r"in a (?:move|sign|bid)|and (?:may|might|could|would|will|should|can)|but)\b)"
)


def _cut_tail(text: str, facts: dict[str, set], parties: set[str]) -> str:
    """Drop trailing clauses that add no fact and no party: "..., ending weeks of uncertainty"."""
    people = {f"w{w}" for w in facts.get("people", ())}
    ends = [end for key, end in _fact_spans(text, facts) if key not in people]
    mentions = party_mentions(text)
    named = [m.end for m in mentions if m.kind != "demonym"]
    if not ends and not named:
        return text
    # Keep the clause that names the parties when no party comes before the last figure.
    if not ends or not any(m.end <= max(ends) for m in mentions):
        ends += named
    last = max(ends)
    for m in _TAIL_CUT_RE.finditer(text, last):
        if _LIST_GOES_ON_RE.match(text, m.end()):
            continue  # "$500 billion of energy, aircraft and technology": a list, not a new clause
        head = text[: m.start()].rstrip(" ,;")
        inside_aside = re.search(r",\s+(?:who|which|whose|where)\b[^,]*$", head)
        if word_count(head) >= 8 and not inside_aside:
            return head
        break
    return text


_LIST_GOES_ON_RE = re.compile(
    r"[\w\s'-]{1,40}?\b(?:and|or)\b[\w\s'-]{1,30}?(?:[.,;]|$|\s(?:over|by|in|from|to)\b)"
)
_PARTY_WORD_RE = re.compile(r"\b[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?")


def _collect_facts(title: str, deals: list[dict]) -> dict[str, set]:
    percents: set[float] = set()
    money: set[float] = set()
    counts: set[float] = set()
    words: set[str] = set()
    weight: dict[str, float] = {}
    people: set[str] = set()  # negotiators' names: worth a little, never worth a headline figure
    for deal in deals:
        for n, t in enumerate(deal.get("terms", [])):
            headline = n == 0 or t.get("subject") in ("all goods", "most goods", "cars")
            for k in ("rate_pct", "previous_rate_pct", "threatened_rate_pct"):
                if t.get(k) is not None:
                    percents.add(float(t[k]))
                    key = f"p{float(t[k]):g}"
                    weight[key] = max(weight.get(key, 0.0), 3.0 if headline else 2.5)
            for p in find_percents(str(t.get("subject") or "")):  # "about 99% of tariff lines"
                percents.add(p.value)
                weight.setdefault(f"p{p.value:g}", 2.0)
            if t.get("amount_usd"):
                money.add(float(t["amount_usd"]))
                weight[f"m{float(t['amount_usd']):g}"] = 3.0
            q = t.get("quantity")
            if isinstance(q, int | float):
                counts.add(float(q))
            elif isinstance(q, str) and parse_count(q):
                counts.add(float(parse_count(q) or 0))
        for p in deal.get("people", [])[:3]:
            words.add(p["name"])
            people.add(p["name"])
        for t in deal.get("terms", []):
            q = t.get("quantity")
            if isinstance(q, str) and "%" in q:
                percents |= {p.value for p in find_percents(q)}
    # Places and names in the headline ("Turnberry", "Jeju") are what a reader remembers the story by.
    known = {p for d in deals for p in d.get("parties", [])}
    headline = title if word_count(title) <= 16 else ""  # a lead sentence standing in for a title is not one
    for w in _PROPER_RE.findall(headline):
        if w not in known and not find_parties(w) and w.lower() not in _COMMON_TITLE_WORDS:
            words.add(w)
    weight |= {f"c{c:g}": 3.0 for c in counts}
    weight |= {f"w{name}": 1.0 for name in people}
    return {
        "percent": percents,
        "money": money,
        "count": counts,
        "words": words,
        "weight": weight,
        "people": people,
    }


_COMMON_TITLE_WORDS = frozenset(
    [
        "live",
        "trump",
        "says",
        "deal",
        "trade",
        "tariff",
        "tariffs",
        "with",
        "what",
        "from",
        "after",
        "under",
        "talks",
        "agree",
        "agreed",
        "strike",
        "strikes",
        "announces",
        "sets",
        "says",
        "signs",
        "order",
        "cuts",
        "slash",
        "slashes",
        "face",
        "faces",
        "hold",
        "holds",
        "news",
        "update",
        "analysis",
        "explainer",
        "factbox",
        "side",
        "sides",
        "their",
        "this",
        "that",
        "into",
        "over",
        "mean",
        "means",
        "actually",
        "changes",
        "today",
        "kick",
        "kicks",
    ]
)


# A clause that starts like this leans on the clause before it and cannot stand alone.
_NOT_A_START = frozenset(
    [
        "will",
        "would",
        "that",
        "which",
        "it",
        "they",
        "he",
        "she",
        "this",
        "and",
        "but",
        "to",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "so",
        "then",
        "saying",
        "adding",
        "with",
        "its",
        "their",
        "his",
        "her",
    ]
)


def _place(dateline: str) -> str:
    city = re.split(r",|\s[—–-]|\s\(", dateline, maxsplit=1)[0].strip()
    return city.title() + " — " if city.isupper() and len(city) <= 30 else ""


def compress(text: str, facts: dict[str, set]) -> str:
    """Delete asides that carry no fact: datelines, parentheses, relative clauses, attributions."""
    # "KUALA LUMPUR, Oct 27 (wire) — ..." keeps where it happened: "Kuala Lumpur — ...".
    out = _DATELINE_RE.sub(lambda m: _place(m.group(0)), text).strip()
    out = _QA_LABEL_RE.sub("", out)
    out = _LEADING_RE.sub("", out)
    out = _LEAD_IN_RE.sub(lambda m: m.group(0) if _fact_keys(m.group(0), facts) else "", out)
    out = _PAREN_RE.sub(lambda m: m.group(0) if _fact_keys(m.group(1), facts) else "", out)
    out = _RELATIVE_RE.sub(lambda m: m.group(0) if _fact_keys(m.group(0), facts) else "", out)
    out = _DASH_ASIDE_RE.sub(lambda m: m.group(0) if _fact_keys(m.group(0), facts) else " ", out)
    out = _DASH_TAIL_RE.sub(lambda m: m.group(0) if _fact_keys(m.group(0), facts) else "", out)
    out = _TRAILING_RE.sub("", out)
    out = re.sub(r"\s+", " ", out).strip(" ,;")
    if out and out[0].islower():
        out = out[0].upper() + out[1:]
    return out


def _units(title: str, sentences: list[Sentence], facts: dict[str, set]) -> list[tuple[int, str]]:
    """Candidate pieces in reading order: whole (compressed) sentences and their fact-bearing clauses."""
    units: list[tuple[int, str]] = []
    if title and (not sentences or title.strip() != sentences[0].text.strip()):
        units.append((-1, compress(title, facts)))
    heading_party = ""
    for s in sentences:
        if s.heading:
            named = party_mentions(s.text)
            parties_here = {m.party for m in named}
            heading_party = (
                named[0].text.removesuffix("'s")
                if len(parties_here) == 1 and "United States" not in parties_here
                else ""
            )
        has_facts = bool(_fact_keys(s.text, facts))
        if not has_facts and s.index > 2:
            continue  # only the lead may earn its place without a fact
        whole = _cut_tail(compress(s.text, facts), facts, set())
        partners_named = any(m.party != "United States" for m in party_mentions(s.text))
        if heading_party and has_facts and not partners_named and not s.heading:
            # A bullet under "Indonesia (announced July 15)" is about Indonesia: say so.
            whole = f"{heading_party} — {whole}"
        if word_count(whole) >= 5:
            units.append((s.index, whole))
        clauses = split_clauses(s.text)
        if has_facts and len(clauses) > 1 and word_count(whole) > 20:  # short sentences stay whole
            for _, clause in clauses:
                piece = _cut_tail(compress(clause, facts), facts, set())
                first = clause.split(None, 1)[0].lower() if clause.split() else ""
                if (
                    word_count(piece) >= 5
                    and piece != whole
                    and first not in _NOT_A_START
                    and _fact_keys(piece, facts)
                ):
                    units.append((s.index, piece))
    return units


def _best_combination(
    scored: list[tuple[int, str, set[str], set[str], int, int]],
    weight: dict[str, float],
    parties: set[str],
    max_words: int,
    lead_first: bool,
    any_named: bool,
) -> list[tuple[int, str]]:
    """The one to three units (from different sentences) that together state the most weighted facts
    within the word budget; the first in reading order names the parties."""

    # Facts and parties as bits, so that a combination's union is an OR and its worth a lookup.
    fact_bits: dict[str, int] = {}
    for unit in scored:
        for key in unit[2]:
            fact_bits.setdefault(key, 1 << len(fact_bits))
    bit_weight = [weight.get(key, 1.0) for key in fact_bits]
    party_bits = {p: 1 << i for i, p in enumerate(sorted(parties))}
    worth_of: dict[int, float] = {}

    def worth(mask: int) -> float:
        if mask not in worth_of:
            worth_of[mask] = sum(w for i, w in enumerate(bit_weight) if mask >> i & 1)
        return worth_of[mask]

    # (index, text, fact mask, party mask, words, strays, worth) for the densest units and every lead.
    units = []
    for index, text, keys, mentioned, words, stray in scored:
        if keys or index <= 1:
            fmask = sum(fact_bits[k] for k in keys)
            pmask = sum(party_bits[p] for p in mentioned if p in party_bits)
            units.append((index, text, fmask, pmask, words, stray, worth(fmask)))
    units.sort(key=lambda u: -(u[6] + 1) / (u[4] + 8) ** 0.5)
    pool = units[:POOL] + [u for u in units[POOL:] if u[0] <= 1]
    best: tuple[float, tuple] | None = None
    n = len(pool)
    total_parties = len(parties)

    def consider(combo: tuple, words: int) -> None:
        nonlocal best
        first = min(combo, key=lambda u: u[0])
        if (lead_first and first[0] > 1) or any(u[6] == 0 for u in combo if u is not first):
            return  # a lead opens the summary; every later unit adds a fact
        if best is not None and sum(u[6] for u in combo) + total_parties <= best[0]:
            return  # cannot beat the best so far: a union is never worth more than its parts
        fmask = pmask = 0
        for u in combo:
            fmask |= u[2]
            pmask |= u[3]
        if any_named and not pmask:
            return  # a summary says who the deal is between
        score = worth(fmask) + pmask.bit_count() - 1.5 * sum(u[5] for u in combo) - 0.01 * words
        if best is None or score > best[0]:
            best = (score, combo)

    # Every one, two or three units from different sentences that fit the word budget.
    for i in range(n):
        a = pool[i]
        if a[4] > max_words:
            continue
        consider((a,), a[4])
        for j in range(i + 1, n):
            b = pool[j]
            words2 = a[4] + b[4]
            if words2 > max_words or b[0] == a[0]:
                continue
            consider((a, b), words2)
            for k in range(j + 1, n):
                c = pool[k]
                words3 = words2 + c[4]
                if words3 > max_words or c[0] == a[0] or c[0] == b[0]:
                    continue
                consider((a, b, c), words3)
    return [(u[0], u[1]) for u in best[1]] if best else []


def lead_summary(title: str, sentences: list[Sentence], max_words: int = MAX_WORDS) -> str:
    """The opening sentence(s), for stories that are not about a deal; at most `max_words` words."""
    out: list[str] = []
    used = 0
    for text in [title] + [s.text for s in sentences if s.text.strip() != title.strip()]:
        words = word_count(text)
        if not text or used + words > max_words:
            break
        out.append(text if re.search(r"[.!?\"”']$", text) else text + ".")
        used += words
        if len(out) == 2:
            break
    if not out and (title or sentences):
        out = [" ".join((title or sentences[0].text).split()[:max_words])]
    return " ".join(out)


def summarise(
    title: str,
    sentences: list[Sentence],
    deals: list[dict],
    max_words: int = MAX_WORDS,
    date_words: set[str] | None = None,
) -> str:
    """One to three units naming the parties and the headline terms, at most `max_words` words."""
    facts = _collect_facts(title, deals)
    facts["words"] |= date_words or set()
    facts["weight"] |= {f"w{w}": 2.0 for w in date_words or ()}
    # How long a truce or pause lasts ("a 90-day truce") is a term in its own right.
    for s in sentences[:4]:
        if _DURATION_CONTEXT_RE.search(s.text):
            for m in _DURATION_RE.finditer(s.text):
                facts["words"].add(m.group(0))
                facts["weight"][f"w{m.group(0)}"] = 2.0
        if _DEADLINE_RE.search(s.text):  # "The new cut-off is ... November 10": when a truce ends
            for d in find_dates(s.text):
                if d.month and d.day and d.relative is None:
                    words = d.text.split(",")[-1].strip() if d.weekday is not None else d.text
                    facts["words"].add(words)
                    facts["weight"][f"w{words}"] = 2.0
    parties = {p for d in deals for p in d.get("parties", [])}
    units = _units(title, sentences, facts)
    if not units:
        return ""
    # Each unit's facts, parties, length and stray figures, computed once.
    scored = [
        (
            index,
            text,
            _fact_keys(text, facts),
            set(find_parties(text)),
            word_count(text),
            # figures that are not terms, and countries that are not parties, make a unit off-topic
            sum(1 for p in find_percents(text) if p.value not in facts["percent"])
            + len(set(find_parties(text)) - parties),
        )
        for index, text in units
    ]
    any_named = any(mentioned & parties for _, _, _, mentioned, _, _ in scored)
    lead_first = False  # measured: forcing the writer's lead first did not help and can pick a weak opener
    chosen = _best_combination(scored, facts["weight"], parties, max_words, lead_first, any_named)
    if not chosen:
        index, text = units[0]
        words = text.split()
        chosen = [(index, " ".join(words[:max_words]))]
    chosen.sort()
    out = " ".join(t if re.search(r"[.!?\"”']$", t) else t + "." for _, t in chosen)
    return re.sub(r"\s+", " ", out).strip()
