"""End to end over real sockets: the unmodified slack-bolt / slack_sdk talk to the loopback fake Slack,
the real Core (SQLite in a temp dir) answers, and the same flows run over both transports."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fakes.news_site import Article, FeedSpec, NewsSite, feed_test_settings, sample_articles
from fakes.slack_fake import (
    BOT_USER_ID,
    SlackFake,
    command_form,
    deliver,
    dm_event,
    encode_form,
    event_callback,
    mention_event,
    sign,
)
from slack_support import ADMIN, CHANNEL, DESK, MEMBER, SECRET, SEED_TEXT, STORIES, eventually, make_adapter
from sqlalchemy import select

from adapters.slack import SlackAdapter, SlackConfigError
from bot.config import Secrets, Settings, SlackSettings
from bot.core import Core
from bot.feeds.poller import Poller
from bot.pipeline import NewStory
from bot.store.tables import subscriptions


@pytest.fixture
async def fake() -> AsyncIterator[SlackFake]:
    fake = await SlackFake(min_interval=1.0).start()
    fake.add_user(ADMIN, "ada", admin=True)
    fake.add_user(MEMBER, "mo")
    fake.add_user(DESK, "dee")
    fake.add_usergroup("S0DESK001", "trade-desk", [DESK])
    yield fake
    await fake.close()


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    core = await Core.open(Settings(), url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    yield core
    await core.close()


@pytest.fixture(params=["http", "socket"])
async def bot(request: pytest.FixtureRequest, fake: SlackFake, core: Core) -> AsyncIterator[SlackAdapter]:
    adapter = make_adapter(fake, request.param)
    await adapter.start(core)
    if request.param == "socket":
        await fake.wait_connected()
    yield adapter
    await adapter.stop()


async def slack_sends(
    fake: SlackFake, bot: SlackAdapter, kind: str, payload: dict[str, Any], *, retry: int | None = None
) -> int:
    """Deliver one request the way Slack would for the adapter's transport; return the HTTP status
    (200 for an acknowledged Socket Mode envelope)."""
    if bot.mode == "socket":
        ack = await fake.push(kind, payload, retry_attempt=retry or 0)
        assert ack["envelope_id"]
        return 200
    if kind == "slash_commands":
        body, ctype = encode_form(payload), "application/x-www-form-urlencoded"
    else:
        body, ctype = json.dumps(payload), "application/json"
    status, _ = await deliver(bot.http_url, body, secret=SECRET, content_type=ctype, retry_num=retry)
    return status


async def subscribed(core: Core) -> list[Any]:
    async with core.engine.connect() as conn:
        return list((await conn.execute(select(subscriptions))).all())


async def test_signed_slash_command_subscribes_the_channel(
    fake: SlackFake, bot: SlackAdapter, core: Core
) -> None:
    started = time.monotonic()
    assert await slack_sends(fake, bot, "slash_commands", command_form(fake, "subscribe", user=ADMIN)) == 200
    assert time.monotonic() - started < 3.0  # acknowledged within Slack's 3 s
    response = await eventually(lambda: fake.responses)
    assert response[0]["response_type"] == "in_channel"
    assert "Subscribed this channel" in response[0]["text"]
    rows = await subscribed(core)
    assert [(r.platform, r.workspace, r.channel, r.created_by) for r in rows] == [
        ("slack", "T0TRADE01", CHANNEL, ADMIN)
    ]


async def test_member_is_refused_ephemerally_but_user_group_may_subscribe(
    fake: SlackFake, bot: SlackAdapter, core: Core
) -> None:
    await slack_sends(fake, bot, "slash_commands", command_form(fake, "subscribe japan", user=MEMBER))
    refusal = (await eventually(lambda: fake.responses))[0]
    assert refusal["response_type"] == "ephemeral"
    assert "admin" in refusal["text"]
    assert await subscribed(core) == []
    await slack_sends(
        fake, bot, "slash_commands", command_form(fake, "feeds add https://x.example/rss", user=DESK)
    )
    await eventually(lambda: len(fake.responses) == 2)
    assert fake.responses[1]["response_type"] == "ephemeral"  # the user group may not manage feeds
    await slack_sends(fake, bot, "slash_commands", command_form(fake, "subscribe", user=DESK))
    await eventually(lambda: len(fake.responses) == 3)
    assert fake.responses[2]["response_type"] == "in_channel"
    assert len(await subscribed(core)) == 1


async def test_unknown_input_gets_help(fake: SlackFake, bot: SlackAdapter) -> None:
    await slack_sends(fake, bot, "slash_commands", command_form(fake, "frobnicate the tariffs", user=MEMBER))
    response = (await eventually(lambda: fake.responses))[0]
    assert response["response_type"] == "ephemeral"
    assert "subscribe" in response["text"] and response["blocks"][0]["type"] == "header"


async def test_story_reaches_the_channel_escaped(fake: SlackFake, bot: SlackAdapter, core: Core) -> None:
    await slack_sends(fake, bot, "slash_commands", command_form(fake, "subscribe", user=ADMIN))
    await eventually(lambda: fake.responses)
    stored = await core.pipeline.store_story(
        NewStory(
            url="http://127.0.0.1:9/kyodo/deal",
            title="Japan and US seal deal <!channel> <@U0MEMBER1>",
            text=SEED_TEXT,
        )
    )
    assert stored is not None and stored.queued == 1
    delivery = core.build_delivery([bot])
    assert await delivery.run_once() == 1
    [message] = fake.channel_messages(CHANNEL)
    blocks = message.blocks or []
    assert blocks[0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "emoji": True,
            "text": "Japan and US seal deal &lt;!channel&gt; &lt;@U0MEMBER1&gt;",
        },
    }
    assert blocks[1]["type"] == "section"
    context = blocks[-1]
    assert context["type"] == "context"
    assert "<http://127.0.0.1:9/kyodo/deal|" in context["elements"][0]["text"]
    assert any("as of" in e["text"] for e in context["elements"])
    assert message.text.startswith("Japan and US seal deal &lt;!channel&gt;")
    assert "<!channel>" not in json.dumps(message.params)
    assert "link_names" not in message.params and "parse" not in message.params
    assert message.metadata == {
        "event_type": "tradebot_delivery",
        "event_payload": {"key": delivery_key(message)},
    }
    assert await delivery.run_once() == 0  # delivered once


def delivery_key(message: Any) -> str:
    key = message.metadata["event_payload"]["key"]
    assert key.startswith("tb-")
    return key


async def test_mention_gets_a_threaded_answer(fake: SlackFake, bot: SlackAdapter, core: Core) -> None:
    await core.pipeline.store_story(
        NewStory(
            url="http://127.0.0.1:9/kyodo/deal",
            title="Japan and US seal deal",
            text=SEED_TEXT,
        )
    )
    event = mention_event("What tariff will the US put on Japanese cars?", user=MEMBER)
    assert await slack_sends(fake, bot, "events_api", event_callback(event)) == 200
    [answer] = await eventually(lambda: fake.channel_messages(CHANNEL))
    assert answer.thread_ts == event["ts"]  # in the asker's thread, not the channel
    assert "15%" in answer.text
    blocks = answer.blocks or []
    context = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert context and context[0] == "<http://127.0.0.1:9/kyodo/deal|Japan and US seal deal>"  # its source
    # A follow-up mention inside that thread is answered in the same thread.
    follow = mention_event("And the investment?", user=MEMBER, thread_ts=event["ts"])
    await slack_sends(fake, bot, "events_api", event_callback(follow))
    await eventually(lambda: len(fake.channel_messages(CHANNEL)) == 2, within=8)
    assert fake.channel_messages(CHANNEL)[1].thread_ts == event["ts"]


async def test_dm_is_answered_directly_and_retries_are_dropped(fake: SlackFake, bot: SlackAdapter) -> None:
    payload = event_callback(dm_event("help", user=MEMBER))
    await slack_sends(fake, bot, "events_api", payload)
    [answer] = await eventually(lambda: fake.channel_messages("D0DIRECT1"))
    assert answer.thread_ts is None and "subscribe" in answer.text
    # Slack retries the same event (same event_id): acknowledged, not answered again.
    assert await slack_sends(fake, bot, "events_api", payload, retry=1) == 200
    await asyncio.sleep(0.3)
    assert len(fake.channel_messages("D0DIRECT1")) == 1
    # Our own post echoed back as a message event is ignored.
    own = dm_event("echo", user=BOT_USER_ID) | {"bot_id": "B0BOT0001"}
    await slack_sends(fake, bot, "events_api", event_callback(own))
    await asyncio.sleep(0.3)
    assert len(fake.channel_messages("D0DIRECT1")) == 1


@pytest.mark.parametrize("problem", ["unsigned", "wrong", "stale"])
async def test_http_mode_refuses_bad_signatures(fake: SlackFake, core: Core, problem: str) -> None:
    adapter = make_adapter(fake, "http")
    await adapter.start(core)
    try:
        body = encode_form(command_form(fake, "subscribe", user=ADMIN))
        ctype = "application/x-www-form-urlencoded"
        if problem == "unsigned":
            status, _ = await deliver(adapter.http_url, body, secret=None, content_type=ctype)
        elif problem == "wrong":
            status, _ = await deliver(
                adapter.http_url,
                body,
                secret=SECRET,
                content_type=ctype,
                signature=sign("not-the-secret", str(int(time.time())), body),
            )
        else:
            status, _ = await deliver(
                adapter.http_url, body, secret=SECRET, content_type=ctype, timestamp=int(time.time()) - 6 * 60
            )
        assert status == 401
        await asyncio.sleep(0.2)
        assert fake.responses == [] and await subscribed(core) == []
    finally:
        await adapter.stop()


async def test_http_mode_answers_slacks_url_verification(fake: SlackFake, core: Core) -> None:
    """Saving the Request URL in Slack's settings sends a signed challenge that must be echoed."""
    adapter = make_adapter(fake, "http")
    await adapter.start(core)
    try:
        body = json.dumps(
            {
                "token": "legacy",
                "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                "type": "url_verification",
            }
        )
        status, text = await deliver(adapter.http_url, body, secret=SECRET, content_type="application/json")
        assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text
    finally:
        await adapter.stop()


def test_signature_matches_slacks_published_vector() -> None:
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert (
        sign(SECRET, "1531420618", body)
        == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


async def test_socket_mode_reconnects_when_slack_asks(fake: SlackFake, core: Core) -> None:
    adapter = make_adapter(fake, "socket")
    await adapter.start(core)
    try:
        await fake.wait_connected()
        await fake.ask_to_reconnect()
        await eventually(lambda: fake.connections_opened >= 2)
        await slack_sends(fake, adapter, "slash_commands", command_form(fake, "help", user=MEMBER))
        await eventually(lambda: fake.responses)
    finally:
        await adapter.stop()


async def test_a_refused_bot_token_is_reported_at_start(fake: SlackFake, core: Core) -> None:
    settings = SlackSettings(mode="socket", api_base_url=fake.base_url)
    adapter = SlackAdapter(
        settings, Secrets.model_validate({"slack_bot_token": "revoked", "slack_app_token": "xapp-1"})
    )
    with pytest.raises(SlackConfigError, match="invalid_auth"):
        await adapter.start(core)


def test_missing_tokens_are_named() -> None:
    with pytest.raises(SlackConfigError, match="SLACK_APP_TOKEN"):
        SlackAdapter(SlackSettings(mode="socket"), Secrets.model_validate({"slack_bot_token": "xoxb-1"}))
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
        SlackAdapter(SlackSettings(mode="http"), Secrets.model_validate({"slack_bot_token": "xoxb-1"}))
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN"):
        SlackAdapter(SlackSettings(mode="http"), Secrets())


async def test_core_run_starts_serves_and_stops_the_adapter(fake: SlackFake, core: Core) -> None:
    """The lifecycle `tradebot run --adapter slack` uses: Core.run starts the adapter, the outbox
    delivers through it, and setting the stop event shuts everything down cleanly."""
    adapter = make_adapter(fake, "socket")
    stop = asyncio.Event()
    running = asyncio.create_task(core.run([adapter], stop, poll=False))
    await fake.wait_connected()
    await slack_sends(fake, adapter, "slash_commands", command_form(fake, "subscribe", user=ADMIN))
    await eventually(lambda: fake.responses)
    stored = await core.pipeline.store_story(
        NewStory(url="http://127.0.0.1:9/run", title="Deal", text=SEED_TEXT)
    )
    assert stored is not None and stored.queued == 1
    assert core.delivery is not None
    core.delivery.poke()
    await eventually(lambda: fake.channel_messages(CHANNEL))
    stop.set()
    await asyncio.wait_for(running, 10)
    assert fake.sockets == [] or all(ws.closed for ws in fake.sockets)


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_story_from_a_loopback_feed_reaches_the_channel(
    tmp_path: Path, fake: SlackFake, mode: str
) -> None:
    """An admin adds a feed and subscribes the channel with /tradebot; the poller fetches a new story
    from the loopback news site; the outbox posts it to the channel as Block Kit."""
    config = feed_test_settings()  # the news site is on 127.0.0.1: private addresses allowed
    core = await Core.open(config, url=f"sqlite+aiosqlite:///{tmp_path / 'feed.db'}")
    adapter = make_adapter(fake, mode)
    await adapter.start(core)
    try:
        async with NewsSite() as site:
            spec = FeedSpec("deals", "Deal news", sample_articles("steel", 1))
            feed_url = site.url(site.add_feed(spec))
            for line in (f"feeds add {feed_url}", "subscribe"):
                await slack_sends(fake, adapter, "slash_commands", command_form(fake, line, user=ADMIN))
            await eventually(lambda: len(fake.responses) == 2)
            assert [r["response_type"] for r in fake.responses] == ["in_channel", "in_channel"], (
                fake.responses
            )
            delivery = core.build_delivery([adapter])
            async with Poller(core.engine, config, core.pipeline) as poller:
                await poller.poll_once(all_feeds=True)  # the feed's backlog: stored, not announced
                assert await delivery.run_once() == 0
                news = Article(
                    slug="kr-us",
                    title="Korea and US agree tariff deal <!channel>",
                    paragraphs=SEED_TEXT.strip().split("\n"),
                    published=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
                )
                spec.articles.insert(0, news)
                site.articles[news.slug] = news
                await poller.poll_once(all_feeds=True)
            assert await delivery.run_once() == 1
        [message] = fake.channel_messages(CHANNEL)
        blocks = message.blocks or []
        assert blocks[0]["text"]["text"] == "Korea and US agree tariff deal &lt;!channel&gt;"
        assert [b["type"] for b in blocks][-1] == "context"
        assert site.base + "/articles/kr-us" in blocks[-1]["elements"][0]["text"]
        assert "2026-11-21" in json.dumps(blocks[-1])
        assert "<!channel>" not in json.dumps(message.params)
    finally:
        await adapter.stop()
        await core.close()


async def test_compare_answers_with_a_table_and_uploads_its_chart(
    fake: SlackFake, bot: SlackAdapter, core: Core
) -> None:
    await core.pipeline.store_story(
        NewStory(url="http://127.0.0.1:9/jp", title="Japan and US seal deal", text=SEED_TEXT)
    )
    title, text = STORIES[0]
    await core.pipeline.store_story(NewStory(url="http://127.0.0.1:9/vn", title=title, text=text))
    await slack_sends(fake, bot, "slash_commands", command_form(fake, "compare japan vietnam", user=MEMBER))
    [response] = await eventually(lambda: fake.responses)
    assert response["response_type"] == "in_channel"
    table = next(
        b["text"]["text"] for b in response["blocks"] if b["type"] == "section" and "```" in b["text"]["text"]
    )
    assert "Japan" in table and "Vietnam" in table and "27.5% → 15%" in table
    [upload] = await eventually(lambda: [u for u in fake.uploads.values() if u.completed])
    assert upload.channel == CHANNEL and upload.data.startswith(b"\x89PNG")


async def test_a_refused_question_is_whispered_to_the_asker(tmp_path: Path, fake: SlackFake) -> None:
    """Refusals (here: the per-user question limit) are ephemeral: chat.postEphemeral to the asker,
    in the thread, saying why; nothing is posted for the channel to see."""
    settings = Settings.model_validate({"limits": {"ask_per_user_per_min": 1}})
    core = await Core.open(settings, url=f"sqlite+aiosqlite:///{tmp_path / 'limits.db'}")
    adapter = make_adapter(fake, "socket")
    await adapter.start(core)
    try:
        for question in ("Is there a deal?", "And now?"):
            await slack_sends(
                fake, adapter, "events_api", event_callback(mention_event(question, user=MEMBER))
            )
        [whisper] = await eventually(lambda: fake.ephemeral)
        assert whisper.user == MEMBER and whisper.channel == CHANNEL and whisper.thread_ts
        assert "Slow down" in whisper.text
        await eventually(lambda: fake.channel_messages(CHANNEL))
        await asyncio.sleep(0.2)
        assert len(fake.channel_messages(CHANNEL)) == 1
    finally:
        await adapter.stop()
        await core.close()
