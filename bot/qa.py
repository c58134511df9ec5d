"""Questions about deals → grounded answers, or an honest "my sources don't say".

`Knowledge` holds an in-memory index of every stored story (sentences with their figures, dates and
names, a BM25 index, the deal ledger). `answer(question)` understands the question
(bot.qa_question), finds candidate facts (bot.qa_find) and phrases at most three short lines. Every
answer cites the stories it rests on with the supporting sentence; no source, no answer.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import qa_find
from bot.models import Answer, SourceRef
from bot.qa_find import Candidate
from bot.qa_index import Index, add_stories, set_deals
from bot.qa_parties import US, canonical
from bot.qa_question import Question, parse_question
from bot.qa_text import DateMention, Mention, Person, date_words, money_words, pct_words
from bot.store import ledger_repo
from bot.store.tables import stories

MIN_SCORE = {"rate": 1.6, "money": 1.4, "date": 1.6, "people": 1.4}
QUOTE_CHARS = 220


@dataclass
class Knowledge:
    index: Index = field(default_factory=Index)
    # each party's current headline rate, for rankings and compare tables; cleared when stories arrive
    _headlines: dict[str, Candidate | None] = field(default_factory=dict, repr=False)

    @property
    def story_count(self) -> int:
        return len(self.index.stories)

    async def refresh(self, engine: AsyncEngine) -> int:
        """Take in stories stored since the last load; returns how many were added. Cheap when none were."""
        async with engine.connect() as conn:
            newest = (await conn.execute(select(func.max(stories.c.id)))).scalar() or 0
            if newest <= self.index.max_story_id:
                return 0
            rows = (await conn.execute(_story_query().where(stories.c.id > self.index.max_story_id))).all()
            deals = await ledger_repo.load_deals(conn)
        before = len(self.index.stories)
        # parsing and indexing are CPU work: off the event loop
        await asyncio.to_thread(self._absorb, list(rows), deals)
        return len(self.index.stories) - before

    def _absorb(self, rows: list, deals: list) -> None:  # type: ignore[type-arg]
        add_stories(self.index, rows)
        set_deals(self.index, deals)
        qa_find.warm(self.index)
        self._headlines.clear()

    def answer(self, question: str) -> Answer:
        q = parse_question(question.strip(), self.index.known_words())
        if not q.parties and _unknown_name(question, self.index.known_words()):
            return Answer(question=question, text=None, sources=())  # "Narnia": nothing on file, say so
        handler = _HANDLERS.get(q.kind.split(":")[0], _answer_rate)
        text, sources = handler(self, q)
        if not text or not sources:
            return Answer(question=question, text=None, sources=())
        return Answer(question=question, text=text, sources=tuple(sources))

    def headline(self, party: str) -> Candidate | None:
        """The best candidate for the current general US tariff on a party's goods."""
        if party not in self._headlines:
            q = parse_question(f"what tariff does {party} pay now", self.index.known_words())
            self._headlines[party] = _best_rate(self, q, party)
        return self._headlines[party]

    def headline_rate(self, party: str) -> tuple[float, SourceRef] | None:
        """The current general US tariff on a party's goods, from the stories (for compare tables)."""
        cand = self.headline(party)
        if cand is None:
            return None
        return float(cand.mention.value), _source(self, cand)  # type: ignore[union-attr]

    def dont_know(self, question: str) -> str:
        """What to say instead of an answer: what is on file for the parties asked about."""
        q = parse_question(question, self.index.known_words())
        lines = ["My sources don't say."]
        for party in q.focus[:2]:
            deals = [d for d in self.index.deals if party in d.parties]
            if deals:
                labels = ", ".join(t.label for d in deals for t in d.terms[:4])
                lines.append(f"On file for {party}: {labels or 'the deal status'}. Try: deal {party}")
            else:
                n = sum(1 for s in self.index.stories if party in s.parties)
                lines.append(f"{n} stories mention {party}." if n else f"Nothing on file for {party}.")
        return "\n".join(lines[:3])


_ASKING = {
    "what",
    "which",
    "who",
    "when",
    "how",
    "is",
    "are",
    "was",
    "were",
    "did",
    "does",
    "do",
    "has",
    "have",
    "will",
    "can",
    "could",
    "tell",
    "give",
    "show",
    "list",
    "rank",
    "compare",
    "i",
    "the",
    "a",
    "an",
    "and",
    "or",
}


def _unknown_name(question: str, known: frozenset[str]) -> bool:
    """A capitalised name the stories never mention ("What tariff did Narnia get?")."""
    for m in re.finditer(r"\b([A-Z][a-z]{2,})\b", question):
        word = m.group(1).lower()
        if word in _ASKING or word in known:
            continue
        return True
    return False


def _story_query():  # type: ignore[no-untyped-def]
    return select(
        stories.c.id,
        stories.c.url,
        stories.c.title,
        stories.c.published,
        stories.c.text,
        stories.c.relevant,
        stories.c.analysis,
    ).order_by(stories.c.id)


async def load_knowledge(engine: AsyncEngine) -> Knowledge:
    knowledge = Knowledge()
    await knowledge.refresh(engine)
    return knowledge


# ---------------------------------------------------------------- phrasing helpers


def _source(k: Knowledge, cand: Candidate) -> SourceRef:
    sent = cand.sentence(k.index)
    story = k.index.stories[sent.story]
    return SourceRef(id=str(story.id), url=story.url, title=story.title, quote=_quote(sent.text))


def _key(m: Mention | DateMention | Person) -> object:
    if isinstance(m, DateMention):
        return (m.day.month, m.day.day)
    if isinstance(m, Person):
        return m.name.lower()
    return m.value


def _sources(k: Knowledge, cands: list[Candidate], floor: float, most: int = 3) -> list[SourceRef]:
    """The best candidate's story, then other stories that state the same value (corroboration)."""
    best = cands[0]
    out = [_source(k, best)]
    seen = {best.sentence(k.index).story}
    for c in cands[1:]:
        if len(out) >= most:
            break
        story = c.sentence(k.index).story
        if story in seen or c.score < floor or _key(c.mention) != _key(best.mention):
            continue
        seen.add(story)
        out.append(_source(k, c))
    return out


def _floor(kind: str, party: str | None) -> float:
    """Answers about no party at all ('the Geneva cuts') cannot earn the party score."""
    return MIN_SCORE[kind] - (0.8 if party is None else 0.0)


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _value_text(m: Mention | DateMention | Person, kind: str) -> str:
    if isinstance(m, DateMention):
        return date_words(m.day, m.year_known)
    if isinstance(m, Person):
        return m.name
    if kind == "pct":
        return pct_words(m.value)
    if kind == "money":
        return money_words(m.value)
    # a count: the number and its noun ("100,000 cars"), without the words that follow
    words = m.text.split()
    noun = [w for w in words[1:] if w.lower() not in ("that", "a", "of", "to", "and", "the", "which")][:2]
    return " ".join(words[:1] + noun)


def _kind_of(m: Mention, sent) -> str:  # type: ignore[no-untyped-def]
    if m in sent.pcts:
        return "pct"
    if m in sent.money:
        return "money"
    return "count"


def _story_when(k: Knowledge, cand: Candidate) -> str:
    """'(as of July 28, 2025)': only from a publication date, never from a date guessed from the text."""
    story = k.index.stories[cand.sentence(k.index).story]
    return f" (as of {date_words(story.day, True)})" if story.day and story.year_known else ""


def _with_quote(k: Knowledge, line: str, cand: Candidate) -> str:
    sent = cand.sentence(k.index)
    return f"{line}\n“{_quote(sent.text)}”"


def _party_label(party: str | None) -> str:
    return party or "the deal"


# ---------------------------------------------------------------- answers by kind


def _rates(k: Knowledge, q: Question, party: str | None, role: str | None = None) -> list[Candidate]:
    cands = qa_find.find_rates(k.index, q, party, role)
    if not cands or cands[0].score < _floor("rate", party):
        return []
    return cands


def _best_rate(k: Knowledge, q: Question, party: str | None, role: str | None = None) -> Candidate | None:
    cands = _rates(k, q, party, role)
    return cands[0] if cands else None


def _rate_line(k: Knowledge, q: Question, party: str | None, cand: Candidate) -> str:
    sent = cand.sentence(k.index)
    value = pct_words(cand.mention.value)  # type: ignore[union-attr]
    others = [m for m in sent.pcts if m is not cand.mention]
    same_side = qa_find.clause_party(sent, cand.mention.start)  # type: ignore[union-attr]
    prev = [
        m
        for m in others
        if qa_find.pct_role(sent, m) in ("previous", "threat")
        and qa_find.clause_party(sent, m.start) in (same_side, None)
    ]
    who = (
        "" if party is None else (f"{party} on US goods" if q.reverse else f"US tariff on {_goods(q)}{party}")
    )
    what = {"now": "", "previous": "before: ", "threat": "threatened: ", "snapback": "could go back to: "}[
        cand.role
    ]
    if q.as_of is not None:
        what = f"in {q.as_of:%B}: "
    line = f"{what}{value}" + (f" ({who})" if who else "")
    if cand.role == "now" and prev:
        line += (
            f", down from {pct_words(prev[0].value)}"
            if prev[0].value > cand.mention.value
            else f", up from {pct_words(prev[0].value)}"
        )  # type: ignore[union-attr]
    return line[0].upper() + line[1:] + _story_when(k, cand)


def _goods(q: Question) -> str:
    return f"{sorted(q.subjects)[0]} from " if q.subjects else "goods from "


def _answer_rate(k: Knowledge, q: Question) -> tuple[str | None, list[SourceRef]]:
    if q.wants in ("percent", "count", "deadline") or (q.kind not in ("rate", "unknown") and not q.focus):
        return _answer_amount(k, q)  # "how many", "what share", "by when": not a tariff rate
    if q.kind == "unknown":
        return (
            None,
            [],
        )  # nothing in the question asks for a rate: do not offer one ("how big is the market?")
    party = q.focus[0] if q.focus else None
    if party is None and not q.keywords:
        return None, []
    if party == US and not q.reverse and len(q.parties) == 1:
        party = None
    cands = _rates(k, q, party)
    if not cands:
        return None, []
    cand = cands[0]
    line = _rate_line(k, q, party, cand)
    sources = _sources(k, cands, _floor("rate", party))
    # what changed, from an earlier story; not for the other side's tariffs, where clauses mix directions
    if (
        cand.role == "now"
        and q.as_of is None
        and not q.reverse
        and ", down from" not in line
        and ", up from" not in line
    ):
        earlier = _earlier_rate(k, q, party, cand)
        if earlier is not None:
            value = earlier.mention.value  # type: ignore[union-attr]
            word = "down" if value > cand.mention.value else "up"  # type: ignore[union-attr]
            line = line.replace(" (", f", {word} from {pct_words(value)} (", 1) if " (" in line else line
            src = _source(k, earlier)
            sources += [src] if src.id not in {x.id for x in sources} else []
    return _with_quote(k, line, cand), sources


def _earlier_rate(k: Knowledge, q: Question, party: str | None, cand: Candidate) -> Candidate | None:
    """What the rate was before the latest state: a 'previous' figure stated no later than it."""
    day = k.index.stories[cand.sentence(k.index).story].day
    for c in _rates(k, q, party, "previous"):
        if c.role != "previous" or c.mention.value == cand.mention.value:  # type: ignore[union-attr]
            continue
        sent = c.sentence(k.index)
        window = sent.low[max(0, c.mention.start - 70) : c.mention.end + 40]  # type: ignore[union-attr]
        if not q.subjects and qa_find.sent_specific(window):
            continue  # the old rate on cars is not what all goods paid before
        c_day = k.index.stories[c.sentence(k.index).story].day
        if day and c_day and c_day > day:
            continue
        return c
    return None


def _answer_amount(k: Knowledge, q: Question) -> tuple[str | None, list[SourceRef]]:
    kind = q.kind if q.kind in ("investment", "purchase", "quota") else "purchase"
    if q.wants == "count" and q.kind not in ("investment", "purchase"):
        kind = "quota"  # "how many cars can enter at the lower rate?"
    if q.kind == "investment" or (q.wants == "percent" and "invest" in q.text.lower()):
        kind = "investment"
    party = q.focus[0] if q.focus else None
    cands = qa_find.find_amounts(k.index, q, party, kind)
    if not cands or cands[0].score < _floor("money", party):
        return None, []
    best = cands[0]
    sent = best.sentence(k.index)
    value = _value_text(best.mention, _kind_of(best.mention, sent))  # type: ignore[arg-type]
    what = _of_phrase(sent.text, best.mention) if isinstance(best.mention, Mention) else ""
    line = f"{value}{what} ({_party_label(party)} {'investment' if kind == 'investment' else kind})"
    if q.wants == "deadline":
        when = qa_find.deadline_in(sent.text)
        if not when:
            return None, []
        line = f"{value} {when} ({_party_label(party)} investment)"
    return _with_quote(k, line + _story_when(k, best), best), _sources(k, cands, _floor("money", party))


def _of_phrase(text: str, m: Mention) -> str:
    """' of Boeing aircraft' after '$10 billion': what the amount buys, as the sentence says it."""
    found = re.match(
        r"\s+(?:worth\s+|in\s+)?(of|in)\s+((?:[\w'’-]+\s+){0,3}?[\w'’-]+?)(?=[,.;]|\s+(?:and|by|over|"
        r"from|to|for|at|with|which|that|in|on)\b|$)",
        text[m.end :],
    )
    return f" {found.group(1)} {found.group(2)}" if found else ""


def _answer_date(k: Knowledge, q: Question) -> tuple[str | None, list[SourceRef]]:
    party = q.focus[0] if q.focus else None
    if party == US and len(q.parties) == 1:
        party = None
    cands = qa_find.find_dates(k.index, q, party)
    if not cands or cands[0].score < _floor("date", party):
        return None, []
    best = cands[0]
    what = {
        "announced": "Announced",
        "effective": "In effect from",
        "signed": "Signed",
        "expires": "Runs until",
    }[q.event or "announced"]
    line = f"{what} {_value_text(best.mention, 'date')}"
    return _with_quote(k, line, best), _sources(k, cands, _floor("date", party))


def _answer_people(k: Knowledge, q: Question) -> tuple[str | None, list[SourceRef]]:
    # look among the deal's stories (the other party's), keep people of the side asked for
    party = q.focus[0] if q.focus else q.side_party
    cands = qa_find.find_people(k.index, q, party)
    if not cands or cands[0].score < _floor("people", party):
        return None, []
    best = cands[0]
    person = best.mention
    assert isinstance(person, Person)
    title = person.title.strip() if len(person.title.split()) <= 2 else ""
    side = f" for {q.side_party or party}" if party and q.side else ""
    line = f"{(title + ' ') if title and person.name not in title else ''}{person.name}{side}"
    return _with_quote(k, line, best), _sources(k, cands, _floor("people", party))


def _answer_parties(k: Knowledge, q: Question) -> tuple[str | None, list[SourceRef]]:
    ranked = qa_find.find_party_of(k.index, q)
    if not ranked or (q.numbers and ranked[0][0] < 1.2) or ranked[0][0] < 0.8:
        return None, []
    score, party, i = ranked[0]
    cand = Candidate(score, i, Mention(0, 0, 0, ""), party)
    if re.search(r"\b(?:countries|nations|partners|deals)\b", q.text.lower()):
        # "which countries got 15%?": every party whose own sentence holds the figures
        floor = 1.2 if q.numbers else 0.8
        many = [(s, p, j) for s, p, j in ranked if s >= floor][:6]
        cands = [Candidate(s, j, Mention(0, 0, 0, ""), p) for s, p, j in many]
        return ", ".join(p for _, p, _ in many), [_source(k, c) for c in cands]
    figures = _figures_named(k, q, cand)
    return _with_quote(k, f"{party}{figures}", cand), [_source(k, cand)]


def _figures_named(k: Knowledge, q: Question, cand: Candidate) -> str:
    """The question's own figures as the sentence states them: 'Philippines (19%)'."""
    sent = cand.sentence(k.index)
    said = [pct_words(m.value) for m in sent.pcts if m.value in q.numbers]
    said += [m.text for m in sent.counts if m.value in q.numbers]
    said += [
        money_words(m.value) for m in sent.money if any(abs(m.value - n) <= 0.011 * n for n in q.numbers)
    ]
    return f" ({', '.join(dict.fromkeys(said))})" if said else ""


def _answer_compare(k: Knowledge, q: Question) -> tuple[str | None, list[SourceRef]]:
    fact = q.kind.split(":", 1)[1]
    parties = [p for p in q.parties if p != US][:4]
    found: list[tuple[str, float, list[Candidate], str]] = []
    for party in parties:
        rivals = set(parties) - {party}
        keywords = [
            w
            for w in q.keywords
            if canonical(w) not in rivals
            and canonical(w.split("-")[-1]) not in rivals
            and w not in _COMPARE_WORDS
        ]
        sub = Question(
            **{
                **_fields(q),
                "parties": [party, US],
                "kind": fact,
                "keywords": keywords,
                "latest": fact == "rate",
            }
        )
        if fact == "date":
            sub.event = "announced" if not q.event else q.event
            cands = qa_find.find_dates(k.index, sub, party)
            cands = [c for c in cands if c.score >= MIN_SCORE["date"]]
            if cands:
                # when a deal was made: the earliest of its best-supported dates, not a later extension
                near = [c for c in cands if c.score >= cands[0].score - 0.8]
                pick = min(near, key=lambda c: c.mention.day)  # type: ignore[union-attr]
                cands = [pick] + [c for c in cands if c is not pick]
                m = pick.mention
                assert isinstance(m, DateMention)
                found.append((party, float(m.day.toordinal()), cands, date_words(m.day, m.year_known)))
        elif fact in ("investment", "purchase"):
            cands = qa_find.find_amounts(k.index, sub, party, fact)
            cands = [
                c
                for c in cands
                if c.score >= MIN_SCORE["money"]
                and isinstance(c.mention, Mention)
                and c.mention in c.sentence(k.index).money
            ]
            if cands:
                m = cands[0].mention
                found.append((party, m.value, cands, money_words(m.value)))  # type: ignore[union-attr]
        else:
            cands = _rates(k, sub, party)
            if cands:
                value = cands[0].mention.value  # type: ignore[union-attr]
                found.append((party, value, cands, pct_words(value)))
    if len(found) < 2:
        return None, []
    _prefer_shared_sources(k, found)
    values = "; ".join(f"{p}: {v}" for p, _, _, v in found)
    if q.compare == "same":
        same = len({x for _, x, _, _ in found}) == 1
        verdict = f"The same: {found[0][3]} for both" if same else "Different"
        text = f"{verdict} ({values})."
    else:
        pick = min if q.compare in ("lower", "first") else max
        winner = pick(found, key=lambda f: f[1])
        if sum(1 for f in found if f[1] == winner[1]) > 1:
            text = f"Neither: both at {winner[3]} ({values})."
        else:
            word = {"lower": "lower", "first": "first", "higher": "higher", "last": "later"}.get(
                q.compare, q.compare
            )
            text = f"{winner[0]} ({word}) — {values}."
    sources: list[SourceRef] = []
    for _, _, cands, _ in found:
        sources += [
            s
            for s in _sources(k, cands, MIN_SCORE["rate"] - 0.8, most=2)
            if s.id not in {x.id for x in sources}
        ]
    return text, sources


def _prefer_shared_sources(k: Knowledge, found: list[tuple[str, float, list[Candidate], str]]) -> None:
    """Where one story states the figures of every party compared, cite it first."""
    parties = [p for p, _, _, _ in found]
    for _, _, cands, _ in found:
        best = cands[0]
        for c in cands[1:]:
            if c.score < best.score - 1.0:
                break
            story = k.index.stories[c.sentence(k.index).story]
            if all(story.prominence.get(p) for p in parties) and _key(c.mention) == _key(best.mention):
                cands.remove(c)
                cands.insert(0, c)
                break


_COMPARE_WORDS = {
    "came",
    "better",
    "worse",
    "deal",
    "same",
    "different",
    "identical",
    "equal",
    "vs",
    "versus",
    "lower",
    "higher",
    "less",
    "more",
    "first",
    "earlier",
    "later",
    "compare",
    "compared",
    "which",
    "or",
    "bigger",
    "smaller",
    "cheaper",
    "got",
}


def _answer_rank(k: Knowledge, q: Question) -> tuple[str | None, list[SourceRef]]:
    """'rank the Asian deals by tariff' (or by investment pledge): parties with a deal story of
    their own, each with its best-supported current figure."""
    from bot.qa_parties import REGIONS

    # a party a deal story is about: its main party, or one of the parties a comparison piece weighs equally
    with_deals = {
        p for s in k.index.stories if s.relevant for p, share in s.prominence.items() if share >= 0.5
    }
    with_deals |= {p for d in k.index.deals for p in d.parties}
    parties = [p for p in (REGIONS.get(q.region or "") or sorted(with_deals)) if p in with_deals and p != US]
    by_money = bool(re.search(r"\binvest|\bpledge|\bbuy|\bpurchas", q.text.lower()))
    found = []
    for party in parties:
        if by_money:
            kind = "investment" if re.search(r"\binvest|\bpledge", q.text.lower()) else "purchase"
            sub = Question(**{**_fields(q), "parties": [party, US], "kind": kind, "keywords": [kind]})
            cands = [
                c
                for c in qa_find.find_amounts(k.index, sub, party, kind)
                if c.score >= MIN_SCORE["money"]
                and isinstance(c.mention, Mention)
                and c.mention in c.sentence(k.index).money
            ]
            cand = cands[0] if cands else None
        else:
            cand = k.headline(party)
        if cand:
            found.append((cand.mention.value, party, cand))  # type: ignore[union-attr]
    if not found:
        return None, []
    found.sort(key=lambda f: f[0], reverse=q.compare == "higher" or by_money)
    show = money_words if by_money else pct_words
    text = "; ".join(f"{i + 1}. {p} {show(v)}" for i, (v, p, _) in enumerate(found[:8]))
    return text, [_source(k, c) for _, _, c in found[:8]]


def _answer_status(k: Knowledge, q: Question) -> tuple[str | None, list[SourceRef]]:
    party = q.focus[0] if q.focus else None
    deals = sorted(
        (d for d in k.index.deals if party in d.parties), key=lambda d: d.updated_at or d.date or 0
    )
    if not deals:
        return None, []
    deal = deals[-1]
    pos = [k.index.story_pos[s] for s in deal.story_ids if s in k.index.story_pos]
    if not pos:
        return None, []
    story = max((k.index.stories[p] for p in pos), key=lambda s: s.day.toordinal() if s.day else 0)
    ref = SourceRef(id=str(story.id), url=story.url, title=story.title, quote=story.title)
    as_of = f" as of {date_words(deal.updated_at, False)}" if deal.updated_at else ""
    from bot.cards import STATUS_WORDS, deal_name

    return f"{deal_name(deal.parties)}: {STATUS_WORDS.get(deal.status, deal.status)}{as_of}", [ref]


def _answer_summary(k: Knowledge, q: Question) -> tuple[str | None, list[SourceRef]]:
    """'What are the terms of the UK deal?': the ledger's headline terms, each with its source."""
    from bot import cards

    party = q.focus[0] if q.focus else None
    deals = [d for d in k.index.deals if party in d.parties and d.terms]
    if not deals:
        return _answer_rate(k, q)
    deal = max(deals, key=lambda d: (d.updated_at or date.min, len(d.story_ids)))
    terms = sorted((t for t in deal.terms if t.current), key=lambda t: cards.headline_order(t))[:4]
    status = cards.STATUS_WORDS.get(deal.status, deal.status)
    parts = [f"{t.label.replace('United States', 'US')}: {cards.term_line(t)}" for t in terms]
    text = f"{cards.deal_name(deal.parties)} ({status}): " + "; ".join(parts[:2])
    if len(parts) > 2:
        text += "\n" + "; ".join(parts[2:])
    sources = []
    for t in terms:
        ev = t.current.evidence[-1]  # type: ignore[union-attr]
        ref = SourceRef(str(ev.story_id), ev.url, ev.title, ev.sentence)
        if ref.id not in {s.id for s in sources}:
            sources.append(ref)
    return text, sources


def _fields(q: Question) -> dict:
    return {f: getattr(q, f) for f in q.__dataclass_fields__}


_HANDLERS = {
    "rate": _answer_rate,
    "unknown": _answer_rate,
    "investment": _answer_amount,
    "purchase": _answer_amount,
    "quota": _answer_amount,
    "date": _answer_date,
    "people": _answer_people,
    "parties": _answer_parties,
    "compare": _answer_compare,
    "rank": _answer_rank,
    "status": _answer_status,
    "summary": _answer_summary,
}
