"""Faults the bot meets unattended: a chat platform down for minutes, a shutdown mid-send.

(A locked or full database during delivery and storing: tests/test_delivery.py. A poll loop meeting
an unexpected exception, a feed stalling mid-body: tests/test_feeds_poll.py, tests/test_fetch_faults.py.)
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from fakes.chat_fake import ChatService, HttpChatAdapter
from sqlalchemy import update
from stories_fixture import outbox, story, subscribe

from bot.config import DeliverySettings, Settings
from bot.core import Core
from bot.delivery import Delivery
from bot.pipeline import Pipeline
from bot.store.tables import deliveries


async def test_a_platform_answering_5xx_for_ten_minutes_gets_every_delivery_once_it_is_back(engine):
    """Time is simulated: after each round the clock jumps to the next retry, for both sides."""
    now = [0.0]
    settings = DeliverySettings()  # production defaults: base 2 s, cap 600 s, 50 attempts
    async with ChatService(clock=lambda: now[0]) as chat:
        adapter = HttpChatAdapter(chat.base_url)
        channels = [f"c{i}" for i in range(5)]
        for channel in channels:
            await subscribe(engine, channel)
        await Pipeline(engine).store_story(story("japan"))
        chat.outage(600, status=503)
        delivery = Delivery(engine, settings, {"fakechat": adapter})
        waits: list[float] = []
        while not all(r.status == "sent" for r in await outbox(engine)):
            await delivery.run_once()
            rows = [r for r in await outbox(engine) if r.status != "sent"]
            assert all(r.status == "pending" for r in rows)  # waiting, never dropped or dead
            if not rows:
                break
            wait = min((r.next_attempt_at - datetime.now(UTC)).total_seconds() for r in rows)
            waits.append(wait)
            now[0] += max(wait, 0)
            async with engine.begin() as conn:  # the same jump for the outbox
                await conn.execute(
                    update(deliveries)
                    .where(deliveries.c.status == "pending")
                    .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=0.01))
                )
            assert len(waits) < 30
        await adapter.stop()
    rows = await outbox(engine)
    assert sorted(m.channel for m in chat.delivered()) == channels and chat.duplicates() == 0
    assert max(r.attempts for r in rows) < settings.max_attempts
    # the backoff grew (about doubling) instead of hammering the platform every second
    assert waits[-1] > 100 and chat.requests <= len(channels) * (len(waits) + 1)
    assert now[0] >= 600


async def test_stopping_finishes_an_in_flight_send_and_records_it(engine):
    settings = Settings(delivery=DeliverySettings())
    async with ChatService() as chat:
        adapter = HttpChatAdapter(chat.base_url)
        await subscribe(engine, "general")
        core = Core(settings, engine)
        stop = asyncio.Event()
        chat.hold_next()  # the platform takes its time answering
        run = asyncio.create_task(core.run([adapter], stop, poll=False))
        await core.pipeline.store_story(story("japan"))
        core.delivery.poke()
        await asyncio.wait_for(chat.held.wait(), 10)
        stop.set()  # SIGTERM arrives while the send is in flight
        await asyncio.sleep(0.2)
        assert not run.done()  # shutdown waits for it
        chat.release.set()
        await asyncio.wait_for(run, 20)
    [row] = await outbox(engine)
    [message] = chat.delivered()
    assert row.status == "sent" and row.message_id == message.id
    assert adapter.session is None  # the adapter was stopped


async def test_after_a_restart_unfinished_rows_are_sent_by_the_new_worker(engine):
    """A row claimed by a process that was killed is taken over once its claim is stale; rows that
    were still pending simply go out."""
    async with ChatService() as chat:
        adapter = HttpChatAdapter(chat.base_url)
        for channel in ("a", "b", "c"):
            await subscribe(engine, channel)
        await Pipeline(engine).store_story(story("japan"))
        old = Delivery(
            engine, DeliverySettings(claim_timeout_s=60), {"fakechat": adapter}, worker_id="old-pid"
        )
        await old.claim(1)  # the old process claimed one row and died
        new = Delivery(
            engine, DeliverySettings(claim_timeout_s=60), {"fakechat": adapter}, worker_id="new-pid"
        )
        assert await new.run_once() == 2
        async with engine.begin() as conn:
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.status == "claimed")
                .values(claimed_at=datetime.now(UTC) - timedelta(seconds=61))
            )
        assert await new.run_once() == 1
        await adapter.stop()
    assert sorted(m.channel for m in chat.delivered()) == ["a", "b", "c"]
    assert all(r.status == "sent" and r.claimed_by == "new-pid" for r in await outbox(engine))


async def test_a_restarted_worker_resends_its_own_unfinished_claims_at_once_with_the_same_key(engine):
    """Killed between the platform accepting a message and recording it: on restart the same worker
    id takes its rows back immediately (not after claim_timeout_s, by when a platform may have
    forgotten the key), and the platform drops the copy. Another live worker's claims are left alone."""
    async with ChatService() as chat:
        adapter = HttpChatAdapter(chat.base_url)
        for channel in ("a", "b"):
            await subscribe(engine, channel)
        await Pipeline(engine).store_story(story("japan"))
        settings = DeliverySettings()  # claim_timeout_s: 300
        chat.hold_next()
        first_life = Delivery(engine, settings, {"fakechat": adapter}, worker_id="worker", concurrency=1)
        task = asyncio.create_task(first_life.run_once(limit=1))
        await asyncio.wait_for(chat.held.wait(), 5)
        task.cancel()  # SIGKILL
        with contextlib.suppress(asyncio.CancelledError):
            await task
        other = Delivery(engine, settings, {"fakechat": adapter}, worker_id="other-host")
        assert len(await other.claim(1)) == 1  # a live worker elsewhere holds the second row
        chat.release.set()

        second_life = Delivery(engine, settings, {"fakechat": adapter}, worker_id="worker")
        stop = asyncio.Event()
        run = asyncio.create_task(second_life.run_forever(stop, tick=0.05))
        for _ in range(100):
            if second_life.sent:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(run, 5)
        await adapter.stop()
    rows = {r.claimed_by: r for r in await outbox(engine)}
    assert rows["worker"].status == "sent" and rows["other-host"].status == "claimed"
    assert len(chat.delivered()) == 1 and chat.dropped_repeats == 1
