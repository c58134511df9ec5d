"""The poller end to end over real sockets: loopback news site → fetch → parse → pipeline → SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fakes.news_site import FeedSpec, NewsSite, feed_test_settings, sample_articles
from sqlalchemy import select, text

from bot.feeds import manage
from bot.feeds.poller import Poller
from bot.pipeline import Pipeline
from bot.store import feeds_repo
from bot.store.db import create_engine, migrate
from bot.store.tables import entries, feeds, stories


@pytest.fixture
async def site():
    async with NewsSite() as s:
        yield s


@pytest.fixture
async def db(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'poll.db'}"
    engine = create_engine(url)
    await migrate(engine)
    yield url, engine
    await engine.dispose()


async def add(engine, settings, url):
    feed, created = await manage.add_feed(engine, url, settings=settings.polling)
    assert created
    return feed


async def all_stories(engine):
    async with engine.connect() as conn:
        return (await conn.execute(select(stories).order_by(stories.c.id))).all()


async def feed_row(engine, feed_id):
    async with engine.connect() as conn:
        return await feeds_repo.get_feed(conn, feed_id)


async def test_first_poll_stores_article_text_then_304s_then_no_duplicates_after_restart(site, db):
    url, engine = db
    settings = feed_test_settings()
    rss = site.add_feed(FeedSpec("world", "World Trade", sample_articles("steel", 3)))
    atom = site.add_feed(FeedSpec("asia", "Asia Trade", sample_articles("rice", 2), kind="atom"))
    f1 = await add(engine, settings, site.url(rss))
    f2 = await add(engine, settings, site.url(atom))

    async with Poller(engine, settings, Pipeline(engine)) as poller:
        report = await poller.poll_once()
    assert report.count("changed") == 2 and report.stored == 5
    rows = await all_stories(engine)
    assert len(rows) == 5
    for row in rows:
        assert not row.partial
        assert "lower its tariff on Japanese cars to 15 percent" in row.text
        assert "senate" not in row.text and "First!" not in row.text  # reader comments
        assert (
            "cookies" not in row.text and "newsletter" not in row.text and "Related stories" not in row.text
        )
        assert row.announce is False  # a new feed's backlog is stored, not announced
        assert "utm_" not in row.canonical_url
    assert {r.feed_id for r in rows} == {f1.id, f2.id}
    state = await feed_row(engine, f1.id)
    assert state.etag and state.last_modified and state.backlog_done and state.error_count == 0
    assert state.next_check_at is not None

    # Second poll: unchanged feeds cost one conditional request each, answered 304.
    async with Poller(engine, settings, Pipeline(engine)) as poller:
        report = await poller.poll_once(all_feeds=True)
    assert report.count("not_modified") == 2
    assert site.not_modified[rss] == 1 and site.not_modified[atom] == 1
    last = [c for c in site.conditional if c[0] == rss][-1]
    assert last[1] == state.etag and last[2] == state.last_modified

    # Restart: a new engine and poller on the same file, validators forgotten → full fetch, no duplicate.
    await engine.dispose()
    engine2 = create_engine(url)
    try:
        async with engine2.begin() as conn:
            await conn.execute(feeds.update().values(etag=None, last_modified=None))
        article_hits = sum(n for p, n in site.requests.items() if p.startswith("/articles/"))
        async with Poller(engine2, settings, Pipeline(engine2)) as poller:
            report = await poller.poll_once(all_feeds=True)
        assert report.count("changed") == 2 and report.stored == 0
        assert len(await all_stories(engine2)) == 5
        # Known entries are recognised before their pages are fetched again.
        assert sum(n for p, n in site.requests.items() if p.startswith("/articles/")) == article_hits
    finally:
        await engine2.dispose()


async def test_same_story_in_two_feeds_is_stored_once(site, db):
    _, engine = db
    settings = feed_test_settings()
    shared = sample_articles("wheat", 2)
    a = site.add_feed(FeedSpec("one", "One", shared))
    b = site.add_feed(FeedSpec("two", "Two", shared + sample_articles("corn", 1), kind="atom"))
    await add(engine, settings, site.url(a))
    await add(engine, settings, site.url(b))
    async with Poller(engine, settings, Pipeline(engine)) as poller:
        await poller.poll_once()
    rows = await all_stories(engine)
    assert sorted(r.title for r in rows) == sorted(x.title for x in shared + sample_articles("corn", 1))
    async with engine.connect() as conn:
        assert (await conn.execute(select(entries))).all()  # identities recorded for both feeds


async def test_unreachable_article_falls_back_to_feed_text_marked_partial(site, db):
    _, engine = db
    settings = feed_test_settings()
    arts = sample_articles("copper", 2)
    site.broken_articles.add(arts[0].slug)
    path = site.add_feed(FeedSpec("metals", "Metals", arts))
    await add(engine, settings, site.url(path))
    async with Poller(engine, settings, Pipeline(engine)) as poller:
        await poller.poll_once()
    rows = {r.title: r for r in await all_stories(engine)}
    broken, fine = rows[arts[0].title], rows[arts[1].title]
    assert broken.partial and broken.text == arts[0].paragraphs[0]  # the feed's summary, HTML stripped
    assert not fine.partial and arts[1].paragraphs[1] in fine.text


async def test_server_error_backs_off_then_disables_with_reason(site, db):
    _, engine = db
    settings = feed_test_settings()  # disable_after_failures=3, backoff_base 60 s
    good = site.add_feed(FeedSpec("good", "Good", sample_articles("tin", 1)))
    bad = await add(engine, settings, site.url("/fault/500"))
    ok = await add(engine, settings, site.url(good))
    disabled = []

    class Notified(Pipeline):
        async def feed_disabled(self, feed_id, reason):
            disabled.append((feed_id, reason))
            return await super().feed_disabled(feed_id, reason)

    delays = []
    async with Poller(engine, settings, Notified(engine)) as poller:
        for _ in range(3):
            before = poller.clock()
            await poller.poll_once(all_feeds=True)
            state = await feed_row(engine, bad.id)
            delays.append((state.next_check_at - before).total_seconds())
    assert 60 <= delays[0] < 62 and 120 <= delays[1] < 122  # exponential backoff
    state = await feed_row(engine, bad.id)
    assert state.error_count == 3 and "HTTP 500" in state.last_error
    assert state.disabled_reason and "3 failures in a row" in state.disabled_reason
    assert disabled == [(bad.id, state.disabled_reason)]
    assert (await feed_row(engine, ok.id)).error_count == 0  # the other feed went on
    assert len(await all_stories(engine)) == 1
    async with engine.connect() as conn:
        due = await feeds_repo.enabled_feeds(conn)
    assert [f.id for f in due] == [ok.id]


async def test_429_retry_after_is_honoured(site, db):
    _, engine = db
    settings = feed_test_settings()
    site.retry_after_s = 1800  # far longer than the first backoff (60 s)
    feed = await add(engine, settings, site.url("/fault/429"))
    async with Poller(engine, settings, Pipeline(engine)) as poller:
        before = poller.clock()
        await poller.poll_once()
    state = await feed_row(engine, feed.id)
    assert state.next_check_at - before >= timedelta(seconds=1800)
    assert state.next_check_at - before < timedelta(seconds=1805)
    assert "RateLimited" in state.last_error and "1800" in state.last_error


async def test_ttl_and_cache_control_stretch_the_interval(site, db):
    _, engine = db
    settings = feed_test_settings()
    ttl = site.add_feed(FeedSpec("ttl", "TTL", sample_articles("zinc", 1), ttl_min=90))
    cc = site.add_feed(FeedSpec("cc", "CC", sample_articles("lead", 1), cache_max_age_s=3600))
    f1, f2 = await add(engine, settings, site.url(ttl)), await add(engine, settings, site.url(cc))
    async with Poller(engine, settings, Pipeline(engine), fetch_articles=False) as poller:
        before = poller.clock()
        await poller.poll_once()
    assert (await feed_row(engine, f1.id)).next_check_at - before >= timedelta(minutes=90)
    assert (await feed_row(engine, f2.id)).next_check_at - before >= timedelta(hours=1)


async def test_unexpected_exception_is_recorded_on_the_feed_and_others_go_on(site, db):
    _, engine = db
    settings = feed_test_settings()
    boom = site.add_feed(FeedSpec("boom", "Boom", sample_articles("nickel", 1)))
    fine = site.add_feed(FeedSpec("fine", "Fine", sample_articles("cobalt", 1)))
    f_boom, f_fine = await add(engine, settings, site.url(boom)), await add(engine, settings, site.url(fine))
    async with engine.begin() as conn:  # the database refuses one feed's stories: a real, unplanned error
        await conn.execute(
            text(
                "CREATE TRIGGER refuse_nickel BEFORE INSERT ON stories WHEN NEW.title LIKE 'Nickel%' "
                "BEGIN SELECT RAISE(ABORT, 'storage refused'); END"
            )
        )
    async with Poller(engine, settings, Pipeline(engine)) as poller:
        report = await poller.poll_once()
    assert {o.feed_id: o.status for o in report.outcomes} == {f_boom.id: "error", f_fine.id: "changed"}
    state = await feed_row(engine, f_boom.id)
    assert state.error_count == 1 and state.last_error.startswith("internal error: IntegrityError")
    assert "storage refused" in state.last_error
    assert [r.title for r in await all_stories(engine)] == ["Cobalt trade talks, round 0"]
