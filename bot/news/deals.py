"""From raw term items to deals in the `analyze` contract shape: main parties, status, date, people.

A party mentioned once in passing ("Mexico was sent a 30% letter too") is not a party to the
story's deal, and terms that involve it are dropped. Terms are grouped into one deal per partner
(a comparison of two deals gives two), and merged per (imposer, origin, subject).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from bot.news.dates import DateMention, document_date, find_dates, resolve
from bot.news.parties import PartyMention, party_mentions
from bot.news.people import Person
from bot.news.terms import US, Extraction, TariffItem
from bot.news.text import Sentence

_FROM_END_RE = re.compile(r"(?:^|\b)from\s+$", re.I)
_EFFECT_WORD_RE = re.compile(r"\b(?:effect|force|enter|can enter|ship)\b", re.I)
_BACKDATED_RE = re.compile(r"\b(?:backdated|retroactive)\w*\s+(?:to|from)\s+$", re.I)
_US_LEADER_RE = re.compile(r"\bTrump\b")
_LOCATIVE_RE = re.compile(r"\b(?:in|at|near|from|to|visited|via|around|across|outside|inside)\s+$", re.I)


def main_parties(title: str, sentences: list[Sentence]) -> list[str]:
    """Parties the story is about, most salient first: the US (when present) and its partners."""
    weights: Counter[str] = Counter()

    def count(text: str, weight: float) -> None:
        for m in party_mentions(text):
            if m.kind == "capital" and _LOCATIVE_RE.search(text[max(0, m.start - 12) : m.start]):
                continue
            weights[m.party] += weight

    count(title, 3)
    for s in sentences:
        count(s.text, 2 if s.index < 2 else 1)
        # The US president stands for the US side in trade copy ("Trump said the deal...").
        weights[US] += 0.5 * len(_US_LEADER_RE.findall(s.text))
    if not weights:
        return []
    partners = [(w, p) for p, w in weights.items() if p != US]
    top = max((w for w, _ in partners), default=0)
    keep = [p for w, p in sorted(partners, reverse=True) if w >= max(2, 0.34 * top)]
    return ([US] if weights.get(US) else []) + keep


# ---------------------------------------------------------------- status

_STATUS_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "collapsed",
        re.compile(
            r"\b(?:collaps\w*|broke down|break down|walk(?:ed|s)? away|talks failed|terminat\w*|"
            r"scrap(?:s|ped)? (?:the|its) (?:deal|agreement)|pull(?:s|ed)? out of)\b",
            re.I,
        ),
    ),
    ("signed", re.compile(r"\b(?:signs?|signed|signing)\b(?!\s+(?:up|off))", re.I)),
    (
        "in_effect",
        re.compile(
            r"\b(?:takes? effect|took effect|taking effect|comes? into force|came into force|"
            r"enters? into force|entered into force|in effect|kicks? in|kicked in|starts? today|"
            r"backdated|retroactive|now in force|extends?|extended|extension)\b",
            re.I,
        ),
    ),
    (
        "negotiating",
        re.compile(
            r"\b(?:talks|negotiat\w*|threat\w*|letter|warns?|looms?|deadline|head off|"
            r"keeps? talking|round of)\b",
            re.I,
        ),
    ),
    (
        "announced",
        re.compile(
            r"\b(?:deal|agreement|agreed|agree|pact|framework|truce|accord|joint statement|"
            r"strike|struck|reached|unveil\w*|announc\w*)\b",
            re.I,
        ),
    ),
]
_AGREED_RE = re.compile(
    r"\b(?:agreed|agree|deal|agreement|pact|framework|truce|struck|reached|unveil\w*)\b", re.I
)


def deal_status(title: str, sentences: list[Sentence]) -> str:
    lead = [title] + [s.text for s in sentences[:3]]
    for text in lead:
        if not text:
            continue
        hits = [name for name, rx in _STATUS_CUES if rx.search(text)]
        if not hits:
            continue
        if hits[0] == "negotiating" and any(
            _AGREED_RE.search(t)
            and not re.search(r"\b(?:reach|strike|seek|try|trying)\w* (?:an? )?(?:deal|agreement)", t, re.I)
            for t in lead
            if t
        ):
            return "announced" if "announced" in hits or len(hits) == 1 else hits[1]
        return hits[0]
    return "announced"


# ---------------------------------------------------------------- date

_EVENT_RE = re.compile(
    r"\b(?:announc\w*|agreed|agree|reached|struck|strike|signed|signs|signing|unveil\w*|issued|published|"
    r"released|took effect|takes? effect|take effect|comes? into force|came into force|in force|effective|"
    r"backdated|retroactive|concluded|settled|sealed|clinched|disclosed|said\b.{0,120}\b(?:deal|agreement|pact)|"
    r"accepted|extends?|extended|executive order|can enter|starts?|begins?|from today)\b",
    re.I,
)
_NOT_EVENT_BEFORE_RE = re.compile(
    r"\b(?:since|until|till|by|before|after|deadline|due|expire\w*|lapse|through|to|from|ahead of|beginning|"
    r"starting|between)\s+(?:(?:on|early|late|mid)\s+)?$|\bsince\b[^,.;]{0,35}$",
    re.I,
)
_EFFECT_FROM_RE = re.compile(
    r"\b(?:backdated|retroactive|effective|with effect)\s+(?:to|from|on|as of)\s+$|^\s*from\s+$", re.I
)
_DATELINE_RE = re.compile(r"^\s*[A-Z][A-Z .'/-]{2,40},\s+")
_SOURCES_SAID_RE = re.compile(
    r"\b(?:sources?|officials?|people familiar)\b[^.]{0,60}\bsaid\s+(?:on\s+)?$", re.I
)


def deal_date(sentences: list[Sentence], full_text: str, published: date | None, status: str) -> str | None:
    """The date the deal was announced, signed or took effect, as the article states it."""
    if status == "negotiating":
        return None
    reference, year = document_date(full_text, published)
    for s in sentences:
        if not _EVENT_RE.search(s.text):
            continue
        best: tuple[int, date] | None = None
        dateline = _DATELINE_RE.match(s.text)
        for d in find_dates(s.text):
            if dateline and d.start < dateline.end() + 25:
                continue
            before = s.text[max(0, d.start - 40) : d.start]
            effect_from = bool(_EFFECT_FROM_RE.search(before)) or (
                s.index < 6 and _FROM_END_RE.search(before) and _EFFECT_WORD_RE.search(s.text)
            )
            if _NOT_EVENT_BEFORE_RE.search(before) and not effect_from:
                continue
            if d.relative == "weekday" and _SOURCES_SAID_RE.search(s.text[: d.start]):
                continue
            if d.year and not d.month:
                continue
            resolved = resolve(d, reference, year)
            if resolved is None:
                continue
            cue_gap = min(abs(c.start() - d.start) for c in _EVENT_RE.finditer(s.text))
            rank = _date_rank(d) * 1000 + cue_gap
            if _BACKDATED_RE.search(before):
                rank = -1  # the date a backdated change counts from is the date it took effect
            if best is None or rank < best[0]:
                best = (rank, resolved)
        if best:
            return best[1].isoformat()
    if (
        reference
        and status in ("announced", "in_effect", "signed")
        and re.search(
            r"\b(?:today|has unveiled|have unveiled|has announced|has signed)\b", full_text[:3000], re.I
        )
    ):
        return reference.isoformat()
    return None


def _date_rank(d: DateMention) -> int:
    if d.month and d.weekday is not None:
        return 0
    if d.month:
        return 1
    return 2


# ---------------------------------------------------------------- assembly


def _merge_tariffs(items: list[TariffItem], status: str) -> list[dict]:
    groups: dict[tuple, list[TariffItem]] = {}
    pair_rates: dict[tuple, set[float]] = {}
    for item in items:
        groups.setdefault((item.imposer, item.origin, item.subject), []).append(item)
        if item.rate is not None:
            pair_rates.setdefault((item.imposer, item.origin), set()).add(item.rate)
    terms: list[dict] = []
    for (imposer, origin, subject), group in groups.items():
        news = list(dict.fromkeys(i.rate for i in group if i.rate is not None))
        previous = [i.previous for i in group if i.previous is not None]
        threatened = [i.threatened for i in group if i.threatened is not None]
        current = [i.current for i in group if i.current is not None]
        quota_only = all(i.quota_only for i in group if i.rate is not None)
        # A threatened figure repeated later ("a 30% levy would disrupt...") is still only a threat.
        if threatened and (status == "negotiating" or len(news) > 1):
            news = [r for r in news if r not in threatened]
        if not news and current:
            news = [current[0]]
            current = current[1:]
        sentence = next((i.sentence for i in group if i.rate is not None), group[0].sentence)
        if not news:
            news = [None]
        for n, rate in enumerate(news):
            # Each new figure keeps the old figures stated with it; the first also takes loose ones.
            own = [i for i in group if i.rate == rate]
            # "have been paying the 20% rate" restates a rate the deal sets elsewhere: not an old one.
            restated = pair_rates.get((imposer, origin), set())
            own_prev = [i.previous for i in own if i.previous is not None and i.previous != rate]
            own_prev += [i.current for i in own if i.current is not None and i.current not in restated]
            own_threat = [i.threatened for i in own if i.threatened is not None and i.threatened != rate]
            prev = (
                own_prev[0]
                if own_prev
                else (next((v for v in previous + current if v != rate), None) if n == 0 else None)
            )
            threat = (
                own_threat[0]
                if own_threat
                else (next((v for v in threatened if v != rate), None) if n == 0 else None)
            )
            if quota_only and prev is None and threat is None and rate is not None:
                continue  # the quota term already carries this rate
            if rate is None and prev is None and threat is None:
                continue
            src = next((i.sentence for i in group if i.rate == rate), sentence)
            terms.append(
                {
                    "type": "tariff",
                    "imposed_by": imposer,
                    "on_goods_from": origin,
                    "subject": subject,
                    "rate_pct": rate,
                    "previous_rate_pct": prev,
                    "threatened_rate_pct": threat,
                    "sentence": src,
                }
            )
    return terms


def _term_key(term: dict) -> tuple:
    if term["type"] in ("investment", "purchase"):
        return (term["type"], term.get("by"), term.get("amount_usd") or term.get("quantity"))
    if term["type"] == "quota":
        return ("quota", term.get("by"), term.get("quantity"))
    return (term["type"], term.get("by"), term.get("subject"))


def assemble(
    extraction: Extraction, main: list[str], status: str, deal_day: str | None, people: list[Person]
) -> list[dict]:
    """Deals in the contract shape, one per partner of the United States (or one pair without it)."""
    allowed = set(main)
    anchor = US if US in allowed else (main[0] if main else US)  # the side every deal here shares
    partners = [p for p in main if p != anchor]
    by_partner: dict[str, list[dict]] = {}
    for item in extraction.tariffs:
        if not item.imposer or not item.origin or item.imposer == item.origin:
            continue
        if item.imposer not in allowed or item.origin not in allowed:
            continue
        partner = item.origin if item.imposer == anchor else item.imposer
        by_partner.setdefault(partner, []).append(item)  # type: ignore[arg-type]
    deals_terms: dict[str, list[dict]] = {p: _merge_tariffs(items, status) for p, items in by_partner.items()}  # type: ignore[arg-type]
    seen: set[tuple] = set()
    for other in sorted(extraction.others, key=lambda o: o.index):
        partner = other.party or (partners[0] if partners else None)
        if partner == anchor:
            partner = partners[0] if partners else None
        if partner is None or partner not in allowed:
            continue
        term = other.term
        for key in ("by", "in"):
            if term.get(key) and term[key] not in allowed:
                term = None
                break
        if term is None:
            continue
        key = (partner, *_term_key(term))
        if key in seen:
            continue
        seen.add(key)
        deals_terms.setdefault(partner, []).append(term)
    if not deals_terms and partners:
        deals_terms[partners[0]] = []
    deals = []
    for partner, terms in deals_terms.items():
        parties = sorted({partner, anchor})
        if len(parties) < 2 and len(main) >= 2:
            parties = sorted(set(main[:2]))
        deal_people = [
            {"name": p.name, "side": p.side or partner, "role": p.role}
            for p in people
            if (p.side or partner) in parties
        ]
        deals.append(
            {"parties": parties, "status": status, "date": deal_day, "terms": terms, "people": deal_people}
        )
    return deals


def party_list(mentions: list[PartyMention]) -> list[str]:
    return list(dict.fromkeys(m.party for m in mentions))
