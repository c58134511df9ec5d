"""Neutral Replies for what the outbox delivers: a new story, a changed term, a feed notice.

Also the one place that phrases a deal term for people ("US tariff on cars from Japan: 27.5% → 15%"),
used by the story posts here and by the deal cards.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Reply, ReplyField, SourceRef
from bot.store.tables import feeds, stories, term_values, terms

MAX_FIELDS = 8


def _pct(value: Any) -> str:
    return f"{float(value):g}%"


def money(amount: Any) -> str:
    amount = float(amount)
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if amount >= scale:
            return f"${amount / scale:,.3g} {word}" if amount / scale < 1000 else f"${amount / scale:,.0f} {word}"
    return f"${amount:,.0f}"


def term_label(term: dict[str, Any]) -> str:
    kind = term.get("type")
    if kind == "tariff":
        return f"{term.get('imposed_by') or '?'} tariff on {term.get('subject') or 'goods'} from {term.get('on_goods_from') or '?'}"
    if kind == "investment":
        return f"Investment by {term.get('by') or '?'} in {term.get('in') or '?'}"
    if kind == "purchase":
        return f"Purchases by {term.get('by') or '?'}: {term.get('of') or 'goods'}"
    if kind == "quota":
        return f"Quota set by {term.get('by') or '?'} on {term.get('subject') or 'goods'}"
    return f"Market access from {term.get('by') or '?'}"


def term_value(term: dict[str, Any]) -> str:
    kind = term.get("type")
    if kind == "tariff":
        now = _pct(term["rate_pct"]) if term.get("rate_pct") is not None else "?"
        before = term.get("previous_rate_pct")
        threat = term.get("threatened_rate_pct")
        text = f"{_pct(before)} → {now}" if before is not None else now
        return text + (f" (threatened {_pct(threat)})" if threat is not None else "")
    if kind in ("investment", "purchase"):
        parts = [money(term["amount_usd"])] if term.get("amount_usd") else []
        if term.get("quantity"):
            parts.append(str(term["quantity"]))
        return ", ".join(parts) or "committed (no figure given)"
    if kind == "quota":
        rate = f" at {_pct(term['rate_pct'])}" if term.get("rate_pct") is not None else ""
        return f"{float(term.get('quantity') or 0):,.0f} units{rate}"
    return str(term.get("subject") or "")


def _headline_fields(analysis: dict[str, Any]) -> tuple[ReplyField, ...]:
    fields = []
    for deal in analysis.get("deals") or []:
        for term in deal.get("terms") or []:
            fields.append(ReplyField(term_label(term), term_value(term)))
    return tuple(fields[:MAX_FIELDS])


async def _group_sources(conn: AsyncConnection, story) -> tuple[SourceRef, ...]:  # type: ignore[no-untyped-def]
    rows = (await conn.execute(select(stories.c.id, stories.c.url, stories.c.title)
                               .where(stories.c.group_id == story.group_id).order_by(stories.c.id).limit(6))).all()
    refs = [SourceRef(str(story.id), story.url, story.title)]
    refs += [SourceRef(str(r.id), r.url, r.title) for r in rows if r.id != story.id]
    return tuple(refs)


async def story_reply(conn: AsyncConnection, story_id: int) -> Reply | None:
    story = (await conn.execute(select(stories).where(stories.c.id == story_id))).first()
    if story is None:
        return None
    analysis = story.analysis or {}
    sources = await _group_sources(conn, story)
    parties = sorted({p for d in analysis.get("deals") or [] for p in d.get("parties", [])})
    as_of = story.published.date() if story.published else story.fetched_at.date()
    lines = [story.title, story.summary]
    if len(sources) > 1:
        lines.append("Also reported by: " + ", ".join(s.title for s in sources[1:]))
    lines.append(story.url)
    return Reply(
        text="\n".join(line for line in lines if line),
        kind="story",
        title=story.title,
        url=story.url,
        summary=story.summary,
        fields=_headline_fields(analysis),
        sources=sources,
        footer=(" · ".join(parties) + " · " if parties else "") + f"as of {as_of.isoformat()}",
        as_of=as_of,
    )


async def update_reply(conn: AsyncConnection, term_value_id: int, story_id: int | None) -> Reply | None:
    row = (await conn.execute(
        select(term_values, terms.c.label, terms.c.id.label("tid"))
        .join(terms, terms.c.id == term_values.c.term_id).where(term_values.c.id == term_value_id))).first()
    if row is None:
        return None
    history = (await conn.execute(select(term_values.c.value).where(term_values.c.term_id == row.tid,
                                                                    term_values.c.id < row.id)
                                  .order_by(term_values.c.id.desc()).limit(1))).first()
    # The change is from the last stored value to this one; a value's own "previous rate" (as the
    # story stated it) would repeat the history: "27.5% → 15% → 27.5% → 12.5%".
    before = f"{term_value({**history.value, 'previous_rate_pct': None})} → " if history else ""
    now = term_value({**row.value, "previous_rate_pct": None}) if history else term_value(row.value)
    base = await story_reply(conn, story_id) if story_id else None
    change = f"{row.label}: {before}{now}"
    text = f"Update — {change}" + (f"\n{base.text}" if base else "")
    return Reply(
        text=text, kind="update", title=f"Update: {row.label}", url=base.url if base else None,
        summary=f"{change}. {base.summary}" if base and base.summary else change,
        fields=(ReplyField(row.label, f"{before}{now}", inline=False),),
        sources=base.sources if base else (), footer=base.footer if base else None,
        as_of=base.as_of if base else None,
    )


async def notice_reply(conn: AsyncConnection, event_key: str) -> Reply | None:
    kind, _, rest = event_key.partition(":")
    if kind == "feed-disabled":
        feed_id = int(rest.split(":")[0])
        feed = (await conn.execute(select(feeds).where(feeds.c.id == feed_id))).first()
        if feed is None:
            return None
        return Reply(text=f"Feed disabled: {feed.url} — {feed.disabled_reason or feed.last_error}. "
                     "Fix it and add it again, or remove it.", kind="info", title="Feed disabled")
    return None


async def render_delivery(conn: AsyncConnection, event_key: str, story_id: int | None,
                          term_value_id: int | None) -> Reply | None:
    if event_key.startswith("term:") and term_value_id:
        return await update_reply(conn, term_value_id, story_id)
    if event_key.startswith("story:") and story_id:
        return await story_reply(conn, story_id)
    return await notice_reply(conn, event_key)
