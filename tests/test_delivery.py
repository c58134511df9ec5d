"""The outbox: rows written with the story, claimed, sent over real HTTP to a loopback chat service,
retried, paced, paused, and never lost or doubled by a crash."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from fakes.chat_fake import ChatService, HttpChatAdapter
from sqlalchemy import event, func, select, text, update
from stories_fixture import TEXTS, outbox, story, subscribe

from bot.config import DeliverySettings
from bot.delivery import Delivery, Pacer
from bot.pipeline import Pipeline
from bot.store.db import create_engine
from bot.store.tables import deliveries, entries, stories, subscriptions

SETTINGS = DeliverySettings(backoff_base_s=2, backoff_max_s=600, max_attempts=4, claim_timeout_s=30)


@pytest.fixture
async def chat():
    async with ChatService() as service:
        yield service


@pytest.fixture
async def adapter(chat):
    a = HttpChatAdapter(chat.base_url)
    yield a
    await a.stop()


def worker(engine, adapter, settings: DeliverySettings = SETTINGS, name: str = "w1", **kw) -> Delivery:
    return Delivery(engine, settings, {adapter.platform: adapter}, worker_id=name, **kw)


async def make_due(engine) -> None:
    """Let time pass for the outbox: every waiting row becomes due now."""
    async with engine.begin() as conn:
        await conn.execute(
            update(deliveries)
            .where(deliveries.c.status == "pending")
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )


async def count(engine, table) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


# ---------------------------------------------------------------- outbox written with the story


@pytest.mark.parametrize(
    "crash_on",
    [
        "AFTER INSERT ON entries",  # right after the story row
        "AFTER UPDATE OF group_id ON stories",  # filing it in a story group
        "BEFORE INSERT ON deliveries",  # writing the outbox rows themselves
    ],
)
async def test_a_crash_inside_the_store_transaction_leaves_neither_story_nor_outbox_rows(
    engine, db_url, crash_on
):
    await subscribe(engine, "general")
    # The fault is injected by the database itself, on the real file: a trigger that aborts the
    # transaction at that point, after the story row was inserted.
    raw = sqlite3.connect(db_url.split("///", 1)[1])
    raw.execute(f"CREATE TRIGGER crash {crash_on} BEGIN SELECT RAISE(ABORT, 'injected crash'); END")
    raw.commit()
    pipeline = Pipeline(engine)
    with pytest.raises(Exception, match="injected crash"):
        await pipeline.store_story(story("japan", identity="id-japan"))
    assert await count(engine, stories) == 0
    assert await count(engine, deliveries) == 0
    assert await count(engine, entries) == 0  # so the poller sees the entry as new next time

    raw.execute("DROP TRIGGER crash")
    raw.commit()
    raw.close()
    stored = await pipeline.store_story(story("japan", identity="id-japan"))
    assert stored is not None and stored.queued == 1
    assert await count(engine, stories) == 1
    assert [r.story_id for r in await outbox(engine)] == [stored.id]


async def test_each_subscription_gets_the_story_once_with_the_platform_message_id(engine, chat, adapter):
    for name in ("a", "b", "c"):
        await subscribe(engine, name)
    await Pipeline(engine).store_story(story("japan"))
    delivery = worker(engine, adapter)
    assert await delivery.run_once() == 3
    assert await delivery.run_once() == 0  # nothing left: sent rows are not claimed again
    rows = await outbox(engine)
    by_channel = {m.channel: m for m in chat.delivered()}
    assert sorted(by_channel) == ["a", "b", "c"]
    for row in rows:
        assert row.status == "sent" and row.sent_at is not None
    ids = {row.message_id for row in rows}
    assert ids == {m.id for m in chat.delivered()}
    assert "Tokyo and Washington settle car tariff dispute" in by_channel["a"].text


# ---------------------------------------------------------------- crash between send and record


async def test_a_worker_that_died_mid_send_is_resumed_with_the_same_key_and_posted_once(
    engine, chat, adapter
):
    await subscribe(engine, "general")
    await Pipeline(engine).store_story(story("japan"))
    chat.hold_next()  # the platform accepts the message, then the worker "dies" before recording it
    first = worker(engine, adapter, name="dead-worker")
    task = asyncio.create_task(first.run_once())
    await asyncio.wait_for(chat.held.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [row] = await outbox(engine)
    assert row.status == "claimed" and row.claimed_by == "dead-worker"
    assert len(chat.delivered()) == 1

    second = worker(engine, adapter, name="w2")
    assert await second.run_once() == 0  # a fresh claim belongs to its worker
    async with engine.begin() as conn:  # claim_timeout_s passes
        await conn.execute(
            update(deliveries).values(
                claimed_at=datetime.now(UTC) - timedelta(seconds=SETTINGS.claim_timeout_s + 1)
            )
        )
    assert await second.run_once() == 1
    [row] = await outbox(engine)
    [message] = chat.delivered()
    assert chat.dropped_repeats == 1  # the re-send carried the same key, and the platform dropped it
    assert row.status == "sent" and row.message_id == message.id
    assert message.key == f"tb-{row.subscription_id}-{row.event_key}"


async def test_without_an_idempotency_key_the_same_resume_would_post_twice(engine, chat):
    """The control for the test above: the platform's key check is what makes the resume safe."""
    keyless = HttpChatAdapter(chat.base_url, send_key=False)
    await subscribe(engine, "general")
    await Pipeline(engine).store_story(story("japan"))
    chat.hold_next()
    task = asyncio.create_task(worker(engine, keyless).run_once())
    await asyncio.wait_for(chat.held.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with engine.begin() as conn:
        await conn.execute(update(deliveries).values(claimed_at=datetime.now(UTC) - timedelta(hours=1)))
    assert await worker(engine, keyless, name="w2").run_once() == 1
    assert len(chat.delivered()) == 2
    await keyless.stop()


# ---------------------------------------------------------------- failures


async def test_temporary_failures_back_off_exponentially_and_the_delivery_still_arrives(
    engine, chat, adapter
):
    for name in ("a", "b"):
        await subscribe(engine, name)
    await Pipeline(engine).store_story(story("japan"))
    delivery = worker(engine, adapter)
    delivery.concurrency = 1  # one send at a time, so the two failures hit the same row in turn
    chat.fail_next(3, status=503)
    delays = []
    for attempt in (1, 2):
        before = datetime.now(UTC)
        await delivery.run_once()
        rows = await outbox(engine)
        failing = [r for r in rows if r.status == "pending"]
        assert failing and all(r.attempts == attempt for r in failing)
        delays += [(r.next_attempt_at - before).total_seconds() for r in failing]
        # base 2 s doubled per attempt, jittered to 50-100 %: attempt 1 waits 1-2 s, attempt 2 2-4 s
        assert all(
            SETTINGS.backoff_base_s * 2 ** (attempt - 1) * 0.5 - 0.1
            <= d
            <= SETTINGS.backoff_base_s * 2 ** (attempt - 1) + 0.5
            for d in delays[-len(failing) :]
        )
        assert await delivery.run_once() == 0  # not due yet
        await make_due(engine)
    assert await delivery.run_once() >= 1
    rows = await outbox(engine)
    assert [r.status for r in rows] == ["sent", "sent"]
    assert sorted(m.channel for m in chat.delivered()) == ["a", "b"]


async def test_rate_limited_waits_exactly_retry_after_without_counting_an_attempt(engine, chat, adapter):
    await subscribe(engine, "general")
    await Pipeline(engine).store_story(story("japan"))
    now = [1000.0]
    pacer = Pacer(rate=1000, clock=lambda: now[0])
    delivery = worker(engine, adapter, pacers={"fakechat": pacer})
    chat.rate_limit_next(1, retry_after=7)
    before = datetime.now(UTC)
    assert await delivery.run_once() == 0
    [row] = await outbox(engine)
    assert row.status == "pending" and row.attempts == 0
    assert 6.9 <= (row.next_attempt_at - before).total_seconds() <= 7.5
    assert pacer._next_global >= now[0] + 7  # every later send on that platform waits too
    assert await delivery.run_once() == 0
    await make_due(engine)
    now[0] += 7
    assert await delivery.run_once() == 1


async def test_a_gone_channel_pauses_its_subscription_and_keeps_the_row(engine, chat, adapter, caplog):
    await subscribe(engine, "deleted")
    await subscribe(engine, "alive")
    await Pipeline(engine).store_story(story("japan"))
    chat.gone.add("deleted")
    delivery = worker(engine, adapter)
    with caplog.at_level(logging.WARNING, logger="bot.delivery"):
        assert await delivery.run_once() == 1
    assert any("channel gone" in r.getMessage() for r in caplog.records)
    async with engine.connect() as conn:
        paused = (await conn.execute(select(subscriptions.c.channel, subscriptions.c.paused_reason))).all()
    assert {c: bool(p) for c, p in paused} == {"deleted": True, "alive": False}
    rows = {r.subscription_id: r for r in await outbox(engine)}
    gone_row = rows[1]
    assert gone_row.status == "pending" and gone_row.attempts == 0  # kept, not dead
    assert await delivery.run_once() == 0  # a paused subscription is not tried again and again
    assert chat.requests == 2

    chat.gone.clear()  # the channel is restored and the subscription resumed
    async with engine.begin() as conn:
        await conn.execute(update(subscriptions).values(paused_reason=None))
    assert await delivery.run_once() == 1
    assert sorted(m.channel for m in chat.delivered()) == ["alive", "deleted"]


async def test_after_max_attempts_a_row_is_dead_and_logged(engine, chat, adapter, caplog):
    await subscribe(engine, "general")
    await Pipeline(engine).store_story(story("japan"))
    chat.fail_next(100, status=500)
    delivery = worker(engine, adapter)
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        for _ in range(SETTINGS.max_attempts):
            await delivery.run_once()
            await make_due(engine)
    [row] = await outbox(engine)
    assert row.status == "dead" and row.attempts == SETTINGS.max_attempts
    assert "HTTP 500" in row.last_error
    [record] = [r for r in caplog.records if "gave up" in r.getMessage()]
    assert f"after {SETTINGS.max_attempts} attempts" in record.getMessage()
    assert await delivery.run_once() == 0  # dead rows stay dead (visible, not retried forever)


async def test_an_unexpected_adapter_exception_is_retried_and_logged_not_raised(engine, chat, caplog):
    class Broken(HttpChatAdapter):
        async def send(self, channel, reply, *, key):  # an adapter bug, not a SendError
            raise KeyError("id")

    broken = Broken(chat.base_url)
    await subscribe(engine, "general")
    await Pipeline(engine).store_story(story("japan"))
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        assert await worker(engine, broken).run_once() == 0
    [row] = await outbox(engine)
    assert row.status == "pending" and row.attempts == 1 and "KeyError" in row.last_error
    assert any("unexpected error sending" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------- pacing (virtual time, no real waits)


@pytest.fixture
async def virtual_time():
    """Make the running loop's clock virtual: whenever the loop would sleep, time jumps instead."""
    loop = asyncio.get_running_loop()
    now = [loop.time()]
    select_ = loop._selector.select  # type: ignore[attr-defined]

    def fake_select(timeout=None):  # type: ignore[no-untyped-def]
        if timeout is not None and timeout > 0:
            now[0] += timeout
        return select_(0)

    loop.time = lambda: now[0]  # type: ignore[method-assign]
    loop._selector.select = fake_select  # type: ignore[attr-defined]
    yield loop.time
    del loop.time
    loop._selector.select = select_  # type: ignore[attr-defined]


def max_in_any_window(stamps: list[float], window: float = 1.0) -> int:
    stamps = sorted(stamps)
    best, j = 0, 0
    for i, t in enumerate(stamps):
        while stamps[j] <= t - window + 1e-9:
            j += 1
        best = max(best, i - j + 1)
    return best


async def test_the_pacer_never_exceeds_its_rate_in_any_one_second_window(virtual_time):
    pacer = Pacer(rate=45, clock=virtual_time)
    stamps: list[float] = []

    async def sender(channel: str, n: int) -> None:
        for _ in range(n):
            await pacer.wait(channel)
            stamps.append(virtual_time())

    start = virtual_time()
    await asyncio.gather(*(sender(f"c{i}", 20) for i in range(30)))  # 600 sends from 30 channels at once
    assert len(stamps) == 600
    assert max_in_any_window(stamps) <= 45
    assert virtual_time() - start >= 600 / 45 - 1.1  # and it did not simply stall
    pacer.push_back(5.0)  # a 429 holds every later send
    held_at = virtual_time()
    await pacer.wait("c0")
    assert virtual_time() - held_at >= 5.0


async def test_the_per_channel_pacer_spaces_each_channel(virtual_time):
    pacer = Pacer(per_key_interval=1.0, clock=virtual_time)
    stamps: dict[str, list[float]] = {"a": [], "b": []}

    async def sender(channel: str) -> None:
        for _ in range(5):
            await pacer.wait(channel)
            stamps[channel].append(virtual_time())

    await asyncio.gather(sender("a"), sender("b"))
    for times in stamps.values():
        assert all(b - a >= 1.0 - 1e-9 for a, b in zip(times, times[1:], strict=False))
    assert abs(stamps["a"][0] - stamps["b"][0]) < 0.01  # other channels are not held up


# ---------------------------------------------------------------- database faults during a round


async def test_a_locked_database_during_a_round_does_not_kill_the_worker_or_lose_a_delivery(
    db_url, engine, chat, adapter, caplog
):
    for name in ("a", "b", "c"):
        await subscribe(engine, name)
    await Pipeline(engine).store_story(story("japan"))
    await Pipeline(engine).store_story(story("vietnam"))
    # The worker's own engine waits only 100 ms for a lock, so the test is quick.
    quick = create_engine(db_url)
    event.listen(
        quick.sync_engine, "connect", lambda dbapi, _rec: dbapi.cursor().execute("PRAGMA busy_timeout=100")
    )
    locker = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None)

    def lock_after_first_post(_message) -> None:
        if not locker.in_transaction:  # another writer holds the database from now on
            locker.execute("BEGIN IMMEDIATE")
            locker.execute("UPDATE feeds SET title = title")

    chat.on_post = lock_after_first_post
    delivery = worker(quick, adapter, settings=SETTINGS.model_copy(update={"batch_size": 2}))
    stop = asyncio.Event()
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        task = asyncio.create_task(delivery.run_forever(stop, tick=0.05))
        for _ in range(250):
            if any("delivery round failed" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # a few more failing rounds
        assert not task.done()
        chat.on_post = None
        locker.execute("ROLLBACK")  # the lock goes away
        locker.close()
        # Rows claimed by the failed round wait out claim_timeout_s, then go with the same key.
        async with engine.begin() as conn:
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.status == "claimed")
                .values(claimed_at=datetime.now(UTC) - timedelta(hours=1))
            )
        for _ in range(200):
            if all(r.status == "sent" for r in await outbox(engine)):
                break
            await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 5)
    await quick.dispose()
    rows = await outbox(engine)
    assert len(rows) == 6 and all(r.status == "sent" for r in rows)
    assert sorted((m.channel, m.key) for m in chat.delivered()) == sorted(
        ({1: "a", 2: "b", 3: "c"}[r.subscription_id], f"tb-{r.subscription_id}-{r.event_key}") for r in rows
    )
    assert chat.duplicates() == 0


async def test_a_full_disk_while_storing_loses_nothing_and_the_story_is_stored_later(db_url, engine):
    await subscribe(engine, "general")
    full = create_engine(db_url)

    def disk_full(dbapi, _rec) -> None:
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count={pages}")  # the file may not grow: SQLITE_FULL

    event.listen(full.sync_engine, "connect", disk_full)
    # A long text, so the insert needs new pages.
    item = story("japan", identity="id-1")
    item.text = TEXTS["japan"] + " " + " ".join(f"Paragraph {i} of background." for i in range(400))
    with pytest.raises(Exception, match="full"):
        await Pipeline(full).store_story(item)
    await full.dispose()
    assert await count(engine, stories) == 0 and await count(engine, entries) == 0
    stored = await Pipeline(engine).store_story(item)  # the next poll, with space again
    assert stored is not None and stored.queued == 1


async def test_rows_are_claimed_by_one_worker_only(engine, chat, adapter):
    for i in range(20):
        await subscribe(engine, f"c{i}")
    await Pipeline(engine).store_story(story("japan"))
    one, two = worker(engine, adapter, name="one"), worker(engine, adapter, name="two")
    a, b = await asyncio.gather(one.claim(20), two.claim(20))
    assert len(a) + len(b) == 20 and not {j.id for j in a} & {j.id for j in b}
    async with engine.connect() as conn:
        owners = (
            await conn.execute(text("SELECT claimed_by, count(*) FROM deliveries GROUP BY claimed_by"))
        ).all()
    assert sum(n for _, n in owners) == 20


async def test_a_database_error_on_one_send_still_records_the_rounds_other_sends(
    db_url, engine, chat, adapter
):
    """One send's failure cannot be written (locked), while another send of the same round is still
    waiting for the platform: the round waits for it and records it, rather than leaving it claimed
    (to be re-sent much later, when the platform may no longer know its key)."""
    await subscribe(engine, "failing")
    await subscribe(engine, "slow")
    await Pipeline(engine).store_story(story("japan"))
    quick = create_engine(db_url)
    event.listen(
        quick.sync_engine, "connect", lambda dbapi, _rec: dbapi.cursor().execute("PRAGMA busy_timeout=100")
    )
    locker = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None)

    def lock(_message) -> None:  # "slow" was accepted: another writer takes the database
        locker.execute("BEGIN IMMEDIATE")
        locker.execute("UPDATE feeds SET title = title")

    chat.on_post = lock
    chat.hold_next()  # ... and the platform is slow to answer for "slow"
    chat.fail_channel(
        "failing", 503, delay_s=0.05
    )  # "failing" fails just after: its retry write meets the lock
    delivery = worker(quick, adapter)
    task = asyncio.create_task(delivery.run_once())
    await asyncio.wait_for(chat.held.wait(), 5)
    await asyncio.sleep(0.4)  # the failure's write has given up by now
    locker.execute("ROLLBACK")
    locker.close()
    chat.release.set()
    with pytest.raises(Exception, match="locked"):
        await asyncio.wait_for(task, 5)
    await quick.dispose()
    rows = {r.subscription_id: r for r in await outbox(engine)}
    assert rows[2].status == "sent" and rows[2].message_id == chat.delivered("slow")[0].id
    assert rows[1].status == "claimed"  # its failure could not be written: retried once the claim is stale
