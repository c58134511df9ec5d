"""The in-memory index the Q&A engine answers from: stories, their sentences with the facts each
states (figures, dates, names, parties), a BM25 index (bm25s) over the sentences, and the ledger.

Built once from the store (`build_index`) and extended cheaply with new stories (`add_stories`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import bm25s
import numpy as np

from bot import qa_text
from bot.models import Deal
from bot.qa_parties import US, find_parties
from bot.qa_question import STOPWORDS, SUBJECT_OF

_TOKEN = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    """A light stemmer: enough to meet 'tariffs'/'tariff', 'invests'/'investment', 'buying'/'buy'."""
    for suffix in ("ments", "ment", "ings", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


@dataclass(slots=True)
class StoryInfo:
    id: int
    url: str
    title: str
    day: date | None
    year_known: bool
    relevant: bool
    parties: tuple[str, ...]
    main: str | None  # the non-US party the story is mostly about, when there is one
    prominence: dict[str, float] = field(default_factory=dict)  # party -> share of mentions (top party = 1)


@dataclass(slots=True)
class Sentence:
    story: int  # index into Index.stories
    text: str
    low: str
    parties: tuple[str, ...]
    context: str  # the heading or sentence before it, lower case
    pcts: list[qa_text.Mention]
    money: list[qa_text.Mention]
    counts: list[qa_text.Mention]
    dates: list[qa_text.DateMention]
    people: list[qa_text.Person]
    subjects: frozenset[str]
    memo: dict[tuple[str, int], Any] = field(
        default_factory=dict, repr=False
    )  # per-mention facts, computed once


@dataclass
class Index:
    stories: list[StoryInfo] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    by_party: dict[str, list[int]] = field(default_factory=dict)  # party -> sentence indices
    vocab: set[str] = field(default_factory=set)
    deals: list[Deal] = field(default_factory=list)
    story_pos: dict[int, int] = field(default_factory=dict)  # story id -> index
    default_year: int = date.today().year
    bm25: Any = None
    story_bm25: Any = None
    # per fact kind, which sentences state one (pct, money, count, date, people): prefilters for the finders
    has: dict[str, np.ndarray] = field(default_factory=dict)
    party_ids: dict[str, np.ndarray] = field(default_factory=dict)
    # what the extractor filed in the ledger, by (story id, party): {(fact, value)}; fact is rate,
    # previous, threat, reverse, investment, purchase, quota or person (value = lower-case name)
    confirmed: dict[tuple[int, str], set[tuple[str, object]]] = field(default_factory=dict)
    max_story_id: int = 0

    def known_words(self) -> frozenset[str]:
        return frozenset(self.vocab)


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _main_party(sentence_parties: list[tuple[str, ...]], deal_parties: list[str]) -> str | None:
    others = [p for p in deal_parties if p != US]
    if len(others) == 1:
        return others[0]
    counts = Counter(p for ps in sentence_parties for p in ps if p != US)
    if not counts:
        return None
    (top, n), *rest = counts.most_common(2) + [("", 0)]
    return top if n >= 2 * rest[0][1] else None


def add_stories(index: Index, rows: list[Any]) -> None:
    """Add stored stories (rows with id, url, title, published, text, relevant, analysis) and rebuild BM25."""
    if not index.stories and rows:
        published = [
            d.year for r in rows if (d := _day(r.published) or _day((r.analysis or {}).get("published")))
        ]
        index.default_year = qa_text.corpus_year([r.text or "" for r in rows], published)
    for row in sorted(rows, key=lambda r: r.id):
        if row.id in index.story_pos:
            continue
        analysis = row.analysis or {}
        published = _day(row.published) or _day(analysis.get("published"))
        title = row.title or ""
        text = row.text or ""
        day = published or qa_text.story_date(text, title, index.default_year)
        sents = qa_text.split_sentences(text)
        if title and not any(title.strip() in s or s in title for s in sents[:2]):
            sents.insert(0, title.strip())
        parties_per = [find_parties(s) for s in sents]
        deal_parties = sorted({p for d in analysis.get("deals") or [] for p in d.get("parties") or []})
        main = _main_party(parties_per, deal_parties)
        story_parties = tuple(dict.fromkeys(p for ps in parties_per for p in ps))
        mentions = Counter(p for ps in parties_per for p in ps if p != US)
        top = max(mentions.values(), default=0)
        prominence = {p: n / top for p, n in mentions.items()}
        info = StoryInfo(
            row.id,
            row.url,
            title,
            day,
            published is not None,
            bool(row.relevant),
            story_parties,
            main,
            prominence,
        )
        pos = len(index.stories)
        index.stories.append(info)
        index.story_pos[row.id] = pos
        index.max_story_id = max(index.max_story_id, row.id)
        prev = ""
        for s, ps in zip(sents, parties_per, strict=True):
            low = s.lower()
            sent = Sentence(
                story=pos,
                text=s,
                low=low,
                parties=ps,
                context=prev.lower(),
                pcts=qa_text.percents(s),
                money=qa_text.money(s),
                counts=qa_text.counts(s),
                dates=qa_text.all_dates(s, day, index.default_year),
                people=qa_text.people(s),
                subjects=frozenset(
                    SUBJECT_OF[w] for w in re.findall(r"[a-z][a-z-]*", low) if w in SUBJECT_OF
                ),
            )
            i = len(index.sentences)
            index.sentences.append(sent)
            owners = set(ps) | ({main} if main and not (set(ps) - {US, main}) else set())
            for p in owners:
                index.by_party.setdefault(p, []).append(i)
            index.vocab.update(_TOKEN.findall(low))
            prev = s
    _rebuild_bm25(index)


def set_deals(index: Index, deals: list[Deal]) -> None:
    """Keep the ledger beside the sentences: a figure the extractor filed for a party in a story
    confirms the same figure found in that story's sentences."""
    index.deals = deals
    confirmed: dict[tuple[int, str], set[tuple[str, object]]] = {}

    def add(story: int, party: str, fact: str, value: object) -> None:
        if value is not None:
            confirmed.setdefault((story, party), set()).add((fact, value))

    for deal in deals:
        for term in deal.terms:
            for tv in term.history:
                v = tv.value
                for ev in tv.evidence:
                    if term.type == "tariff":
                        origin, by = v.get("on_goods_from"), v.get("imposed_by")
                        if by != US and origin == US:
                            add(ev.story_id, by, "reverse", v.get("rate_pct"))
                            continue
                        add(ev.story_id, origin, "rate", v.get("rate_pct"))
                        add(ev.story_id, origin, "previous", v.get("previous_rate_pct"))
                        add(ev.story_id, origin, "threat", v.get("threatened_rate_pct"))
                    elif term.type in ("investment", "purchase"):
                        add(ev.story_id, v.get("by"), term.type, v.get("amount_usd"))
                    elif term.type == "quota":
                        add(ev.story_id, v.get("by"), "quota", v.get("quantity"))
        for person in deal.people:
            for story in deal.story_ids:
                add(story, person.get("side") or "", "person", str(person.get("name", "")).lower())
    index.confirmed = confirmed


def _rebuild_masks(index: Index) -> None:
    sents = index.sentences
    index.has = {
        "pct": np.fromiter((bool(s.pcts) for s in sents), dtype=bool, count=len(sents)),
        "money": np.fromiter((bool(s.money) for s in sents), dtype=bool, count=len(sents)),
        "count": np.fromiter((bool(s.counts) for s in sents), dtype=bool, count=len(sents)),
        "date": np.fromiter((bool(s.dates) for s in sents), dtype=bool, count=len(sents)),
        "people": np.fromiter((bool(s.people) for s in sents), dtype=bool, count=len(sents)),
    }
    index.party_ids = {p: np.asarray(ids, dtype=np.int64) for p, ids in index.by_party.items()}


def _rebuild_bm25(index: Index) -> None:
    _rebuild_masks(index)
    corpus = [tokens(s.text + " " + s.context) for s in index.sentences]
    retriever = bm25s.BM25()
    if corpus:
        retriever.index(corpus, show_progress=False)
    index.bm25 = retriever if corpus else None
    docs: list[list[str]] = [[] for _ in index.stories]
    for s, toks in zip(index.sentences, corpus, strict=True):
        docs[s.story].extend(toks)
    stories_retriever = bm25s.BM25()
    if docs:
        stories_retriever.index(docs, show_progress=False)
    index.story_bm25 = stories_retriever if docs else None


def story_scores(index: Index, query: list[str]) -> np.ndarray:
    """BM25 of whole stories, scaled so the best story scores 1."""
    if index.story_bm25 is None:
        return np.zeros(0)
    known = [t for t in query if t in index.story_bm25.vocab_dict]
    if not known:
        return np.zeros(len(index.stories))
    scores = index.story_bm25.get_scores(known)
    top = float(scores.max())
    return scores / top if top else scores


def bm25_scores(index: Index, query: list[str]) -> np.ndarray:
    if index.bm25 is None:
        return np.zeros(0)
    vocab = index.bm25.vocab_dict
    known = [t for t in query if t in vocab]
    if not known:
        return np.zeros(len(index.sentences))
    return index.bm25.get_scores(known)
