"""Slack fan-out: several stories to N subscribed channels through the loopback fake Slack.

The whole path is real: the pipeline stores each story and writes one outbox row per channel in the
same transaction, the delivery worker claims and sends them, and the Slack adapter posts each one
with the unmodified slack_sdk client to the fake over 127.0.0.1. The fake enforces Slack's limit for
chat.postMessage, one message per second per channel, and answers 429 + Retry-After beyond it.

One story to N channels has no floor to speak of (channels are independent), so the bench stores
`--stories` distinct stories at once (default 5): each channel must receive them one second apart,
and the floor is (stories - 1) × 1 s. `ratio` = seconds / floor; the target is ≤ 1.25 with zero
429s. `seconds` runs from the stories being stored to the last message posted.

    python bench/fanout.py --adapter slack --channels 300 --json
    python bench/fanout.py --adapter slack --channels 300 --stories 6 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from fakes.slack_fake import SlackFake  # noqa: E402
from slack_support import STORIES  # noqa: E402
from sqlalchemy import bindparam, func, insert, select, update  # noqa: E402

from adapters.slack import SlackAdapter  # noqa: E402
from bot.config import Secrets, Settings, SlackSettings  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.pipeline import NewStory  # noqa: E402
from bot.render import render_delivery  # noqa: E402
from bot.store.tables import deliveries, subscriptions  # noqa: E402

PER_CHANNEL_INTERVAL = 1.0


async def wait_for(check, within: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("fan-out did not finish")
        await asyncio.sleep(0.01)


async def through_delivery(core: Core, adapter: SlackAdapter, fake: SlackFake, expected: int) -> None:
    """The production path: the outbox worker claims, renders, paces, sends and records each row."""
    stop = asyncio.Event()
    delivery = core.build_delivery([adapter])
    worker = asyncio.create_task(delivery.run_forever(stop))
    delivery.poke()
    await wait_for(lambda: len(fake.messages) >= expected, within=60 + expected / 10)
    stop.set()
    await worker


async def straight_to_adapter(core: Core, adapter: SlackAdapter, concurrency: int = 64) -> None:
    """The adapter alone: each row rendered once per story, then sent with bounded concurrency and
    recorded in one statement per story; isolates the Slack side from the outbox's own costs."""
    async with core.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(
                    deliveries.c.id,
                    deliveries.c.event_key,
                    deliveries.c.story_id,
                    deliveries.c.subscription_id,
                    subscriptions.c.channel,
                )
                .join(subscriptions)
                .order_by(deliveries.c.id)
            )
        ).all()
        replies = {}
        for row in rows:
            if row.event_key not in replies:
                replies[row.event_key] = await render_delivery(conn, row.event_key, row.story_id, None)
    gate = asyncio.Semaphore(concurrency)

    async def one(row) -> tuple[int, str]:  # type: ignore[no-untyped-def]
        async with gate:
            key = f"tb-{row.subscription_id}-{row.event_key}"
            return row.id, await adapter.send(row.channel, replies[row.event_key], key=key)

    sent = await asyncio.gather(*(one(row) for row in rows))
    async with core.engine.begin() as conn:
        await conn.execute(
            update(deliveries)
            .where(deliveries.c.id == bindparam("row_id"))
            .values(status="sent", message_id=bindparam("ts")),
            [{"row_id": row_id, "ts": ts} for row_id, ts in sent],
        )


async def run(channels: int, stories: int, path: str = "delivery") -> dict[str, float | int | str]:
    fake = await SlackFake(min_interval=PER_CHANNEL_INTERVAL).start()
    settings = Settings.model_validate({"delivery": {"slack_per_channel_interval_s": PER_CHANNEL_INTERVAL}})
    secrets = Secrets.model_validate({"slack_bot_token": "xoxb-bench", "slack_app_token": "xapp-bench"})
    ids = [f"C{n:08d}" for n in range(channels)]
    with tempfile.TemporaryDirectory() as tmp:
        core = await Core.open(settings, f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        adapter = SlackAdapter(
            SlackSettings(mode="socket", api_base_url=fake.base_url),
            secrets,
            per_channel_interval_s=PER_CHANNEL_INTERVAL,
        )
        await adapter.start(core)
        async with core.engine.begin() as conn:
            await conn.execute(
                insert(subscriptions),
                [
                    {
                        "platform": "slack",
                        "workspace": "T0TRADE01",
                        "channel": c,
                        "countries": [],
                        "min_relevance": 0.0,
                    }
                    for c in ids
                ],
            )
        started = time.monotonic()
        for n, (title, text) in enumerate(STORIES[:stories]):
            stored = await core.pipeline.store_story(
                NewStory(url=f"https://news.example/{n}", title=title, text=text)
            )
            assert stored is not None and stored.queued == channels, stored
        if path == "delivery":
            await through_delivery(core, adapter, fake, channels * stories)
        else:
            await straight_to_adapter(core, adapter)
        seconds = time.monotonic() - started
        async with core.engine.connect() as conn:
            sent = (
                await conn.execute(
                    select(func.count()).select_from(deliveries).where(deliveries.c.status == "sent")
                )
            ).scalar_one()
        await adapter.stop()
        await core.close()
    await fake.close()
    floor = (stories - 1) * PER_CHANNEL_INTERVAL
    per_channel = {c: len(fake.channel_messages(c)) for c in ids[:5]}
    keys = {(m.channel, (m.metadata or {}).get("event_payload", {}).get("key")) for m in fake.messages}
    return {
        "seconds": round(seconds, 3),
        "floor_seconds": round(floor, 3),
        "ratio": round(seconds / floor, 3) if floor else 0.0,
        "http_429": fake.http_429,
        "path": path,
        "channels": channels,
        "stories": stories,
        "messages": len(fake.messages),
        "duplicates": len(fake.messages) - len(keys),
        "recorded_sent": sent,
        "sample_per_channel": min(per_channel.values()) if per_channel else 0,
        "history_reads": fake.calls["conversations.history"],
    }


def main(args: argparse.Namespace) -> int:
    extra = argparse.ArgumentParser()
    extra.add_argument(
        "--stories", type=int, default=5, help=f"distinct stories, 2..{len(STORIES)} (default 5)"
    )
    extra.add_argument(
        "--path",
        choices=["delivery", "adapter"],
        default="delivery",
        help="delivery: the outbox worker end to end (default); adapter: send() alone",
    )
    options = extra.parse_args(getattr(args, "extra", []))
    if not 2 <= options.stories <= len(STORIES):
        raise SystemExit(f"--stories must be between 2 and {len(STORIES)}")
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(run(args.channels, options.stories, options.path))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    ok = (
        result["http_429"] == 0
        and result["duplicates"] == 0
        and result["messages"] == args.channels * options.stories
    )
    return 0 if ok else 1
