"""Soak: the whole bot against a loopback news site and a loopback chat service, killed with SIGKILL
at random moments while new stories are published, then checked for lost and doubled deliveries.

    .venv/bin/python bench/soak.py --feeds 1000 --channels 500 --restarts 5 --json
    .venv/bin/python bench/soak.py --quick --json          # a small run (about a minute and a half)

What runs where:
- this process serves the news site (tests/fakes/news_site.py: RSS feeds, article pages with
  clutter, conditional GET) and the chat service (tests/fakes/chat_fake.py), and publishes stories;
- the bot runs in a subprocess (bench/soak_bot.py: bot.core.Core with the real poller, pipeline and
  delivery, and an HTTP adapter for the chat service), against a SQLite file, with default settings
  except: 1-minute poll interval, loopback fetches allowed, delivery backoff capped at 20 s;
- at random moments the bot is killed with SIGKILL and started again (half of the kills land at
  the moment the chat service accepts a message, before the bot hears back: inside a delivery round); the chat service also goes down (503) for
  eight seconds while deliveries are being sent, and answers a burst of 429s, twice each.

The chat service models a platform honestly: it remembers the idempotency keys it accepted per
channel for five minutes (like Discord's nonce with enforce_nonce) and drops a repeat within that
time; nothing else is deduplicated by it. Counting is by what reached the channels:

- expected:   stories published after start-up × channels (every channel follows every deal)
- delivered:  distinct (channel, story) pairs that reached the chat service
- lost:       expected pairs that never arrived
- duplicates: messages beyond the first for one (channel, story) pair, whatever their key
- errors:     ERROR/CRITICAL log lines and tracebacks from the bot, plus a non-zero exit on SIGTERM
- rss_mb_start / rss_mb_end: the first bot process once it has polled every feed, and the last one
  at the end of the run (each process is new after a kill; both have done the same kinds of work)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from fakes.chat_fake import ChatService  # noqa: E402
from fakes.news_site import Article, FeedSpec, NewsSite  # noqa: E402
from soak_stories import stories  # noqa: E402

from bot.store.db import create_engine, migrate  # noqa: E402

SLUG = re.compile(r"/articles/(soak-[a-z0-9-]+)")
TAIL_S = 20  # after everything arrived, watch this long for late re-sends
CONFIG = """
feeds = [{feeds}]

[polling]
default_interval_min = 1
min_interval_min = 1
jitter_fraction = 0.1

[fetch]
allow_private_addresses = true
total_timeout_s = 10

[delivery]
backoff_base_s = 1
backoff_max_s = 20

[logging]
level = "WARNING"
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Bot:
    """The bot subprocess: started, SIGKILLed, started again; its logs appended to one file."""

    def __init__(self, workdir: Path, chat_url: str, *, send_key: bool = True) -> None:
        self.send_key = send_key
        self.workdir = workdir
        self.chat_url = chat_url
        self.log = workdir / "bot.log"
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        self.starts += 1
        with self.log.open("a") as log:
            log.write(f"--- start {self.starts} at {datetime.now(UTC).isoformat()}\n")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "bench" / "soak_bot.py"),
            "--config",
            str(self.workdir / "soak.toml"),
            "--db",
            str(self.workdir / "soak.db"),
            "--chat",
            self.chat_url,
            *([] if self.send_key else ["--no-key"]),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=self.log.open("a"),
            cwd=self.workdir,
        )

    def kill_now(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            os.kill(self.proc.pid, signal.SIGKILL)

    async def kill(self) -> None:
        self.kill_now()
        assert self.proc is not None
        await self.proc.wait()

    async def terminate(self, grace: float = 40) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), grace)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            return -9


def query(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return -1


async def prepare_db(db: Path, channels: int) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await migrate(engine)
    await engine.dispose()
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO subscriptions (platform, workspace, channel, countries, updates_only, min_relevance, "
            "created_by, created_at) VALUES ('soakchat', 'soak', ?, '[]', 0, 0.5, 'soak', ?)",
            [(f"ch{i}", datetime.now(UTC).replace(tzinfo=None).isoformat(" ")) for i in range(channels)],
        )


async def mid_send(chat: ChatService, then: Callable[[], None] = lambda: None, wait_s: float = 30) -> None:
    """Wait (at most wait_s) until the chat service accepts a message, and call `then` right there,
    before the bot gets its answer: the bot is inside a delivery round, with messages posted and not
    yet recorded as sent (the crash window)."""
    posted = asyncio.Event()

    def accepted(_message: object) -> None:
        if not posted.is_set():
            then()
            posted.set()

    chat.on_post = accepted
    try:
        await asyncio.wait_for(posted.wait(), wait_s)
    except TimeoutError:
        pass
    finally:
        chat.on_post = None


def delivered_pairs(chat: ChatService) -> tuple[set[tuple[str, str]], int, list[str]]:
    pairs: set[tuple[str, str]] = set()
    duplicates = 0
    unmatched = []
    for message in chat.messages:
        found = SLUG.search(message.text)
        if not found:
            unmatched.append(message.text[:80])
            continue
        pair = (message.channel, found.group(1))
        if pair in pairs:
            duplicates += 1
        pairs.add(pair)
    return pairs, duplicates, unmatched


def count_errors(log: Path) -> tuple[int, list[str]]:
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    bad = [ln for ln in lines if ln.startswith(("error", "critical")) or ln.startswith("Traceback")]
    return len(bad), bad[:10]


async def soak(args: argparse.Namespace) -> dict[str, object]:
    rng = random.Random(args.seed)
    workdir = Path(args.workdir)
    db = workdir / "soak.db"
    started = time.monotonic()
    story_source = stories(args.seed)
    slugs = itertools.count()

    def article() -> Article:
        title, paragraphs = next(story_source)
        return Article(
            slug=f"soak-{next(slugs)}",
            title=title,
            paragraphs=paragraphs,
            comments=["Reader: this deal will not last."],
            published=datetime.now(UTC),
        )

    async with NewsSite() as site, ChatService(key_ttl_s=300) as chat:
        specs = []
        for i in range(args.feeds):
            backlog = [article()] if i < args.backlog else []  # stored at the first poll, never announced
            specs.append(FeedSpec(f"soak{i}", f"Soak feed {i}", backlog))
            site.add_feed(specs[-1])
        backlog_slugs = {a.slug for spec in specs for a in spec.articles}
        urls = ", ".join(f'"{site.url(f"/feeds/soak{i}")}"' for i in range(args.feeds))
        (workdir / "soak.toml").write_text(CONFIG.format(feeds=urls))
        await prepare_db(db, args.channels)

        bot = Bot(workdir, chat.base_url, send_key=not args.no_key)
        await bot.start()
        deadline = time.monotonic() + args.startup_timeout
        while query(db, "SELECT count(*) FROM feeds WHERE backlog_done = 1") < args.feeds:
            if bot.proc is not None and bot.proc.returncode is not None:
                raise SystemExit(f"the bot exited with status {bot.proc.returncode}; see {bot.log}")
            if time.monotonic() > deadline:
                raise SystemExit(f"the first poll did not finish in {args.startup_timeout}s; see {bot.log}")
            await asyncio.sleep(1)
        assert bot.proc is not None
        rss_start = rss_mb(bot.proc.pid)

        # The schedule: publications spread over the period, kills spread a little beyond it (polls
        # lag publications by up to a minute), and two chat outages and two 429 bursts.
        period = args.period
        events: list[tuple[float, str]] = [(rng.uniform(0, period), "publish") for _ in range(args.stories)]
        events += [(rng.uniform(3, period + 40), "kill") for _ in range(args.restarts)]
        events += [(rng.uniform(5, period), "outage") for _ in range(2)]
        events += [(rng.uniform(5, period), "429") for _ in range(2)]
        events.sort()
        published: list[str] = []
        t0 = time.monotonic()
        for at, kind in events:
            await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
            if kind == "publish":
                new = article()
                spec = rng.choice(specs)
                spec.articles.insert(0, new)
                site.articles[new.slug] = new
                published.append(new.slug)
            elif kind == "kill":
                if rng.random() < args.aimed_kills:  # killed the moment the platform accepts a message
                    await mid_send(chat, then=bot.kill_now)
                await bot.kill()
                await asyncio.sleep(rng.uniform(0, 1.5))
                await bot.start()
            elif kind == "outage":
                await mid_send(chat)  # an outage while nothing is sent would prove nothing
                chat.outage(8, status=503)
            else:
                chat.rate_limit_next(20, retry_after=2)

        expected = {(f"ch{i}", slug) for i in range(args.channels) for slug in published}
        drain_until = time.monotonic() + args.drain_timeout
        while time.monotonic() < drain_until:
            pairs, _, _ = delivered_pairs(chat)
            waiting = query(db, "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'claimed')")
            if expected <= pairs and waiting == 0:
                break
            await asyncio.sleep(1)
        await asyncio.sleep(TAIL_S)  # a late re-send (a duplicate) would show up now
        assert bot.proc is not None
        rss_end = rss_mb(bot.proc.pid)
        exit_code = await bot.terminate()

        pairs, duplicates, unmatched = delivered_pairs(chat)
        errors, error_lines = count_errors(bot.log)
        if exit_code != 0:
            errors += 1
            error_lines.append(f"exit status {exit_code} after SIGTERM")
        return {
            "expected": len(expected),
            "delivered": len(expected & pairs),
            "lost": len(expected - pairs),
            "duplicates": duplicates,
            "errors": errors,
            "rss_mb_start": round(rss_start, 1),
            "rss_mb_end": round(rss_end, 1),
            "feeds": args.feeds,
            "channels": args.channels,
            "stories": len(published),
            "restarts": bot.starts - 1,
            "backlog_announced": len({slug for _, slug in pairs} & backlog_slugs),
            "repeats_dropped_by_platform_key": chat.dropped_repeats,
            "chat_requests": chat.requests,
            "chat_answers": {str(k): v for k, v in sorted(chat.statuses.items())},
            "dead_rows": query(db, "SELECT count(*) FROM deliveries WHERE status = 'dead'"),
            "unmatched_messages": len(unmatched),
            "error_lines": error_lines,
            "seconds": round(time.monotonic() - started, 1),
            "workdir": str(workdir),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--stories", type=int, default=40, help="stories published during the run")
    parser.add_argument(
        "--backlog", type=int, default=20, help="feeds that start with one (unannounced) story"
    )
    parser.add_argument("--period", type=float, default=150, help="seconds over which stories are published")
    parser.add_argument("--drain-timeout", type=float, default=300)
    parser.add_argument("--startup-timeout", type=float, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="keep the database and bot log here (default: a new temp dir)")
    parser.add_argument("--quick", action="store_true", help="a small run: 40 feeds, 20 channels, 2 restarts")
    parser.add_argument(
        "--no-key",
        action="store_true",
        help="control run: the adapter sends no idempotency key, so mid-send kills show as duplicates",
    )
    parser.add_argument(
        "--aimed-kills",
        type=float,
        default=0.5,
        help="share of kills made the moment the chat service accepts a message",
    )
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    args = parser.parse_args()
    if args.quick:
        args.feeds, args.channels, args.restarts, args.stories, args.backlog, args.period = (
            40,
            20,
            2,
            8,
            5,
            40,
        )
    args.workdir = args.workdir or tempfile.mkdtemp(prefix="tradebot-soak-")
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    result = asyncio.run(soak(args))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>32}: {value}")
    ok = result["lost"] == 0 and result["duplicates"] == 0 and result["errors"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
