"""Queries on the deal ledger tables (deals, deal_stories, terms, term_values) and the stories they cite.

Plain async functions over an AsyncConnection so that the pipeline can call them inside the
transaction that stored a story, and commands can call them on a read connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Deal, Evidence, Term, TermValue
from bot.store.tables import deal_stories, deals, stories, term_values, terms


async def story_row(conn: AsyncConnection, story_id: int) -> Row[Any] | None:
    return (await conn.execute(select(stories).where(stories.c.id == story_id))).first()


async def usual_year(conn: AsyncConnection, sample: int = 200) -> int | None:
    """The most common publication year among recent dated stories (to date undated ones)."""
    rows = (
        await conn.execute(
            select(stories.c.published)
            .where(stories.c.published.is_not(None))
            .order_by(stories.c.id.desc())
            .limit(sample)
        )
    ).all()
    years = [r.published.year for r in rows]
    return max(set(years), key=years.count) if years else None


async def all_deal_rows(conn: AsyncConnection) -> Sequence[Row[Any]]:
    return (await conn.execute(select(deals).order_by(deals.c.id))).all()


async def insert_deal(
    conn: AsyncConnection,
    parties: list[str],
    status: str,
    when: date | None,
    people: list[dict[str, str]],
    updated_at: date | None,
) -> int:
    result = await conn.execute(
        insert(deals).values(parties=parties, status=status, date=when, people=people, updated_at=updated_at)
    )
    return int(result.inserted_primary_key[0])


async def update_deal(conn: AsyncConnection, deal_id: int, **values: Any) -> None:
    await conn.execute(update(deals).where(deals.c.id == deal_id).values(**values))


async def link_story(conn: AsyncConnection, deal_id: int, story_id: int) -> bool:
    """Link a story to a deal; False when it was linked already."""
    exists = (
        await conn.execute(
            select(deal_stories.c.deal_id).where(
                and_(deal_stories.c.deal_id == deal_id, deal_stories.c.story_id == story_id)
            )
        )
    ).first()
    if exists:
        return False
    await conn.execute(insert(deal_stories).values(deal_id=deal_id, story_id=story_id))
    return True


async def deal_story_count(conn: AsyncConnection, deal_id: int) -> int:
    rows = (
        await conn.execute(select(deal_stories.c.story_id).where(deal_stories.c.deal_id == deal_id))
    ).all()
    return len(rows)


async def term_id(conn: AsyncConnection, deal_id: int, key: str, type_: str, label: str) -> tuple[int, bool]:
    """The id of a deal's term, created when new; (id, created)."""
    row = (
        await conn.execute(select(terms.c.id).where(and_(terms.c.deal_id == deal_id, terms.c.key == key)))
    ).first()
    if row:
        return int(row.id), False
    result = await conn.execute(insert(terms).values(deal_id=deal_id, key=key, type=type_, label=label))
    return int(result.inserted_primary_key[0]), True


async def insert_value(
    conn: AsyncConnection,
    term: int,
    story_id: int,
    value: dict[str, Any],
    sentence: str,
    stated_on: date | None,
) -> int:
    result = await conn.execute(
        insert(term_values).values(
            term_id=term,
            story_id=story_id,
            value=value,
            sentence=sentence,
            stated_on=stated_on,
            conflict=False,
        )
    )
    return int(result.inserted_primary_key[0])


async def values_of(conn: AsyncConnection, term: int) -> Sequence[Row[Any]]:
    return (await conn.execute(select(term_values).where(term_values.c.term_id == term))).all()


async def set_conflict(conn: AsyncConnection, value_ids: Sequence[int]) -> None:
    if value_ids:
        await conn.execute(
            update(term_values).where(term_values.c.id.in_(list(value_ids))).values(conflict=True)
        )


# ---------------------------------------------------------------- reading whole deals


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    return value.date() if hasattr(value, "date") and callable(value.date) else value


async def load_deals(conn: AsyncConnection, deal_ids: Sequence[int] | None = None) -> list[Deal]:
    """Deals with their terms and each term's value history (oldest first), evidence attached."""
    query = select(deals).order_by(deals.c.id)
    if deal_ids is not None:
        query = query.where(deals.c.id.in_(list(deal_ids)))
    deal_rows = (await conn.execute(query)).all()
    if not deal_rows:
        return []
    ids = [r.id for r in deal_rows]
    links = (await conn.execute(select(deal_stories).where(deal_stories.c.deal_id.in_(ids)))).all()
    term_rows = (await conn.execute(select(terms).where(terms.c.deal_id.in_(ids)).order_by(terms.c.id))).all()
    value_rows = (
        await conn.execute(
            select(term_values, stories.c.url, stories.c.title)
            .join(stories, stories.c.id == term_values.c.story_id)
            .where(term_values.c.term_id.in_([t.id for t in term_rows] or [-1]))
        )
    ).all()
    by_term: dict[int, list[Row[Any]]] = {}
    for v in value_rows:
        by_term.setdefault(v.term_id, []).append(v)
    out: dict[int, Deal] = {
        r.id: Deal(
            id=r.id,
            parties=list(r.parties),
            status=r.status,
            date=r.date,
            people=list(r.people or []),
            updated_at=r.updated_at,
        )
        for r in deal_rows
    }
    for link in links:
        out[link.deal_id].story_ids.append(link.story_id)
    for t in term_rows:
        term = Term(key=t.key, type=t.type, label=t.label, history=history_of(by_term.get(t.id, [])))
        out[t.deal_id].terms.append(term)
    return list(out.values())


def history_of(rows: Sequence[Row[Any]]) -> list[TermValue]:
    """Collapse value rows into a history: oldest first, consecutive equal values merged with all
    their evidence; values stated on the same day that disagree stay side by side, flagged."""
    ordered = sorted(rows, key=lambda r: (r.stated_on or date.min, r.id))
    history: list[TermValue] = []
    for r in ordered:
        ev = Evidence(
            story_id=r.story_id, url=r.url, title=r.title, sentence=r.sentence, stated_on=r.stated_on
        )
        if history and not r.conflict and not history[-1].conflict and same_value(history[-1].value, r.value):
            history[-1].evidence.append(ev)
            continue
        history.append(TermValue(value=dict(r.value), evidence=[ev], conflict=bool(r.conflict)))
    return history


def core_value(value: dict[str, Any]) -> tuple[Any, ...]:
    """The part of a term value that, when it differs, makes a new value (not just another source)."""
    kind = value.get("type")
    if kind == "tariff":
        return (value.get("rate_pct"),)
    if kind == "investment":
        return (value.get("amount_usd"),)
    if kind == "purchase":
        return (value.get("amount_usd"), value.get("quantity"))
    if kind == "quota":
        return (value.get("quantity"), value.get("rate_pct"))
    return (value.get("subject"),)


def same_value(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return core_value(a) == core_value(b)


async def story_sources(conn: AsyncConnection, story_ids: Sequence[int]) -> list[Row[Any]]:
    """id, url, title, published, analysis of the given stories, newest first."""
    if not story_ids:
        return []
    rows = (
        await conn.execute(
            select(
                stories.c.id,
                stories.c.url,
                stories.c.title,
                stories.c.published,
                stories.c.analysis,
                stories.c.summary,
                stories.c.group_id,
            ).where(stories.c.id.in_(list(story_ids)))
        )
    ).all()
    return sorted(rows, key=lambda r: (r.published is not None, r.published, r.id), reverse=True)


async def latest_relevant_stories(conn: AsyncConnection, limit: int, scan: int = 500) -> list[Row[Any]]:
    """The newest relevant stories, one per story group (the first of each group)."""
    rows = (
        await conn.execute(
            select(
                stories.c.id,
                stories.c.url,
                stories.c.title,
                stories.c.published,
                stories.c.summary,
                stories.c.analysis,
                stories.c.group_id,
            )
            .where(stories.c.relevant.is_(True))
            .order_by(stories.c.published.desc(), stories.c.id.desc())
            .limit(scan)
        )
    ).all()
    seen: set[int] = set()
    out = []
    for r in rows:
        group = r.group_id or r.id
        if group in seen:
            continue
        seen.add(group)
        out.append(r)
        if len(out) >= limit:
            break
    return out
