"""Hypothesis properties for the core's inputs: typed command lines and arbitrary chat commands.

(Feed parsing and dedupe keys: tests/test_feeds_fuzz.py. Slack/Discord escaping: the adapters' tests.)
Example counts are bounded so the suite stays fast in CI.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import COMMANDS, Env, dispatch, parse_line
from bot.config import LimitsSettings, Settings
from bot.models import Command, Context, Reply
from bot.store.db import create_engine, migrate

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text with the characters that break naive parsers: quotes, slashes, markup, mentions, controls.
nasty_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(list("/'\"`;,=-_ \t\n<>@#&*|\\{}[]"))), max_size=300
)


@FUZZ
@given(nasty_text)
def test_parse_line_never_crashes_and_names_a_command(line):
    name, text, options = parse_line(line)
    assert isinstance(name, str) and isinstance(text, str) and isinstance(options, dict)
    if not line.strip().lstrip("/").split():
        assert name == "help"
    if name == "subscribe":
        assert all(isinstance(c, str) and c for c in options["countries"])
        assert 0 <= options.get("min_relevance", 0) <= 1


option_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    nasty_text,
    st.lists(nasty_text, max_size=60),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
commands = st.builds(
    Command,
    name=st.one_of(st.sampled_from(sorted(COMMANDS)), st.text(max_size=20)),
    ctx=st.builds(
        Context,
        platform=st.sampled_from(["discord", "slack", "console"]),
        workspace=nasty_text,
        channel=nasty_text,
        user=nasty_text,
        is_dm=st.booleans(),
        can_manage_channel=st.booleans(),
        can_manage_feeds=st.booleans(),
    ),
    text=nasty_text,
    options=st.dictionaries(
        st.sampled_from(
            [
                "countries",
                "parties",
                "updates_only",
                "min_relevance",
                "interval",
                "question",
                "party",
                "deal",
                "x",
            ]
        ),
        option_values,
        max_size=4,
    ),
)


@pytest.fixture
async def fuzz_env(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}")
    await migrate(engine)
    limits = LimitsSettings(
        ask_per_user_per_min=10_000, ask_per_channel_per_min=10_000, feed_adds_per_user_per_hour=10_000
    )
    yield Env(engine=engine, settings=Settings(limits=limits))
    await engine.dispose()


@FUZZ
@given(command=commands)
async def test_dispatch_never_raises_and_always_answers(fuzz_env, command):
    reply = await dispatch(fuzz_env, command)
    assert isinstance(reply, Reply) and reply.text.strip()
    if reply.kind in ("refusal", "error"):
        assert reply.ephemeral  # refusals and mistakes are shown to the asker only
