"""Platform-neutral Replies for deals: the deal card, the compare table, answers and story lists.

Pure builders: records in, `Reply` out. Every Reply's `text` stands on its own (console, Slack
fallback text); `fields`, `table`, `sources` and `image` let an adapter render an embed or blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.models import Answer, Attachment, Deal, Reply, ReplyField, SourceRef, Term, TermValue
from bot.render import money, term_value

MAX_SOURCES = 5
CELL_CHARS = 36  # the plain-text table stays readable in a console; the table tuple keeps full cells
STATUS_WORDS = {
    "negotiating": "in talks",
    "announced": "announced",
    "signed": "signed",
    "in_effect": "in effect",
    "collapsed": "collapsed",
}


@dataclass(slots=True, frozen=True)
class StoryRef:
    id: int
    url: str
    title: str
    published: date | None


def short(text: str, limit: int = 90) -> str:
    """A title cut at a word boundary (text files have their first paragraph as title)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def deal_name(parties: Sequence[str]) -> str:
    """'Japan – United States': the other party first, the United States last."""
    ordered = sorted(parties, key=lambda p: (p == "United States", p))
    return " – ".join(ordered)


def _pct(value: float | None) -> str:
    return "?" if value is None else f"{value:g}%"


def tariff_change(term: Term) -> tuple[float | None, float | None]:
    """(before, now) of a tariff term: the latest rate on record, and the rate before it (an earlier
    value, or the previous rate the current story states)."""
    rated = [tv for tv in term.history if tv.value.get("rate_pct") is not None]
    if not rated:
        return None, None
    current = rated[-1]
    now = current.value.get("rate_pct")
    before = next(
        (tv.value.get("rate_pct") for tv in reversed(rated[:-1]) if tv.value.get("rate_pct") != now), None
    )
    if before is None:
        before = current.value.get("previous_rate_pct")
    return before, now


def term_line(term: Term) -> str:
    current = term.current
    if current is None:
        return ""
    if term.type == "tariff":
        before, now = tariff_change(term)
        line = (
            f"{_pct(before)} → {_pct(now)}" if before is not None else (_pct(now) if now is not None else "")
        )
        threat = next(
            (
                tv.value.get("threatened_rate_pct")
                for tv in reversed(term.history)
                if tv.value.get("threatened_rate_pct") is not None
            ),
            None,
        )
        if threat is not None and threat not in (before, now):
            line = f"{line} (threatened {_pct(threat)})" if line else f"threatened {_pct(threat)}"
    else:
        line = term_value(current.value)
    if current.conflict:
        line += " ⚠ sources disagree"
    return line


def _evidence_date(tv: TermValue) -> date | None:
    days = [e.stated_on for e in tv.evidence if e.stated_on]
    return min(days) if days else None


def headline_order(term: Term) -> tuple[int, int, str]:
    kinds = {"tariff": 0, "investment": 1, "purchase": 2, "quota": 3, "market_access": 4}
    general = 0 if term.type != "tariff" or "all goods" in term.label else 1
    return kinds.get(term.type, 5), general, term.label


def key_dates(deal: Deal, stated: Sequence[tuple[str, date]]) -> list[str]:
    """'announced Jul 22, 2025', 'signed Sep 4, 2025': the first date stated for each status."""
    first: dict[str, date] = {}
    for status, day in sorted(stated, key=lambda s: s[1]):
        first.setdefault(status, day)
    if deal.date and deal.status not in first:
        first[deal.status] = deal.date
    order = list(STATUS_WORDS)
    return [
        f"{STATUS_WORDS.get(s, s)} {d:%b %-d, %Y}"
        for s, d in sorted(first.items(), key=lambda kv: (kv[1], order.index(kv[0]) if kv[0] in order else 9))
    ]


def deal_card(
    deal: Deal,
    stories: dict[int, StoryRef],
    stated: Sequence[tuple[str, date]] = (),
    image: Attachment | None = None,
) -> Reply:
    """The deal card: parties, status, headline terms before → after, pledges, key dates, as of, sources."""
    name = deal_name(deal.parties)
    status = STATUS_WORDS.get(deal.status, deal.status)
    terms = sorted((t for t in deal.terms if t.current), key=headline_order)
    fields = [
        ReplyField("Status", status),
    ]
    dates = key_dates(deal, stated)
    if dates:
        fields.append(ReplyField("Key dates", "; ".join(dates), inline=False))
    for term in terms[:8]:
        fields.append(ReplyField(term.label, term_line(term), inline=term.type == "tariff"))
    people = [f"{p['name']} ({p.get('side', '?')})" for p in deal.people[:6]]
    if people:
        fields.append(ReplyField("Negotiators", ", ".join(people), inline=False))
    sources = _deal_sources(deal, terms, stories)
    as_of = deal.updated_at
    lines = [f"{name}: {status}" + (f" (as of {as_of:%b %-d, %Y})" if as_of else "")]
    if dates:
        lines.append("Key dates: " + "; ".join(dates))
    lines += [f"• {t.label}: {term_line(t)}" for t in terms[:8]]
    if people:
        lines.append("Negotiators: " + ", ".join(people))
    if sources:
        lines.append("Sources: " + "; ".join(f"{short(s.title, 60)} <{s.url}>" for s in sources[:3]))
    return Reply(
        text="\n".join(lines),
        kind="deal",
        title=name,
        fields=tuple(fields),
        sources=tuple(sources),
        footer=f"{len(deal.story_ids)} stories",
        as_of=as_of,
        image=image,
    )


def _deal_sources(deal: Deal, terms: Sequence[Term], stories: dict[int, StoryRef]) -> list[SourceRef]:
    """Stories that state the current terms first (with the sentence), then the newest others."""
    out: list[SourceRef] = []
    seen: set[int] = set()
    for term in terms:
        current = term.current
        for ev in reversed(current.evidence if current else []):
            if ev.story_id in seen:
                continue
            seen.add(ev.story_id)
            out.append(SourceRef(str(ev.story_id), ev.url, short(ev.title), ev.sentence))
            break
        if len(out) >= MAX_SOURCES:
            return out
    rest = sorted(
        (stories[s] for s in deal.story_ids if s in stories and s not in seen),
        key=lambda s: s.published or date.min,
        reverse=True,
    )
    out += [SourceRef(str(s.id), s.url, short(s.title)) for s in rest[: MAX_SOURCES - len(out)]]
    return out


def history_points(term: Term) -> list[tuple[date, float]]:
    points = []
    for tv in term.history:
        day, rate = _evidence_date(tv), tv.value.get("rate_pct")
        if day is not None and rate is not None:
            points.append((day, float(rate)))
    return points


def compare_reply(
    columns: Sequence[tuple[str, dict[str, str]]],
    sources: Sequence[SourceRef] = (),
    image: Attachment | None = None,
    missing: Sequence[str] = (),
) -> Reply:
    """A table of headline terms side by side: columns are (party, {row label: value})."""
    labels: list[str] = []
    for _, values in columns:
        labels += [label for label in values if label not in labels]
    header = ("", *(p for p, _ in columns))
    rows = [(label, *(values.get(label, "—") for _, values in columns)) for label in labels]
    width = max([len(label) for label in labels] + [4])
    cells = [[short(c, CELL_CHARS) for c in r[1:]] for r in rows]
    col_width = max([len(p) for p, _ in columns] + [len(c) for r in cells for c in r] + [4])
    text_lines = [" " * width + "  " + "  ".join(h.ljust(col_width) for h in header[1:])]
    text_lines += [
        r[0].ljust(width) + "  " + "  ".join(c.ljust(col_width) for c in cs)
        for r, cs in zip(rows, cells, strict=True)
    ]
    if missing:
        text_lines.append("Nothing on file for: " + ", ".join(missing))
    return Reply(
        text="\n".join(line.rstrip() for line in text_lines),
        kind="compare",
        title="Compare: " + " vs ".join(p for p, _ in columns),
        table=(header, *rows),
        sources=tuple(sources),
        image=image,
    )


def answer_reply(answer: Answer, dont_know: str) -> Reply:
    """At most three short lines plus sources; a "don't know" says what is on file instead."""
    if answer.text is None:
        return Reply(text="\n".join(dont_know.splitlines()[:3]), kind="answer", title="My sources don't say")
    lines = answer.text.splitlines()[:3]
    return Reply(text="\n".join(lines), kind="answer", sources=answer.sources[:MAX_SOURCES], summary=lines[0])


def latest_reply(rows: Sequence[tuple[StoryRef, str, list[str]]], party: str | None) -> Reply:
    """rows: (story, summary, parties)."""
    scope = f" about {party}" if party else ""
    if not rows:
        return Reply(text=f"No deal stories{scope} yet.", kind="list")
    lines = [f"Latest deal stories{scope}:"]
    for story, _summary, _ in rows:
        when = f"{story.published:%b %-d}: " if story.published else ""
        lines.append(f"• {when}{short(story.title)} <{story.url}>")
    fields = tuple(
        ReplyField(short(s.title, 250), (summary or s.url)[:1000], inline=False) for s, summary, _ in rows
    )
    return Reply(
        text="\n".join(lines),
        kind="list",
        title=f"Latest{scope}",
        fields=fields,
        sources=tuple(SourceRef(str(s.id), s.url, short(s.title)) for s, _, _ in rows),
    )


def money_text(amount: float | None) -> str:
    return "—" if not amount else money(amount)
