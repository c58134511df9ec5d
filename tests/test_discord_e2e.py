"""End to end: the unmodified discord.py client, our adapter and the real core, against a loopback
fake Discord (tests/fakes/discord_fake.py) over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.discord_fake import (
    MANAGE_CHANNELS,
    MANAGE_GUILD,
    MEMBER_DEFAULT,
    OPTION_BOOLEAN,
    OPTION_NUMBER,
    OPTION_STRING,
    OPTION_SUB_COMMAND,
    FakeDiscord,
    FakeGuild,
    point_discord_py_at,
)
from fakes.news_site import Article, FeedSpec, NewsSite, feed_test_settings, sample_articles
from pydantic import SecretStr
from sqlalchemy import insert, select, update

from adapters.discord_bot import DiscordAdapter, DiscordConfigError, create
from bot.api import ChannelGone, RateLimited, SendError, TemporaryFailure
from bot.config import Secrets, Settings
from bot.core import Core
from bot.delivery import Delivery
from bot.feeds.poller import Poller
from bot.models import Attachment, Reply
from bot.pipeline import NewStory
from bot.render import render_delivery, story_reply
from bot.store.tables import deliveries, subscriptions

ARTICLE = (
    "Vietnam and the United States agreed a trade deal on Tuesday that cuts the US tariff on Vietnamese goods.\n"
    "Under the agreement, Washington will lower its tariff on Vietnamese textiles from 46 percent to 20 percent, "
    "trade officials said.\n"
    "Hanoi pledged to buy 10 billion dollars of American farm products and aircraft over three years.\n"
)


@dataclass
class World:
    fake: FakeDiscord
    guild: FakeGuild
    channel: int
    core: Core
    adapter: DiscordAdapter


def settings(**discord: object) -> Settings:
    return Settings.model_validate({"discord": discord})


async def start_world(
    tmp_path: Path, fake: FakeDiscord, config: Settings, defer_after_s: float = 0.5
) -> World:
    guild = fake.add_guild(roles={"Feed Editors": MEMBER_DEFAULT})
    core = await Core.open(config, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    adapter = DiscordAdapter(fake.token, config.discord, guild_ready_timeout=0.1, defer_after_s=defer_after_s)
    await adapter.start(core)
    return World(fake, guild, next(iter(guild.channels)), core, adapter)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    with point_discord_py_at(fake):
        yield fake
    await fake.close()


@pytest.fixture
async def world(tmp_path: Path, fake: FakeDiscord) -> AsyncIterator[World]:
    w = await start_world(tmp_path, fake, settings(feed_manager_role="Feed Editors"))
    yield w
    await w.adapter.stop()
    await w.core.close()


async def subscription_rows(core: Core) -> list:  # type: ignore[type-arg]
    async with core.engine.connect() as conn:
        return list((await conn.execute(select(subscriptions))).all())


def options_of(command: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {o["name"]: o for o in command.get("options", [])}


async def test_commands_are_synced_with_their_options(world: World) -> None:
    fake = world.fake
    assert fake.sync_calls == ["global"]
    commands = {c["name"]: c for c in fake.commands["global"]}
    assert set(commands) == {
        "subscribe",
        "unsubscribe",
        "subscriptions",
        "latest",
        "deal",
        "compare",
        "ask",
        "feeds",
        "help",
    }
    sub = options_of(commands["subscribe"])
    assert (sub["countries"]["type"], sub["updates_only"]["type"], sub["min_relevance"]["type"]) == (
        OPTION_STRING,
        OPTION_BOOLEAN,
        OPTION_NUMBER,
    )
    assert not any(o.get("required") for o in sub.values())
    assert (sub["min_relevance"]["min_value"], sub["min_relevance"]["max_value"]) == (0.0, 1.0)
    assert int(commands["subscribe"]["default_member_permissions"]) == MANAGE_CHANNELS
    assert options_of(commands["deal"])["party"]["required"] is True
    assert options_of(commands["deal"])["party"]["autocomplete"] is True
    assert options_of(commands["latest"])["party"].get("required", False) is False
    assert options_of(commands["ask"])["question"]["required"] is True
    compare = options_of(commands["compare"])
    assert [compare[n].get("required", False) for n in ("first", "second", "third")] == [True, True, False]
    feeds = options_of(commands["feeds"])
    assert {n: o["type"] for n, o in feeds.items()} == {
        "add": OPTION_SUB_COMMAND,
        "list": OPTION_SUB_COMMAND,
        "remove": OPTION_SUB_COMMAND,
    }
    assert options_of(feeds["add"])["url"]["required"] is True
    # No privileged intent (GUILD_MEMBERS 1<<1, GUILD_PRESENCES 1<<8, MESSAGE_CONTENT 1<<15).
    intents = fake.identifies[0]["intents"]
    assert intents & ((1 << 1) | (1 << 8) | (1 << 15)) == 0
    assert intents & (1 << 0) and intents & (1 << 9) and intents & (1 << 12)
    assert fake.compression == ["zlib-stream"]


async def test_subscribe_needs_manage_channels(world: World) -> None:
    fake, guild, channel = world.fake, world.guild, world.channel
    refused = await fake.slash(
        "subscribe", {"countries": "Japan"}, guild=guild, channel_id=channel, permissions=MEMBER_DEFAULT
    )
    [msg] = await fake.wait_until(lambda: fake.interaction_messages(refused))
    assert msg.ephemeral and "Manage Channels" in msg.content
    assert await subscription_rows(world.core) == []

    allowed = await fake.slash(
        "subscribe",
        {"countries": "Japan, United States", "updates_only": False, "min_relevance": 0.4},
        guild=guild,
        channel_id=channel,
        permissions=MEMBER_DEFAULT | MANAGE_CHANNELS,
    )
    [msg] = await fake.wait_until(lambda: fake.interaction_messages(allowed))
    assert not msg.ephemeral and "Subscribed" in msg.content
    [row] = await subscription_rows(world.core)
    assert (row.platform, row.workspace, row.channel) == ("discord", str(guild.id), str(channel))
    assert sorted(row.countries) == ["Japan", "United States"] and row.min_relevance == pytest.approx(0.4)
    assert msg.payload["allowed_mentions"]["parse"] == []


async def test_feeds_need_manage_server_or_the_role(world: World) -> None:
    fake, guild, channel = world.fake, world.guild, world.channel
    url = "http://127.0.0.1:9/feed.xml"
    refused = await fake.slash("feeds", {"add": {"url": url}}, guild=guild, channel_id=channel)
    [msg] = await fake.wait_until(lambda: fake.interaction_messages(refused))
    assert msg.ephemeral and "Manage Server" in msg.content
    by_role = await fake.slash(
        "feeds",
        {"add": {"url": url, "interval": 30.0}},
        guild=guild,
        channel_id=channel,
        roles=[fake.role_id(guild, "Feed Editors")],
    )
    [msg] = await fake.wait_until(lambda: fake.interaction_messages(by_role))
    assert "Following" in msg.content
    by_admin = await fake.slash(
        "feeds", {"list": {}}, guild=guild, channel_id=channel, permissions=MEMBER_DEFAULT | MANAGE_GUILD
    )
    [msg] = await fake.wait_until(lambda: fake.interaction_messages(by_admin))
    assert url in msg.content and msg.ephemeral


async def subscribe_channel(w: World, channel: int, **values: object) -> int:
    async with w.core.engine.begin() as conn:
        return (
            await conn.execute(
                insert(subscriptions).values(
                    platform="discord",
                    workspace=str(w.guild.id),
                    channel=str(channel),
                    countries=[],
                    min_relevance=0.0,
                    **values,
                )
            )
        ).inserted_primary_key[0]


async def test_story_from_the_pipeline_arrives_as_an_embed(world: World) -> None:
    await subscribe_channel(world, world.channel)
    stored = await world.core.pipeline.store_story(
        NewStory(
            url="https://news.example/vn-us-deal", title="Vietnam and US agree tariff deal", text=ARTICLE
        )
    )
    assert stored is not None and stored.queued == 1
    delivery = world.core.build_delivery([world.adapter])
    assert await delivery.run_once() == 1
    [msg] = world.fake.channel_messages(world.channel)
    [embed] = msg.embeds
    assert embed["title"] == "Vietnam and US agree tariff deal"
    assert embed["url"] == "https://news.example/vn-us-deal"
    assert "as of" in embed["footer"]["text"]
    assert any(
        f["name"] == "Sources" and "https://news.example/vn-us-deal" in f["value"] for f in embed["fields"]
    )
    # Every headline term the core put in the story reply is a field of the embed.
    async with world.core.engine.connect() as conn:
        reply = await story_reply(conn, stored.id)
    assert reply is not None and embed["description"] == reply.summary
    posted = {(f["name"], f["value"]) for f in embed["fields"]}
    assert {(f.name, f.value) for f in reply.fields} <= posted
    assert any("46% → 20%" in value for _, value in posted), posted  # a headline term, before → after
    assert msg.payload["allowed_mentions"]["parse"] == [] and msg.nonce


async def test_everyone_in_a_headline_pings_no_one(world: World) -> None:
    rich = Reply(
        text="@everyone tariffs are back",
        kind="story",
        title="@everyone: tariffs are back",
        summary="@here read this <@456> <@&123>",
    )
    plain = Reply(text="@everyone tariffs are back <@&123> <@456>", kind="info")
    await world.adapter.send(str(world.channel), rich, key="k-everyone-1")
    await world.adapter.send(str(world.channel), plain, key="k-everyone-2")
    embed_msg, text_msg = world.fake.channel_messages(world.channel)
    assert embed_msg.embeds[0]["title"] == "@everyone: tariffs are back"
    assert text_msg.content == "@everyone tariffs are back <@&123> <@456>"
    for msg in (embed_msg, text_msg):
        # parse=[] and no users/roles lists: Discord resolves no mention at all, @everyone included.
        assert msg.payload["allowed_mentions"] == {"parse": []}


async def test_a_429_is_waited_out_and_nothing_is_lost(world: World) -> None:
    world.fake.fail_next(world.channel, 429, retry_after=0.3)
    reply = Reply(text="A story", kind="story", title="A story", summary="Terms changed.")
    message_id = await world.adapter.send(str(world.channel), reply, key="k-429")
    [msg] = world.fake.channel_messages(world.channel)
    assert str(msg.id) == message_id and world.fake.http_429 == 1


async def test_a_retried_send_posts_once(world: World) -> None:
    reply = Reply(text="A story", kind="story", title="A story", summary="Terms changed.")
    first = await world.adapter.send(str(world.channel), reply, key="k-twice")
    second = await world.adapter.send(str(world.channel), reply, key="k-twice")
    assert first == second and len(world.fake.channel_messages(world.channel)) == 1
    # Discord remembers nonces for minutes only: past that, the outbox's own record must (and does,
    # see the restart test) keep a delivery from being sent again.
    world.fake.nonce_ttl_s = 0.05
    await asyncio.sleep(0.06)
    assert await world.adapter.send(str(world.channel), reply, key="k-twice") != first


async def test_restart_mid_fanout_posts_nothing_twice(tmp_path: Path, fake: FakeDiscord) -> None:
    config = settings()
    w = await start_world(tmp_path, fake, config)
    channels = [w.channel] + [fake.add_channel(w.guild, f"extra-{i}").id for i in range(3)]
    for channel in channels:
        await subscribe_channel(w, channel)
    stored = await w.core.pipeline.store_story(
        NewStory(url="https://news.example/deal", title="Deal story", text=ARTICLE)
    )
    assert stored is not None and stored.queued == 4
    # The first worker claims every row, posts two and dies before recording any of them.
    dying = Delivery(w.core.engine, config.delivery, {"discord": w.adapter}, worker_id="dying")
    jobs = await dying.claim(10)
    for job in jobs[:2]:
        async with w.core.engine.connect() as conn:
            reply = await render_delivery(conn, job.event_key, job.story_id, job.term_value_id)
        assert reply is not None
        await w.adapter.send(job.channel, reply, key=job.key)
    await w.adapter.stop()
    assert sum(len(fake.channel_messages(c)) for c in channels) == 2
    # After the claim times out, a new process (new client) delivers everything, the two included.
    async with w.core.engine.begin() as conn:
        await conn.execute(update(deliveries).values(claimed_at=datetime.now(UTC) - timedelta(hours=1)))
    restarted = DiscordAdapter(fake.token, config.discord, guild_ready_timeout=0.1)
    await restarted.start(w.core)
    try:
        delivery = Delivery(w.core.engine, config.delivery, {"discord": restarted}, worker_id="new")
        assert await delivery.run_once() == 4
        assert [len(fake.channel_messages(c)) for c in channels] == [1, 1, 1, 1]
    finally:
        await restarted.stop()
        await w.core.close()


async def test_a_deleted_channel_pauses_its_subscription(world: World) -> None:
    gone = world.fake.add_channel(world.guild, "old-news").id
    sub_id = await subscribe_channel(world, gone)
    await subscribe_channel(world, world.channel)
    world.fake.delete_channel(gone)
    await world.core.pipeline.store_story(
        NewStory(url="https://news.example/deal-2", title="Deal story", text=ARTICLE)
    )
    delivery = world.core.build_delivery([world.adapter])
    assert await delivery.run_once() == 1
    rows = {row.id: row for row in await subscription_rows(world.core)}
    assert rows[sub_id].paused_reason and "unknown channel" in rows[sub_id].paused_reason
    assert len(world.fake.channel_messages(world.channel)) == 1


# ---------------------------------------------------------------- send errors


async def test_send_errors_map_to_the_delivery_errors(world: World) -> None:
    fake, adapter = world.fake, world.adapter
    reply = Reply(text="A story", kind="story", title="A story")
    forbidden = fake.add_channel(world.guild, "locked").id
    fake.forbidden_channels.add(forbidden)
    with pytest.raises(ChannelGone, match="missing access"):
        await adapter.send(str(forbidden), reply, key="k-403")
    with pytest.raises(ChannelGone, match="unknown channel"):
        await adapter.send("1234567", reply, key="k-404")
    fake.fail_next(world.channel, 503)
    with pytest.raises(TemporaryFailure):
        await adapter.send(str(world.channel), reply, key="k-503")
    fake.fail_next(world.channel, 429, retry_after=90.0)  # longer than discord.py will sleep for
    with pytest.raises(RateLimited) as caught:
        await adapter.send(str(world.channel), reply, key="k-long-429")
    assert caught.value.retry_after == pytest.approx(90.0)
    fake.fail_next(world.channel, 400, code=50035)
    with pytest.raises(SendError, match="50035"):
        await adapter.send(str(world.channel), reply, key="k-400")
    assert fake.channel_messages(world.channel) == []
    # After all that the channel still works, and the message goes out once.
    await adapter.send(str(world.channel), reply, key="k-503")
    assert len(fake.channel_messages(world.channel)) == 1


async def test_a_chart_is_uploaded_with_its_embed(world: World) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    reply = Reply(
        text="Deal",
        kind="deal",
        title="US–Vietnam deal",
        summary="Terms so far.",
        image=Attachment("deal-1.png", png, "tariff history"),
    )
    await world.adapter.send(str(world.channel), reply, key="k-chart")
    [msg] = world.fake.channel_messages(world.channel)
    assert msg.files == [("deal-1.png", png)]
    assert msg.embeds[0]["image"]["url"] == "attachment://deal-1.png"


async def test_the_admin_channel_hears_about_a_paused_subscription(tmp_path: Path, fake: FakeDiscord) -> None:
    guild = fake.add_guild(channels=3)
    news, admin, gone = list(guild.channels)
    fake.guilds.pop(guild.id)  # start_world adds its own guild; reuse this one instead
    fake.guilds[guild.id] = guild
    w = await start_world(tmp_path, fake, settings(admin_channel_id=admin))
    try:
        for channel in (news, gone):
            await subscribe_channel(w, channel)
        fake.delete_channel(gone)
        await w.core.pipeline.store_story(NewStory(url="https://news.example/x", title="Deal", text=ARTICLE))
        assert await w.core.build_delivery([w.adapter]).run_once() == 1
        [notice] = fake.channel_messages(admin)
        assert str(gone) in notice.content and "paused" in notice.content
        assert notice.payload["allowed_mentions"] == {"parse": []}
    finally:
        await w.adapter.stop()
        await w.core.close()


# ---------------------------------------------------------------- interactions


async def test_a_long_reply_continues_in_followups(world: World) -> None:
    for n in range(60):
        await subscribe_channel(world, 10_000 + n)
    iid = await world.fake.slash("subscriptions", guild=world.guild, channel_id=world.channel)
    messages = await world.fake.wait_until(
        lambda: len(world.fake.interaction_messages(iid)) >= 2 and world.fake.interaction_messages(iid)
    )
    await asyncio.sleep(0.2)
    messages = world.fake.interaction_messages(iid)
    assert [m.via for m in messages] == ["callback"] + ["followup"] * (len(messages) - 1)
    assert all(m.ephemeral and 0 < len(m.content) <= 2000 for m in messages)
    text = "\n".join(m.content for m in messages)
    assert all(f"#{10_000 + n}" in text for n in range(60))


async def test_slow_commands_are_deferred_then_answered(world: World) -> None:
    iid = await world.fake.slash("deal", {"party": "Vietnam"}, guild=world.guild, channel_id=world.channel)
    answered = await world.fake.wait_until(
        lambda: [m for m in world.fake.interaction_messages(iid) if m.via in ("edit", "followup")]
    )
    [callback] = world.fake.callbacks[iid]
    assert callback["type"] == 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: "tradebot is thinking…"
    assert answered[0].content or answered[0].embeds


async def test_a_private_answer_to_a_deferred_command_stays_private(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    # defer_after_s=0: every command is deferred before the core answers, as a slow one would be.
    w = await start_world(tmp_path, fake, settings(), defer_after_s=0.0)
    try:
        iid = await fake.slash("subscribe", guild=w.guild, channel_id=w.channel, permissions=MEMBER_DEFAULT)
        await fake.wait_until(lambda: any(m.via == "followup" for m in fake.interaction_messages(iid)))
        [callback] = fake.callbacks[iid]
        assert callback["type"] == 5
        deleted, followup = fake.interaction_messages(iid)
        assert deleted.via == "delete"  # the public "thinking…" placeholder goes away
        assert followup.ephemeral and "Manage Channels" in followup.content
    finally:
        await w.adapter.stop()
        await w.core.close()


async def test_autocomplete_offers_the_cores_values(world: World) -> None:
    fake = world.fake
    await world.core.pipeline.store_story(NewStory(url="https://news.example/ac", title="Deal", text=ARTICLE))
    for command, option, kind in (("deal", "party", "deal"), ("compare", "second", "party")):
        expected = await world.core.complete(kind, "Vi")
        assert expected  # the ledger has the Vietnam deal now
        given = {"first": "United States", "second": "Vi"} if command == "compare" else {option: "Vi"}
        iid = await fake.autocomplete(command, given, option, guild=world.guild, channel_id=world.channel)
        await fake.wait_until(lambda iid=iid: fake.callbacks.get(iid))
        [callback] = fake.callbacks[iid]
        assert callback["type"] == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
        assert [c["value"] for c in callback["data"]["choices"]] == expected


async def test_a_mention_or_a_dm_is_a_question(world: World) -> None:
    fake = world.fake
    bot_id = fake.application_id
    await world.core.pipeline.store_story(
        NewStory(url="https://news.example/vn", title="Vietnam deal", text=ARTICLE)
    )
    asked = await fake.user_message(
        f"<@{bot_id}> what tariff does the US charge on Vietnamese textiles?",
        guild=world.guild,
        channel_id=world.channel,
        mention_bot=True,
    )
    [answer] = await fake.wait_until(lambda: fake.channel_messages(world.channel))
    assert int(answer.payload["message_reference"]["message_id"]) == asked
    assert answer.payload["allowed_mentions"]["parse"] == []
    assert "20%" in json.dumps(answer.payload) and "https://news.example/vn" in json.dumps(answer.payload)
    assert any(path.endswith(f"/channels/{world.channel}/typing") for _, _, path, _ in fake.requests)
    # Chatter that does not mention the bot is not answered (and its content is not needed).
    await fake.user_message("tariffs, eh?", guild=world.guild, channel_id=world.channel)
    dm_channel = fake.snowflake()
    await fake.user_message("How much will Vietnam buy from the US?", guild=None, channel_id=dm_channel)
    [dm_answer] = await fake.wait_until(lambda: fake.channel_messages(dm_channel))
    assert "$10 billion" in json.dumps(dm_answer.payload, ensure_ascii=False)
    assert len(fake.channel_messages(world.channel)) == 1


async def test_heartbeats_and_a_resume_keep_commands_flowing(tmp_path: Path) -> None:
    fake = FakeDiscord(heartbeat_interval_ms=100)
    await fake.start()
    with point_discord_py_at(fake):
        w = await start_world(tmp_path, fake, settings())
        try:
            await fake.wait_until(lambda: fake.heartbeats >= 2)
            await fake.request_reconnect()
            await fake.wait_ready()
            assert len(fake.resumes) == 1 and len(fake.identifies) == 1
            assert fake.resumes[0]["session_id"].startswith("session-")
            iid = await fake.slash("help", guild=w.guild, channel_id=w.channel)
            [msg] = await fake.wait_until(lambda: fake.interaction_messages(iid))
            assert "subscribe" in (msg.embeds[0]["description"] if msg.embeds else msg.content)
        finally:
            await w.adapter.stop()
            await w.core.close()
            await fake.close()


# ---------------------------------------------------------------- from a feed to a channel


async def test_a_story_from_a_loopback_feed_reaches_the_subscribed_channel(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    config = feed_test_settings()  # the news site is on 127.0.0.1: private addresses allowed
    async with NewsSite() as site:
        spec = FeedSpec("deals", "Deal news", sample_articles("steel", 1))
        feed_url = site.url(site.add_feed(spec))
        w = await start_world(tmp_path, fake, config)
        try:
            # A server admin adds the feed and a channel manager subscribes, both with slash commands.
            added = await fake.slash(
                "feeds",
                {"add": {"url": feed_url}},
                guild=w.guild,
                channel_id=w.channel,
                permissions=MEMBER_DEFAULT | MANAGE_GUILD,
            )
            subscribed = await fake.slash(
                "subscribe",
                {"min_relevance": 0.0},
                guild=w.guild,
                channel_id=w.channel,
                permissions=MEMBER_DEFAULT | MANAGE_CHANNELS,
            )
            await fake.wait_until(
                lambda: fake.interaction_messages(added) and fake.interaction_messages(subscribed)
            )
            delivery = w.core.build_delivery([w.adapter])
            async with Poller(w.core.engine, config, w.core.pipeline) as poller:
                await poller.poll_once(all_feeds=True)  # the feed's backlog: stored, not announced
                assert await delivery.run_once() == 0
                news = Article(
                    slug="vn-us",
                    title="Vietnam and US agree tariff deal",
                    paragraphs=ARTICLE.strip().split("\n"),
                    published=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
                )
                spec.articles.insert(0, news)
                site.articles[news.slug] = news
                await poller.poll_once(all_feeds=True)
            assert await delivery.run_once() == 1
            [msg] = fake.channel_messages(w.channel)
            [embed] = msg.embeds
            assert embed["title"] == "Vietnam and US agree tariff deal"
            assert embed["url"].startswith(site.base + "/articles/vn-us")
            assert any("46% → 20%" in f["value"] for f in embed["fields"])
            assert embed["footer"]["text"].endswith("as of 2026-11-21")
        finally:
            await w.adapter.stop()
            await w.core.close()


async def test_the_global_limit_is_waited_out_without_losing_a_post(tmp_path: Path) -> None:
    # An adapter paced far above the fake's global limit: the fake answers 429 (global) and
    # discord.py holds every request for retry_after, then retries; each post lands exactly once.
    fake = FakeDiscord(global_limit=10)
    await fake.start()
    with point_discord_py_at(fake):
        guild = fake.add_guild(channels=15)
        core = await Core.open(settings(), f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
        adapter = DiscordAdapter(fake.token, global_rps=1000, guild_ready_timeout=0.1)
        await adapter.start(core)
        try:
            reply = Reply(text="A story", kind="story", title="A story")
            ids = await asyncio.gather(*(adapter.send(str(c), reply, key=f"k-{c}") for c in guild.channels))
            assert fake.http_429 > 0
            assert len(set(ids)) == 15
            assert sorted(m.channel_id for m in fake.messages) == sorted(guild.channels)
        finally:
            await adapter.stop()
            await core.close()
            await fake.close()


async def test_a_wrong_token_fails_start_clearly(tmp_path: Path, fake: FakeDiscord) -> None:
    core = await Core.open(settings(), f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    adapter = DiscordAdapter("not-the-token", guild_ready_timeout=0.1)
    try:
        with pytest.raises(DiscordConfigError, match="DISCORD_TOKEN"):
            await adapter.start(core)
        assert adapter.client is not None and adapter.client.is_closed()
        assert fake.identifies == []
    finally:
        await core.close()


def test_create_reads_the_token_and_settings_for_tradebot_run() -> None:
    config = Settings.model_validate(
        {"discord": {"guild_id": 99, "feed_manager_role": "Editors"}, "delivery": {"discord_global_rps": 30}}
    )
    adapter = create(config, Secrets(discord_token=SecretStr("t0ken")))
    assert adapter.platform == "discord" and adapter.settings.guild_id == 99
    assert adapter.pacer.interval == pytest.approx(1 / 30)
    assert "t0ken" not in repr(vars(adapter).get("settings"))
    with pytest.raises(DiscordConfigError, match="DISCORD_TOKEN"):
        create(config, Secrets())


async def test_core_run_starts_delivers_and_stops_the_adapter(tmp_path: Path, fake: FakeDiscord) -> None:
    # What `tradebot run --adapter discord` does: Core.run starts the adapter, delivers, stops it.
    guild = fake.add_guild()
    channel = next(iter(guild.channels))
    core = await Core.open(settings(), f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    adapter = DiscordAdapter(fake.token, guild_ready_timeout=0.1)
    stop = asyncio.Event()
    running = asyncio.create_task(core.run([adapter], stop, poll=False))
    try:
        await fake.wait_ready()
        iid = await fake.slash(
            "subscribe",
            {"min_relevance": 0.0},
            guild=guild,
            channel_id=channel,
            permissions=MEMBER_DEFAULT | MANAGE_CHANNELS,
        )
        await fake.wait_until(lambda: fake.interaction_messages(iid))
        await core.pipeline.store_story(NewStory(url="https://news.example/run", title="Deal", text=ARTICLE))
        assert core.delivery is not None
        core.delivery.poke()
        [msg] = await fake.wait_until(lambda: fake.channel_messages(channel))
        assert msg.embeds[0]["title"] == "Deal"
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)
        await core.close()
    assert adapter.client is not None and adapter.client.is_closed()


async def test_commands_can_be_synced_to_one_development_guild(tmp_path: Path, fake: FakeDiscord) -> None:
    guild = fake.add_guild("Dev server")
    channel = next(iter(guild.channels))
    config = settings(guild_id=guild.id)
    core = await Core.open(config, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    adapter = DiscordAdapter(fake.token, config.discord, guild_ready_timeout=0.1)
    await adapter.start(core)
    try:
        assert fake.sync_calls == [str(guild.id)]
        assert {c["name"] for c in fake.commands[str(guild.id)]} >= {"subscribe", "ask", "feeds", "help"}
        iid = await fake.slash("help", guild=guild, channel_id=channel)
        [msg] = await fake.wait_until(lambda: fake.interaction_messages(iid))
        assert msg.embeds and "subscribe" in msg.embeds[0]["description"]
    finally:
        await adapter.stop()
        await core.close()


async def test_ask_answers_with_its_sources(world: World) -> None:
    await world.core.pipeline.store_story(
        NewStory(url="https://news.example/vn-us", title="Vietnam and US agree tariff deal", text=ARTICLE)
    )
    iid = await world.fake.slash(
        "ask",
        {"question": "What tariff does the United States charge on Vietnamese textiles?"},
        guild=world.guild,
        channel_id=world.channel,
    )
    [answer] = await world.fake.wait_until(
        lambda: [m for m in world.fake.interaction_messages(iid) if m.via == "edit"]
    )
    assert world.fake.callbacks[iid][0]["type"] == 5  # deferred at once, then the answer
    assert not answer.ephemeral
    [embed] = answer.embeds
    shown = (embed.get("description") or "") + " ".join(f["value"] for f in embed.get("fields", []))
    assert "20%" in shown
    sources = [f for f in embed["fields"] if f["name"].startswith("Sources")]
    assert sources and "(https://news.example/vn-us)" in sources[0]["value"]


JAPAN_ARTICLE = (
    "Japan and the United States reached a trade agreement on Wednesday, officials in Tokyo said.\n"
    "Washington will cut its tariff on Japanese cars from 25 percent to 15 percent under the deal.\n"
    "Tokyo promised to invest 550 billion dollars in American industry over the coming years.\n"
)


async def test_compare_posts_its_chart_as_an_attachment(world: World) -> None:
    fake = world.fake
    await world.core.pipeline.store_story(
        NewStory(url="https://news.example/vn", title="Vietnam deal", text=ARTICLE)
    )
    await world.core.pipeline.store_story(
        NewStory(url="https://news.example/jp", title="Japan deal", text=JAPAN_ARTICLE)
    )
    iid = await fake.slash(
        "compare", {"first": "Vietnam", "second": "Japan"}, guild=world.guild, channel_id=world.channel
    )
    [shown] = await fake.wait_until(lambda: [m for m in fake.interaction_messages(iid) if m.via == "edit"])
    assert fake.callbacks[iid][0]["type"] == 5
    [(filename, data)] = shown.files
    assert filename.endswith(".png") and data.startswith(b"\x89PNG")
    assert shown.embeds[0]["image"]["url"] == f"attachment://{filename}"
    text = json.dumps(shown.embeds)
    assert "Vietnam" in text and "Japan" in text


async def test_a_refused_gateway_fails_start_clearly(tmp_path: Path, fake: FakeDiscord) -> None:
    fake.identify_close_code = 4014  # what Discord says when an intent is not allowed
    core = await Core.open(settings(), f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    adapter = DiscordAdapter(fake.token, guild_ready_timeout=0.1)
    try:
        with pytest.raises(DiscordConfigError, match="intents"):
            await adapter.start(core)
        assert adapter.client is not None and adapter.client.is_closed()
    finally:
        await core.close()
