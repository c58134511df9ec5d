"""Poll throughput: tradebot's poller against a loopback server of N feeds.

    .venv/bin/python bench/poll.py --feeds 2000 --json

A subprocess serves N RSS feeds on 127.0.0.1 (each 20 items, ETag validators, 304 on a matching
If-None-Match). In one run this script measures:

- ceiling_rps: raw aiohttp, the same URLs and the same conditional headers (so the same 304
  answers), at the same concurrency: the rate no poller on this machine can beat;
- poll_304_fps: tradebot's `Poller.poll_once` over the same feeds when none changed (conditional
  GET → 304, schedule computed, feed state written to SQLite); ratio_304 = poll_304_fps / ceiling_rps
  (target ≥ 0.5);
- changed_fps: tradebot's rate when every feed has 20 new items (fetch, parse, identities, dedupe
  lookups in SQLite, hand-off of every new story), against naive_changed_fps: a sequential loop of
  aiohttp GET + `feedparser.parse(body)` (target ≥ 2×);
- peak_rss_mb: this process's peak resident memory (the server runs in its own process).

Notes (also printed under "notes"):
- Article pages are not fetched in the changed run (`Poller(fetch_articles=False)`): the bench
  measures feed processing, not article extraction. Stories are handed to a store-only sink
  (`--sink memory`, the default) that records identities, because the full pipeline's analysis
  per story (`--sink pipeline`) measures the analyser rather than polling.
- All feeds share one loopback host, so the per-host cap is raised to the global cap for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ITEMS_PER_FEED = 20


# ---------------------------------------------------------------- the server (child process)


def feed_body(port: int, feed: int, round_: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {feed} story {round_}.{k}: tariff talks on steel and cars</title>"
        f"<link>http://127.0.0.1:{port}/a/{feed}-{round_}-{k}?utm_source=rss</link>"
        f'<guid isPermaLink="false">f{feed}-r{round_}-{k}</guid>'
        f"<pubDate>Sat, 28 Nov 2026 10:{k:02d}:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Negotiators met for round {round_} of talks on item {k}. Officials said the "
        f"tariff on cars would fall to 15 percent under the &lt;b&gt;draft&lt;/b&gt; text.&lt;/p&gt;</description>"
        f"</item>"
        for k in range(ITEMS_PER_FEED)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench feed {feed}</title>'
        f"<link>http://127.0.0.1:{port}/</link><description>bench</description>{items}</channel></rss>"
    ).encode()


def serve(feeds: int) -> None:
    from aiohttp import web

    state = {"round": 0, "port": 0}
    cache: dict[tuple[int, int], bytes] = {}

    async def feed(request: web.Request) -> web.Response:
        i = int(request.match_info["i"])
        r = state["round"]
        etag = f'"{i}-{r}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        body = cache.get((i, r))
        if body is None:
            body = cache[(i, r)] = feed_body(state["port"], i, r)
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"})

    async def control(request: web.Request) -> web.Response:
        state["round"] = int(request.match_info["r"])
        cache.clear()
        return web.Response(text="ok")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/f/{i}", feed)
        app.router.add_get("/control/round/{r}", control)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        state["port"] = runner.addresses[0][1]
        print(state["port"], flush=True)
        await asyncio.get_running_loop().run_in_executor(
            None, sys.stdin.read
        )  # until the parent closes stdin
        await runner.cleanup()

    asyncio.run(main())


# ---------------------------------------------------------------- measurements


@dataclass
class Served:
    port: int
    feeds: int

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.port}/f/{i}"


class MemorySink:
    """Store-only stand-in for the pipeline: remembers identities, says whether each story is new."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    async def store_story(self, item):  # noqa: ANN001, ANN201
        if item.identity in self.seen:
            return None
        self.seen.add(item.identity)
        return item.identity

    async def feed_disabled(self, feed_id: int, reason: str) -> None:
        raise RuntimeError(f"feed {feed_id} disabled during the bench: {reason}")


async def set_round(served: Served, round_: int) -> None:
    import aiohttp

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{served.port}/control/round/{round_}") as resp,
    ):
        assert resp.status == 200


async def ceiling(served: Served, concurrency: int, etags: dict[int, str]) -> float:
    """Raw aiohttp: the same URLs with the same If-None-Match, same concurrency."""
    import aiohttp

    slots = asyncio.Semaphore(concurrency)
    statuses: list[int] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(i: int) -> None:
            async with slots, session.get(served.url(i), headers={"If-None-Match": etags[i]}) as resp:
                await resp.read()
                statuses.append(resp.status)

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(served.feeds)))
        elapsed = time.perf_counter() - started
    assert statuses.count(304) == served.feeds, "ceiling run expected 304s"
    return served.feeds / elapsed


async def naive_changed(served: Served) -> float:
    """Sequential fetch-and-feedparser.parse, as a first version of a poller would do it."""
    import aiohttp
    import feedparser

    entries = 0
    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        for i in range(served.feeds):
            async with session.get(served.url(i)) as resp:
                body = await resp.read()
            entries += len(feedparser.parse(body).entries)
        elapsed = time.perf_counter() - started
    assert entries == served.feeds * ITEMS_PER_FEED
    return served.feeds / elapsed


async def tradebot_runs(served: Served, args: argparse.Namespace) -> dict[str, float]:
    from sqlalchemy import insert, select

    from bot.config import FetchSettings, PollingSettings, Settings
    from bot.feeds.poller import Poller
    from bot.store.db import create_engine, migrate
    from bot.store.tables import feeds

    settings = Settings(
        polling=PollingSettings(max_concurrency=args.concurrency, per_host_concurrency=args.concurrency),
        fetch=FetchSettings(allow_private_addresses=True),
    )
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await migrate(engine)
        async with engine.begin() as conn:
            await conn.execute(
                insert(feeds),
                [
                    {"url": served.url(i), "interval_min": 10, "error_count": 0, "backlog_done": True}
                    for i in range(served.feeds)
                ],
            )
        if args.sink == "pipeline":
            from bot.pipeline import Pipeline

            sink = Pipeline(engine)
        else:
            sink = MemorySink()
        out: dict[str, float] = {}
        async with Poller(
            engine, settings, sink, fetch_articles=False, parse_workers=args.parse_workers
        ) as poller:
            await poller.warm_up()  # worker processes started before timing: the bot keeps them running
            best_changed = best_naive = 0.0
            for round_ in range(args.repeat):  # each round: every feed has 20 new items
                await set_round(served, round_)
                started = time.perf_counter()
                report = await poller.poll_once(all_feeds=True)
                best_changed = max(best_changed, served.feeds / (time.perf_counter() - started))
                assert report.count("changed") == served.feeds, report.summary()
                assert report.stored == served.feeds * ITEMS_PER_FEED, report.summary()
                best_naive = max(best_naive, await naive_changed(served))
            out["changed_fps"] = best_changed
            out["naive_changed_fps"] = best_naive

            async with engine.connect() as conn:
                rows = (await conn.execute(select(feeds.c.url, feeds.c.etag))).all()
            etags = {int(r.url.rsplit("/", 1)[1]): r.etag for r in rows}
            best_304 = best_ceiling = 0.0
            for _ in range(args.repeat):  # alternate, keep the best of each: the machine is shared
                started = time.perf_counter()
                report = await poller.poll_once(all_feeds=True)
                best_304 = max(best_304, served.feeds / (time.perf_counter() - started))
                assert report.count("not_modified") == served.feeds, report.summary()
                best_ceiling = max(best_ceiling, await ceiling(served, args.concurrency, etags))
            out["poll_304_fps"] = best_304
            out["ceiling_rps"] = best_ceiling
        await engine.dispose()
    return out


async def measure(args: argparse.Namespace, port: int) -> dict[str, float]:
    served = Served(port, args.feeds)
    return await tradebot_runs(served, args)


def run(args: argparse.Namespace) -> dict[str, object]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--feeds", str(args.feeds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(proc.stdout.readline())
        figures = asyncio.run(measure(args, port))
    finally:
        proc.stdin.close()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "feeds": args.feeds,
        "concurrency": args.concurrency,
        "ceiling_rps": round(figures["ceiling_rps"], 1),
        "poll_304_fps": round(figures["poll_304_fps"], 1),
        "ratio_304": round(figures["poll_304_fps"] / figures["ceiling_rps"], 3),
        "changed_fps": round(figures["changed_fps"], 1),
        "naive_changed_fps": round(figures["naive_changed_fps"], 1),
        "changed_vs_naive": round(figures["changed_fps"] / figures["naive_changed_fps"], 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "notes": (
            "changed run: article fetching disabled (feed processing only); "
            f"sink={args.sink}; one loopback host, per-host cap = global cap = {args.concurrency}; "
            f"{ITEMS_PER_FEED} new items per changed feed; parse_workers={args.parse_workers}; "
            f"cpus={os.cpu_count()}, shared with other work (load average {os.getloadavg()[0]:.1f} at the end)"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument(
        "--concurrency", type=int, default=32, help="global cap (settings.polling.max_concurrency)"
    )
    parser.add_argument(
        "--sink",
        choices=["memory", "pipeline"],
        default="memory",
        help="where new stories go in the changed run (pipeline = full analysis, slow)",
    )
    parser.add_argument(
        "--parse-workers",
        type=int,
        default=os.cpu_count() or 1,
        help="Poller(parse_workers=…): feed parsing in worker processes (0 = in the event loop)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=2,
        help="runs of each measurement, alternated, best kept (the machine is shared)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.feeds)
        return
    result = run(args)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")


if __name__ == "__main__":
    main()
