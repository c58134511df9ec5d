"""Settings: one validated object from a TOML file plus TRADEBOT_* environment overrides.

Order of precedence (last wins): built-in defaults → TOML file → environment. An environment
override is named TRADEBOT_<SECTION>_<KEY> (TRADEBOT_POLLING_MAX_CONCURRENCY=8); a few common ones
have short names (TRADEBOT_DB, TRADEBOT_ALLOW_PRIVATE_ADDRESSES, TRADEBOT_LOG_LEVEL).

Tokens and secrets are never read from the file: only from the environment, through `Secrets`,
and they are held as pydantic SecretStr so that a repr or a log line shows '**********'.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names the key and the value."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DatabaseSettings(_Section):
    url: str = ""  # empty: a SQLite file in the user's data directory


class PollingSettings(_Section):
    default_interval_min: float = Field(10, ge=1)
    min_interval_min: float = Field(1, ge=1)
    max_interval_min: float = Field(24 * 60, ge=1)
    jitter_fraction: float = Field(0.1, ge=0, le=0.5)
    max_concurrency: int = Field(32, ge=1, le=1000)
    per_host_concurrency: int = Field(4, ge=1, le=100)
    disable_after_failures: int = Field(20, ge=1)
    backoff_base_s: float = Field(60, ge=0)
    backoff_max_s: float = Field(6 * 3600, ge=1)
    article_concurrency: int = Field(8, ge=1, le=200)


class FetchSettings(_Section):
    total_timeout_s: float = Field(20, gt=0)
    connect_timeout_s: float = Field(10, gt=0)
    max_redirects: int = Field(5, ge=0, le=20)
    max_feed_bytes: int = Field(5_000_000, ge=1024)
    max_page_bytes: int = Field(10_000_000, ge=1024)
    allow_private_addresses: bool = False
    private_host_allowlist: list[str] = Field(default_factory=list)
    user_agent: str = "tradebot/0.1 (+https://github.com/tradebot/tradebot)"


class NewsSettings(_Section):
    min_relevance: float = Field(0.5, ge=0, le=1)
    llm_endpoint: str = ""  # OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1; empty = off
    llm_model: str = "local"
    llm_timeout_s: float = Field(15, gt=0)


class DeliverySettings(_Section):
    batch_size: int = Field(50, ge=1, le=10_000)
    max_attempts: int = Field(50, ge=1)
    backoff_base_s: float = Field(2, ge=0)
    backoff_max_s: float = Field(600, ge=1)
    claim_timeout_s: float = Field(300, ge=1)
    discord_global_rps: float = Field(45, gt=0, le=50)
    slack_per_channel_interval_s: float = Field(1.0, ge=0)


class LimitsSettings(_Section):
    max_argument_length: int = Field(500, ge=10)
    ask_per_user_per_min: int = Field(10, ge=1)
    ask_per_channel_per_min: int = Field(30, ge=1)
    feed_adds_per_user_per_hour: int = Field(20, ge=1)
    max_feeds_per_workspace: int = Field(200, ge=1)
    max_subscriptions_per_workspace: int = Field(500, ge=1)


class DiscordSettings(_Section):
    guild_id: int | None = None  # sync commands to this guild only (development)
    feed_manager_role: str = ""
    admin_channel_id: int | None = None


class SlackSettings(_Section):
    mode: Literal["socket", "http"] = "socket"
    http_host: str = "0.0.0.0"  # noqa: S104 - HTTP mode must be reachable by Slack
    http_port: int = Field(3000, ge=1, le=65535)
    http_path: str = "/slack/events"
    subscription_manager_usergroup: str = ""
    api_base_url: str = ""  # tests point this at a loopback fake


class AdapterSettings(_Section):
    enabled: list[Literal["console", "discord", "slack"]] = Field(default_factory=lambda: ["console"])


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    format: Literal["text", "json"] = "text"


class Settings(_Section):
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    polling: PollingSettings = Field(default_factory=PollingSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    news: NewsSettings = Field(default_factory=NewsSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    adapters: AdapterSettings = Field(default_factory=AdapterSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    feeds: list[str] = Field(default_factory=list)  # feed URLs added at start (idempotent)

    @field_validator("feeds")
    @classmethod
    def _feeds_are_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"feed URL must start with http:// or https://: {url!r}")
        return value

    @property
    def database_url(self) -> str:
        return self.database.url or default_database_url()


class Secrets(BaseModel):
    """Tokens, from the environment only."""

    discord_token: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    llm_api_key: SecretStr | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Secrets:
        env = os.environ if env is None else env

        def get(name: str) -> SecretStr | None:
            value = env.get(name, "").strip()
            return SecretStr(value) if value else None

        return cls(
            discord_token=get("DISCORD_TOKEN"),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            llm_api_key=get("TRADEBOT_LLM_API_KEY"),
        )


SECRET_ENV = ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "TRADEBOT_LLM_API_KEY")
_SHORT_ENV = {
    "TRADEBOT_DB": ("database", "url"),
    "TRADEBOT_ALLOW_PRIVATE_ADDRESSES": ("fetch", "allow_private_addresses"),
    "TRADEBOT_LOG_LEVEL": ("logging", "level"),
}


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir("tradebot", appauthor=False))


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{data_dir() / 'tradebot.db'}"


def database_url_from_arg(value: str) -> str:
    """`--db` accepts a SQLite path or any SQLAlchemy URL."""
    if "://" in value:
        if value.startswith("sqlite://"):
            return value.replace("sqlite://", "sqlite+aiosqlite://", 1)
        if value.startswith("postgresql://"):
            return value.replace("postgresql://", "postgresql+asyncpg://", 1)
        return value
    return f"sqlite+aiosqlite:///{Path(value).expanduser().resolve()}"


def _env_overrides(env: Mapping[str, str], sections: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, raw in env.items():
        if name in _SHORT_ENV:
            section, key = _SHORT_ENV[name]
        elif name.startswith("TRADEBOT_") and name not in SECRET_ENV:
            rest = name[len("TRADEBOT_"):].lower()
            section = next((s for s in sections if rest.startswith(s + "_")), "")
            if not section:
                continue
            key = rest[len(section) + 1:]
        else:
            continue
        out.setdefault(section, {})[key] = _env_value(raw)
    return out


def _env_value(raw: str) -> Any:
    """Environment values are strings; pydantic coerces numbers and booleans ("1", "true").
    A list is written comma-separated ("a,b") or as JSON ("[\"a\"]")."""
    text = raw.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    if "," in text:
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _describe(error: ValidationError, source: str) -> str:
    lines = [f"invalid settings in {source}:"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        value = item.get("input")
        lines.append(f"  {key} = {value!r}: {item['msg']}")
    return "\n".join(lines)


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read, merge and validate once. Raises ConfigError naming each bad key and value."""
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    source = "defaults"
    path = path or env.get("TRADEBOT_CONFIG") or None
    if path:
        file = Path(path).expanduser()
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {file}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {file} is not valid TOML: {exc}") from exc
        source = str(file)
        for section in ("discord", "slack", "news"):
            for key in list(data.get(section, {})):
                if "token" in key or "secret" in key or key == "llm_api_key":
                    raise ConfigError(
                        f"{section}.{key} must not be in the config file: set it in the environment instead"
                    )
    sections = set(Settings.model_fields) - {"feeds"}
    data = _merge(data, _env_overrides(env, sections))
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source + " and TRADEBOT_* environment")) from None
