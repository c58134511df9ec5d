"""Finding the figure, date or name a question asks for among story sentences.

Each candidate is one mention (a percentage, an amount, a count, a date, a person) in one sentence.
A candidate must pass hard checks (the sentence is about the party asked, names the goods asked,
states the kind of fact asked, and the figure is not somebody else's), then is scored: BM25 of the
sentence against the question, the figure's role (now / before / threatened), how close the words
that define it sit, and the story's date (the latest state wins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from bot.qa_index import Index, Sentence, bm25_scores, story_scores, tokens
from bot.qa_parties import ALIASES, US, find_parties
from bot.qa_question import SUBJECT_OF, SUBJECTS, Question
from bot.qa_text import DateMention, Mention, Person

SUBJECT_WORDS = frozenset(SUBJECT_OF)

_RATE_WORDS = re.compile(
    r"tariff|dut(?:y|ies)|levy|levies|\brate\b|\bpay|charged?\b|taxed|\btax\b|reciprocal"
)
_INVEST_WORDS = re.compile(r"invest")
_BUY_WORDS = re.compile(
    r"\bbuy|\bbought|purchas|\border(?:ed|ing)? (?:(?:around|about|some|up to) )?[\d$]|\border(?:ed|ing)? (?:\w+ ){0,2}(?:of|for)\b|\bspend|procure|\bcommit|import (?:more|an extra|additional)|"
    r"(?:increase|raise|expand|boost)\w* (?:\w+ ){0,3}imports|imports? of"
)
_NOT_DEAL_MONEY = re.compile(
    r"deficit|surplus|trade gap|revenue|profit|loss|earnings|customs duties|collected"
)
_QUOTA_WORDS = re.compile(
    r"quota|ceiling|allowance|up to|first [\d,]+|as many as|a year|per year|annually|limit"
)
_REVERSE_EXTRA = re.compile(
    r"\bits \d+(?:\.\d+)?% (?:duty|tariff|levy)|on (?:us|u\.s\.|american)[- ](?:made |built |grown )?"
    r"(?!tariffs?\b|dut(?:y|ies)\b|levies\b|rates?\b|border\b|market\b)\w+"
)
_REVERSE = re.compile(
    r"retaliat|counter-?tariff|mirror|on (?:us|u\.s\.|american|america's)\s+(?:goods|imports|products|"
    r"exports|cars|vehicles)|its (?:own )?(?:tariffs?|rate|duties)"
)
_FORWARD_US = re.compile(
    r"\b(?:us|u\.s\.|american|washington's)\s+(?:tariffs?|duties|rate|levy)|\bwashington\b|"
    r"enter(?:ing)? the (?:us|united states)|entering america|at the us border|us import"
)
_OTHER_PCT = re.compile(
    r"(?:profits?|inflation|gdp|growth|shares?|stake|margins?|sales|poll|approval|index|stocks?|economy|"
    r"unemployment|surplus|deficit|market share|forecast|outlook|of (?:its|their|the) (?:sales|exports|output|revenue))"
    r"\W+(?:\S+\s+){0,5}$"
)
_MOVE_PCT = re.compile(
    r"(?:fell|rose|jumped|slipped|dropped|climbed|gained|lost|grew|shrank)\W+(?:\S+\s+){0,2}$"
)
_THREAT_LEFT = re.compile(
    r"threat|warn|letter|could (?:face|have faced)|would (?:face|have faced)|had faced|"
    r"set out in|proposed|floated|up to"
)
_THREAT_RIGHT = re.compile(
    r"^\W*(?:\S+\s+){0,5}?(?:(?:had |he |trump |was |were |originally |initially )*threatened|"
    r"letter|warning|set out in)"
)
_CHANGE_TO = re.compile(
    r"(?:fall|fell|falls|cut|cuts|lower\w*|reduc\w*|come down|comes down|coming down|drop\w*|"
    r"decreas\w*|bring\w*|brought|set|sets|rise|rises|raise\w*|increas\w*|go down|goes down|"
    r"trimm?\w*|slash\w*|ease\w*)\s+(?:\w+\s+){0,3}(?:to|at)\s+(?:a |an |the |just )?$"
)
_PREV_LEFT = re.compile(
    r"(?:\bfrom|instead of|rather than|down from|up from|had been|was|were|previously|compared with|"
    r"replac\w* (?:the |a |an )?|versus|vs\.?|before|had been paying|were paying|was paying|used to pay|formerly|"
    r"(?:up to|until) now,? (?:\w+ ){0,2}(?:have|has) been paying)"
    r"\s+(?:a |an |the |about |around |roughly |nearly |some |its |their )?(?:\S+\s+){0,1}$"
)
_PROSPECT = re.compile(
    r"talk(?:s|ed)? (?:of|about)|plan(?:s|ned)? (?:for|to)|route|could|would|might|once|\bif\b|"
    r"hope|aim|seek|propos|eventually|in future"
)
_SNAP_LEFT = re.compile(
    r"(?:revert|go back|snap back|return|rise back|reverts|returns|jump back)\s+to\s+(?:a |the )?$"
)
_PREV_RIGHT = re.compile(r"^\W*(?:previously|before|earlier|it had|they had|had applied|under the old)")

_EVENT_WORDS = {
    "announced": re.compile(
        r"announc|agreed|\bagree|reached|struck|strike|unveil|clinch|seal|deal day|outlined|settled"
    ),
    "effective": re.compile(
        r"effect|in force|into force|kick|appl(?:y|ies)|backdat|retroactiv|start|begin|implement|from (?:monday|"
        r"tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow)"
    ),
    "signed": re.compile(r"\bsign"),
    "expires": re.compile(
        r"expir|lapse|run out|runs out|until|deadline|cut-?off|extend|pushed back|delay|end\b|"
        r"ends\b|pause"
    ),
}
_ROLE_OK = {
    "now": {"now"},
    "previous": {"previous", "threat"},
    "threat": {"threat", "previous"},
    "snapback": {"snapback", "threat"},
}


@dataclass(slots=True)
class Candidate:
    score: float
    sent: int
    mention: Mention | DateMention | Person
    party: str | None
    role: str = "now"

    def sentence(self, index: Index) -> Sentence:
        return index.sentences[self.sent]


_SUBJECT_RE = {
    k: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + ")") for k, words in SUBJECTS.items()
}


def mentions_subject(text: str, subject: str) -> bool:
    return _SUBJECT_RE[subject].search(text) is not None


def _alias_re(party: str) -> re.Pattern[str]:
    names = sorted((a for a, c in ALIASES.items() if c == party), key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w])")


_PARTY_RE: dict[str, re.Pattern[str]] = {}


def _party_positions(low: str, party: str) -> list[int]:
    pattern = _PARTY_RE.get(party)
    if pattern is None:
        pattern = _PARTY_RE[party] = _alias_re(party)
    return [m.start() for m in pattern.finditer(low)]


def owner_of(sent: Sentence, start: int, parties: tuple[str, ...]) -> str | None:
    """The non-US party named closest before a mention (else closest after) within the sentence."""
    key = ("owner", start)
    if key not in sent.memo:
        sent.memo[key] = _owner(sent, start, parties)
    return sent.memo[key]


def _owner(sent: Sentence, start: int, parties: tuple[str, ...]) -> str | None:
    best: tuple[int, str] | None = None
    for p in parties:
        if p == US:
            continue
        for pos in _party_positions(sent.low, p):
            distance = start - pos if pos <= start else (pos - start) * 2 + 30
            if best is None or distance < best[0]:
                best = (distance, p)
    return best[1] if best else None


def clause_party(sent: Sentence, start: int) -> str | None:
    """The first party, the United States included, named in the clause holding a mention: in
    "the US will lower its tariff on Chinese imports to 30%" the US is the one that charges."""
    key = ("clause", start)
    if key not in sent.memo:
        clause_start = max(
            sent.low.rfind(sep, 0, start) for sep in (",", ";", " and ", " while ", " but ", "—")
        )
        best: tuple[int, str] | None = None
        for p in sent.parties:
            for pos in _party_positions(sent.low, p):
                if max(clause_start, 0) <= pos < start and (best is None or pos < best[0]):
                    best = (pos, p)
        sent.memo[key] = best[1] if best else None
    return sent.memo[key]


def pct_role(sent: Sentence, m: Mention) -> str:
    """now, previous, threat, snapback or other (not a tariff: a share, a growth rate, a poll)."""
    key = ("role", m.start)
    if key not in sent.memo:
        sent.memo[key] = _pct_role(sent, m)
    return sent.memo[key]


def _pct_role(sent: Sentence, m: Mention) -> str:
    left = sent.low[max(0, m.start - 60) : m.start]
    right = sent.low[m.end : m.end + 50]
    if _OTHER_PCT.search(left) or re.match(
        r"^\s*(?:of (?:\S+\s+){0,3}(?:products|goods|exports|imports|items|lines|categories|trade|barriers|profits?|sales|"
        r"output|economy|gdp)\b|"
        r"(?:share|stake|growth|rise|fall|drop|gain|of gdp))",
        right,
    ):
        return "other"  # a share, a growth rate, a market move: not a tariff
    if _MOVE_PCT.search(left) and not _RATE_WORDS.search(left[-40:]):
        return "other"
    if m.value == 0 and _PROSPECT.search(left[-45:] + " " + right[:30]):
        return "other"  # "talked of a zero-tariff route", "could be tariff-free once ...": not in force
    if _SNAP_LEFT.search(left[-30:]):
        return "snapback"
    if _THREAT_RIGHT.search(right) or _THREAT_LEFT.search(left[-40:]):
        return "threat"
    if _PREV_LEFT.search(left[-30:]) or _PREV_RIGHT.search(right):
        return "previous"
    if _CHANGE_TO.search(left[-45:]):
        return "now"
    # another figure in the sentence is what the rate changes to: this one is what it was
    for other in sent.pcts:
        if other is not m and _CHANGE_TO.search(sent.low[max(0, other.start - 45) : other.start]):
            return "previous"
    return "now"


def money_role(sent: Sentence, m: Mention) -> str:
    left = sent.low[max(0, m.start - 25) : m.start]
    return (
        "previous"
        if re.search(r"\b(?:from|up from|down from|instead of)\s+(?:about |around |roughly )?$", left)
        else "now"
    )


def _party_ok(index: Index, q: Question, sent: Sentence, party: str | None) -> float | None:
    """How well a sentence is about the party asked: None when it is not."""
    if party is None:
        return 0.0
    story = index.stories[sent.story]
    in_sentence = party in sent.parties
    if not in_sentence:
        foreign = set(sent.parties) - {US, party}
        if foreign or story.main != party:
            return None
        if party in _context_parties(sent):
            return 0.8
        return 0.5
    return 1.0


def _context_parties(sent: Sentence) -> set[str]:
    from bot.qa_parties import find_parties

    return set(find_parties(sent.context)) if sent.context else set()


def _subjects_ok(q: Question, sent: Sentence, window: str, at: int = -1) -> float | None:
    """Goods named in the question must be named in the sentence (or the heading above it)."""
    if not q.subjects:
        key = ("specific", at)
        if at < 0 or key not in sent.memo:
            sent.memo[key] = sent_specific(window)
        return -0.8 if sent.memo[key] else 0.0
    score = 0.0
    for subject in q.subjects:
        if mentions_subject(window, subject):
            score += 1.2
        elif mentions_subject(sent.low, subject):
            score += 0.6
        elif mentions_subject(sent.context, subject) and not sent_specific(sent.low):
            score += 0.3  # a heading names the goods and the sentence names no other
        else:
            return None
    return score


_SPECIFIC_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for k, words in SUBJECTS.items() if k != "profits" for w in words) + ")"
)


def sent_specific(window: str) -> bool:
    return _SPECIFIC_RE.search(window) is not None


def warm(index: Index) -> None:
    """Work out each percentage's role and owner once, when stories are loaded, not per question."""
    for sent in index.sentences:
        if sent.pcts and ("role", sent.pcts[0].start) not in sent.memo:
            for m in sent.pcts:
                pct_role(sent, m)
                owner_of(sent, m.start, sent.parties)


def _recency(index: Index, sent: Sentence) -> float:
    day = index.stories[sent.story].day
    return day.toordinal() if day else 0.0


def _base_scores(index: Index, q: Question, party: str | None) -> np.ndarray:
    return bm25_scores(index, tokens(" ".join(q.keywords)))


class _Prior:
    """What a sentence's story adds: how well the whole story matches the question, and how much
    of it is about the party asked (a passing mention in another deal's story counts for little)."""

    def __init__(self, index: Index, q: Question, party: str | None) -> None:
        self.index, self.party = index, party
        self.story = story_scores(index, tokens(" ".join(q.keywords)))

    def __call__(self, sent: Sentence) -> float:
        story = self.index.stories[sent.story]
        score = 0.7 * float(self.story[sent.story]) if self.story.size else 0.0
        if self.party:
            score += 0.6 * story.prominence.get(self.party, 0.0)
        if not story.relevant:
            score -= 0.4
        return score


POOL = 150  # sentences looked at closely per question, the best by BM25 among those that qualify


def _pool(
    index: Index, party: str | None, scores: np.ndarray, kinds: tuple[str, ...] = (), limit: int = POOL
) -> list[int]:
    """Sentences about `party` that state a fact of one of `kinds`, best BM25 first."""
    if party:
        ids = index.party_ids.get(party)
        if ids is None or ids.size == 0:
            return []
    else:
        ids = np.arange(len(index.sentences))
    if kinds and index.has:
        mask = np.zeros(ids.size, dtype=bool)
        for kind in kinds:
            mask |= index.has[kind][ids]
        ids = ids[mask]
    if ids.size > limit:
        ids = ids[np.argpartition(-scores[ids], limit)[:limit]]
    return ids.tolist()


_MONTH_WORDS = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december)\b"
)


@lru_cache(maxsize=2048)
def _asked_months(text: str) -> frozenset[str]:
    return frozenset(_MONTH_WORDS.findall(text.lower()))


def _month_fit(index: Index, q: Question, sent: Sentence) -> float:
    """A question naming a month ("his July letter") prefers stories of that month, not of another."""
    asked = _asked_months(q.text)
    if not asked:
        return 0.0
    named = sent.memo.get(("months", 0))
    if named is None:
        named = sent.memo[("months", 0)] = set(_MONTH_WORDS.findall(sent.low))
    day = index.stories[sent.story].day
    story_month = day.strftime("%B").lower() if day else ""
    if named & asked:
        return 0.5
    if named - asked:
        return -0.7
    return 0.4 if story_month in asked else 0.0


LEDGER_BONUS = 0.8


def _confirmed(
    index: Index, sent: Sentence, party: str | None, facts: tuple[str, ...], value: object
) -> float:
    """Ledger first: the extractor filed this very figure for this party from this story."""
    if party is None:
        return 0.0
    filed = index.confirmed.get((index.stories[sent.story].id, party))
    return LEDGER_BONUS if filed and any((f, value) in filed for f in facts) else 0.0


_GENERIC = frozenset(
    [
        "tariff",
        "tariffs",
        "tarrif",
        "tarif",
        "rate",
        "rates",
        "duty",
        "duties",
        "levy",
        "pay",
        "pays",
        "paying",
        "paid",
        "face",
        "faces",
        "charge",
        "charged",
        "goods",
        "imports",
        "exports",
        "products",
        "deal",
        "deals",
        "trade",
        "us",
        "now",
        "currently",
        "right",
        "still",
        "under",
        "after",
        "before",
        "what",
        "which",
        "much",
        "many",
        "percent",
        "threatened",
        "threat",
        "originally",
        "level",
        "rise",
        "fall",
        "cut",
        "new",
        "old",
        "current",
        "get",
        "gets",
        "got",
        "end",
        "ended",
    ]
)


def _soft_subject(q: Question, window: str) -> float:
    """Goods the lexicon does not know ("watch parts"): a figure next to those words fits better."""
    words = [
        w
        for w in q.keywords
        if len(w) > 3 and w not in _GENERIC and w not in ALIASES and w not in SUBJECT_WORDS
    ]
    hits = sum(1 for w in words if re.search(rf"\b{re.escape(w[:-1] if w.endswith('s') else w)}", window))
    return min(1.2, 0.8 * hits)


def _stem_in(word: str, text: str) -> bool:
    stem = word
    if re.search(r"(?:ch|sh|x|ss)es$", word):
        stem = word[:-2]  # watches -> watch
    elif word.endswith("s") and len(word) > 4:
        stem = word[:-1]
    return re.search(rf"\b{re.escape(stem)}", text) is not None


def _number_bonus(q: Question, sent: Sentence) -> float:
    if not q.numbers:
        return 0.0
    values = {m.value for m in sent.pcts} | {m.value for m in sent.counts}
    amounts = [m.value for m in sent.money]
    return 0.6 * sum(1 for n in q.numbers if n in values or any(abs(a - n) <= 0.011 * n for a in amounts))


def find_rates(index: Index, q: Question, party: str | None, role: str | None = None) -> list[Candidate]:
    role = role or q.role
    scores = _base_scores(index, q, party)
    top = float(scores.max()) if scores.size else 0.0
    prior = _Prior(index, q, party)
    out: list[Candidate] = []
    for i in _pool(index, party, scores, ("pct",)):
        sent = index.sentences[i]
        if not sent.pcts:
            continue
        full = sent.context + " " + sent.low
        if not _RATE_WORDS.search(full):
            continue
        if q.goods_words and not all(_stem_in(w, full) for w in q.goods_words):
            continue
        party_score = _party_ok(index, q, sent, party)
        if party_score is None:
            continue
        heading_reverse = bool(_REVERSE.search(sent.context)) and not _FORWARD_US.search(sent.low)
        for m in sent.pcts:
            owner = owner_of(sent, m.start, sent.parties)
            if party and owner and owner != party:
                continue
            window = sent.low[max(0, m.start - 70) : m.end + 40]
            # whose tariff: "its retaliatory rate", "10% on US goods" next to the figure, or the heading
            is_reverse = bool(_REVERSE.search(window) or _REVERSE_EXTRA.search(window)) or heading_reverse
            if q.reverse and not is_reverse:
                continue
            if q.reverse and clause_party(sent, m.start) == US:
                continue  # "the US will lower its tariff ... to 30% from 145%, and China ...": 145% is the US's
            subj = _subjects_ok(q, sent, window, m.start)
            if subj is None:
                continue
            r = pct_role(sent, m)
            if r == "other":
                continue
            score = party_score + subj + (scores[i] / top if top else 0.0) + _number_bonus(q, sent)
            score += _month_fit(index, q, sent) + _soft_subject(
                q, sent.low[max(0, m.start - 35) : m.end + 20]
            )
            facts = ("reverse",) if q.reverse else (("rate",) if role == "now" else ("previous", "threat"))
            score += _confirmed(index, sent, party, facts, m.value)
            if q.as_of is not None:
                # "in April": whatever rate held then, stated as current then or as the old rate later
                if r not in ("now", "previous"):
                    continue
                score += 1.0 + _as_of_fit(index, q, sent, r)
            elif r in _ROLE_OK[role]:
                score += 1.5 if r == role else 0.6
            elif role == "now":
                continue  # a rate that was (or was threatened) does not answer what it is now
            else:
                score -= 2.0
            if not q.reverse and is_reverse and not _FORWARD_US.search(sent.low):
                score -= 1.5
            score += prior(sent)
            out.append(Candidate(score, i, m, party, r))
    return _latest_first(index, out, latest=role == "now" and q.as_of is None)


def _as_of_fit(index: Index, q: Question, sent: Sentence, role: str) -> float:
    """The rate in force in a month: stated as current by a story of that time, or as the old rate
    ("from 145%") by a later one."""
    day = index.stories[sent.story].day
    if day is None or q.as_of is None:
        return 0.0
    written_by_then = (day.month, day.day) <= (q.as_of.month, q.as_of.day)
    if written_by_then:
        return 0.5 if role == "now" else -0.3
    return 0.2 if role == "previous" else -0.8


def _latest_first(
    index: Index, cands: list[Candidate], *, latest: bool, weight: float = 0.5
) -> list[Candidate]:
    """Best first; for 'now' questions newer stories score higher (the latest state wins)."""
    if latest and cands:
        days = [_recency(index, c.sentence(index)) for c in cands]
        low, high = min(days), max(days)
        if high > low:
            for c, d in zip(cands, days, strict=True):
                c.score += weight * (d - low) / (high - low)
    cands.sort(key=lambda c: -c.score)
    return cands


def find_amounts(index: Index, q: Question, party: str | None, kind: str) -> list[Candidate]:
    """Investment pledges or purchase commitments: amounts, counts or percentages by `party`."""
    cue = _INVEST_WORDS if kind == "investment" else (_QUOTA_WORDS if kind == "quota" else _BUY_WORDS)
    scores = _base_scores(index, q, party)
    top = float(scores.max()) if scores.size else 0.0
    prior = _Prior(index, q, party)
    out: list[Candidate] = []
    wants = q.wants or ("count" if kind == "quota" else "money")
    kinds = {"count": ("count",), "percent": ("pct",), "change": ("pct", "money")}.get(
        wants, ("money", "count")
    )
    for i in _pool(index, party, scores, kinds):
        sent = index.sentences[i]
        full = sent.context + " " + sent.low
        if not cue.search(full) or (
            kind != "investment" and _INVEST_WORDS.search(sent.low) and not _BUY_WORDS.search(sent.low)
        ):
            continue
        deadline = deadline_in(sent.text) if wants == "deadline" else None
        if wants == "deadline" and not deadline:
            continue
        party_score = _party_ok(index, q, sent, party)
        if party_score is None:
            continue
        if wants == "count":
            pool = sent.counts or []
        elif wants in ("percent", "change"):
            pool = sent.pcts + (sent.money if wants == "change" else [])
        else:
            pool = sent.money or ([] if kind == "investment" else sent.counts)
        for m in pool:
            owner = owner_of(sent, m.start, sent.parties)
            if party and owner and owner != party:
                continue
            window = sent.low[max(0, m.start - 80) : m.end + 60]
            subj = _subjects_ok(q, sent, window) if q.subjects else 0.0
            near = _own_words(sent, m)
            if q.subjects and not all(mentions_subject(near, x) for x in q.subjects):
                continue  # the goods asked about must sit next to the figure, not elsewhere in the sentence
            if wants == "percent" and q.kind != "investment" and not _asked_words_near(q, near):
                continue  # "what share of exports ...": a percentage about something else does not answer
            if subj is None:
                continue
            if m in sent.counts and not _count_fits(q, m, sent):
                continue
            if not cue.search(window) and not (wants in ("percent", "deadline") and cue.search(full)):
                continue
            if m in sent.money and _NOT_DEAL_MONEY.search(window):
                continue
            score = party_score + subj + (scores[i] / top if top else 0.0) + _number_bonus(q, sent)
            if deadline and re.search(r"\d{4}", deadline):
                score += 1.2  # "by 2028" answers "by when" better than "over three years"
            score += _confirmed(index, sent, party, (kind,), m.value)
            if m in sent.money and money_role(sent, m) == "previous":
                score -= 1.0
            score += prior(sent)
            out.append(Candidate(score, i, m, party))
    return _latest_first(index, out, latest=True, weight=0.3)


_TIME_UNITS = frozenset(
    [
        "point",
        "points",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "hour",
        "hours",
        "times",
        "people",
        "jobs",
        "members",
        "countries",
        "pages",
        "percent",
    ]
)
_FUNCTION_WORDS = frozenset(["per", "of", "to", "and", "or", "in", "on", "a", "the"])


def _not_goods(noun: str) -> bool:
    """'10 calendar days', '24 points of': a count, but not of goods."""
    words = noun.split()
    if not words:
        return False
    return (
        words[0] in _TIME_UNITS or words[0] in _FUNCTION_WORDS or (len(words) > 1 and words[1] in _TIME_UNITS)
    )


def _own_words(sent: Sentence, m: Mention) -> str:
    """The words that belong to a figure: up to the previous figure's own phrase ("$750 billion of US
    energy and $40 billion of AI chips": energy is the first amount's, chips the second's)."""
    figures = sorted(sent.money + sent.counts + sent.pcts, key=lambda x: x.start)
    before = [x for x in figures if x.end <= m.start]
    after = [x for x in figures if x.start >= m.end]
    left = max(0, m.start - 70)
    if before:
        gap = sent.low[before[-1].end : m.start]
        cut = max(gap.rfind(" and "), gap.rfind(","), gap.rfind(";"))
        left = max(left, before[-1].end + (cut if cut >= 0 else len(gap) // 2))
    right = min(m.end + 45, after[0].start if after else len(sent.low))
    return sent.low[left:right]


_NOT_ASKED = frozenset(
    [
        "what",
        "which",
        "much",
        "many",
        "share",
        "percent",
        "percentage",
        "portion",
        "fraction",
        "does",
        "do",
        "get",
        "keep",
        "us",
        "deal",
        "under",
        "from",
        "of",
        "the",
    ]
)


def _asked_words_near(q: Question, near: str) -> bool:
    words = [w for w in q.keywords if w not in _NOT_ASKED and not ALIASES.get(w.rstrip("'s")) and len(w) > 3]
    return not words or any(_stem_in(w, near) for w in words)


def _count_fits(q: Question, m: Mention, sent: Sentence) -> bool:
    noun = m.text.split(maxsplit=1)[1].lower() if " " in m.text else ""
    if _not_goods(noun):
        return False
    if q.subjects:
        # "12 US-made firefighting aircraft", "500,000 tonnes of steel": the goods follow the number
        after = sent.low[m.start : m.end + 30]
        return any(mentions_subject(after, s) for s in q.subjects) or not noun
    return True


def find_dates(index: Index, q: Question, party: str | None) -> list[Candidate]:
    event = _EVENT_WORDS[q.event or "announced"]
    scores = _base_scores(index, q, party)
    top = float(scores.max()) if scores.size else 0.0
    prior = _Prior(index, q, party)
    out: list[Candidate] = []
    for i in _pool(index, party, scores, ("date",)):
        sent = index.sentences[i]
        if not sent.dates:
            continue
        party_score = _party_ok(index, q, sent, party)
        if party_score is None:
            continue
        cues = [m.start() for m in event.finditer(sent.low)]
        if not cues:
            continue
        story_words = sent.low + " " + sent.context + " " + index.stories[sent.story].title.lower()
        subj = _subjects_ok(q, sent, story_words) if q.subjects else 0.0
        if subj is None:
            continue  # a date sentence seldom repeats the goods: the heading or the title may name them
        several = len(set(sent.parties) - {US}) > 1
        for d in sent.dates:
            if party and several and owner_of(sent, d.start, sent.parties) not in (party, None):
                continue
            if q.event == "expires" and min(abs(d.start - c) for c in cues) > 50:
                continue  # "until November 10": an end date sits right by the word that makes it one
            if d.start < 40 and re.fullmatch(r"[A-Z][A-Z .'/-]+,\s*", sent.text[: d.start]):
                continue  # the dateline: when the story was filed, not when the event happens
            distance = min(abs(d.start - c) for c in cues)
            score = party_score + subj + (scores[i] / top if top else 0.0) + max(0.0, 1.0 - distance / 80)
            score += _number_bonus(q, sent)
            if not d.year_known and d.text.lower() in ("today", "tonight") and q.event == "announced":
                score += 0.3
            if q.event in ("announced", "signed") and re.search(
                r"\b(?:before|by|until|ahead of)\s+(?:the\s+)?$", sent.low[max(0, d.start - 16) : d.start]
            ):
                score -= 0.8  # "the weeks before August 1": a deadline, not the day it happened
            if re.search(
                r"\b(?:said|says|told|reported)\s+(?:on\s+)?$", sent.low[max(0, d.start - 14) : d.start]
            ):
                score -= 1.0  # "sources said Saturday": when it was reported, not when it happened
            if _THREAT_LEFT.search(sent.low) and "threat" not in q.text.lower():
                score -= 0.8  # the date a threatened tariff would have started is not the deal's
            score += prior(sent)
            out.append(Candidate(score, i, d, party))
    if q.event == "announced" and not q.latest:
        _earliest_first(index, out)  # when a deal was made: its first report, not a later extension
    return _latest_first(index, out, latest=q.latest or q.event == "expires")


def _earliest_first(index: Index, cands: list[Candidate], weight: float = 0.3) -> None:
    days = [_recency(index, c.sentence(index)) for c in cands]
    if days and max(days) > min(days):
        low, high = min(days), max(days)
        for c, d in zip(cands, days, strict=True):
            c.score += weight * (high - d) / (high - low)


_US_TITLES = re.compile(
    r"treasury secretary|commerce secretary|trade representative|secretary of state|"
    r"president donald trump|president trump|white house"
)


def _side(sent: Sentence, person: Person) -> str | None:
    """'us' for a US official by title ("Commerce Secretary Alan Reyes"), unless the title is
    another country's ("India's Commerce Secretary ...")."""
    before = sent.low[max(0, person.start - 45) : person.start]
    if not (_US_TITLES.search(person.title.lower()) or _US_TITLES.search(before)):
        return None
    title_at = (
        person.start - len(person.title)
        if sent.low[person.start - len(person.title) :].startswith(person.title.lower())
        else person.start
    )
    owner = find_parties(sent.text[max(0, title_at - 16) : title_at])  # "India's " / "Indian " just before
    return None if owner and US not in owner else "us"


_ROLES = re.compile(
    r"prime minister|vice premier|premier|president|general secretary|(?:trade|commerce|finance|"
    r"foreign|economy|agriculture) (?:minister|secretary)|treasury secretary|trade representative|"
    r"(?:trade )?commissioner|chancellor|ambassador|(?:chief )?negotiator"
)


def _role_fit(asked: str | None, sent: Sentence, person: Person) -> float:
    """'Who is Vietnam's prime minister?': the person titled so, not the trade minister beside them."""
    if not asked:
        return 0.0
    around = (person.title + " " + sent.low[max(0, person.start - 40) : person.end + 40]).lower()
    *qualifiers, head = asked.split()
    # "chief negotiator" fits "Japan's chief tariff negotiator"; "prime minister" does not fit "trade minister"
    if re.search(rf"\b{head}", around):
        if all(q in around for q in qualifiers if q != "chief"):
            return 1.5
        return -1.0  # another minister: "finance minister" asked, "minister for economic affairs" found
    return -1.0 if _ROLES.search(person.title.lower()) or _OFFICIAL.search(person.title.lower()) else 0.0


_NOT_OFFICIAL = re.compile(
    r"chief executive|executive|chairman|chairwoman|\bceo\b|\bboss\b|analyst|economist|"
    r"spokes|founder|director|professor|strategist|lobby|company|association"
)
_ACTION = re.compile(r"\b(sign|spok|speak|talk|met\b|meet|led\b|lead|head|negotiat|announc|call|visit)")


def _acts(sent: Sentence, person: Person, verbs: list[str]) -> float:
    """The person does what the question asks about: 'X ... signed', 'led by X', 'a call with X'."""
    after = sent.low[person.end : person.end + 70]
    before = sent.low[max(0, person.start - 30) : person.start]
    for verb in verbs:
        m = re.search(rf"\b{verb}", after)
        if m and ";" not in after[: m.start()]:
            return 0.9
        if re.search(rf"\b{verb}\w*\s+(?:\w+\s+){{0,3}}$", before):
            return 0.9
    return 0.0


_OFFICIAL = re.compile(
    r"minister|secretary|commissioner|representative|premier|president|ambassador|chancellor|"
    r"envoy|negotiator"
)
_TALK_WORDS = re.compile(
    r"negotiat|\bled\b|\blead|talks|head|chief|signed|spoke|call|met\b|meeting|"
    r"counterpart|delegation|team|envoy|minister|commissioner"
)


def find_people(index: Index, q: Question, party: str | None) -> list[Candidate]:
    scores = _base_scores(index, q, party)
    top = float(scores.max()) if scores.size else 0.0
    asked = q.text.lower()
    prior = _Prior(index, q, party)
    verbs = [m.group(1) for m in _ACTION.finditer(asked)]
    asked_role = next((m.group(0) for m in _ROLES.finditer(asked)), None)
    out: list[Candidate] = []
    for i in _pool(index, party, scores, ("people",)):
        sent = index.sentences[i]
        if not sent.people:
            continue
        party_score = _party_ok(index, q, sent, party)
        if party_score is None:
            continue
        for person in sent.people:
            surname = person.name.split()[-1].lower()
            if surname in asked:
                continue  # "who did Trump speak with": not Trump
            title = person.title.lower()
            if not _OFFICIAL.search(title) and (
                _NOT_OFFICIAL.search(title) or _NOT_OFFICIAL.search(sent.low[person.end : person.end + 40])
            ):
                continue  # a carmaker's boss or an analyst comments on a deal; they do not negotiate it
            side = _side(sent, person)
            owner = owner_of(sent, person.start, sent.parties)
            wanted = q.side_party or party
            if q.side and wanted and wanted != US and (side == "us" or (owner and owner != wanted)):
                continue
            if q.side and wanted == US and side != "us":
                continue
            score = party_score + (scores[i] / top if top else 0.0)
            score += 0.8 if _TALK_WORDS.search(sent.low) else 0.0
            score += _acts(sent, person, verbs)
            fit = _role_fit(asked_role, sent, person)
            if fit < 0:
                continue  # asked for the prime minister, this is the trade minister
            score += fit
            score += 0.5 if owner == party else 0.0
            score += prior(sent)
            score += _confirmed(index, sent, party, ("person",), person.name.lower())
            out.append(Candidate(score, i, person, party))
    out.sort(key=lambda c: -c.score)
    return out


def find_party_of(index: Index, q: Question) -> list[tuple[float, str, int]]:
    """Which party a described deal belongs to: sentences holding the question's figures and words."""
    scores = _base_scores(index, q, None)
    top = float(scores.max()) if scores.size else 0.0
    if not top:
        return []
    ranked = np.argsort(-scores)[:200]
    found: dict[str, tuple[float, int]] = {}
    for i in ranked.tolist():
        sent = index.sentences[i]
        matched = _number_bonus(q, sent)
        if q.numbers and not matched:
            continue
        # the party the matched figure belongs to ("the EU pledged $600 billion, Japan $550 billion")
        owners = {
            owner_of(sent, m.start, sent.parties)
            for m in sent.pcts + sent.counts + sent.money
            if m.value in q.numbers or any(abs(m.value - n) <= 0.011 * n for n in q.numbers if n > 1000)
        }
        owners.discard(None)
        candidates = [p for p in (owners or set(sent.parties)) if p != US and p not in q.excluded]
        story = index.stories[sent.story]
        if not candidates and story.main and story.main not in q.excluded:
            candidates = [story.main]
        for p in candidates:
            score = scores[i] / top + matched + (0.3 if p == story.main else 0.0)
            if p not in found or found[p][0] < score:
                found[p] = (score, i)
    return sorted(((s, p, i) for p, (s, i) in found.items()), reverse=True)


def deadline_in(text: str) -> str | None:
    m = re.search(
        r"\b(?:by|before|through|until|within|over)\s+(?:the end of\s+|end-)?(?:[A-Z][a-z]+\s+)?"
        r"(?:\d{4}|the next \w+ years?|\w+ years?)\b",
        text,
    )
    return m.group(0) if m else None


def first_date(cands: list[Candidate]) -> date | None:
    for c in cands:
        if isinstance(c.mention, DateMention):
            return c.mention.day
    return None
