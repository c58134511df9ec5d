"""Settings: TOML file, TRADEBOT_* overrides, errors that name the key and value, secrets only from
the environment and never shown."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Secrets, database_url_from_arg, load_settings

TOML = """
feeds = ["https://news.example/rss"]

[polling]
default_interval_min = 15
max_concurrency = 8

[delivery]
max_attempts = 7

[limits]
ask_per_user_per_min = 4
"""


def write(tmp_path, text: str):
    path = tmp_path / "tradebot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file_or_environment():
    s = load_settings(None, env={})
    assert s.polling.default_interval_min == 10 and s.polling.disable_after_failures == 20
    assert s.fetch.max_redirects == 5 and s.fetch.max_feed_bytes == 5_000_000
    assert s.fetch.allow_private_addresses is False
    assert s.adapters.enabled == ["console"]
    assert s.database_url.startswith("sqlite+aiosqlite:///") and s.database_url.endswith("tradebot.db")


def test_the_file_then_the_environment_win(tmp_path):
    path = write(tmp_path, TOML)
    s = load_settings(path, env={})
    assert (s.polling.default_interval_min, s.polling.max_concurrency, s.delivery.max_attempts) == (15, 8, 7)
    assert s.feeds == ["https://news.example/rss"]
    s = load_settings(
        path,
        env={
            "TRADEBOT_POLLING_MAX_CONCURRENCY": "3",
            "TRADEBOT_LIMITS_ASK_PER_USER_PER_MIN": "9",
            "TRADEBOT_ALLOW_PRIVATE_ADDRESSES": "1",
            "TRADEBOT_DB": "sqlite+aiosqlite:////tmp/x.db",
            "TRADEBOT_LOG_LEVEL": "DEBUG",
            "TRADEBOT_FETCH_PRIVATE_HOST_ALLOWLIST": "feeds.lan,10.0.0.5",
            "TRADEBOT_ADAPTERS_ENABLED": '["discord", "slack"]',
            "TRADEBOT_SOMETHING_ELSE": "ignored",  # no such section: not ours
        },
    )
    assert s.polling.max_concurrency == 3 and s.polling.default_interval_min == 15
    assert s.limits.ask_per_user_per_min == 9
    assert s.fetch.allow_private_addresses is True
    assert s.database_url == "sqlite+aiosqlite:////tmp/x.db"
    assert s.logging.level == "DEBUG"
    assert s.fetch.private_host_allowlist == ["feeds.lan", "10.0.0.5"]
    assert s.adapters.enabled == ["discord", "slack"]


def test_config_file_from_the_environment(tmp_path):
    path = write(tmp_path, TOML)
    assert load_settings(None, env={"TRADEBOT_CONFIG": str(path)}).delivery.max_attempts == 7


@pytest.mark.parametrize(
    "source,where,needle",
    [
        ("[polling]\nmax_concurrency = 0\n", {}, "polling.max_concurrency = 0"),
        ("[polling]\nmax_concurrency = 'lots'\n", {}, "polling.max_concurrency = 'lots'"),
        ("[polling]\nmax_concurency = 3\n", {}, "polling.max_concurency = 3"),  # a typo is not ignored
        ("[fetch]\nallow_private_addresses = 'perhaps'\n", {}, "fetch.allow_private_addresses = 'perhaps'"),
        ("feeds = ['ftp://x.example/feed']\n", {}, "ftp://x.example/feed"),
        ("", {"TRADEBOT_DELIVERY_MAX_ATTEMPTS": "-1"}, "delivery.max_attempts = '-1'"),
        ("", {"TRADEBOT_LOG_LEVEL": "LOUD"}, "logging.level = 'LOUD'"),
    ],
)
def test_an_invalid_setting_names_its_key_and_value(tmp_path, source, where, needle):
    path = write(tmp_path, source)
    with pytest.raises(ConfigError) as info:
        load_settings(path, env=where)
    assert needle in str(info.value)
    assert str(path) in str(info.value)


def test_a_missing_or_broken_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found: .*nope.toml"):
        load_settings(tmp_path / "nope.toml", env={})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[polling\n"), env={})


@pytest.mark.parametrize(
    "section,key",
    [
        ("discord", "token"),
        ("slack", "bot_token"),
        ("slack", "signing_secret"),
        ("news", "llm_api_key"),
    ],
)
def test_secrets_are_refused_in_the_file(tmp_path, section, key):
    path = write(tmp_path, f'[{section}]\n{key} = "xoxb-123456-abcdef"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert f"{section}.{key} must not be in the config file" in str(info.value)
    assert "xoxb-123456-abcdef" not in str(info.value)


def test_secrets_come_from_the_environment_and_never_show_in_a_repr():
    token = "MTIzNDU2.discord-token-value"
    secrets = Secrets.from_env(
        {"DISCORD_TOKEN": token, "SLACK_BOT_TOKEN": "  ", "SLACK_APP_TOKEN": "xapp-1-abc"}
    )
    assert secrets.discord_token is not None and secrets.discord_token.get_secret_value() == token
    assert secrets.slack_bot_token is None  # blank is unset
    for shown in (repr(secrets), str(secrets), f"{secrets}", secrets.model_dump_json()):
        assert token not in shown and "xapp-1-abc" not in shown


def test_a_token_in_the_environment_is_not_taken_as_a_setting():
    s = load_settings(None, env={"TRADEBOT_LLM_API_KEY": "sk-secret-123456"})
    assert "sk-secret-123456" not in s.model_dump_json()


@pytest.mark.parametrize(
    "arg,url",
    [
        ("sqlite://relative.db", "sqlite+aiosqlite://relative.db"),
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_db_argument_accepts_urls(arg, url):
    assert database_url_from_arg(arg) == url


def test_db_argument_accepts_a_path(tmp_path):
    assert database_url_from_arg(str(tmp_path / "a.db")) == f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"
