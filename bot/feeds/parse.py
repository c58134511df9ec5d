"""Feed parsing: the bytes we fetched in, entries out. Pure: no network, no event loop.

feedparser is only ever handed bytes (never a URL or a path, which it would open itself).

XML safety: a document whose DOCTYPE declares entities is refused before parsing (UnsafeXML):
that covers external entities (XXE: `<!ENTITY x SYSTEM "file:///etc/passwd">`) and entity
expansion bombs (billion laughs), and no real news feed needs either. External DTDs are never
loaded (expat via xml.sax does not fetch them).

Errors and warnings: nothing usable → a ParseError (EmptyBody, NotAFeed, InvalidXML). A feed that
is not well-formed but from which feedparser's lenient parser still recovered entries, or whose
encoding declaration is wrong (read with the encoding that works), is accepted with a warning that
the poller keeps on the feed.
"""

from __future__ import annotations

import re
import xml.sax
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from bot.feeds.errors import EmptyBody, InvalidXML, NotAFeed, UnsafeXML
from bot.feeds.identity import html_to_text

_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", re.I | re.S)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_HTML_HINT = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.I)
_MAX_FIELD = 2048


@dataclass(slots=True, frozen=True)
class FeedEntry:
    guid: str | None
    link: str | None
    title: str
    content_html: str  # the entry's content, else its summary (HTML, never rendered)
    published: datetime | None = None
    text: str | None = None  # content_html as plain text, when parse_feed(with_text=True) computed it


@dataclass(slots=True)
class ParsedFeed:
    title: str | None
    version: str
    entries: list[FeedEntry] = field(default_factory=list)
    ttl_min: float | None = None
    warnings: list[str] = field(default_factory=list)


def refuse_entities(body: bytes) -> None:
    """Raise UnsafeXML if the DOCTYPE's internal subset declares any entity."""
    head = body[: 1 << 20]
    if b"\x00" in head[:4096]:  # UTF-16/32: look at the ASCII skeleton
        head = head.replace(b"\x00", b"")
    if b"<!" not in head:
        return
    for match in _DOCTYPE_SUBSET.finditer(head):
        if _ENTITY_DECL.search(match.group(1)):
            raise UnsafeXML("the feed declares XML entities in its DOCTYPE (XXE / expansion risk); refused")
    # An internal subset that never closes is still a declaration we will not hand to a parser.
    if re.search(rb"<!DOCTYPE[^>]*\[", head, re.I) and _ENTITY_DECL.search(head):
        raise UnsafeXML("the feed declares XML entities in its DOCTYPE (XXE / expansion risk); refused")


def _when(entry: Any, *keys: str) -> datetime | None:
    for key in keys:
        value = entry.get(key)
        if value:
            try:
                return datetime(*value[:6], tzinfo=UTC)
            except (TypeError, ValueError, OverflowError):
                continue
    return None


def _text(value: Any, limit: int | None = None) -> str:
    text = value if isinstance(value, str) else ""
    return text[:limit] if limit else text


def _absolute(link: str | None, base: str | None) -> str | None:
    if not link or not base or link.startswith(("http://", "https://")):
        return link
    try:
        return urljoin(base, link)[:_MAX_FIELD]
    except ValueError:
        return link


def _entry(raw: Any, with_text: bool, base: str | None) -> FeedEntry:
    content = ""
    for item in raw.get("content") or ():
        if isinstance(item, dict) and item.get("value"):
            content = _text(item.get("value"))
            break
    if not content:
        content = _text(raw.get("summary"))
    guid = _text(raw.get("id"), _MAX_FIELD).strip() or None
    link = _text(raw.get("link"), _MAX_FIELD).strip() or None
    return FeedEntry(
        guid=guid,
        link=_absolute(link, base),
        title=_text(raw.get("title")).strip(),
        content_html=content,
        published=_when(raw, "published_parsed", "updated_parsed", "created_parsed"),
        text=html_to_text(content) if with_text else None,
    )


def _ttl(feed: Any) -> float | None:
    try:
        value = float(str(feed.get("ttl", "")).strip())
    except ValueError:
        return None
    return value if 0 < value < 1e6 else None


def parse_feed(
    body: bytes, *, content_type: str | None = None, url: str | None = None, with_text: bool = False
) -> ParsedFeed:
    """Parse RSS/Atom bytes; raises a bot.feeds.errors.ParseError when there is no usable feed.

    with_text also turns each entry's HTML into plain text (worth it in a parse worker process)."""
    if not body or not body.strip():
        raise EmptyBody("the feed answered with an empty body")
    refuse_entities(body)
    # No content-location: feedparser would then urljoin every link against it, a quarter of its
    # time on a typical feed. Relative links (rare) are resolved below, only where there are any.
    headers = {"content-type": content_type or "application/xml"}
    try:
        # Feed HTML is never rendered (it is turned into plain text), so feedparser's sanitizer and
        # relative-URI rewriting are pure cost here.
        result = feedparser.parse(
            body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as exc:  # feedparser is lenient, but hostile input must never escape as a crash
        raise InvalidXML(f"could not be parsed: {type(exc).__name__}") from exc
    error = result.get("bozo_exception")
    version = result.get("version") or ""
    entries = [_entry(raw, with_text, url) for raw in result.get("entries") or ()]
    xml_error = isinstance(error, xml.sax.SAXException) and not isinstance(
        error, feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType
    )
    if not version and not entries:
        looks_html = bool(_HTML_HINT.search(body[:4096])) or "html" in (content_type or "").lower()
        if looks_html:
            raise NotAFeed(
                f"got an HTML page, not an RSS or Atom feed (Content-Type {content_type or 'unknown'})"
            )
        if xml_error:
            raise InvalidXML(f"not well-formed XML: {error}")
        raise NotAFeed("not an RSS or Atom feed")
    if xml_error and not entries:
        raise InvalidXML(f"not well-formed XML and no entries could be read: {error}")
    warnings: list[str] = []
    if isinstance(error, feedparser.CharacterEncodingOverride):
        warnings.append(f"wrong encoding declaration: {error}")
    elif xml_error:
        warnings.append(f"not well-formed XML ({error}); entries read leniently")
    feed = result.get("feed") or {}
    title = _text(feed.get("title")).strip() or None
    return ParsedFeed(title=title, version=version, entries=entries, ttl_min=_ttl(feed), warnings=warnings)
