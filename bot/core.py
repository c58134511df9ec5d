"""The running bot: store, pipeline, poller and delivery behind the one API adapters use (CoreAPI)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.api import ChatAdapter
from bot.commands import Env, dispatch
from bot.config import Secrets, Settings
from bot.delivery import Delivery
from bot.models import Command, Reply
from bot.pipeline import Pipeline
from bot.store.db import create_engine, migrate
from bot.store.tables import feeds

log = logging.getLogger(__name__)


class Core:
    """Implements bot.api.CoreAPI. Build it with `await Core.open(settings)`."""

    def __init__(self, settings: Settings, engine: AsyncEngine, secrets: Secrets | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.secrets = secrets or Secrets()
        self.env = Env(engine=engine, settings=settings)
        self.pipeline = Pipeline(engine, min_relevance=settings.news.min_relevance)
        self.delivery: Delivery | None = None

    @classmethod
    async def open(cls, settings: Settings, url: str | None = None, secrets: Secrets | None = None) -> Core:
        engine = create_engine(url or settings.database_url)
        await migrate(engine)
        return cls(settings, engine, secrets)

    async def close(self) -> None:
        await self.engine.dispose()

    # ---------------------------------------------------------------- CoreAPI

    async def handle(self, command: Command) -> Reply:
        return await dispatch(self.env, command)

    async def complete(self, kind: str, prefix: str, limit: int = 25) -> list[str]:
        from bot.commands.deals import complete

        try:
            return await complete(self.env, kind, prefix[:100], limit)
        except Exception:
            log.exception("autocomplete failed")
            return []

    # ---------------------------------------------------------------- running

    async def add_configured_feeds(self) -> int:
        """Follow the feeds listed in settings (idempotent); returns how many were new."""
        added = 0
        async with self.engine.begin() as conn:
            for url in self.settings.feeds:
                if (await conn.execute(select(feeds.c.id).where(feeds.c.url == url))).first() is None:
                    await conn.execute(insert(feeds).values(
                        url=url, interval_min=self.settings.polling.default_interval_min))
                    added += 1
        return added

    def build_delivery(self, adapters: Sequence[ChatAdapter], worker_id: str = "worker") -> Delivery:
        self.delivery = Delivery(self.engine, self.settings.delivery, {a.platform: a for a in adapters},
                                 worker_id=worker_id)
        return self.delivery

    async def run(self, adapters: Sequence[ChatAdapter], stop: asyncio.Event, *, poll: bool = True) -> None:
        """Start the adapters, poll feeds and deliver until `stop` is set, then shut down cleanly:
        the poller stops taking new work, in-flight sends finish (or go back to the queue), the
        adapters disconnect and the database is closed."""
        from bot.feeds.poller import Poller

        delivery = self.build_delivery(adapters)
        started: list[ChatAdapter] = []
        try:
            for adapter in adapters:
                await adapter.start(self)
                started.append(adapter)
            poller = Poller(self.engine, self.settings, self.pipeline, on_stored=delivery.poke)
            tasks = [asyncio.create_task(delivery.run_forever(stop), name="delivery")]
            if poll:
                tasks.append(asyncio.create_task(poller.run_forever(stop), name="poller"))
            await stop.wait()
            done, pending = await asyncio.wait(tasks, timeout=15)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        finally:
            for adapter in reversed(started):
                try:
                    await adapter.stop()
                except Exception:
                    log.exception("adapter %s did not stop cleanly", adapter.platform)
