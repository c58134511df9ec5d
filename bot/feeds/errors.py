"""Typed errors for fetching and parsing feeds and pages.

Every failure the poller records on a feed is one of these; its message is what `feeds list`
shows, so each one says what happened in words a feed owner understands.

    FeedError                      anything that stops one feed (or page) from being read
    ├── FetchError                 the HTTP side
    │   ├── UnsupportedURL         not http/https (file://, ftp://, a bare path) or no host
    │   ├── BlockedAddress         private, loopback, link-local or metadata address (SSRF guard)
    │   ├── DNSFailure             the host name does not resolve
    │   ├── ConnectFailure         refused, reset, TLS failure: no usable connection
    │   ├── FetchTimeout           connect or total time exceeded (includes a body that stalls)
    │   ├── TooManyRedirects       more hops than allowed
    │   │   └── RedirectLoop       a hop came back to a URL already visited
    │   ├── BodyTooLarge           the (decompressed) body passed the cap; reading stopped there
    │   ├── ContentDecodingError   a Content-Encoding we cannot or will not decode, or corrupt data
    │   └── HTTPStatusError        a status that is not success, redirect or 304
    │       ├── ClientStatusError  4xx (404, 403, 410 …): likely permanent
    │       ├── ServerStatusError  5xx: likely transient
    │       └── RateLimited        429 or 503 with Retry-After: wait as long as asked
    └── ParseError                 the bytes are not a usable feed
        ├── EmptyBody              nothing at all came back
        ├── NotAFeed               an HTML page (or other document) where a feed was expected
        ├── InvalidXML             not well-formed and nothing recoverable in it
        └── UnsafeXML              declares DTD entities (XXE, entity-expansion bombs): refused

`transient` says whether retrying later can help; the scheduler backs off either way, it only
changes the wording a feed owner sees.
"""

from __future__ import annotations


class FeedError(Exception):
    """Base of every error that stops reading one feed or page."""

    transient: bool = True

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url

    @property
    def kind(self) -> str:
        return type(self).__name__


class FetchError(FeedError):
    pass


class UnsupportedURL(FetchError):
    transient = False


class BlockedAddress(FetchError, OSError):
    """Also an OSError so that aiohttp's connector passes it through its resolver path intact."""

    transient = False


class DNSFailure(FetchError):
    pass


class ConnectFailure(FetchError):
    pass


class FetchTimeout(FetchError):
    pass


class TooManyRedirects(FetchError):
    transient = False


class RedirectLoop(TooManyRedirects):
    pass


class BodyTooLarge(FetchError):
    transient = False

    def __init__(self, message: str, *, url: str | None = None, bytes_read: int = 0) -> None:
        super().__init__(message, url=url)
        self.bytes_read = bytes_read


class ContentDecodingError(FetchError):
    transient = False


class HTTPStatusError(FetchError):
    def __init__(self, message: str, *, url: str | None = None, status: int = 0) -> None:
        super().__init__(message, url=url)
        self.status = status


class ClientStatusError(HTTPStatusError):
    transient = False


class ServerStatusError(HTTPStatusError):
    pass


class RateLimited(HTTPStatusError):
    def __init__(
        self, message: str, *, url: str | None = None, status: int = 429, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message, url=url, status=status)
        self.retry_after_s = retry_after_s


class ParseError(FeedError):
    transient = False


class EmptyBody(ParseError):
    pass


class NotAFeed(ParseError):
    pass


class InvalidXML(ParseError):
    pass


class UnsafeXML(ParseError):
    pass
