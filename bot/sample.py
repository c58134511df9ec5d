"""The embedded default: a sample news site on 127.0.0.1 so `tradebot run` shows the whole bot
working with no configuration, no chat account and no network.

The pages (bot/data/sample/) are served by a real aiohttp server and fetched by the real poller,
so a newcomer sees the same path a production feed takes: poll → article → analysis → console.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from aiohttp import web
from sqlalchemy import insert, update

from bot.store.tables import feeds

log = logging.getLogger(__name__)
SAMPLE_PATH = "/tradebot-sample/"


def _sample_files() -> dict[str, bytes]:
    folder = files("bot") / "data" / "sample"
    return {entry.name: entry.read_bytes() for entry in folder.iterdir() if entry.is_file()}


def sample_app(base_url_holder: dict[str, str]) -> web.Application:
    pages = _sample_files()

    async def serve(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in pages:
            raise web.HTTPNotFound()
        body = pages[name].replace(b"{BASE}", base_url_holder["base"].encode())
        kind = "application/rss+xml" if name.endswith(".xml") else "text/html"
        return web.Response(body=body, content_type=kind, charset="utf-8")

    app = web.Application()
    app.router.add_get(SAMPLE_PATH + "{name}", serve)
    return app


@asynccontextmanager
async def serve_sample() -> AsyncIterator[str]:
    """Serve the sample site on an ephemeral loopback port; yields the feed URL."""
    holder = {"base": ""}
    runner = web.AppRunner(sample_app(holder), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    holder["base"] = f"http://127.0.0.1:{port}{SAMPLE_PATH}"
    try:
        yield holder["base"] + "feed.xml"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def embedded_default(core, *, enabled: bool) -> AsyncIterator[None]:  # type: ignore[no-untyped-def]
    """While active, the sample feed is followed (replacing the one from an earlier run, whose port
    has changed) and loopback fetches are allowed for it alone."""
    if not enabled:
        yield
        return
    async with serve_sample() as feed_url:
        fetch = core.settings.fetch
        fetch.private_host_allowlist = [*fetch.private_host_allowlist, "127.0.0.1"]
        async with core.engine.begin() as conn:
            # The port changes each run: move the earlier sample feed to it, keeping its entries (so
            # stories already shown are not announced again) rather than adding a second feed.
            moved = await conn.execute(update(feeds).where(feeds.c.url.like(f"http://127.0.0.1:%{SAMPLE_PATH}feed.xml"))
                                       .values(url=feed_url, next_check_at=None, error_count=0, disabled_reason=None))
            if not moved.rowcount:
                # backlog_done: the sample's stories are announced, not stored silently like a new feed's.
                await conn.execute(insert(feeds).values(url=feed_url, title="tradebot sample news", interval_min=1,
                                                        backlog_done=True))
        log.info("serving the sample feed at %s", feed_url)
        yield
