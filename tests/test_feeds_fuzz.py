"""Properties: feed parsing, identity keys and response classification never crash on arbitrary
bytes and headers; they either succeed or raise the documented error type."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.feeds.errors import FetchError, ParseError
from bot.feeds.fetch import classify_status, parse_retry_after
from bot.feeds.identity import canonical_url, entry_identity
from bot.feeds.parse import parse_feed
from bot.feeds.schedule import cache_max_age_s

FEEDISH = st.sampled_from(
    [
        b"<?xml version='1.0'?>",
        b"<rss version='2.0'>",
        b"<channel>",
        b"<item>",
        b"<title>",
        b"</title>",
        b"<guid>",
        b"</guid>",
        b"<link>http://a.example/x?utm_source=1</link>",
        b"</item>",
        b"</channel></rss>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'>",
        b"<entry>",
        b"</entry>",
        b"<!DOCTYPE x [",
        b"]>",
        b"<!ENTITY a 'b'>",
        b"&a;",
        b"&amp;",
        b"<![CDATA[",
        b"]]>",
        b"\xff\xfe",
        b"\x00",
        b"<html>",
        b"\xe9",
    ]
)
BODIES = st.one_of(
    st.binary(max_size=2000), st.lists(st.one_of(FEEDISH, st.binary(max_size=20)), max_size=40).map(b"".join)
)
TEXT = st.one_of(st.none(), st.text(max_size=200))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=BODIES, content_type=st.one_of(st.none(), st.text(max_size=60)))
def test_parse_feed_never_crashes(body, content_type):
    try:
        feed = parse_feed(body, content_type=content_type, url="http://feed.example/rss")
    except ParseError:
        return
    for entry in feed.entries:
        key = entry_identity(
            guid=entry.guid,
            link=entry.link,
            title=entry.title,
            content=entry.content_html,
            feed_url="http://feed.example/rss",
        )
        assert len(key) == 64


@settings(max_examples=50, deadline=None)
@given(guid=TEXT, link=TEXT, title=TEXT, content=TEXT, feed_url=TEXT)
def test_identity_never_crashes_and_is_stable(guid, link, title, content, feed_url):
    first = entry_identity(guid=guid, link=link, title=title, content=content, feed_url=feed_url)
    assert first == entry_identity(guid=guid, link=link, title=title, content=content, feed_url=feed_url)
    canon = canonical_url(link)
    if canon is not None:
        parts = urlsplit(canon)
        assert parts.scheme in ("http", "https") and not parts.fragment
        assert not any(
            k.lower().startswith("utm_") for k, _ in parse_qsl(parts.query, keep_blank_values=True)
        )


HEADER_VALUES = st.one_of(
    st.text(max_size=80), st.sampled_from(["120", "Wed, 21 Oct 2026 07:28:00 GMT", "-1", ""])
)


@settings(max_examples=50, deadline=None)
@given(
    status=st.integers(min_value=0, max_value=999),
    headers=st.dictionaries(
        st.sampled_from(["Retry-After", "Cache-Control", "Location", "ETag"]), HEADER_VALUES
    ),
)
def test_response_classification_never_crashes(status, headers):
    try:
        outcome = classify_status(status, headers, "http://feed.example/rss")
    except FetchError:
        pass
    else:
        assert outcome in ("ok", "not_modified", "redirect")
    retry = parse_retry_after(headers.get("Retry-After"))
    assert retry is None or retry >= 0
    age = cache_max_age_s(headers)
    assert age is None or age >= 0
