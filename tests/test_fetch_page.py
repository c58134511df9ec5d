"""One page for `tradebot ingest URL` / `analyze URL`: same limits and guard as the poller."""

from __future__ import annotations

import pytest
from fakes.news_site import FeedSpec, NewsSite, feed_test_settings, sample_articles

from bot.feeds.errors import BlockedAddress, BodyTooLarge, UnsupportedURL
from bot.feeds.fetch import decode_page
from bot.feeds.single import fetch_page_text
from bot.news.article import extract_article


@pytest.fixture
async def site():
    async with NewsSite() as s:
        s.add_feed(FeedSpec("p", "P", sample_articles("jute", 1)))
        yield s


async def test_page_text_then_article(site):
    settings = feed_test_settings().fetch
    html = await fetch_page_text(site.url("/articles/jute-0"), settings)
    article = extract_article(html, site.url("/articles/jute-0"))
    assert "lower its tariff on Japanese cars to 15 percent in round 0" in article.text
    assert "senate" not in article.text


async def test_page_fetch_keeps_the_guard_and_caps(site):
    with pytest.raises(BlockedAddress):
        await fetch_page_text(
            site.url("/articles/jute-0"), feed_test_settings(allow_private_addresses=False).fetch
        )
    with pytest.raises(UnsupportedURL):
        await fetch_page_text("file:///etc/hostname", feed_test_settings().fetch)
    with pytest.raises(BodyTooLarge):
        await fetch_page_text(site.url("/fault/huge"), feed_test_settings(max_page_bytes=100_000).fetch)


@pytest.mark.parametrize(
    ("body", "ctype", "text"),
    [
        ("caf\u00e9".encode("latin-1"), "text/html; charset=iso-8859-1", "caf\u00e9"),
        ('<meta charset="windows-1252"><p>caf\u00e9</p>'.encode("cp1252"), "text/html", "caf\u00e9"),
        ("caf\u00e9".encode(), "text/html", "caf\u00e9"),
        (b"caf\xff", "text/html; charset=no-such-charset", "caf\ufffd"),
    ],
)
def test_decode_page_charset(body, ctype, text):
    assert text in decode_page(body, ctype)
