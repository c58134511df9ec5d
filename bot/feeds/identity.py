"""Entry identity: the key that makes a feed entry new exactly once, across feeds and restarts.

Fallbacks, in order:
1. the entry's guid/id: a guid that is an absolute http(s) URL counts as a link (so a feed with
   permalink guids and a feed with bare links agree); any other guid is scoped by the feed URL,
   since opaque guids ("1234") are only unique within their own feed;
2. the canonical link: scheme and host lower-cased, default port, fragment and tracking
   parameters (utm_*, fbclid, gclid, …) removed;
3. a hash of the title and the content's text.

Pure functions: strings in, strings out.
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ocid",
        "cmpid",
        "icid",
        "ncid",
        "sr_share",
        "spm",
        "__twitter_impression",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "oly_")
_SPACE = re.compile(r"\s+")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(link: str | None) -> str | None:
    """The link without tracking parameters and fragment; None if it is not an http(s) URL."""
    if not link:
        return None
    link = link.strip()
    try:
        parts = urlsplit(link)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    )
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


class _TextOnly(HTMLParser):
    _SKIP = frozenset({"script", "style", "noscript", "template"})
    _BLOCK = frozenset(
        {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment (a feed entry's content or summary): tags and scripts dropped,
    paragraphs kept as lines."""
    if not html:
        return ""
    parser = _TextOnly()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some malformed declarations
        return _SPACE.sub(" ", re.sub(r"<[^>]*>", " ", html)).strip()
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def identity_key(
    *, guid: str | None, link: str | None, title: str | None, content: str | None, feed_url: str | None = None
) -> str:
    """The readable key before hashing (tests and logs): 'url:…', 'guid:<feed>|…' or 'text:…'."""
    guid = (guid or "").strip()
    if guid:
        as_url = canonical_url(guid) if guid.lower().startswith(("http://", "https://")) else None
        if as_url:
            return "url:" + as_url
        return f"guid:{canonical_url(feed_url) or feed_url or ''}|{guid}"
    canon = canonical_url(link)
    if canon:
        return "url:" + canon
    text = _SPACE.sub(" ", f"{title or ''}\n{html_to_text(content)}").strip().lower()
    return "text:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def entry_identity(
    *, guid: str | None, link: str | None, title: str | None, content: str | None, feed_url: str | None = None
) -> str:
    """A 64-character hex digest of `identity_key` (fits entries.identity)."""
    key = identity_key(guid=guid, link=link, title=title, content=content, feed_url=feed_url)
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
