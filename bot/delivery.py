"""The outbox worker: claims due delivery rows, sends them through the adapters, records the result.

Guarantees (see README "Reliability and security"):
- A row is written in the same transaction as the story it announces (bot.pipeline), so nothing
  stored is ever left without its deliveries.
- A row is claimed before it is sent and marked sent with the platform's message id after. A row
  whose claim is older than `claim_timeout_s` (the worker died mid-send) is claimed again and re-sent
  with the same `key`, which the adapters use to drop a second copy (Discord nonce + enforce_nonce,
  Slack message-metadata lookup). So a crash between send and record does not post twice where the
  platform can tell, and never loses the delivery.
- Rate limits are respected before sending (a pacer per platform) and after (RateLimited → wait
  exactly retry_after); 5xx and timeouts back off exponentially with jitter; a channel that is gone
  pauses its subscription and is logged; nothing is dropped silently.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.api import ChannelGone, ChatAdapter, RateLimited, SendError
from bot.config import DeliverySettings
from bot.models import Reply
from bot.render import render_delivery
from bot.store.tables import deliveries, subscriptions

log = logging.getLogger(__name__)


class Pacer:
    """Spaces requests: at most `rate` per second overall, and `per_key_interval` s between two sends
    to the same channel. Waiting happens before the request, so the platform never has to say 429."""

    def __init__(self, rate: float | None = None, per_key_interval: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.per_key_interval = per_key_interval
        self.clock = clock
        self._next_global = 0.0
        self._next_by_key: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, key: str) -> None:
        async with self._lock:
            now = self.clock()
            at = max(now, self._next_global, self._next_by_key.get(key, 0.0))
            if self.interval:
                # Only a global rate reserves a global slot: with per-channel spacing alone, one busy
                # channel's next slot must not hold up every other channel.
                self._next_global = at + self.interval
            if self.per_key_interval:
                self._next_by_key[key] = at + self.per_key_interval
                if len(self._next_by_key) > 10_000:  # forget channels whose slot has long passed
                    self._next_by_key = {k: v for k, v in self._next_by_key.items() if v > now}
        delay = at - self.clock()
        if delay > 0:
            await asyncio.sleep(delay)

    def push_back(self, seconds: float) -> None:
        """The platform asked for a pause (a 429 despite pacing): hold every send that long."""
        self._next_global = max(self._next_global, self.clock() + seconds)


def pacers_for(settings: DeliverySettings) -> dict[str, Pacer]:
    return {
        "discord": Pacer(rate=settings.discord_global_rps),
        "slack": Pacer(per_key_interval=settings.slack_per_channel_interval_s),
    }


@dataclass(slots=True, frozen=True)
class Job:
    id: int
    platform: str
    channel: str
    subscription_id: int
    event_key: str
    story_id: int | None
    term_value_id: int | None
    attempts: int

    @property
    def key(self) -> str:
        """Stable across retries and restarts: one delivery, one key."""
        return f"tb-{self.subscription_id}-{self.event_key}"


class Delivery:
    def __init__(self, engine: AsyncEngine, settings: DeliverySettings, adapters: Mapping[str, ChatAdapter],
                 *, worker_id: str = "worker", pacers: Mapping[str, Pacer] | None = None,
                 concurrency: int = 64) -> None:
        self.engine = engine
        self.settings = settings
        self.adapters = dict(adapters)
        self.worker_id = worker_id
        self.pacers = dict(pacers or pacers_for(settings))
        self.wakeup = asyncio.Event()
        self.concurrency = concurrency
        self.sent = 0

    def poke(self) -> None:
        """New rows may be due: look now rather than at the next tick."""
        self.wakeup.set()

    async def claim(self, limit: int) -> list[Job]:
        """Claim up to `limit` due rows in one short transaction: pending rows whose time has come,
        and claimed rows whose worker died (claim older than claim_timeout_s)."""
        now = datetime.now(UTC)
        stale = now - timedelta(seconds=self.settings.claim_timeout_s)
        due = or_(
            and_(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now),
            and_(deliveries.c.status == "claimed", deliveries.c.claimed_at < stale),
        )
        candidates = (
            select(deliveries.c.id)
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(due, subscriptions.c.paused_reason.is_(None),
                   subscriptions.c.platform.in_(list(self.adapters)))
            .order_by(deliveries.c.id)
            .limit(limit)
        )
        async with self.engine.begin() as conn:
            ids = list((await conn.execute(candidates)).scalars())
            if not ids:
                return []
            # The `due` condition is repeated so that a row another worker claimed in between is skipped.
            await conn.execute(update(deliveries).where(deliveries.c.id.in_(ids), due)
                               .values(status="claimed", claimed_at=now, claimed_by=self.worker_id))
            rows = (await conn.execute(
                select(deliveries.c.id, deliveries.c.subscription_id, deliveries.c.event_key, deliveries.c.story_id,
                       deliveries.c.term_value_id, deliveries.c.attempts, subscriptions.c.platform,
                       subscriptions.c.channel)
                .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                .where(deliveries.c.id.in_(ids), deliveries.c.claimed_by == self.worker_id,
                       deliveries.c.claimed_at == now)
                .order_by(deliveries.c.id))).all()
        return [Job(r.id, r.platform, r.channel, r.subscription_id, r.event_key, r.story_id, r.term_value_id,
                    r.attempts) for r in rows]

    async def _render_all(self, jobs: list[Job]) -> dict[tuple[str, int | None, int | None], Reply | None]:
        """Render each distinct event once per round: a story going to 300 channels is one Reply."""
        replies: dict[tuple[str, int | None, int | None], Reply | None] = {}
        async with self.engine.connect() as conn:
            for job in jobs:
                event = (job.event_key, job.story_id, job.term_value_id)
                if event not in replies:
                    replies[event] = await render_delivery(conn, *event)
        return replies

    async def run_once(self, limit: int | None = None) -> int:
        """Claim and send what is due now; return how many were sent."""
        jobs = await self.claim(limit or self.settings.batch_size)
        if not jobs:
            return 0
        replies = await self._render_all(jobs)
        gate = asyncio.Semaphore(self.concurrency)
        sent: list[tuple[Job, str]] = []

        async def one(job: Job) -> None:
            async with gate:
                message_id = await self._deliver(job, replies[(job.event_key, job.story_id, job.term_value_id)])
                if message_id is not None:
                    sent.append((job, message_id))

        try:
            # Every send of the round ends before the round is recorded: with a plain gather, one
            # send's failure (a database error writing its retry) would end the round while other
            # sends went on unrecorded, to be re-sent much later with a key the platform may have
            # forgotten.
            results = await asyncio.gather(*(one(job) for job in jobs), return_exceptions=True)
        finally:
            # One write for the whole round. Dying before it leaves the rows claimed: they are re-sent
            # (at the next start, or after claim_timeout_s by another worker) with the same key, and
            # the platform drops the second copy.
            await self._record_sent(sent)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return len(sent)

    async def release_own_claims(self) -> int:
        """Rows claimed under this worker's id by an earlier life of it (the process was killed in
        the middle of a round) go back to the queue now rather than after claim_timeout_s, so the
        re-send carries its key while the platform still remembers it (Discord keeps nonces for a
        few minutes). Worker ids must be stable across restarts and unique among live workers."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(deliveries).where(deliveries.c.status == "claimed", deliveries.c.claimed_by == self.worker_id)
                .values(status="pending", claimed_at=None))
        if result.rowcount:
            log.warning("resuming %s deliveries left claimed by an earlier run", result.rowcount)
        return result.rowcount

    async def run_forever(self, stop: asyncio.Event, tick: float = 1.0) -> None:
        try:
            await self.release_own_claims()
        except Exception:  # the database locked: those rows still come back after claim_timeout_s
            log.exception("could not release earlier claims; they will be taken over when stale")
        while not stop.is_set():
            try:
                sent = await self.run_once()
            except Exception:  # the database locked, the disk full: log and try again next tick
                log.exception("delivery round failed; will retry")
                sent = 0
            if sent:
                continue
            self.wakeup.clear()
            waiters = [asyncio.ensure_future(self.wakeup.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=tick, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def _deliver(self, job: Job, reply: Reply | None) -> str | None:
        """Send one job; failures are recorded on the row here, successes by the caller in bulk."""
        adapter = self.adapters[job.platform]
        if reply is None:
            await self._finish(job, status="dead", error="nothing to render (story deleted)")
            return None
        try:
            pacer = self.pacers.get(job.platform)
            if pacer:
                await pacer.wait(job.channel)
            return await adapter.send(job.channel, reply, key=job.key)
        except ChannelGone as exc:
            await self._pause(job, str(exc))
            notify = getattr(adapter, "channel_gone", None)
            if notify is not None:
                try:
                    await notify(job.channel, str(exc))
                except Exception:
                    log.exception("could not tell the admin channel")
        except RateLimited as exc:
            if job.platform in self.pacers:
                self.pacers[job.platform].push_back(exc.retry_after)
            await self._retry(job, exc.retry_after, str(exc), count=False)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # SendError subclasses and anything unexpected: back off and retry
            delay = min(self.settings.backoff_max_s, self.settings.backoff_base_s * 2 ** min(job.attempts, 20))
            await self._retry(job, delay * random.uniform(0.5, 1.0), f"{type(exc).__name__}: {exc}", count=True)
            if not isinstance(exc, SendError):
                log.exception("unexpected error sending delivery %s", job.id)
        return None

    async def _record_sent(self, sent: list[tuple[Job, str]]) -> None:
        if not sent:
            return
        now = datetime.now(UTC)
        async with self.engine.begin() as conn:
            await conn.execute(
                update(deliveries).where(deliveries.c.id == bindparam("job_id")).values(
                    status="sent", message_id=bindparam("mid"), last_error=None, sent_at=now),
                [{"job_id": job.id, "mid": str(mid)} for job, mid in sent],
            )
        self.sent += len(sent)

    async def _finish(self, job: Job, *, status: str, message_id: str | None = None, error: str | None = None) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(deliveries).where(deliveries.c.id == job.id).values(
                status=status, message_id=message_id, last_error=error,
                sent_at=datetime.now(UTC) if status == "sent" else None))

    async def _retry(self, job: Job, delay: float, error: str, *, count: bool) -> None:
        attempts = job.attempts + (1 if count else 0)
        dead = attempts >= self.settings.max_attempts
        if dead:
            log.error("delivery %s gave up after %s attempts: %s", job.id, attempts, error)
        async with self.engine.begin() as conn:
            await conn.execute(update(deliveries).where(deliveries.c.id == job.id).values(
                status="dead" if dead else "pending", attempts=attempts, last_error=error[:1000],
                claimed_at=None, next_attempt_at=datetime.now(UTC) + timedelta(seconds=delay)))

    async def _pause(self, job: Job, reason: str) -> None:
        log.warning("channel gone, subscription paused",
                    extra={"platform": job.platform, "channel": job.channel, "reason": reason})
        async with self.engine.begin() as conn:
            await conn.execute(update(subscriptions).where(subscriptions.c.id == job.subscription_id)
                               .values(paused_reason=f"channel unavailable: {reason}"[:500]))
            # Back to pending: if the subscription is resumed the story still arrives.
            await conn.execute(update(deliveries).where(deliveries.c.id == job.id).values(
                status="pending", claimed_at=None, last_error=reason[:1000]))
