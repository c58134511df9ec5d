"""HTTP fetching with limits: one aiohttp session, manual redirects, capped streaming reads.

`Fetcher.fetch(url, max_bytes=…)` returns a `FetchResult` or raises one of bot.feeds.errors.
Responses and client exceptions are classified in one place (`classify_status`,
`classify_exception`), so the poller only ever sees the typed error tree.

Limits, each enforced here rather than left to defaults:
- http/https only, and the private-address guard on every hop (bot.feeds.guard);
- a total time budget for the whole fetch, redirects and body included (a body that stalls
  mid-way runs into it), and a separate connect timeout;
- at most `max_redirects` hops, followed by hand so each hop is checked; a hop back to a URL
  already visited is a RedirectLoop;
- the body is read as a stream and decompressed by hand in bounded steps (zlib's max_length), so
  neither a large body nor a gzip bomb is ever held beyond `max_bytes + 1` bytes.
"""

from __future__ import annotations

import asyncio
import email.utils
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import aiohttp
from aiohttp.abc import AbstractResolver
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from bot.config import FetchSettings
from bot.feeds.errors import (
    BlockedAddress,
    BodyTooLarge,
    ClientStatusError,
    ConnectFailure,
    ContentDecodingError,
    DNSFailure,
    FeedError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    RateLimited,
    RedirectLoop,
    ServerStatusError,
    TooManyRedirects,
    UnsupportedURL,
)
from bot.feeds.guard import AddressPolicy, GuardedResolver, check_url

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


@dataclass(slots=True)
class FetchResult:
    url: str  # the final URL, after redirects
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    bytes_read: int = 0  # body bytes after decompression
    wire_bytes: int = 0  # body bytes as received
    redirects: int = 0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("Last-Modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")


# ---------------------------------------------------------------- classification (the one place)

Outcome = Literal["ok", "not_modified", "redirect"]


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def classify_status(status: int, headers: Mapping[str, str], url: str) -> Outcome:
    """Map a status line to what the fetcher does next, or raise the matching typed error."""
    if 200 <= status < 300:
        return "ok"
    if status == 304:
        return "not_modified"
    if status in REDIRECT_STATUSES:
        return "redirect"
    retry_after = parse_retry_after(headers.get("Retry-After"))
    if status == 429 or (status == 503 and retry_after is not None):
        wait = f"; asked to retry after {retry_after:g} s" if retry_after is not None else ""
        raise RateLimited(
            f"HTTP {status}: rate limited{wait}", url=url, status=status, retry_after_s=retry_after
        )
    if 500 <= status < 600:
        raise ServerStatusError(f"HTTP {status}: server error", url=url, status=status)
    if 400 <= status < 500:
        reason = {404: "not found", 410: "gone", 401: "needs a login", 403: "forbidden"}.get(
            status, "client error"
        )
        raise ClientStatusError(f"HTTP {status}: {reason}", url=url, status=status)
    raise HTTPStatusError(f"HTTP {status}: unexpected status", url=url, status=status)


def classify_exception(exc: BaseException, url: str) -> FeedError:
    """Map aiohttp/asyncio/OS exceptions to the typed error tree."""
    if isinstance(exc, FeedError):
        return exc
    inner = exc
    while inner is not None:  # the guard's refusal travels inside aiohttp's connector errors
        if isinstance(inner, BlockedAddress):
            inner.url = inner.url or url
            return inner
        inner = getattr(inner, "os_error", None) or inner.__cause__
    host = URL(url).host if url else None
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return DNSFailure(f"host {host} does not resolve", url=url)
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return FetchTimeout("timed out", url=url)
    if isinstance(exc, aiohttp.ClientConnectorError):
        cause = getattr(exc, "os_error", None) or getattr(exc, "certificate_error", None) or exc
        return ConnectFailure(
            f"cannot connect to {host}: {getattr(cause, 'strerror', None) or cause}", url=url
        )
    if isinstance(exc, aiohttp.InvalidURL):
        return UnsupportedURL(f"not a valid URL: {url[:200]!r}", url=url)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return ConnectFailure(f"the body from {host} was cut off or malformed", url=url)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return ConnectFailure(f"{host} closed the connection", url=url)
    if isinstance(exc, aiohttp.ClientError | OSError):
        return ConnectFailure(f"{type(exc).__name__}: {exc}", url=url)
    return FetchError(f"{type(exc).__name__}: {exc}", url=url)


# ---------------------------------------------------------------- capped, bounded decompression


class _Decoder:
    """Decompresses gzip/deflate in steps that never produce more than the room left."""

    def __init__(self, encoding: str, url: str) -> None:
        self.encoding = encoding
        self.url = url
        self._obj: zlib._Decompress | None = None
        if encoding in ("", "identity"):
            self.identity = True
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self.identity = False
        else:
            raise ContentDecodingError(f"unsupported Content-Encoding {encoding!r}", url=url)

    def _make(self, first: bytes) -> zlib._Decompress:
        if self.encoding == "deflate":
            # "deflate" should be zlib-wrapped, but some servers send a raw deflate stream.
            zlib_header = (
                len(first) >= 2 and (first[0] & 0x0F) == 8 and ((first[0] << 8) | first[1]) % 31 == 0
            )
            return zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, chunk: bytes, room: int) -> bytes:
        """At most `room` bytes of output; the caller treats reaching `room` as over the cap."""
        if self.identity:
            return chunk[:room]
        if self._obj is None:
            self._obj = self._make(chunk)
        out = bytearray()
        data = chunk
        try:
            while data and len(out) < room:
                piece = self._obj.decompress(data, room - len(out))
                out += piece
                data = self._obj.unconsumed_tail
                if self._obj.eof:
                    break
        except zlib.error as exc:
            raise ContentDecodingError(f"corrupt {self.encoding} body: {exc}", url=self.url) from exc
        return bytes(out)


async def read_capped(resp: aiohttp.ClientResponse, max_bytes: int, url: str) -> tuple[bytes, int, int]:
    """Read the body as a stream; stop with BodyTooLarge once it passes max_bytes (decompressed).

    Returns (body, decompressed bytes, wire bytes)."""
    encoding = resp.headers.get("Content-Encoding", "").strip().lower()
    decoder = _Decoder(encoding, url)
    length = resp.content_length
    if decoder.identity and length is not None and length > max_bytes:
        raise BodyTooLarge(f"body of {length} bytes is over the {max_bytes}-byte cap", url=url, bytes_read=0)
    body = bytearray()
    wire = 0
    async for chunk in resp.content.iter_chunked(_CHUNK):
        wire += len(chunk)
        body += decoder.feed(chunk, max_bytes + 1 - len(body))
        if len(body) > max_bytes:
            what = "decompressed body" if not decoder.identity else "body"
            raise BodyTooLarge(
                f"{what} passed the {max_bytes}-byte cap; stopped reading after {wire} bytes received",
                url=url,
                bytes_read=len(body),
            )
    return bytes(body), len(body), wire


# ---------------------------------------------------------------- the fetcher


class Fetcher:
    """One aiohttp session with the guard in its connector. Use as `async with Fetcher(...)`."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        resolver: AbstractResolver | None = None,
        limit: int = 100,
        limit_per_host: int = 0,
    ) -> None:
        self.settings = settings
        self.policy = AddressPolicy.from_settings(settings)
        self._resolver = GuardedResolver(self.policy, resolver)
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=self._resolver,
                limit=self._limit,
                limit_per_host=self._limit_per_host,
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=self.settings.connect_timeout_s,
                    sock_connect=self.settings.connect_timeout_s,
                ),
                auto_decompress=False,  # decompressed by hand, with a cap (read_capped)
                trust_env=False,  # no proxy from the environment: the guard must see the real target
                headers={"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET with the conditional headers given; raises a bot.feeds.errors.FeedError on failure."""
        total = self.settings.total_timeout_s
        try:
            async with asyncio.timeout(total):
                return await self._fetch(url, max_bytes, etag, last_modified, accept)
        except TimeoutError:
            raise FetchTimeout(f"no complete answer within {total:g} s", url=url) from None

    async def _fetch(
        self, url: str, max_bytes: int, etag: str | None, last_modified: str | None, accept: str
    ) -> FetchResult:
        headers = CIMultiDict({"Accept": accept})
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = check_url(url, self.policy)
        seen: set[str] = set()
        for hop in range(self.settings.max_redirects + 1):
            seen.add(str(current))
            try:
                async with self.session.get(current, headers=headers, allow_redirects=False) as resp:
                    outcome = classify_status(resp.status, resp.headers, str(current))
                    if outcome == "redirect":
                        current = self._next_hop(current, resp.headers.get("Location"), seen)
                        continue
                    if outcome == "not_modified":
                        return FetchResult(str(current), resp.status, b"", _copy(resp.headers), redirects=hop)
                    body, size, wire = await read_capped(resp, max_bytes, str(current))
                    return FetchResult(str(current), resp.status, body, _copy(resp.headers), size, wire, hop)
            except (FeedError, TimeoutError, asyncio.CancelledError):
                raise
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                raise classify_exception(exc, str(current)) from exc
        raise TooManyRedirects(f"more than {self.settings.max_redirects} redirects", url=url)

    def _next_hop(self, current: URL, location: str | None, seen: set[str]) -> URL:
        if not location:
            raise HTTPStatusError("redirect without a Location header", url=str(current))
        try:
            target = current.join(URL(location))
        except ValueError as exc:
            raise UnsupportedURL(f"redirect to an invalid URL {location[:200]!r}", url=str(current)) from exc
        if str(target) in seen:
            raise RedirectLoop(f"redirect loop: {target} was already visited", url=str(current))
        return check_url(target, self.policy)


def _copy(headers: CIMultiDictProxy[str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(headers))


_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-:.]+)""", re.I)


def decode_page(body: bytes, content_type: str) -> str:
    """Text of an HTML page: charset from the header, else from a <meta>, else UTF-8."""
    charset = None
    match = re.search(r"charset=([^\s;]+)", content_type or "", re.I)
    if match:
        charset = match.group(1).strip("\"'")
    else:
        meta = _META_CHARSET.search(body[:4096])
        if meta:
            charset = meta.group(1).decode("ascii", "ignore")
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")
