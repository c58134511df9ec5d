"""The poll loop: one straight pipeline per feed, many feeds at once, nothing allowed to kill it.

Per feed (`Poller.poll_feed`):
    conditional GET (ETag / Last-Modified) → 304? record and schedule
    → parse the bytes → entry identities → drop the ones already seen (identity or canonical URL)
    → fetch each new entry's article page (fallback: the entry's own content, marked partial)
    → pipeline.store_story(NewStory) → record success on the feed (validators, title, next check,
      error counter reset).
Any FeedError (or any unexpected exception) is recorded on the feed instead: error_count + 1,
last_error, next check by backoff or Retry-After. After `disable_after_failures` failures in a row
the feed is disabled with its reason and the pipeline tells its subscribers.

The loop (`run_forever`) starts due feeds under a global cap (`max_concurrency`) and a per-host
cap (`per_host_concurrency`, held only during each HTTP request so a feed and its articles on the
same host cannot deadlock), sleeps until the next feed is due, and on stop finishes in-flight work
for a grace period, cancels the rest and closes the HTTP session.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiohttp.abc import AbstractResolver
from sqlalchemy.ext.asyncio import AsyncEngine
from yarl import URL

from bot.config import Settings
from bot.feeds.batch import FeedStateWriter, KnownEntries
from bot.feeds.errors import FeedError, RateLimited
from bot.feeds.fetch import PAGE_ACCEPT, Fetcher, FetchResult, decode_page
from bot.feeds.identity import canonical_url, html_to_text
from bot.feeds.parse import FeedEntry, ParsedFeed
from bot.feeds.prepare import PreparedFeed, prepare_feed
from bot.feeds.schedule import cache_max_age_s, next_check_after_failure, next_check_after_success
from bot.models import Feed
from bot.news.article import extract_article
from bot.pipeline import NewStory
from bot.store import feeds_repo

log = logging.getLogger(__name__)

STOP_GRACE_S = 10.0  # in-flight feeds get this long to finish after stop (Core waits 15 s)
MAX_SLEEP_S = 30.0
RECORD_RETRY_S = 60.0  # a feed whose outcome could not be stored is tried again after this


class StoryPipeline(Protocol):
    async def store_story(self, item: NewStory) -> Any: ...

    async def feed_disabled(self, feed_id: int, reason: str) -> Any: ...


@dataclass(slots=True)
class FeedOutcome:
    feed_id: int
    url: str
    status: str  # "changed" | "not_modified" | "error" | "disabled"
    new_entries: int = 0
    stored: int = 0
    error: str | None = None


@dataclass(slots=True)
class PollReport:
    outcomes: list[FeedOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def stored(self) -> int:
        return sum(o.stored for o in self.outcomes)

    def summary(self) -> str:
        return (
            f"{len(self.outcomes)} feeds polled: {self.count('changed')} changed, "
            f"{self.count('not_modified')} not modified, {self.count('error')} failed, "
            f"{self.count('disabled')} disabled; {self.stored} new stories stored"
        )


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Poller:
    """Polls feeds into the pipeline. Build once, then `await run_forever(stop)` or `poll_once()`;
    `aclose()` (or `async with`) closes the HTTP session."""

    def __init__(
        self,
        engine: AsyncEngine,
        settings: Settings,
        pipeline: StoryPipeline,
        *,
        on_stored: Callable[[], None] | None = None,
        resolver: AbstractResolver | None = None,
        fetch_articles: bool = True,
        clock: Callable[[], datetime] = _utcnow,
        rng: random.Random | None = None,
        parse_workers: int = 0,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.polling = settings.polling
        self.fetch_settings = settings.fetch
        self.pipeline = pipeline
        self.on_stored = on_stored
        self.fetch_articles = fetch_articles
        self.clock = clock
        self.rng = rng or random.Random()
        self.fetcher = Fetcher(
            settings.fetch,
            resolver=resolver,
            limit=self.polling.max_concurrency + self.polling.article_concurrency,
        )
        self._feed_slots = asyncio.Semaphore(self.polling.max_concurrency)
        self._article_slots = asyncio.Semaphore(self.polling.article_concurrency)
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._in_flight: dict[int, asyncio.Task[FeedOutcome]] = {}
        # Feeds whose outcome could not be recorded (database trouble) look due in the table; they
        # wait here for a while rather than being fetched again on every tick.
        self._cooldown: dict[int, datetime] = {}
        self._wakeup = asyncio.Event()
        # Stories are stored one at a time: two feeds carrying the same story at the same moment
        # must not both pass the pipeline's "already stored?" check (SQLite serialises writes anyway).
        self._store_lock = asyncio.Lock()
        self._states = FeedStateWriter(engine)
        self._known = KnownEntries(engine)
        # feedparser is pure Python and CPU-bound: with parse_workers > 0 feeds are parsed in worker
        # processes, so many changed feeds parse in parallel and the event loop stays responsive.
        self.parse_workers = parse_workers
        self._parse_pool: ProcessPoolExecutor | None = None

    # ---------------------------------------------------------------- lifecycle

    async def aclose(self) -> None:
        await self.fetcher.close()
        if self._parse_pool is not None:
            self._parse_pool.shutdown(wait=False, cancel_futures=True)
            self._parse_pool = None

    async def __aenter__(self) -> Poller:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def poke(self) -> None:
        """A feed was added or changed: look for due feeds now rather than at the next tick."""
        self._wakeup.set()

    # ---------------------------------------------------------------- the loop

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll due feeds until `stop` is set; then drain (grace period), cancel and close."""
        try:
            await self.warm_up()
            while not stop.is_set():
                self._wakeup.clear()  # before looking: a feed finishing meanwhile wakes the next look
                try:
                    await self._start_due()
                    delay = await self._sleep_time()
                except Exception:  # e.g. the database is locked: keep the loop, try again soon
                    log.exception("poll loop: could not read the feed schedule; retrying")
                    delay = 5.0
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wakeup.wait())]
                await asyncio.wait(waiters, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()
        finally:
            await self._drain()
            await self.aclose()

    async def _start_due(self) -> None:
        async with self.engine.connect() as conn:
            due = await feeds_repo.due_feeds(
                conn, self.clock(), exclude=self._not_now(), limit=self.polling.max_concurrency * 4
            )
        for feed in due:
            task = asyncio.create_task(self._guarded_poll(feed), name=f"poll-feed-{feed.id}")
            self._in_flight[feed.id] = task
            task.add_done_callback(lambda _t, fid=feed.id: self._finished(fid))

    def _not_now(self) -> set[int]:
        """Feed ids not to start now: in flight, or cooling down after a failed state write."""
        now = self.clock()
        for feed_id in [f for f, until in self._cooldown.items() if until <= now]:
            del self._cooldown[feed_id]
        return set(self._in_flight) | set(self._cooldown)

    def _finished(self, feed_id: int) -> None:
        self._in_flight.pop(feed_id, None)
        self._wakeup.set()  # a slot is free: more due feeds may start

    async def _sleep_time(self) -> float:
        if len(self._in_flight) >= self.polling.max_concurrency * 4:
            return MAX_SLEEP_S  # woken when a task finishes
        async with self.engine.connect() as conn:
            # Feeds in flight still look due in the table; their next check is set when they finish.
            earliest = await feeds_repo.earliest_next_check(conn, exclude=self._not_now())
        if earliest is None:
            return MAX_SLEEP_S
        return min(max((earliest - self.clock()).total_seconds(), 0.05), MAX_SLEEP_S)

    async def _drain(self) -> None:
        tasks = list(self._in_flight.values())
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_S)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def poll_once(
        self,
        *,
        all_feeds: bool = False,
        feed_ids: Sequence[int] | None = None,
        progress: Callable[[FeedOutcome], None] | None = None,
    ) -> PollReport:
        """One round: every due feed (or every enabled feed with all_feeds), then return."""
        async with self.engine.connect() as conn:
            if all_feeds or feed_ids is not None:
                feeds = await feeds_repo.enabled_feeds(conn)
                if feed_ids is not None:
                    wanted = set(feed_ids)
                    feeds = [f for f in feeds if f.id in wanted]
            else:
                feeds = await feeds_repo.due_feeds(conn, self.clock())

        async def one(feed: Feed) -> FeedOutcome:
            outcome = await self._guarded_poll(feed)
            if progress is not None:
                progress(outcome)
            return outcome

        outcomes = await asyncio.gather(*(one(f) for f in feeds))
        return PollReport(list(outcomes))

    # ---------------------------------------------------------------- one feed

    async def _guarded_poll(self, feed: Feed) -> FeedOutcome:
        """poll_feed that never raises (except cancellation)."""
        try:
            return await self.poll_feed(feed)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # recording the outcome itself failed (database trouble)
            log.exception("feed %s: could not record the poll outcome", feed.id)
            self._cooldown[feed.id] = self.clock() + timedelta(seconds=RECORD_RETRY_S)
            return FeedOutcome(feed.id, feed.url, "error", error=f"{type(exc).__name__}: {exc}")

    async def poll_feed(self, feed: Feed) -> FeedOutcome:
        """The straight pipeline for one feed. Errors end up on the feed record, not raised.

        The global slot covers the network and parsing work only: the state write that follows is
        batched with other feeds' writes and must not hold a slot while it waits for a commit."""
        async with self._feed_slots:
            outcome, values, disabled = await self._work(feed)
        await self._states.write(feed.id, values)
        if disabled:
            await self.pipeline.feed_disabled(feed.id, disabled)
        return outcome

    async def _work(self, feed: Feed) -> tuple[FeedOutcome, dict[str, Any], str | None]:
        try:
            result = await self._request(
                feed.url,
                max_bytes=self.fetch_settings.max_feed_bytes,
                etag=feed.etag,
                last_modified=feed.last_modified,
            )
            if result.not_modified:
                return FeedOutcome(feed.id, feed.url, "not_modified"), self._success(feed, result, None), None
            prepared = await self._prepare(feed, result)
            parsed = prepared.feed
            new, stored = await self._store_new(feed, prepared, result.url)
            outcome = FeedOutcome(feed.id, feed.url, "changed", new_entries=new, stored=stored)
            return outcome, self._success(feed, result, parsed), None
        except asyncio.CancelledError:
            raise
        except FeedError as err:
            return self._failure(feed, err, f"{_label(err)}: {err}")
        except Exception as exc:  # a bug or a surprise: recorded on the feed, the loop goes on
            log.exception("feed %s (%s): unexpected error", feed.id, feed.url)
            return self._failure(feed, exc, f"internal error: {type(exc).__name__}: {exc}")

    def _pool(self) -> ProcessPoolExecutor:
        if self._parse_pool is None:
            # spawn, not fork: this process has threads (database driver, resolver) that fork would copy mid-state
            context = multiprocessing.get_context("spawn")
            self._parse_pool = ProcessPoolExecutor(self.parse_workers, mp_context=context)
        return self._parse_pool

    async def warm_up(self) -> None:
        """Start the parse worker processes now rather than on the first changed feed."""
        if self.parse_workers > 0:
            loop = asyncio.get_running_loop()
            empty = b"<rss version='2.0'><channel><title>warm-up</title></channel></rss>"
            job = functools.partial(prepare_feed, empty, content_type=None, url=None, feed_url="")
            await asyncio.gather(
                *(loop.run_in_executor(self._pool(), job) for _ in range(self.parse_workers))
            )

    async def _prepare(self, feed: Feed, result: FetchResult) -> PreparedFeed:
        job = functools.partial(
            prepare_feed, result.body, content_type=result.content_type, url=result.url, feed_url=feed.url
        )
        if self.parse_workers <= 0:
            return job()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool(), functools.partial(job, with_text=True))

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        try:
            host = (URL(url).host or "").lower()
        except ValueError:
            host = ""
        slot = self._host_slots.get(host)
        if slot is None:
            slot = self._host_slots[host] = asyncio.Semaphore(self.polling.per_host_concurrency)
        return slot

    async def _request(
        self,
        url: str,
        *,
        max_bytes: int,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        async with self._host_slot(url):
            kwargs: dict[str, Any] = {"max_bytes": max_bytes, "etag": etag, "last_modified": last_modified}
            if accept:
                kwargs["accept"] = accept
            return await self.fetcher.fetch(url, **kwargs)

    # ---------------------------------------------------------------- entries → stories

    async def _store_new(self, feed: Feed, prepared: PreparedFeed, feed_url: str) -> tuple[int, int]:
        candidates = {c.identity: c for c in prepared.candidates}
        if not candidates:
            return 0, 0
        known, known_urls = await self._known.lookup(
            list(candidates), [c.canonical for c in candidates.values() if c.canonical]
        )
        fresh = [c for c in candidates.values() if c.identity not in known]
        # Same story already stored from another feed: remember this entry so it is not looked at again.
        elsewhere = [c.identity for c in fresh if c.canonical in known_urls]
        if elsewhere:
            async with self.engine.begin() as conn:
                await feeds_repo.remember_entries(conn, feed.id, elsewhere)
        new = [c for c in fresh if c.canonical is None or c.canonical not in known_urls]
        if not new:
            return 0, 0
        new.sort(key=lambda c: c.entry.published or datetime.max.replace(tzinfo=UTC))  # oldest first
        if self.fetch_articles:
            texts = await asyncio.gather(*(self._article(c.entry) for c in new))
        else:  # no page fetches: no need for a task per entry
            texts = [self._feed_text(c.entry) for c in new]
        announce = feed.backlog_done  # a new feed's backlog is stored, not announced
        stored = 0
        for cand, (text, html, partial, title) in zip(new, texts, strict=True):
            item = NewStory(
                url=cand.entry.link or feed_url,
                title=cand.entry.title or title,
                text=text,
                html=html,
                feed_id=feed.id,
                guid=cand.entry.guid,
                canonical_url=cand.canonical,
                identity=cand.identity,
                published=cand.entry.published,
                partial=partial,
                announce=announce,
            )
            async with self._store_lock:
                result = await self.pipeline.store_story(item)
            if result is not None:
                stored += 1
                if self.on_stored is not None:
                    self.on_stored()
        return len(new), stored

    @staticmethod
    def _feed_text(entry: FeedEntry) -> tuple[str, str | None, bool, str]:
        """The entry's own content as plain text, marked partial (no article page behind it)."""
        text = entry.text if entry.text is not None else html_to_text(entry.content_html)
        return text, None, True, ""

    async def _article(self, entry: FeedEntry) -> tuple[str, str | None, bool, str]:
        """(text, html, partial, title): the linked page's main text, else the entry's own content."""
        fallback = self._feed_text(entry)
        if not self.fetch_articles or canonical_url(entry.link) is None:
            return fallback
        assert entry.link is not None
        try:
            async with self._article_slots:
                page = await self._request(
                    entry.link, max_bytes=self.fetch_settings.max_page_bytes, accept=PAGE_ACCEPT
                )
            html = decode_page(page.body, page.content_type)
            article = await asyncio.to_thread(extract_article, html, page.url)
        except FeedError as err:
            log.info("article %s not fetched (%s); using the feed's text", entry.link, err)
            return fallback
        if not article.text.strip():
            return fallback[0], html, True, article.title
        return article.text, html, False, article.title

    # ---------------------------------------------------------------- state on the feed record

    def _success(self, feed: Feed, result: FetchResult, parsed: ParsedFeed | None) -> dict[str, Any]:
        now = self.clock()
        values: dict[str, Any] = {
            "last_checked_at": now,
            "last_ok_at": now,
            "error_count": 0,
            "next_check_at": next_check_after_success(
                now,
                interval_min=feed.interval_min,
                settings=self.polling,
                ttl_min=parsed.ttl_min if parsed else None,
                max_age_s=cache_max_age_s(result.headers),
                rng=self.rng,
            ),
        }
        if result.etag or not result.not_modified:
            values["etag"] = (result.etag or None) and result.etag[:500]
        if result.last_modified or not result.not_modified:
            values["last_modified"] = (result.last_modified or None) and result.last_modified[:200]
        if parsed is not None:
            values["backlog_done"] = True
            values["last_error"] = (
                ("warning: " + "; ".join(parsed.warnings))[:2000] if parsed.warnings else None
            )
            if parsed.title and not feed.title:
                values["title"] = parsed.title[:500]
        elif feed.last_error and not feed.last_error.startswith("warning:"):
            values["last_error"] = None
        return values

    def _failure(
        self, feed: Feed, exc: BaseException, message: str
    ) -> tuple[FeedOutcome, dict[str, Any], str | None]:
        now = self.clock()
        failures = feed.error_count + 1
        retry_after = exc.retry_after_s if isinstance(exc, RateLimited) else None
        values: dict[str, Any] = {
            "last_checked_at": now,
            "error_count": failures,
            "last_error": message[:2000],
            "next_check_at": next_check_after_failure(
                now, failures=failures, settings=self.polling, retry_after_s=retry_after, rng=self.rng
            ),
        }
        disable = failures >= self.polling.disable_after_failures
        reason = f"disabled after {failures} failures in a row; last error: {message}"[:2000]
        if disable:  # set here too, so the feed stops even if telling subscribers fails
            values["disabled_reason"] = reason
        log.info("feed %s (%s) failed (%d in a row): %s", feed.id, feed.url, failures, message)
        if disable:
            return FeedOutcome(feed.id, feed.url, "disabled", error=reason), values, reason
        return FeedOutcome(feed.id, feed.url, "error", error=message), values, None


def _label(err: FeedError) -> str:
    """'fetch' or 'parse' plus the error's class, e.g. 'fetch error (RateLimited)'."""
    from bot.feeds.errors import ParseError

    stage = "parse" if isinstance(err, ParseError) else "fetch"
    return f"{stage} error ({err.kind})"
