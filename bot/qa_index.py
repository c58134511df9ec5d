"""The in-memory index the Q&A engine answers from: stories, their sentences with the facts each
states (figures, dates, names, parties), a BM25 index (bm25s) over the sentences, and the ledger.

Built once from the store (`build_index`) and extended cheaply with new stories (`add_stories`).
"""

from __future__ import annotations

import math
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
    sentence_tokens: list[list[str]] = field(default_factory=list)  # BM25 input, kept to re-index cheaply
    story_tokens: list[list[str]] = field(default_factory=list)
    sentence_stats: _Delta = field(default_factory=lambda: _Delta())
    story_stats: _Delta = field(default_factory=lambda: _Delta())
    stories_counted: int = 0
    indexed: int = 0  # sentences covered by the bm25s index; later ones are scored by _Delta
    stories_indexed: int = 0
    known: frozenset[str] = frozenset()
    party_ids: dict[str, np.ndarray] = field(default_factory=dict)
    # what the extractor filed in the ledger, by (story id, party): {(fact, value)}; fact is rate,
    # previous, threat, reverse, investment, purchase, quota or person (value = lower-case name)
    confirmed: dict[tuple[int, str], set[tuple[str, object]]] = field(default_factory=dict)
    max_story_id: int = 0

    def known_words(self) -> frozenset[str]:
        return self.known


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


class _Delta:
    """BM25 over documents added since the last full bm25s index, scored with the same Lucene formula
    and corpus statistics, so that taking in a few new stories does not re-index the whole store."""

    K1, B = 1.5, 0.75

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.docs = 0
        self.length = 0

    def add(self, toks: list[str]) -> None:
        self.df.update(set(toks))
        self.docs += 1
        self.length += len(toks)

    def scores(self, docs: list[list[str]], query: list[str]) -> np.ndarray:
        out = np.zeros(len(docs))
        if not docs or not self.docs:
            return out
        avg = self.length / self.docs
        idf = {t: math.log(1 + (self.docs - self.df[t] + 0.5) / (self.df[t] + 0.5)) for t in set(query)}
        for i, doc in enumerate(docs):
            counts = Counter(t for t in doc if t in idf)
            norm = self.K1 * (1 - self.B + self.B * len(doc) / avg)
            out[i] = sum(idf[t] * tf / (tf + norm) for t, tf in counts.items())  # bm25s "lucene" form
        return out


REINDEX_AT = 2000  # new sentences scored outside bm25s before the whole store is indexed again


def _rebuild_bm25(index: Index, *, full: bool = False) -> None:
    _rebuild_masks(index)
    done = len(index.sentence_tokens)
    fresh = [tokens(s.text + " " + s.context) for s in index.sentences[done:]]
    index.sentence_tokens += fresh
    for toks in fresh:
        index.sentence_stats.add(toks)
    index.story_tokens += [[] for _ in range(len(index.story_tokens), len(index.stories))]
    for s, toks in zip(index.sentences[done:], fresh, strict=True):
        index.story_tokens[s.story].extend(toks)
    for pos in range(index.stories_counted, len(index.stories)):
        index.story_stats.add(index.story_tokens[pos])
    index.stories_counted = len(index.stories)
    index.known = frozenset(index.vocab)
    pending = len(index.sentences) - index.indexed
    if not (full or index.bm25 is None or pending > max(REINDEX_AT, index.indexed // 20)):
        return
    corpus = index.sentence_tokens
    retriever = bm25s.BM25()
    if corpus:
        retriever.index(corpus, show_progress=False)
    index.bm25 = retriever if corpus else None
    stories_retriever = bm25s.BM25()
    if index.story_tokens:
        stories_retriever.index(index.story_tokens, show_progress=False)
    index.story_bm25 = stories_retriever if index.story_tokens else None
    index.indexed, index.stories_indexed = len(corpus), len(index.story_tokens)


def _scores(
    retriever: Any, covered: int, stats: _Delta, docs: list[list[str]], query: list[str]
) -> np.ndarray:
    """bm25s scores for the documents it indexed, the same formula for those added since."""
    known = [t for t in query if retriever is not None and t in retriever.vocab_dict]
    main = retriever.get_scores(known) if known else np.zeros(covered)
    if len(docs) == covered:
        return main
    return np.concatenate([main[:covered], stats.scores(docs[covered:], query)])


def story_scores(index: Index, query: list[str]) -> np.ndarray:
    """BM25 of whole stories, scaled so the best story scores 1."""
    if index.story_bm25 is None:
        return np.zeros(0)
    scores = _scores(index.story_bm25, index.stories_indexed, index.story_stats, index.story_tokens, query)
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top else scores


def bm25_scores(index: Index, query: list[str]) -> np.ndarray:
    if index.bm25 is None:
        return np.zeros(0)
    return _scores(index.bm25, index.indexed, index.sentence_stats, index.sentence_tokens, query)
