"""The outbox side: the real bot.delivery worker and Core store, the adapter's send(), the fake Slack
enforcing one message per channel per interval. Rate limits, vanished channels, lost answers and a
restart mid-fan-out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.slack_fake import SlackFake
from slack_support import STORIES, make_adapter
from sqlalchemy import select, update

from adapters.slack import SlackAdapter
from bot.api import ChannelGone, RateLimited, TemporaryFailure
from bot.config import Settings
from bot.core import Core
from bot.models import Attachment, Command, Context, Reply
from bot.pipeline import NewStory
from bot.store.tables import deliveries, subscriptions

CHANNELS = ["C0AAA0001", "C0BBB0002", "C0CCC0003"]
INTERVAL = 0.25  # the fake's per-channel limit, shortened so the suite stays fast


@pytest.fixture
async def fake() -> AsyncIterator[SlackFake]:
    fake = await SlackFake(min_interval=INTERVAL).start()
    yield fake
    await fake.close()


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    settings = Settings.model_validate({"delivery": {"slack_per_channel_interval_s": INTERVAL}})
    core = await Core.open(settings, url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    yield core
    await core.close()


async def started(fake: SlackFake, core: Core, *, retries: int = 2) -> SlackAdapter:
    adapter = make_adapter(fake, "http", interval=INTERVAL, retries=retries)
    await adapter.start(core)
    return adapter


@pytest.fixture
async def bot(fake: SlackFake, core: Core) -> AsyncIterator[SlackAdapter]:
    adapter = await started(fake, core)
    yield adapter
    await adapter.stop()


async def subscribe(core: Core, channels: list[str]) -> None:
    for channel in channels:
        ctx = Context(
            platform="slack",
            workspace="T0TRADE01",
            channel=channel,
            user="U0ADMIN01",
            can_manage_channel=True,
        )
        reply = await core.handle(Command("subscribe", ctx, options={"countries": [], "updates_only": False}))
        assert reply.kind == "info", reply.text


async def story(core: Core, n: int) -> None:
    title, text = STORIES[n]
    stored = await core.pipeline.store_story(
        NewStory(url=f"http://127.0.0.1:9/story/{n}", title=f"{title} <!here>", text=text)
    )
    assert stored is not None and stored.queued > 0


def reply(text: str = "hello") -> Reply:
    return Reply(text=text, kind="story", title=text)


async def test_429_with_retry_after_is_waited_out(fake: SlackFake, bot: SlackAdapter, core: Core) -> None:
    await subscribe(core, CHANNELS[:1])
    await story(core, 1)
    fake.fail_next("chat.postMessage", 429, retry_after=1)
    delivery = core.build_delivery([bot])
    assert await delivery.run_once() == 1
    assert fake.http_429 == 1
    assert len(fake.channel_messages(CHANNELS[0])) == 1


async def test_429_beyond_retries_becomes_rate_limited_and_is_sent_later(fake: SlackFake, core: Core) -> None:
    adapter = await started(fake, core, retries=0)
    try:
        with pytest.raises(RateLimited) as caught:
            fake.fail_next("chat.postMessage", 429, retry_after=2)
            await adapter.send(CHANNELS[0], reply(), key="k-rl")
        assert caught.value.retry_after == 2
        await subscribe(core, CHANNELS[:1])
        await story(core, 1)
        fake.fail_next("chat.postMessage", 429, retry_after=1)
        delivery = core.build_delivery([adapter])
        assert await delivery.run_once() == 0  # rescheduled for retry_after, not lost
        async with core.engine.connect() as conn:
            row = (await conn.execute(select(deliveries))).one()
        assert row.status == "pending" and row.attempts == 0
        await asyncio.sleep(1.05)
        assert await delivery.run_once() == 1
        assert len(fake.channel_messages(CHANNELS[0])) == 1
    finally:
        await adapter.stop()


async def test_restart_mid_fan_out_posts_nothing_twice(fake: SlackFake, core: Core) -> None:
    await subscribe(core, CHANNELS)
    await story(core, 1)
    first = await started(fake, core)
    assert await core.build_delivery([first]).run_once() == 3
    await first.stop()
    # The crash: story 1 went out to every channel but two of the three sends were never recorded,
    # so their rows still look claimed by a worker that died long ago.
    async with core.engine.begin() as conn:
        rows = (await conn.execute(select(deliveries.c.id).order_by(deliveries.c.id))).scalars().all()
        await conn.execute(
            update(deliveries)
            .where(deliveries.c.id.in_(rows[:2]))
            .values(
                status="claimed",
                message_id=None,
                sent_at=None,
                claimed_at=datetime.now(UTC) - timedelta(hours=1),
            )
        )
    await story(core, 2)
    posted_before = {(m.channel, m.ts) for m in fake.messages}
    second = await started(fake, core)  # a new process: nothing in memory
    try:
        assert await core.build_delivery([second], worker_id="restarted").run_once() == 5
    finally:
        await second.stop()
    for channel in CHANNELS:
        keys = [m.metadata["event_payload"]["key"] for m in fake.channel_messages(channel)]
        assert len(keys) == 2 and len(set(keys)) == 2, keys
    async with core.engine.connect() as conn:
        sent = (
            await conn.execute(
                select(deliveries.c.message_id, subscriptions.c.channel)
                .join(subscriptions)
                .order_by(deliveries.c.id)
            )
        ).all()
    assert {(r.channel, r.message_id) for r in sent[:3]} == posted_before  # the re-sends found the originals
    assert fake.http_429 == 0


async def test_lost_answer_is_not_posted_twice(fake: SlackFake, bot: SlackAdapter) -> None:
    await bot.send(CHANNELS[0], reply("warm-up"), key="k-0")  # the channel's history is read once here
    fake.lose_next_answer("chat.postMessage")
    with pytest.raises(TemporaryFailure):
        await bot.send(CHANNELS[0], reply(), key="k-1")
    history_reads = fake.calls["conversations.history"]
    ts = await bot.send(CHANNELS[0], reply(), key="k-1")
    assert fake.calls["conversations.history"] == history_reads + 1
    assert [m.ts for m in fake.channel_messages(CHANNELS[0])][1:] == [ts]


async def test_5xx_is_temporary_and_nothing_is_posted(fake: SlackFake, bot: SlackAdapter) -> None:
    fake.fail_next("chat.postMessage", 503)
    with pytest.raises(TemporaryFailure):
        await bot.send(CHANNELS[0], reply(), key="k-5xx")
    assert fake.channel_messages(CHANNELS[0]) == []
    await bot.send(CHANNELS[0], reply(), key="k-5xx")
    assert len(fake.channel_messages(CHANNELS[0])) == 1


@pytest.mark.parametrize("error", ["channel_not_found", "is_archived", "not_in_channel"])
async def test_gone_channel_raises_channel_gone(fake: SlackFake, bot: SlackAdapter, error: str) -> None:
    fake.gone[CHANNELS[0]] = error
    with pytest.raises(ChannelGone, match=error):
        await bot.send(CHANNELS[0], reply(), key="k-gone")


async def test_gone_channel_pauses_its_subscription(fake: SlackFake, bot: SlackAdapter, core: Core) -> None:
    await subscribe(core, CHANNELS[:2])
    await story(core, 1)
    fake.gone[CHANNELS[0]] = "is_archived"
    assert await core.build_delivery([bot]).run_once() == 1
    async with core.engine.connect() as conn:
        paused = dict(
            (await conn.execute(select(subscriptions.c.channel, subscriptions.c.paused_reason))).all()
        )
    assert "is_archived" in (paused[CHANNELS[0]] or "") and paused[CHANNELS[1]] is None
    assert len(fake.channel_messages(CHANNELS[1])) == 1


async def test_posts_to_one_channel_are_paced(fake: SlackFake, bot: SlackAdapter) -> None:
    await asyncio.gather(
        *(bot.send(CHANNELS[0], reply(str(i)), key=f"k-pace-{i}") for i in range(3)),
        *(bot.send(CHANNELS[1], reply(str(i)), key=f"k-other-{i}") for i in range(3)),
    )
    for channel in CHANNELS[:2]:
        times = [m.at for m in fake.channel_messages(channel)]
        assert len(times) == 3
        assert all(b - a >= INTERVAL for a, b in zip(times, times[1:], strict=False))
    assert fake.http_429 == 0


async def test_chart_is_uploaded_with_files_v2(fake: SlackFake, bot: SlackAdapter) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    ts = await bot.send(
        CHANNELS[0],
        Reply(
            text="tariff history",
            title="Tariffs",
            image=Attachment("tariffs.png", png, "US tariff on cars, by month"),
        ),
        key="k-chart",
    )
    [upload] = fake.uploads.values()
    assert upload.completed and upload.data == png and upload.filename == "tariffs.png"
    assert (upload.channel, upload.thread_ts) == (CHANNELS[0], ts)
