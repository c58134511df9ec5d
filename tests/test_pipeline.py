"""The pipeline: one story stored once, however it arrives, with outbox rows for exactly the
subscriptions that want it."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, insert, select
from stories_fixture import IRRELEVANT, TEXTS, TITLES, outbox, story, subscribe

from bot.pipeline import NewStory, Pipeline
from bot.render import render_delivery
from bot.store.tables import entries, feeds, stories


async def stored_count(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(stories))).scalar_one()


async def test_the_same_story_by_two_identities_with_one_canonical_url_is_stored_once(engine):
    await subscribe(engine, "general")
    pipeline = Pipeline(engine)
    first = await pipeline.store_story(story("japan", identity="feed-a:guid-1"))
    again = await pipeline.store_story(story("japan", identity="feed-b:guid-77"))
    assert first is not None and again is None
    assert await stored_count(engine) == 1
    async with engine.connect() as conn:
        known = dict((await conn.execute(select(entries.c.identity, entries.c.story_id))).all())
    # the second feed's identity is remembered too, so that entry is never looked at again
    assert set(known) == {"feed-a:guid-1", "feed-b:guid-77"}
    assert len(await outbox(engine)) == 1
    assert (
        await pipeline.store_story(story("japan", identity="feed-b:guid-77", url="https://elsewhere/x"))
        is None
    )


async def test_concurrent_arrivals_of_one_story_store_it_once(engine):
    await subscribe(engine, "general")
    pipeline = Pipeline(engine)
    results = await asyncio.gather(
        *(pipeline.store_story(story("vietnam", identity=f"f{i}:g")) for i in range(4))
    )
    assert sum(r is not None for r in results) == 1
    assert await stored_count(engine) == 1 and len(await outbox(engine)) == 1


async def test_a_backlog_story_is_stored_without_outbox_rows(engine):
    await subscribe(engine, "general")
    stored = await Pipeline(engine).store_story(story("japan", announce=False))
    assert stored is not None and stored.relevant and stored.queued == 0
    assert await outbox(engine) == []
    async with engine.connect() as conn:
        assert (await conn.execute(select(stories.c.announce))).scalar_one() is False


async def test_an_irrelevant_story_is_stored_but_not_announced(engine):
    await subscribe(engine, "general")
    stored = await Pipeline(engine).store_story(
        NewStory(url="https://n.example/port", title="Port", text=IRRELEVANT)
    )
    assert stored is not None and not stored.relevant and stored.queued == 0
    assert await outbox(engine) == []


async def test_subscription_filters_countries_relevance_and_updates_only(engine):
    subs = {
        "all": await subscribe(engine, "all"),
        "japan": await subscribe(engine, "japan", countries=["Japan"]),
        "vietnam": await subscribe(engine, "vietnam", countries=["Vietnam", "Cambodia"]),
        "picky": await subscribe(engine, "picky", min_relevance=0.99),
        "updates": await subscribe(engine, "updates", updates_only=True),
        "paused": await subscribe(engine, "paused", paused_reason="channel unavailable: 404"),
    }
    pipeline = Pipeline(engine)
    await pipeline.store_story(story("japan"))
    got = {r.subscription_id for r in await outbox(engine)}
    assert got == {subs["all"], subs["japan"]}

    # A second report of the same deal with a new rate is news to everyone who follows Japan, and
    # it is the one kind of news an updates-only channel wants.
    changed = TEXTS["japan"].replace("15 percent from 27.5", "12.5 percent from 27.5")
    update = await pipeline.store_story(
        NewStory(
            url="https://other.example/j",
            canonical_url="https://other.example/j",
            title=TITLES["japan"] + ", rate lowered again",
            text=changed,
        )
    )
    assert update is not None and not update.new_group and update.changed_terms
    rows = [r for r in await outbox(engine) if r.story_id == update.id]
    assert {r.subscription_id for r in rows} == {subs["all"], subs["japan"], subs["updates"]}
    assert {r.event_key for r in rows} == {f"term:{update.changed_terms[0]}"}
    async with engine.connect() as conn:
        reply = await render_delivery(conn, rows[0].event_key, rows[0].story_id, rows[0].term_value_id)
    assert reply is not None and reply.kind == "update"
    assert "15% → 12.5%" in reply.text


async def test_a_near_duplicate_from_another_outlet_is_not_announced_again(engine):
    await subscribe(engine, "general")
    pipeline = Pipeline(engine)
    await pipeline.store_story(story("korea"))
    copy = await pipeline.store_story(
        NewStory(
            url="https://wire.example/k",
            canonical_url="https://wire.example/k",
            title="Seoul steelmakers get relief",
            text="SEOUL (Wire) - " + TEXTS["korea"],
        )
    )
    assert copy is not None and not copy.new_group and copy.queued == 0
    assert len(await outbox(engine)) == 1


async def test_a_disabled_feed_notifies_the_workspace_that_added_it_once(engine):
    mine = await subscribe(engine, "mine", platform="slack", workspace="T1")
    await subscribe(engine, "theirs", platform="slack", workspace="T2")
    async with engine.begin() as conn:
        feed_id = (
            await conn.execute(
                insert(feeds).values(url="https://bad.example/rss", workspace="slack:T1", error_count=20)
            )
        ).inserted_primary_key[0]
    pipeline = Pipeline(engine)
    assert await pipeline.feed_disabled(feed_id, "HTTP 500 twenty times in a row") == 1
    assert (
        await pipeline.feed_disabled(feed_id, "HTTP 500 twenty times in a row") == 1
    )  # same event: no new row
    rows = await outbox(engine)
    assert [(r.subscription_id, r.event_key) for r in rows] == [(mine, f"feed-disabled:{feed_id}:20")]
    async with engine.connect() as conn:
        reply = await render_delivery(conn, rows[0].event_key, None, None)
    assert reply is not None and "https://bad.example/rss" in reply.text and "twenty times" in reply.text
