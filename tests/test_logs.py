"""Logs are structured, quiet by default, and never carry a secret."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logs import JsonFormatter, RedactSecrets, TextFormatter, setup_logging

TOKEN = "xoxb-1111-2222-SECRETVALUE"


def logger_to(stream: io.StringIO, formatter: logging.Formatter, env: dict[str, str]) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RedactSecrets(env))
    log = logging.getLogger(f"test.logs.{id(stream)}")
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.DEBUG)
    return log


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()])
def test_a_token_is_scrubbed_from_the_message_and_its_arguments(formatter):
    out = io.StringIO()
    log = logger_to(out, formatter, {"SLACK_BOT_TOKEN": TOKEN})
    log.warning("auth with %s failed", TOKEN, extra={"channel": "C1"})
    log.warning("header: Bearer " + TOKEN)
    log.warning("send failed", extra={"reason": f"invalid_auth {TOKEN}"})  # a structured field
    text = out.getvalue()
    assert TOKEN not in text
    assert text.count("**********") == 3 and "C1" in text


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()])
def test_a_token_is_scrubbed_from_a_traceback(formatter):
    out = io.StringIO()
    log = logger_to(out, formatter, {"DISCORD_TOKEN": TOKEN})
    try:
        raise RuntimeError(f"login refused for token {TOKEN}")
    except RuntimeError:
        log.exception("could not start")
    text = out.getvalue()
    assert TOKEN not in text
    assert "RuntimeError: login refused for token **********" in text.replace("\\n", "\n")
    assert "Traceback" in text


def test_without_secrets_nothing_is_changed():
    out = io.StringIO()
    log = logger_to(out, TextFormatter(), {"DISCORD_TOKEN": "abc"})  # too short to be a real token
    log.warning("value %s", "abc")
    assert out.getvalue().strip() == f"warning test.logs.{id(out)}: value abc"


def test_json_lines_carry_structured_fields():
    out = io.StringIO()
    log = logger_to(out, JsonFormatter(), {})
    log.warning("feed disabled", extra={"feed_id": 7, "reason": "HTTP 500 twenty times"})
    record = json.loads(out.getvalue())
    assert record["level"] == "WARNING" and record["msg"] == "feed disabled"
    assert record["feed_id"] == 7 and record["reason"] == "HTTP 500 twenty times"
    assert record["ts"].endswith("+00:00")


def test_setup_is_quiet_by_default_and_verbose_on_request(monkeypatch, capsys):
    monkeypatch.setenv("SLACK_APP_TOKEN", TOKEN)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("WARNING", "text", 0)
        logging.getLogger("bot.test").info("chatty")
        logging.getLogger("bot.test").warning("worth knowing %s", TOKEN)
        err = capsys.readouterr().err
        assert "chatty" not in err and "worth knowing **********" in err
        setup_logging("WARNING", "json", 1)
        assert root.level == logging.INFO
        setup_logging("WARNING", "text", 2)
        assert root.level == logging.DEBUG
        assert logging.getLogger("aiosqlite").level == logging.WARNING  # noisy libraries stay quiet
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
