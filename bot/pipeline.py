"""From a new feed entry (or an ingested file) to stored facts and queued deliveries.

One story goes through: analysis (pure, in a worker thread) → one transaction that inserts the
story, records its feed entry, files it in a near-duplicate group, merges its deal terms into the
ledger and writes one outbox row per matching subscription. Because the outbox rows are written in
the same transaction as the story, a crash can lose neither: either both are stored or neither.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot import ledger, story_groups
from bot.news.analyze import Analysis, analyze
from bot.store.tables import deliveries, entries, feeds, stories, subscriptions
from bot.store.upsert import insert_ignore

log = logging.getLogger(__name__)


@dataclass(slots=True)
class NewStory:
    """A story to store, from a feed entry (feed_id set) or a file/URL given on the command line."""

    url: str
    title: str
    text: str
    html: str | None = None
    feed_id: int | None = None
    guid: str | None = None
    canonical_url: str | None = None
    identity: str | None = None
    published: datetime | None = None
    partial: bool = False
    announce: bool = True


@dataclass(slots=True, frozen=True)
class StoredStory:
    id: int
    group_id: int
    new_group: bool
    relevant: bool
    changed_terms: tuple[int, ...]
    queued: int


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def _analysis_json(analysis: Analysis) -> dict[str, Any]:
    data = asdict(analysis)
    data.pop("text", None)  # stored once, in stories.text
    if isinstance(data.get("published"), date):
        data["published"] = data["published"].isoformat()
    return data


def _matches(sub: Any, analysis: Analysis, *, is_update: bool) -> bool:
    """Does this subscription want this story? Countries filter on the deal's parties."""
    if sub.updates_only and not is_update:
        return False
    if analysis.relevance < sub.min_relevance:
        return False
    wanted = {c.lower() for c in (sub.countries or [])}
    if not wanted:
        return True
    parties = {p.lower() for deal in analysis.deals for p in deal.get("parties", [])}
    return bool(wanted & parties)


class Pipeline:
    def __init__(self, engine: AsyncEngine, *, min_relevance: float = 0.5) -> None:
        self.engine = engine
        self.min_relevance = min_relevance
        self._write_lock = asyncio.Lock()

    async def is_known(self, conn: AsyncConnection, item: NewStory) -> int | None:
        """The id of an already stored story for this entry, if any (identity, then canonical URL)."""
        if item.identity:
            row = (await conn.execute(select(entries.c.story_id).where(entries.c.identity == item.identity))).first()
            if row is not None:
                return row.story_id or -1
        if item.canonical_url:
            row = (
                await conn.execute(select(stories.c.id).where(stories.c.canonical_url == item.canonical_url).limit(1))
            ).first()
            if row is not None:
                return row.id
        return None

    async def store_story(self, item: NewStory) -> StoredStory | None:
        """Store one story; None when it is already stored (same identity or canonical URL)."""
        async with self.engine.connect() as conn:
            if await self.is_known(conn, item) is not None:
                await self._remember_entry(item, None)
                return None
        published = item.published.date() if item.published else None
        analysis = await asyncio.to_thread(analyze, item.text, title=item.title, published=published)
        # The check and the insert must be one step: SQLite's driver starts the transaction at the
        # first write, so two tasks could both find the story unknown and both store it.
        async with self._write_lock, self.engine.begin() as conn:
            known = await self.is_known(conn, item)
            if known is not None:  # another task stored it while we were analysing
                return None
            return await self._insert(conn, item, analysis)

    async def _remember_entry(self, item: NewStory, story_id: int | None) -> None:
        """A second feed carrying a known story: record its identity so it is not looked at again."""
        if not item.identity:
            return
        async with self.engine.begin() as conn:
            exists = (await conn.execute(select(entries.c.id).where(entries.c.identity == item.identity))).first()
            if exists is None:
                await conn.execute(insert(entries).values(identity=item.identity, feed_id=item.feed_id,
                                                          story_id=story_id))

    async def _insert(self, conn: AsyncConnection, item: NewStory, analysis: Analysis) -> StoredStory:
        relevant = analysis.relevant and analysis.relevance >= self.min_relevance
        story_id = (
            await conn.execute(
                insert(stories).values(
                    feed_id=item.feed_id, url=item.url, canonical_url=item.canonical_url, guid=item.guid,
                    title=item.title or analysis.title, published=item.published,
                    fetched_at=datetime.now(UTC), text=item.text, content_hash=content_hash(item.text),
                    partial=item.partial, relevant=relevant, relevance=analysis.relevance,
                    summary=analysis.summary, analysis=_analysis_json(analysis), announce=item.announce,
                )
            )
        ).inserted_primary_key[0]
        if item.identity:
            await conn.execute(insert(entries).values(identity=item.identity, feed_id=item.feed_id,
                                                      story_id=story_id))
        group_id, new_group = await story_groups.assign_group(conn, story_id)
        changed = await ledger.record_story(conn, story_id) if relevant else []
        queued = 0
        if relevant and item.announce:
            queued = await self._enqueue(conn, story_id, group_id, new_group, changed, analysis)
        return StoredStory(story_id, group_id, new_group, relevant, tuple(changed), queued)

    async def _enqueue(self, conn: AsyncConnection, story_id: int, group_id: int, new_group: bool,
                       changed: list[int], analysis: Analysis) -> int:
        """One outbox row per matching active subscription: a new story group is news; a story in a
        known group is news only when it changed a term (then it is an update)."""
        if not new_group and not changed:
            return 0
        is_update = bool(changed)
        subs = (await conn.execute(select(subscriptions).where(subscriptions.c.paused_reason.is_(None)))).all()
        key = f"term:{changed[0]}" if (changed and not new_group) else f"story:{group_id}"
        rows = [
            {"subscription_id": sub.id, "event_key": key, "story_id": story_id,
             "term_value_id": changed[0] if changed else None}
            for sub in subs
            if _matches(sub, analysis, is_update=is_update)
        ]
        if rows:
            await conn.execute(insert(deliveries), rows)
        return len(rows)

    async def feed_disabled(self, feed_id: int, reason: str) -> int:
        """Tell the subscribers of the workspace that added the feed (all, for a config feed)."""
        async with self.engine.begin() as conn:
            feed = (await conn.execute(select(feeds).where(feeds.c.id == feed_id))).first()
            if feed is None:
                return 0
            query = select(subscriptions.c.id).where(subscriptions.c.paused_reason.is_(None))
            if feed.workspace:
                platform, _, workspace = feed.workspace.partition(":")
                query = query.where(subscriptions.c.platform == platform, subscriptions.c.workspace == workspace)
            subs = (await conn.execute(query)).all()
            stamp = int((await conn.execute(select(func.coalesce(feeds.c.error_count, 0))
                                            .where(feeds.c.id == feed_id))).scalar_one())
            rows = [{"subscription_id": s.id, "event_key": f"feed-disabled:{feed_id}:{stamp}"} for s in subs]
            await insert_ignore(conn, deliveries, rows)
            await conn.execute(update(feeds).where(feeds.c.id == feed_id).values(disabled_reason=reason))
            log.warning("feed disabled", extra={"feed_id": feed_id, "url": feed.url, "reason": reason})
            return len(rows)
