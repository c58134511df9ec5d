"""The command layer's checks: rights, argument bounds, abuse limits, caps, text-line parsing, and
chat input that stays data all the way into SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from bot.commands import COMMANDS, Env, dispatch, parse_line
from bot.commands.limits import RateLimiter
from bot.config import LimitsSettings, Settings
from bot.models import Command, Context
from bot.store.tables import feeds, subscriptions


def ctx(user: str = "u1", channel: str = "c1", workspace: str = "w1", **rights: bool) -> Context:
    return Context(platform="discord", workspace=workspace, channel=channel, user=user, **rights)


ADMIN = {"can_manage_channel": True, "can_manage_feeds": True}


@pytest.fixture
def clock():
    return [1000.0]


@pytest.fixture
def env(engine, clock):
    limits = LimitsSettings(
        ask_per_user_per_min=2,
        ask_per_channel_per_min=3,
        feed_adds_per_user_per_hour=2,
        max_feeds_per_workspace=3,
        max_subscriptions_per_workspace=2,
        max_argument_length=100,
    )
    return Env(engine=engine, settings=Settings(limits=limits), limiter=RateLimiter(clock=lambda: clock[0]))


async def run(env: Env, name: str, context: Context, text: str = "", **options):  # -> Reply
    return await dispatch(env, Command(name, context, text=text, options=options))


# ---------------------------------------------------------------- rights


async def test_changing_a_subscription_without_the_right_is_refused_privately_saying_what_is_missing(env):
    reply = await run(env, "subscribe", ctx(), countries=["Japan"])
    assert reply.kind == "refusal" and reply.ephemeral
    assert "Manage Channels" in reply.text
    reply = await run(env, "unsubscribe", ctx())
    assert reply.kind == "refusal" and "Manage Channels" in reply.text
    async with env.engine.connect() as conn:
        assert (await conn.execute(select(subscriptions))).first() is None


async def test_managing_feeds_without_the_right_is_refused_privately(env):
    for name, text in (("feeds_add", "https://news.example/feed"), ("feeds_remove", "1")):
        reply = await run(env, name, ctx(can_manage_channel=True), text)
        assert reply.kind == "refusal" and reply.ephemeral
        assert "Manage Server" in reply.text and "feed" in reply.text
    async with env.engine.connect() as conn:
        assert (await conn.execute(select(feeds))).first() is None


async def test_with_the_right_the_same_commands_work(env):
    assert (await run(env, "subscribe", ctx(**ADMIN), countries=["japan"])).kind == "info"
    assert (await run(env, "feeds_add", ctx(**ADMIN), "https://news.example/feed")).kind == "info"
    # a direct message is the user's own channel
    assert (await run(env, "subscribe", ctx(channel="dm1", is_dm=True))).kind == "info"


# ---------------------------------------------------------------- argument bounds


@pytest.mark.parametrize(
    "text,options",
    [
        ("x" * 101, {}),
        ("", {"countries": ["y" * 101]}),
        ("", {"countries": ["Japan"] * 51}),
        ("", {"question": "z" * 101}),
    ],
)
async def test_arguments_over_the_limit_are_refused_before_anything_runs(env, text, options):
    for name in ("ask", "subscribe", "feeds_add", "deal"):
        reply = await run(env, name, ctx(**ADMIN), text, **options)
        assert reply.kind == "error" and reply.ephemeral
        assert "under 100 characters" in reply.text
    async with env.engine.connect() as conn:
        assert (await conn.execute(select(subscriptions))).first() is None
        assert (await conn.execute(select(feeds))).first() is None


async def test_bad_values_are_refused_with_the_reason(env):
    reply = await run(env, "subscribe", ctx(**ADMIN), countries=["Atlantis"])
    assert reply.kind == "error" and "Atlantis" in reply.text
    reply = await run(env, "subscribe", ctx(**ADMIN), min_relevance=3)
    assert reply.kind == "error" and "between 0 and 1" in reply.text
    reply = await run(env, "feeds_add", ctx(**ADMIN), "file:///etc/passwd")
    assert reply.kind == "error" and "http://" in reply.text
    reply = await run(env, "ask", ctx(), "   ")
    assert reply.kind == "error" and "Usage: ask" in reply.text


async def test_a_failing_handler_becomes_an_error_reply_not_an_exception(env, caplog):
    reply = await run(env, "subscribe", ctx(**ADMIN), min_relevance="not a number")
    assert reply.kind == "error" and "logged" in reply.text
    assert any("command failed" in r.getMessage() for r in caplog.records)


async def test_an_unknown_command_gets_the_command_list(env):
    reply = await run(env, "launch-missiles", ctx())
    assert reply.kind == "help"
    for name in ("subscribe", "ask", "feeds add", "latest"):
        assert name in reply.text


# ---------------------------------------------------------------- abuse limits


async def test_ask_is_limited_per_user_then_per_channel_with_a_clear_message(env, clock):
    assert (await run(env, "ask", ctx("alice"), "What tariff does Japan pay?")).kind != "refusal"
    assert (await run(env, "ask", ctx("alice"), "And Vietnam?")).kind != "refusal"
    refused = await run(env, "ask", ctx("alice"), "And Korea?")
    assert refused.kind == "refusal" and refused.ephemeral
    assert refused.text == "Slow down: too many ask requests. Try again in 60 s."
    # another user in the same channel still may, until the channel's own limit (3 a minute)
    assert (await run(env, "ask", ctx("bob"), "Who signed?")).kind != "refusal"
    assert (await run(env, "ask", ctx("carol"), "When?")).kind == "refusal"
    assert (await run(env, "ask", ctx("carol", channel="c2"), "When?")).kind != "refusal"
    clock[0] += 61  # a minute later, all is forgiven
    assert (await run(env, "ask", ctx("alice"), "And Korea?")).kind != "refusal"


async def test_feed_additions_are_limited_per_user_per_hour(env, clock):
    for i in range(2):
        assert (await run(env, "feeds_add", ctx(**ADMIN), f"https://n{i}.example/rss")).kind == "info"
    refused = await run(env, "feeds_add", ctx(**ADMIN), "https://n9.example/rss")
    assert refused.kind == "refusal" and "too many feeds_add requests" in refused.text
    assert "3600 s" in refused.text
    clock[0] += 3601
    assert (await run(env, "feeds_add", ctx(**ADMIN), "https://n9.example/rss")).kind == "info"


async def test_other_commands_are_not_rate_limited(env):
    for _ in range(20):
        assert (await run(env, "subscriptions", ctx())).kind != "refusal"


async def test_subscriptions_are_capped_per_workspace(env):
    for channel in ("a", "b"):
        assert (await run(env, "subscribe", ctx(channel=channel, **ADMIN))).kind == "info"
    reply = await run(env, "subscribe", ctx(channel="c", **ADMIN))
    assert reply.kind == "error" and "2 subscribed channels, the configured maximum" in reply.text
    # changing an existing one is not a new subscription; another workspace has its own cap
    assert (await run(env, "subscribe", ctx(channel="a", **ADMIN), updates_only=True)).kind == "info"
    assert (await run(env, "subscribe", ctx(channel="c", workspace="w2", **ADMIN))).kind == "info"


async def test_feeds_are_capped_per_workspace(env, clock):
    for i in range(3):
        assert (
            await run(env, "feeds_add", ctx(user=f"u{i}", **ADMIN), f"https://f{i}.example/")
        ).kind == "info"
    reply = await run(env, "feeds_add", ctx(user="u9", **ADMIN), "https://f9.example/")
    assert reply.kind == "error" and "3 feeds, the configured maximum" in reply.text
    assert (
        await run(env, "feeds_add", ctx(user="u9", workspace="w2", **ADMIN), "https://f9.example/")
    ).kind == "info"


# ---------------------------------------------------------------- SQL sees data, never code

HOSTILE = "x'); DROP TABLE subscriptions; --"


async def test_hostile_names_stay_data_in_every_query(env, engine):
    hostile = ctx(user=HOSTILE, channel=HOSTILE, workspace="w\"1'; DELETE FROM feeds; --", **ADMIN)
    assert (await run(env, "subscribe", hostile)).kind == "info"
    url = "https://news.example/feed?q=1'; DROP TABLE feeds; --"
    assert (await run(env, "feeds_add", hostile, url)).kind == "info"
    listed = await run(env, "subscriptions", hostile)
    assert f"#{HOSTILE}:" in listed.text
    assert url in (await run(env, "feeds_list", hostile)).text
    reply = await run(env, "feeds_remove", hostile, "1 OR 1=1")
    assert reply.kind == "error" and "No feed '1 OR 1=1'" in reply.text
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        sub = (await conn.execute(select(subscriptions))).one()
        feed = (await conn.execute(select(feeds))).one()
    assert {"subscriptions", "feeds", "deliveries"} <= set(tables)
    assert (sub.channel, sub.created_by, feed.url) == (HOSTILE, HOSTILE, url)
    assert (await run(env, "unsubscribe", hostile)).text == "This channel is unsubscribed."


# ---------------------------------------------------------------- typed command lines


@pytest.mark.parametrize(
    "line,expected",
    [
        ("", ("help", "", {})),
        ("   /  ", ("help", "", {})),
        ("/help", ("help", "", {})),
        ("?", ("help", "", {})),
        (
            "subscribe japan,vietnam updates-only",
            ("subscribe", "", {"countries": ["japan", "vietnam"], "updates_only": True}),
        ),
        ("subscribe", ("subscribe", "", {"countries": [], "updates_only": False})),
        (
            "subscribe south korea and japan 0.7",
            (
                "subscribe",
                "",
                {"countries": ["south korea", "japan"], "updates_only": False, "min_relevance": 0.7},
            ),
        ),
        (
            "/Subscribe EU min-relevance=.3",
            ("subscribe", "", {"countries": ["EU"], "updates_only": False, "min_relevance": 0.3}),
        ),
        ("compare japan vs vietnam", ("compare", "japan vs vietnam", {"parties": ["japan", "vietnam"]})),
        (
            "compare united states, united kingdom",
            ("compare", "united states, united kingdom", {"parties": ["united states", "united kingdom"]}),
        ),
        ("feeds add https://a.example/rss 30", ("feeds_add", "https://a.example/rss", {"interval": 30.0})),
        (
            "feeds add https://a.example/rss --interval=15m",
            ("feeds_add", "https://a.example/rss", {"interval": 15.0}),
        ),
        ("feeds add https://a.example/rss", ("feeds_add", "https://a.example/rss", {})),
        ("feeds", ("feeds_list", "", {})),
        ("feeds rm 3", ("feeds_remove", "3", {})),
        ("q what tariff on cars?", ("ask", "what tariff on cars?", {})),
        ("/ask   What  is\tthe rate?", ("ask", "What is the rate?", {})),
        ("list", ("subscriptions", "", {})),
        ("latest japan", ("latest", "japan", {})),
        ("frobnicate now", ("frobnicate", "now", {})),
    ],
)
def test_parse_line(line, expected):
    assert parse_line(line) == expected


def test_every_usage_line_parses_to_its_own_command():
    for spec in COMMANDS.values():
        assert parse_line(spec.usage)[0] == spec.name
