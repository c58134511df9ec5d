"""Discord fan-out: one story to N subscribed channels through the loopback fake Discord.

The whole path is real: the pipeline stores the story and writes N outbox rows in one transaction,
the delivery worker claims and sends them, and the unmodified discord.py client posts each one to
the fake over 127.0.0.1. The fake enforces Discord's global limit of 50 requests per second (a
sliding one-second window) and answers 429 beyond it.

The floor is what the limit allows: N requests / 50 per second. `ratio` = seconds / floor; the
target is ≤ 1.25 with zero 429s. `seconds` runs from the story being stored to the last message.

    python bench/fanout.py --adapter discord --channels 1000 --json
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

from fakes.discord_fake import API_PREFIX, FakeDiscord, point_discord_py_at  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from adapters.discord_bot import DiscordAdapter  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.pipeline import NewStory  # noqa: E402
from bot.store.tables import deliveries, subscriptions  # noqa: E402

GLOBAL_LIMIT = 50
CHANNELS_PER_GUILD = 250

ARTICLE = (
    "Vietnam and the United States agreed a trade deal on Tuesday that cuts the US tariff on Vietnamese goods.\n"
    "Under the agreement, Washington will lower its tariff on Vietnamese textiles from 46 percent to 20 percent, "
    "trade officials said.\n"
    "Hanoi pledged to buy 10 billion dollars of American farm products and aircraft over three years.\n"
)


async def run(channels: int) -> dict[str, float | int]:
    fake = FakeDiscord(global_limit=GLOBAL_LIMIT)
    await fake.start()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp, point_discord_py_at(fake):
        ids: list[tuple[int, int]] = []
        while len(ids) < channels:
            guild = fake.add_guild(
                f"guild-{len(fake.guilds)}", channels=min(CHANNELS_PER_GUILD, channels - len(ids))
            )
            ids += [(guild.id, channel) for channel in guild.channels]
        core = await Core.open(settings, f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        adapter = DiscordAdapter(
            fake.token,
            settings.discord,
            global_rps=settings.delivery.discord_global_rps,
            guild_ready_timeout=0.1,
        )
        await adapter.start(core)
        async with core.engine.begin() as conn:
            await conn.execute(
                insert(subscriptions),
                [
                    {
                        "platform": "discord",
                        "workspace": str(g),
                        "channel": str(c),
                        "countries": [],
                        "min_relevance": 0.0,
                    }
                    for g, c in ids
                ],
            )
        stop = asyncio.Event()
        delivery = core.build_delivery([adapter])
        worker = asyncio.create_task(delivery.run_forever(stop))
        before = len(fake.requests)
        http_429_before = fake.http_429
        started = time.monotonic()
        stored = await core.pipeline.store_story(
            NewStory(url="https://news.example/vn-us", title="Vietnam and US deal", text=ARTICLE)
        )
        assert stored is not None and stored.queued == channels, stored
        delivery.poke()
        await fake.wait_until(lambda: len(fake.messages) >= channels, within=channels)
        seconds = time.monotonic() - started
        stop.set()
        await worker
        async with core.engine.connect() as conn:
            sent = (
                await conn.execute(
                    select(func.count()).select_from(deliveries).where(deliveries.c.status == "sent")
                )
            ).scalar_one()
        await adapter.stop()
        await core.close()
    await fake.close()
    floor = channels / GLOBAL_LIMIT
    posted = {m.channel_id for m in fake.messages}
    return {
        "seconds": round(seconds, 3),
        "floor_seconds": round(floor, 3),
        "ratio": round(seconds / floor, 3),
        "http_429": fake.http_429 - http_429_before,
        "channels": channels,
        "messages": len(fake.messages),
        "distinct_channels": len(posted),
        "recorded_sent": sent,
        "requests": sum(1 for _, _, path, _ in fake.requests[before:] if path.startswith(API_PREFIX)),
    }


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(run(args.channels))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    return 0 if result["http_429"] == 0 and result["distinct_channels"] == args.channels else 1
