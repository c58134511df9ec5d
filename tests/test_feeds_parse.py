"""Feed parsing, identity and scheduling: pure functions, table-driven."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import PollingSettings
from bot.feeds.errors import EmptyBody, InvalidXML, NotAFeed, UnsafeXML
from bot.feeds.identity import canonical_url, entry_identity, html_to_text, identity_key
from bot.feeds.parse import parse_feed
from bot.feeds.schedule import (
    backoff_s,
    cache_max_age_s,
    next_check_after_failure,
    next_check_after_success,
)

RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Trade Desk</title><ttl>45</ttl>
<item><title>Ministers meet on steel</title><link>https://news.example/a/1?utm_source=rss</link>
<guid isPermaLink="false">desk-1</guid><pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate>
<description>&lt;p&gt;Talks &lt;b&gt;resumed&lt;/b&gt; in Geneva.&lt;/p&gt;</description></item>
<item><title>No guid here</title><link>https://news.example/a/2</link></item></channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title>
<id>urn:x</id><updated>2026-11-20T09:00:00Z</updated><entry><title>Quota deal</title>
<link href="https://news.example/b/1"/><id>tag:news.example,2026:b1</id><updated>2026-11-21T10:30:00Z</updated>
<content type="html">&lt;p&gt;Full &lt;i&gt;content&lt;/i&gt;&lt;/p&gt;</content><summary>Short</summary></entry></feed>"""


def test_rss_entries_and_ttl():
    feed = parse_feed(RSS, content_type="application/rss+xml")
    assert feed.title == "Trade Desk" and feed.version == "rss20" and feed.ttl_min == 45 and not feed.warnings
    first, second = feed.entries
    assert first.guid == "desk-1" and first.link == "https://news.example/a/1?utm_source=rss"
    assert first.published == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert html_to_text(first.content_html) == "Talks resumed in Geneva."
    assert second.guid == "https://news.example/a/2" or second.guid is None  # feedparser may copy the link


def test_atom_prefers_content_over_summary():
    feed = parse_feed(ATOM)
    (entry,) = feed.entries
    assert feed.version == "atom10" and entry.guid == "tag:news.example,2026:b1"
    assert html_to_text(entry.content_html) == "Full content"
    assert entry.published == datetime(2026, 11, 21, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "ctype", "error", "message"),
    [
        (b"", None, EmptyBody, "empty body"),
        (b"  \n\t ", None, EmptyBody, "empty body"),
        (b"<!doctype html><html><body><p>Hello</p></body></html>", "text/html", NotAFeed, "HTML page"),
        (b"<html><head><title>x</title></head></html>", None, NotAFeed, "HTML page"),
        (
            b"<?xml version='1.0'?><rss version='2.0'><channel <title>>x</ti<<tle>< item>>&&</",
            None,
            InvalidXML,
            "not well-formed",
        ),
        (b"just some words, not a feed", "text/plain", InvalidXML, "not well-formed"),
        (b"<?xml version='1.0'?><note><to>A</to></note>", None, NotAFeed, "not an RSS or Atom feed"),
    ],
)
def test_unusable_documents_raise_clear_errors(body, ctype, error, message):
    with pytest.raises(error, match=message):
        parse_feed(body, content_type=ctype)


def test_recoverable_bad_xml_is_read_leniently_with_a_warning():
    body = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><item><title>One & two</title>"
        b"<guid>x1</guid></item></channel></rss>"
    )
    feed = parse_feed(body)
    assert [e.title for e in feed.entries] == ["One & two"]
    assert feed.warnings and "not well-formed" in feed.warnings[0]


def test_wrong_encoding_declaration_is_a_warning():
    body = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>x</title><item>"
        "<title>Caf\u00e9 talks</title><guid>1</guid></item></channel></rss>"
    )
    feed = parse_feed(body.encode("latin-1"))
    assert feed.entries[0].title == "Caf\u00e9 talks"
    assert feed.warnings[0].startswith("wrong encoding declaration")


XXE = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title></item></channel></rss>"""
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']><rss version="2.0"><channel><title>&lol9;</title></channel></rss>'
)
PARAM_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://169.254.169.254/x">%remote;]>'
    b'<rss version="2.0"><channel><title>t</title></channel></rss>'
)
UTF16_XXE = XXE.decode().replace('version="1.0"?', 'version="1.0" encoding="utf-16"?').encode("utf-16")


@pytest.mark.parametrize(
    "body", [XXE, LAUGHS, PARAM_ENTITY, UTF16_XXE], ids=["xxe", "laughs", "param", "utf16"]
)
def test_entity_declarations_are_refused_quickly(body):
    started = time.perf_counter()
    with pytest.raises(UnsafeXML):
        parse_feed(body)
    assert time.perf_counter() - started < 1


def test_a_plain_doctype_without_entities_is_fine():
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><title>Old</title>'
        b"<item><title>Still here</title><link>http://old.example/1</link></item></channel></rss>"
    )
    assert [e.title for e in parse_feed(body).entries] == ["Still here"]


# ---------------------------------------------------------------- identity


@pytest.mark.parametrize(
    ("link", "canonical"),
    [
        ("https://News.Example/a/1?utm_source=rss&utm_medium=feed", "https://news.example/a/1"),
        ("https://news.example/a/1?id=7&fbclid=abc&gclid=x#comments", "https://news.example/a/1?id=7"),
        ("http://news.example:80/a", "http://news.example/a"),
        ("https://news.example:8443/a?mc_cid=1&b=2", "https://news.example:8443/a?b=2"),
        ("https://news.example", "https://news.example/"),
        ("ftp://news.example/a", None),
        ("not a url", None),
        ("", None),
    ],
)
def test_canonical_url(link, canonical):
    assert canonical_url(link) == canonical


def test_identity_fallbacks():
    feed = "https://feeds.example/rss"
    # A permalink guid and a bare link to the same page agree.
    assert entry_identity(
        guid="https://news.example/a/1", link=None, title="x", content="", feed_url=feed
    ) == entry_identity(
        guid=None, link="https://news.example/a/1?utm_source=t", title="y", content="z", feed_url="o"
    )
    # An opaque guid is scoped by its feed; the link does not matter once a guid exists.
    key = identity_key(guid="1234", link="https://news.example/a", title="t", content="c", feed_url=feed)
    assert key == "guid:https://feeds.example/rss|1234"
    assert entry_identity(guid="1234", link=None, title="", content="", feed_url=feed) != entry_identity(
        guid="1234", link=None, title="", content="", feed_url="https://other.example/rss"
    )
    # No guid, no link: title + text, insensitive to markup and spacing.
    assert entry_identity(guid=None, link=None, title="Tariff  cut", content="<p>Cars</p>") == entry_identity(
        guid=None, link=None, title="tariff cut", content="Cars"
    )
    assert len(entry_identity(guid="g", link=None, title=None, content=None)) == 64


def test_html_to_text_drops_scripts_and_keeps_paragraphs():
    html = "<p>First <b>line</b></p><script>alert(1)</script><style>p{}</style><p>Second&nbsp;line</p>"
    assert html_to_text(html) == "First line\nSecond line"  # nbsp folded to a space


# ---------------------------------------------------------------- schedule

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SETTINGS = PollingSettings(jitter_fraction=0, backoff_base_s=60, backoff_max_s=3600, max_interval_min=600)


@pytest.mark.parametrize(
    ("interval", "ttl", "max_age", "expected_min"),
    [
        (10, None, None, 10),
        (0.1, None, None, 1),  # floor: one minute
        (10, 45, None, 45),  # <ttl> asks for longer
        (10, 2, None, 10),  # a short ttl never shortens our interval
        (10, None, 3600, 60),  # Cache-Control max-age
        (10, 100000, None, 600),  # clamped to max_interval
    ],
)
def test_next_check_after_success(interval, ttl, max_age, expected_min):
    when = next_check_after_success(
        NOW, interval_min=interval, settings=SETTINGS, ttl_min=ttl, max_age_s=max_age
    )
    assert when - NOW == timedelta(minutes=expected_min)


def test_jitter_stays_within_its_fraction():
    settings = PollingSettings(jitter_fraction=0.1)
    rng = random.Random(7)
    delays = {
        (next_check_after_success(NOW, interval_min=10, settings=settings, rng=rng) - NOW).total_seconds()
        for _ in range(50)
    }
    assert len(delays) > 40 and all(540 <= d <= 660 for d in delays)


def test_backoff_doubles_and_is_capped():
    assert [backoff_s(n, SETTINGS) for n in (1, 2, 3, 4, 7, 50)] == [60, 120, 240, 480, 3600, 3600]
    assert next_check_after_failure(NOW, failures=2, settings=SETTINGS) - NOW == timedelta(seconds=120)


def test_retry_after_wins_when_longer_and_is_bounded():
    assert next_check_after_failure(NOW, failures=1, settings=SETTINGS, retry_after_s=900) - NOW == timedelta(
        seconds=900
    )
    assert next_check_after_failure(NOW, failures=3, settings=SETTINGS, retry_after_s=5) - NOW == timedelta(
        seconds=240
    )
    assert next_check_after_failure(
        NOW, failures=1, settings=SETTINGS, retry_after_s=10**9
    ) - NOW == timedelta(minutes=600)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("public, max-age=300", 300), ("s-maxage=5, max-age=60", 60), ("no-cache", None), ("", None)],
)
def test_cache_control_max_age(value, seconds):
    assert cache_max_age_s({"Cache-Control": value}) == seconds


def test_relative_links_are_resolved_against_the_feed_url():
    body = (
        b"<rss version='2.0'><channel><title>x</title><item><title>a</title><link>/news/1?utm_source=x</link>"
        b"</item></channel></rss>"
    )
    (entry,) = parse_feed(body, url="https://site.example/feeds/main.xml").entries
    assert entry.link == "https://site.example/news/1?utm_source=x"
    assert canonical_url(entry.link) == "https://site.example/news/1"
