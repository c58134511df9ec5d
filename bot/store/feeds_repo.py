"""Feed and entry queries: the poller's state on the feed record, and the dedupe lookups.

All SQL goes through SQLAlchemy Core with bound parameters; the same queries run on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Feed
from bot.store.tables import entries, feeds, stories
from bot.store.upsert import insert_ignore

_IN_CHUNK = 500  # keep IN (...) lists well under SQLite's bound-parameter limit
# Built once with an expanding parameter: the list is bound at execution, not coerced into a new
# statement each time (that coercion cost more than the query for a feed's worth of entries).
_KNOWN_IDENTITIES = select(entries.c.identity).where(
    entries.c.identity.in_(bindparam("values", expanding=True))
)
_KNOWN_URLS = select(stories.c.canonical_url).where(
    stories.c.canonical_url.in_(bindparam("values", expanding=True))
)


def feed_from_row(row: Any) -> Feed:
    return Feed(
        id=row.id,
        url=row.url,
        title=row.title,
        interval_min=row.interval_min,
        etag=row.etag,
        last_modified=row.last_modified,
        next_check_at=row.next_check_at,
        last_checked_at=row.last_checked_at,
        last_ok_at=row.last_ok_at,
        error_count=row.error_count or 0,
        last_error=row.last_error,
        disabled_reason=row.disabled_reason,
        backlog_done=bool(row.backlog_done),
        workspace=row.workspace,
    )


async def get_feed(conn: AsyncConnection, feed_id: int) -> Feed | None:
    row = (await conn.execute(select(feeds).where(feeds.c.id == feed_id))).first()
    return feed_from_row(row) if row else None


async def find_feed(conn: AsyncConnection, key: str) -> Feed | None:
    """By URL, or by id when the key is a number."""
    cond = feeds.c.url == key
    if key.isdigit():
        cond = or_(cond, feeds.c.id == int(key))
    row = (await conn.execute(select(feeds).where(cond).limit(1))).first()
    return feed_from_row(row) if row else None


async def list_feeds(conn: AsyncConnection) -> list[Feed]:
    return [feed_from_row(r) for r in (await conn.execute(select(feeds).order_by(feeds.c.id))).all()]


async def add_feed(
    conn: AsyncConnection,
    url: str,
    *,
    interval_min: float,
    title: str | None = None,
    workspace: str | None = None,
) -> tuple[Feed, bool]:
    """Insert a feed unless its URL is already followed; returns (feed, created)."""
    existing = (await conn.execute(select(feeds).where(feeds.c.url == url))).first()
    if existing is not None:
        return feed_from_row(existing), False
    feed_id = (
        await conn.execute(
            insert(feeds).values(
                url=url,
                title=title,
                interval_min=interval_min,
                workspace=workspace,
                error_count=0,
                backlog_done=False,
            )
        )
    ).inserted_primary_key[0]
    feed = await get_feed(conn, feed_id)
    assert feed is not None
    return feed, True


async def remove_feed(conn: AsyncConnection, key: str) -> Feed | None:
    feed = await find_feed(conn, key)
    if feed is not None:
        await conn.execute(delete(feeds).where(feeds.c.id == feed.id))
    return feed


async def due_feeds(
    conn: AsyncConnection, now: datetime, *, exclude: Iterable[int] = (), limit: int | None = None
) -> list[Feed]:
    """Enabled feeds whose next check has come (never-checked feeds first)."""
    query = (
        select(feeds)
        .where(feeds.c.disabled_reason.is_(None))
        .where(or_(feeds.c.next_check_at.is_(None), feeds.c.next_check_at <= now))
        .order_by(feeds.c.next_check_at.is_not(None), feeds.c.next_check_at, feeds.c.id)
    )
    skip = set(exclude)
    if limit is not None:
        query = query.limit(limit + len(skip))
    rows = (await conn.execute(query)).all()
    return [feed_from_row(r) for r in rows if r.id not in skip][:limit]


async def enabled_feeds(conn: AsyncConnection) -> list[Feed]:
    rows = (
        await conn.execute(select(feeds).where(feeds.c.disabled_reason.is_(None)).order_by(feeds.c.id))
    ).all()
    return [feed_from_row(r) for r in rows]


async def earliest_next_check(conn: AsyncConnection, *, exclude: Iterable[int] = ()) -> datetime | None:
    query = select(func.min(feeds.c.next_check_at)).where(feeds.c.disabled_reason.is_(None))
    skip = list(exclude)
    if skip:
        query = query.where(feeds.c.id.not_in(skip))
    return (await conn.execute(query)).scalar_one_or_none()


async def update_feed(conn: AsyncConnection, feed_id: int, **values: Any) -> None:
    await conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))


async def known_identities(conn: AsyncConnection, identities: Sequence[str]) -> set[str]:
    found: set[str] = set()
    unique = list(dict.fromkeys(identities))
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start : start + _IN_CHUNK]
        rows = await conn.execute(_KNOWN_IDENTITIES, {"values": chunk})
        found.update(r.identity for r in rows)
    return found


async def known_canonical_urls(conn: AsyncConnection, urls: Sequence[str]) -> set[str]:
    found: set[str] = set()
    unique = list(dict.fromkeys(u for u in urls if u))
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start : start + _IN_CHUNK]
        rows = await conn.execute(_KNOWN_URLS, {"values": chunk})
        found.update(r.canonical_url for r in rows)
    return found


async def remember_entries(conn: AsyncConnection, feed_id: int, identities: Iterable[str]) -> None:
    """Record identities as seen (the dedupe record doubles as a tombstone)."""
    await insert_ignore(
        conn, entries, [{"identity": i, "feed_id": feed_id} for i in dict.fromkeys(identities)]
    )


async def story_count(conn: AsyncConnection, feed_id: int | None = None) -> int:
    query = select(func.count()).select_from(stories)
    if feed_id is not None:
        query = query.where(stories.c.feed_id == feed_id)
    return int((await conn.execute(query)).scalar_one())


async def update_feeds(conn: AsyncConnection, updates: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Many feed updates in one round trip per distinct set of columns (executemany)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for feed_id, values in updates:
        keys = tuple(sorted(values))
        groups.setdefault(keys, []).append({"b_feed_id": feed_id, **{f"b_{k}": v for k, v in values.items()}})
    for keys, rows in groups.items():
        stmt = (
            update(feeds)
            .where(feeds.c.id == bindparam("b_feed_id"))
            .values({k: bindparam(f"b_{k}") for k in keys})
        )
        await conn.execute(stmt, rows)
