"""The long-running loop: concurrency caps, a failing feed beside healthy ones, parse workers, and
a clean stop."""

from __future__ import annotations

import asyncio

import pytest
from fakes.news_site import FeedSpec, NewsSite, feed_test_settings, sample_articles
from sqlalchemy import func, select, text

from bot.config import PollingSettings
from bot.feeds import manage
from bot.feeds.poller import Poller
from bot.pipeline import Pipeline
from bot.store import feeds_repo
from bot.store.db import create_engine, migrate
from bot.store.tables import stories


@pytest.fixture
async def site():
    async with NewsSite() as s:
        yield s


@pytest.fixture
async def engine(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'loop.db'}")
    await migrate(engine)
    yield engine
    await engine.dispose()


async def count_stories(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(stories))).scalar_one()


async def test_run_forever_polls_survives_a_broken_feed_and_stops_cleanly(site, engine):
    settings = feed_test_settings()
    for name in ("a", "b", "c"):
        path = site.add_feed(FeedSpec(name, name.upper(), sample_articles(f"loop{name}", 2)))
        await manage.add_feed(engine, site.url(path), settings=settings.polling)
    broken, _ = await manage.add_feed(engine, site.url("/fault/invalid-xml"), settings=settings.polling)
    stored = []
    six = asyncio.Event()

    def on_stored() -> None:
        stored.append(1)
        if len(stored) == 6:
            six.set()

    poller = Poller(engine, settings, Pipeline(engine), on_stored=on_stored)
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run_forever(stop))
    await asyncio.wait_for(six.wait(), 10)
    stop.set()
    await asyncio.wait_for(task, 5)  # returns promptly, without raising
    assert len(stored) == 6 and await count_stories(engine) == 6
    assert poller.fetcher._session is None  # HTTP session closed on the way out
    async with engine.connect() as conn:
        state = await feeds_repo.get_feed(conn, broken.id)
    assert state.error_count == 1 and "InvalidXML" in state.last_error


async def test_global_and_per_host_caps(site, engine):
    site.feed_delay_s = 0.1
    settings = feed_test_settings()
    settings.polling = PollingSettings(max_concurrency=8, per_host_concurrency=2, jitter_fraction=0)
    for i in range(6):
        path = site.add_feed(FeedSpec(f"cap{i}", f"Cap {i}", sample_articles(f"cap{i}", 1)))
        await manage.add_feed(engine, site.url(path), settings=settings.polling)
    async with Poller(engine, settings, Pipeline(engine), fetch_articles=False) as poller:
        report = await poller.poll_once()
    assert report.count("changed") == 6
    assert site.max_in_flight == 2  # one host: never more than the per-host cap at once


async def test_parse_workers_give_the_same_results_and_errors(site, engine):
    settings = feed_test_settings()
    path = site.add_feed(FeedSpec("proc", "Proc", sample_articles("proc", 3), kind="atom"))
    good, _ = await manage.add_feed(engine, site.url(path), settings=settings.polling)
    bad, _ = await manage.add_feed(engine, site.url("/fault/html"), settings=settings.polling)
    async with Poller(engine, settings, Pipeline(engine), parse_workers=1) as poller:
        report = await poller.poll_once()
    outcomes = {o.feed_id: o for o in report.outcomes}
    assert outcomes[good.id].stored == 3
    assert outcomes[bad.id].error.startswith("parse error (NotAFeed): got an HTML page")
    assert await count_stories(engine) == 3


async def test_feed_whose_state_cannot_be_written_is_not_hammered(site, engine):
    settings = feed_test_settings()
    ok_path = site.add_feed(FeedSpec("fine", "Fine", sample_articles("hemp", 1)))
    bad_path = site.add_feed(FeedSpec("stuck", "Stuck", sample_articles("flax", 1)))
    ok, _ = await manage.add_feed(engine, site.url(ok_path), settings=settings.polling)
    bad, _ = await manage.add_feed(engine, site.url(bad_path), settings=settings.polling)
    async with engine.begin() as conn:  # the database refuses every update of one feed's record
        await conn.execute(
            text(
                f"CREATE TRIGGER stuck_feed BEFORE UPDATE ON feeds WHEN OLD.id = {bad.id} "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        )
    both = asyncio.Event()
    stored = []
    poller = Poller(
        engine,
        settings,
        Pipeline(engine),
        on_stored=lambda: (stored.append(1), len(stored) == 2 and both.set()),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run_forever(stop))
    await asyncio.wait_for(both.wait(), 10)
    await asyncio.sleep(1.0)  # without a cool-down the stuck feed would be fetched on every tick
    stop.set()
    await asyncio.wait_for(task, 5)
    assert site.requests[bad_path] == 1
    async with engine.connect() as conn:
        healthy, stuck = await feeds_repo.get_feed(conn, ok.id), await feeds_repo.get_feed(conn, bad.id)
    assert healthy.next_check_at is not None and healthy.etag  # its neighbour's failure did not undo it
    assert stuck.next_check_at is None
