"""Each hostile or broken answer gets a clear error on its own feed and stops nothing else.

Real sockets on 127.0.0.1 against the loopback news site; the poller, fetcher and parser are the
production code. Every test polls a healthy feed alongside the broken one.
"""

from __future__ import annotations

import asyncio
import resource

import pytest
from fakes.news_site import (
    HUGE_BYTES,
    FeedSpec,
    NewsSite,
    StaticResolver,
    feed_test_settings,
    sample_articles,
)
from sqlalchemy import select

from bot.feeds.errors import BodyTooLarge
from bot.feeds.fetch import Fetcher
from bot.feeds.poller import Poller
from bot.pipeline import Pipeline
from bot.store import feeds_repo
from bot.store.db import create_engine, migrate
from bot.store.tables import stories


@pytest.fixture
async def site():
    async with NewsSite() as s:
        s.stall_s = 20.0
        yield s


@pytest.fixture
async def engine(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'faults.db'}")
    await migrate(engine)
    yield engine
    await engine.dispose()


async def poll_with_healthy_neighbour(site, engine, bad_url, settings=None, resolver=None, host=None):
    """Poll a broken feed next to a healthy one; returns (broken feed state, stories stored)."""
    settings = settings or feed_test_settings()
    good = site.add_feed(FeedSpec("healthy", "Healthy", sample_articles("barley", 2)))
    async with engine.begin() as conn:  # straight to the repo: also lets a file:// row exist
        bad, _ = await feeds_repo.add_feed(conn, bad_url, interval_min=10)
        ok, _ = await feeds_repo.add_feed(conn, site.url(good, host), interval_min=10)
    async with Poller(engine, settings, Pipeline(engine), resolver=resolver) as poller:
        report = await poller.poll_once()
    outcomes = {o.feed_id: o for o in report.outcomes}
    assert outcomes[ok.id].status == "changed", outcomes[ok.id]
    assert outcomes[bad.id].status == "error"
    async with engine.connect() as conn:
        state = await feeds_repo.get_feed(conn, bad.id)
        stored = (await conn.execute(select(stories.c.feed_id))).all()
    assert [r.feed_id for r in stored] == [ok.id, ok.id]
    assert state.error_count == 1 and state.next_check_at is not None
    return state


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/fault/invalid-xml", "parse error (InvalidXML): not well-formed XML"),
        ("/fault/html", "parse error (NotAFeed): got an HTML page, not an RSS or Atom feed"),
        ("/fault/empty", "parse error (EmptyBody): the feed answered with an empty body"),
        ("/fault/redirect-loop", "fetch error (RedirectLoop): redirect loop"),
        ("/fault/500", "fetch error (ServerStatusError): HTTP 500"),
        ("/fault/xxe", "parse error (UnsafeXML)"),
        ("/fault/billion-laughs", "parse error (UnsafeXML)"),
    ],
)
async def test_broken_feed_gets_a_clear_error(site, engine, path, expected):
    state = await poll_with_healthy_neighbour(site, engine, site.url(path))
    assert state.last_error.startswith(expected), state.last_error


async def test_wrong_encoding_declaration_is_read_and_reported(site, engine):
    settings = feed_test_settings()
    async with engine.begin() as conn:
        feed, _ = await feeds_repo.add_feed(conn, site.url("/fault/wrong-encoding"), interval_min=10)
    async with Poller(engine, settings, Pipeline(engine)) as poller:
        await poller.poll_once()
    async with engine.connect() as conn:
        state = await feeds_repo.get_feed(conn, feed.id)
        row = (await conn.execute(select(stories))).one()
    # Declared UTF-8, really Latin-1: read with the encoding that works, the mismatch kept on the feed.
    assert row.title == "Tariff d\u00e9j\u00e0 vu at the caf\u00e9 summit"
    assert row.partial and "Z\u00fcrich" in row.text  # its link is dead: feed text, marked partial
    assert state.error_count == 0 and state.last_error.startswith("warning: wrong encoding declaration")
    assert state.title == "Caf\u00e9 Trade"


async def test_huge_body_is_cut_at_the_cap_not_read_whole(site, engine):
    settings = feed_test_settings(max_feed_bytes=5_000_000)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    state = await poll_with_healthy_neighbour(site, engine, site.url("/fault/huge"), settings)
    assert state.last_error.startswith("fetch error (BodyTooLarge): body passed the 5000000-byte cap")
    await asyncio.sleep(0.2)  # let the server notice the hang-up
    assert site.bytes_sent["/fault/huge"] < HUGE_BYTES // 2  # the client stopped reading early
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert grown_mb < 40  # nowhere near 50 MB held at once


async def test_huge_body_reports_bytes_read_at_the_cap(site):
    settings = feed_test_settings(max_feed_bytes=1_000_000)
    async with Fetcher(settings.fetch) as fetcher:
        with pytest.raises(BodyTooLarge) as info:
            await fetcher.fetch(site.url("/fault/huge"), max_bytes=settings.fetch.max_feed_bytes)
    assert 1_000_000 < info.value.bytes_read <= 1_000_001


async def test_gzip_bomb_is_stopped_at_the_decompressed_cap(site, engine):
    settings = feed_test_settings(max_feed_bytes=2_000_000)
    async with Fetcher(settings.fetch) as fetcher:
        with pytest.raises(BodyTooLarge) as info:
            await fetcher.fetch(site.url("/fault/gzip-bomb"), max_bytes=2_000_000)
    assert info.value.bytes_read == 2_000_001  # never more than one byte past the cap decompressed
    state = await poll_with_healthy_neighbour(site, engine, site.url("/fault/gzip-bomb"), settings)
    assert state.last_error.startswith(
        "fetch error (BodyTooLarge): decompressed body passed the 2000000-byte cap"
    )


async def test_redirect_to_loopback_is_refused_with_the_guard_on(site, engine):
    # The guard is on; only the host name news.test (pointing at the loopback site) is trusted.
    settings = feed_test_settings(allow_private_addresses=False, private_host_allowlist=["news.test"])
    resolver = StaticResolver({"news.test": "127.0.0.1"})
    site.add_feed(FeedSpec("target", "Target", sample_articles("oats", 1)))
    state = await poll_with_healthy_neighbour(
        site, engine, site.url("/fault/redirect-local", "news.test"), settings, resolver, host="news.test"
    )
    assert state.last_error.startswith(
        "fetch error (BlockedAddress): refused to connect to 127.0.0.1 (loopback"
    )
    assert site.requests["/feeds/target"] == 0  # the redirect target was never asked


async def test_timeout_when_the_server_never_answers(site, engine):
    settings = feed_test_settings(total_timeout_s=1.0)
    state = await poll_with_healthy_neighbour(site, engine, site.url("/fault/slow"), settings)
    assert state.last_error == "fetch error (FetchTimeout): no complete answer within 1 s"


async def test_feed_that_stalls_mid_body_times_out(site, engine):
    settings = feed_test_settings(total_timeout_s=1.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    state = await poll_with_healthy_neighbour(site, engine, site.url("/fault/stall"), settings)
    assert state.last_error == "fetch error (FetchTimeout): no complete answer within 1 s"
    assert site.bytes_sent["/fault/stall"] > 0  # it did start sending
    assert loop.time() - started < 10


async def test_host_that_does_not_resolve(site, engine):
    resolver = StaticResolver({})  # stands in for DNS: only IP literals reach the site
    state = await poll_with_healthy_neighbour(
        site, engine, "http://no-such-host.invalid/feed.xml", resolver=resolver
    )
    assert state.last_error == "fetch error (DNSFailure): host no-such-host.invalid does not resolve"
    assert resolver.lookups == [("no-such-host.invalid", "")]


async def test_file_url_is_refused(site, engine):
    state = await poll_with_healthy_neighbour(site, engine, "file:///etc/passwd")
    assert (
        state.last_error
        == "fetch error (UnsupportedURL): only http and https URLs can be fetched, not file://"
    )
