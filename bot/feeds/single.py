"""Fetching one page for `tradebot ingest URL` / `tradebot analyze URL`, with the same limits and
guard as the poller."""

from __future__ import annotations

from bot.config import FetchSettings
from bot.feeds.fetch import PAGE_ACCEPT, Fetcher, decode_page


async def fetch_page_text(url: str, settings: FetchSettings | None = None) -> str:
    """The page's text (HTML as served, decoded); raises a bot.feeds.errors.FeedError on failure.

    Without settings, reads them the way the CLI does (file named by TRADEBOT_CONFIG, environment)."""
    if settings is None:
        from bot.config import load_settings

        settings = load_settings().fetch
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url, max_bytes=settings.max_page_bytes, accept=PAGE_ACCEPT)
    return decode_page(page.body, page.content_type)
