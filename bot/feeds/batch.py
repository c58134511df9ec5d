"""Micro-batching of the poller's database work across concurrent feeds.

Many feeds finish at about the same time; each needs a dedupe lookup and a state write. Done one
by one, every feed pays a connection checkout, a driver thread hop and (for writes) a commit, and
with SQLite the writers queue on one lock. Here each caller still awaits its own result, but the
requests that arrive within a few milliseconds go to the database together: one transaction for
many feed updates, one query for many feeds' entry identities.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store import feeds_repo

Request = TypeVar("Request")
Result = TypeVar("Result")


class _Batcher(Generic[Request, Result]):
    def __init__(self, *, max_batch: int = 500, gather_s: float = 0.02) -> None:
        self.max_batch = max_batch
        self.gather_s = gather_s  # a few ms of waiting turns a trickle of requests into one round trip
        self._pending: list[tuple[Request, asyncio.Future[Result]]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, request: Request) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=type(self).__name__)
        return await future

    async def _run(self) -> None:
        while self._pending:
            if len(self._pending) < self.max_batch:
                await asyncio.sleep(self.gather_s)
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            try:
                results = await self.process([request for request, _ in batch])
            except Exception as exc:  # handed to each waiting caller, which records or logs it
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)

    async def process(self, requests: list[Request]) -> Sequence[Result | BaseException]:
        """One result per request, in order; an exception in place of a result fails that caller only."""
        raise NotImplementedError


class FeedStateWriter(_Batcher[tuple[int, dict[str, Any]], None]):
    """`await write(feed_id, values)` returns once the update is committed (raises if it was not)."""

    def __init__(self, engine: AsyncEngine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = engine

    async def write(self, feed_id: int, values: dict[str, Any]) -> None:
        await self.submit((feed_id, values))

    async def process(self, requests: list[tuple[int, dict[str, Any]]]) -> list[None | BaseException]:
        try:
            async with self.engine.begin() as conn:
                await feeds_repo.update_feeds(conn, requests)
            return [None] * len(requests)
        except Exception:
            if len(requests) == 1:
                raise
        # The batch failed: one at a time, so one feed's bad update does not fail its neighbours.
        results: list[None | BaseException] = []
        for request in requests:
            try:
                async with self.engine.begin() as conn:
                    await feeds_repo.update_feeds(conn, [request])
                results.append(None)
            except Exception as exc:
                results.append(exc)
        return results


class KnownEntries(_Batcher[tuple[list[str], list[str]], tuple[set[str], set[str]]]):
    """`await lookup(identities, canonical_urls)` → (identities already seen, URLs already stored)."""

    def __init__(self, engine: AsyncEngine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = engine

    async def lookup(self, identities: list[str], urls: list[str]) -> tuple[set[str], set[str]]:
        return await self.submit((identities, urls))

    async def process(self, requests: list[tuple[list[str], list[str]]]) -> list[tuple[set[str], set[str]]]:
        all_ids = [i for ids, _ in requests for i in ids]
        all_urls = [u for _, urls in requests for u in urls]
        async with self.engine.connect() as conn:
            known_ids = await feeds_repo.known_identities(conn, all_ids)
            known_urls = await feeds_repo.known_canonical_urls(conn, all_urls)
        return [
            ({i for i in ids if i in known_ids}, {u for u in urls if u in known_urls})
            for ids, urls in requests
        ]
