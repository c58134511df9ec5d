"""Adding, listing and removing feeds (used by the `tradebot feeds …` commands and OPML import)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import PollingSettings
from bot.feeds.errors import UnsupportedURL
from bot.feeds.identity import canonical_url
from bot.models import Feed
from bot.store import feeds_repo


def validate_feed_url(url: str) -> str:
    """An http(s) URL with a host, else UnsupportedURL (the address guard runs at fetch time)."""
    url = url.strip()
    if canonical_url(url) is None:
        raise UnsupportedURL(
            f"a feed URL must be http:// or https:// with a host, not {url[:200]!r}", url=url
        )
    return url


def clamp_interval(interval_min: float | None, settings: PollingSettings) -> float:
    value = settings.default_interval_min if interval_min is None else interval_min
    return min(max(value, settings.min_interval_min), settings.max_interval_min)


async def add_feed(
    engine: AsyncEngine,
    url: str,
    *,
    settings: PollingSettings,
    interval_min: float | None = None,
    title: str | None = None,
    workspace: str | None = None,
) -> tuple[Feed, bool]:
    url = validate_feed_url(url)
    async with engine.begin() as conn:
        return await feeds_repo.add_feed(
            conn, url, interval_min=clamp_interval(interval_min, settings), title=title, workspace=workspace
        )


async def list_feeds(engine: AsyncEngine) -> list[Feed]:
    async with engine.connect() as conn:
        return await feeds_repo.list_feeds(conn)


async def remove_feed(engine: AsyncEngine, key: str) -> Feed | None:
    async with engine.begin() as conn:
        return await feeds_repo.remove_feed(conn, key.strip())


@dataclass(slots=True, frozen=True)
class FeedStatus:
    """What `feeds list` shows for one feed."""

    state: str  # "new" | "ok" | "failing" | "disabled"
    detail: str


def feed_status(feed: Feed) -> FeedStatus:
    if feed.disabled_reason:
        return FeedStatus("disabled", feed.disabled_reason)
    if feed.error_count:
        return FeedStatus("failing", f"{feed.error_count} failures in a row; last error: {feed.last_error}")
    if feed.last_ok_at is None:
        return FeedStatus("new", "not polled yet")
    return FeedStatus("ok", feed.last_error or "")
