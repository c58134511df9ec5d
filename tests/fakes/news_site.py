"""A loopback news site for tests and benches: RSS 2.0 and Atom feeds, article pages, and faults.

It stands in for the outside world (news publishers), served by aiohttp on 127.0.0.1 and talked to
by tradebot's unmodified HTTP client. It counts what it is asked for: requests per path, 304s,
the conditional headers it saw, and how many body bytes it managed to send.

Feeds live at /feeds/<name> (RSS) or /atom/<name> (Atom), articles at /articles/<slug>. Article
pages carry the clutter a real page has (navigation, cookie banner, related links, newsletter box,
reader comments) around the story. Faults live at /fault/<kind>, see FAULTS.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import html
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from aiohttp import web

FAULTS = (
    "500",
    "429",
    "stall",
    "slow",
    "huge",
    "gzip-bomb",
    "redirect-loop",
    "redirect-local",
    "invalid-xml",
    "html",
    "wrong-encoding",
    "empty",
    "xxe",
    "billion-laughs",
)
HUGE_BYTES = 50 * 1024 * 1024
BOMB_BYTES = 64 * 1024 * 1024
_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    """64 MB of spaces, gzip-compressed to well under 100 KB (built once per process)."""
    global _BOMB
    if _BOMB is None:
        _BOMB = gzip.compress(b" " * BOMB_BYTES, compresslevel=9)
    return _BOMB


@dataclass(slots=True)
class Article:
    slug: str
    title: str
    paragraphs: list[str]
    comments: list[str] = field(default_factory=list)
    guid: str | None = None
    published: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    summary: str = ""
    link_suffix: str = ""  # e.g. "?utm_source=rss" to test canonical links


@dataclass(slots=True)
class FeedSpec:
    name: str
    title: str
    articles: list[Article]
    kind: str = "rss"  # "rss" | "atom"
    ttl_min: int | None = None
    cache_max_age_s: int | None = None


class NewsSite:
    def __init__(self) -> None:
        self.feeds: dict[str, FeedSpec] = {}
        self.articles: dict[str, Article] = {}
        self.requests: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.conditional: list[
            tuple[str, str | None, str | None]
        ] = []  # (path, If-None-Match, If-Modified-Since)
        self.bytes_sent: Counter[str] = Counter()
        self.broken_articles: set[str] = set()  # slugs answering 500
        self.retry_after_s = 120
        self.feed_delay_s = 0.0  # answer feeds this much later (to observe concurrency)
        self.in_flight = 0
        self.max_in_flight = 0
        self.stall_s = 30.0
        self.port = 0
        self._runner: web.AppRunner | None = None
        app = web.Application()
        app.router.add_get("/feeds/{name}", self._feed)
        app.router.add_get("/atom/{name}", self._feed)
        app.router.add_get("/articles/{slug}", self._article)
        app.router.add_get("/fault/{kind}", self._fault)
        self.app = app

    # ---------------------------------------------------------------- setup

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or '127.0.0.1'}:{self.port}{path}"

    def add_feed(self, spec: FeedSpec) -> str:
        self.feeds[spec.name] = spec
        for article in spec.articles:
            self.articles[article.slug] = article
        return f"/{'atom' if spec.kind == 'atom' else 'feeds'}/{spec.name}"

    async def start(self, port: int = 0) -> NewsSite:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> NewsSite:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- documents

    def article_url(self, article: Article, host: str | None = None) -> str:
        return self.url(f"/articles/{article.slug}", host) + article.link_suffix

    def render_feed(self, spec: FeedSpec, host: str | None = None) -> bytes:
        esc = html.escape
        if spec.kind == "atom":
            items = "".join(
                f'<entry><title>{esc(a.title)}</title><link href="{esc(self.article_url(a, host))}"/>'
                f"<id>{esc(a.guid or 'urn:tradebot-test:' + a.slug)}</id>"
                f"<updated>{a.published.isoformat()}</updated>"
                f'<summary type="html">{esc(a.summary or "<p>" + a.paragraphs[0] + "</p>")}</summary></entry>'
                for a in spec.articles
            )
            return (
                f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>{esc(spec.title)}</title><id>urn:feed:{spec.name}</id>"
                f"<updated>2026-11-20T09:00:00Z</updated>{items}</feed>"
            ).encode()
        items = "".join(
            f"<item><title>{esc(a.title)}</title><link>{esc(self.article_url(a, host))}</link>"
            + (f'<guid isPermaLink="false">{esc(a.guid)}</guid>' if a.guid else "")
            + f"<pubDate>{format_datetime(a.published)}</pubDate>"
            f"<description>{esc(a.summary or '<p>' + a.paragraphs[0] + '</p>')}</description></item>"
            for a in spec.articles
        )
        ttl = f"<ttl>{spec.ttl_min}</ttl>" if spec.ttl_min else ""
        return (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{esc(spec.title)}</title><link>{self.base}/</link><description>test</description>"
            f"{ttl}{items}</channel></rss>"
        ).encode()

    @staticmethod
    def render_article(article: Article) -> str:
        esc = html.escape
        body = "".join(f"<p>{esc(p)}</p>" for p in article.paragraphs)
        comments = "".join(
            f'<div class="comment"><span class="author">reader{i}</span><p>{esc(c)}</p></div>'
            for i, c in enumerate(article.comments)
        )
        return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(article.title)}</title>
<meta property="og:title" content="{esc(article.title)}"></head><body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience. Accept all cookies?</div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/markets">Markets</a></li>
<li><a href="/world">World</a></li><li><a href="/opinion">Opinion</a></li></ul></nav></header>
<main><article><h1>{esc(article.title)}</h1><p class="byline">By Staff Writer, {article.published:%d %B %Y}</p>
{body}</article>
<aside class="related"><h2>Related stories</h2><ul><li><a href="/x1">Shipping rates climb again</a></li>
<li><a href="/x2">Ten gadgets to buy this winter</a></li></ul></aside>
<div class="newsletter">Sign up for our daily newsletter for the latest headlines.</div>
<section id="comments" class="comments"><h2>Reader comments</h2>{comments}</section></main>
<footer><p>Copyright 2026 Test News. All rights reserved.</p></footer></body></html>"""

    # ---------------------------------------------------------------- handlers

    def _count(self, request: web.Request) -> str:
        path = request.path
        self.requests[path] += 1
        return path

    async def _feed(self, request: web.Request) -> web.StreamResponse:
        path = self._count(request)
        spec = self.feeds.get(request.match_info["name"])
        if spec is None:
            raise web.HTTPNotFound()
        if self.feed_delay_s:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await asyncio.sleep(self.feed_delay_s)
            finally:
                self.in_flight -= 1
        body = self.render_feed(spec, request.url.host if request.url.host != "127.0.0.1" else None)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = format_datetime(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), usegmt=True)
        inm, ims = request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")
        self.conditional.append((path, inm, ims))
        headers = {"ETag": etag, "Last-Modified": modified}
        if spec.cache_max_age_s:
            headers["Cache-Control"] = f"public, max-age={spec.cache_max_age_s}"
        if inm == etag or (inm is None and ims == modified):
            self.not_modified[path] += 1
            return web.Response(status=304, headers=headers)
        ctype = "application/atom+xml" if spec.kind == "atom" else "application/rss+xml"
        self.bytes_sent[path] += len(body)
        return web.Response(body=body, headers={**headers, "Content-Type": ctype})

    async def _article(self, request: web.Request) -> web.Response:
        self._count(request)
        slug = request.match_info["slug"]
        article = self.articles.get(slug)
        if article is None:
            raise web.HTTPNotFound()
        if slug in self.broken_articles:
            raise web.HTTPInternalServerError()
        return web.Response(text=self.render_article(article), content_type="text/html", charset="utf-8")

    async def _fault(self, request: web.Request) -> web.StreamResponse:
        path = self._count(request)
        kind = request.match_info["kind"]
        rss = "application/rss+xml"
        if kind == "500":
            return web.Response(status=500, text="internal error")
        if kind == "429":
            return web.Response(
                status=429, text="slow down", headers={"Retry-After": str(self.retry_after_s)}
            )
        if kind == "slow":  # no answer at all for a long time
            await asyncio.sleep(self.stall_s)
            return web.Response(text="too late")
        if kind in ("stall", "huge"):
            resp = web.StreamResponse(headers={"Content-Type": rss})
            resp.enable_chunked_encoding()
            await resp.prepare(request)
            head = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            await resp.write(head)
            self.bytes_sent[path] += len(head)
            if kind == "stall":
                await asyncio.sleep(self.stall_s)
                return resp
            chunk = b"<item><title>padding</title></item>" * 1800  # ~63 KB
            try:
                while self.bytes_sent[path] < HUGE_BYTES:
                    await resp.write(chunk)
                    self.bytes_sent[path] += len(chunk)
            except (ConnectionError, RuntimeError):
                pass  # the client hung up: that is the point
            return resp
        if kind == "gzip-bomb":
            bomb = gzip_bomb()
            self.bytes_sent[path] += len(bomb)
            return web.Response(body=bomb, headers={"Content-Type": rss, "Content-Encoding": "gzip"})
        if kind == "redirect-loop":
            raise web.HTTPFound("/fault/redirect-loop-b")
        if kind == "redirect-loop-b":
            raise web.HTTPFound("/fault/redirect-loop")
        if kind == "redirect-local":
            raise web.HTTPFound(f"http://127.0.0.1:{self.port}/feeds/{next(iter(self.feeds), 'none')}")
        docs = {
            "invalid-xml": b"<?xml version='1.0'?><rss version='2.0'><channel <title>>Broken</ti<<tle>< item>>&&</",
            "html": b"<!DOCTYPE html><html><head><title>Trade News</title></head><body><h1>Welcome</h1>"
            b"<p>Our feed moved.</p></body></html>",
            "empty": b"",
            "wrong-encoding": (
                "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Caf\u00e9 Trade</title>"
                "<item><title>Tariff d\u00e9j\u00e0 vu at the caf\u00e9 summit</title><guid>enc-1</guid>"
                "<link>http://127.0.0.1:1/nowhere</link><description>Ministers met in Z\u00fcrich.</description>"
                "</item></channel></rss>"
            ).encode("latin-1"),
            "xxe": b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
            b"<rss version='2.0'><channel><title>&xxe;</title><item><title>&xxe;</title>"
            b"<guid>xxe-1</guid></item></channel></rss>",
            "billion-laughs": (
                b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY lol \"lol\">"
                + b"".join(
                    b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                    for i in range(1, 10)
                )
                + b"]><rss version='2.0'><channel><title>&lol9;</title><item><title>&lol9;</title>"
                b"<guid>lol-1</guid></item></channel></rss>"
            ),
        }
        if kind not in docs:
            raise web.HTTPNotFound()
        ctype = "text/html" if kind == "html" else rss
        self.bytes_sent[path] += len(docs[kind])
        return web.Response(body=docs[kind], headers={"Content-Type": ctype})


def sample_articles(prefix: str, count: int, *, start: datetime | None = None) -> list[Article]:
    """Articles with a story, clutter-free paragraphs and reader comments (our own sentences)."""
    start = start or datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    out = []
    for i in range(count):
        out.append(
            Article(
                slug=f"{prefix}-{i}",
                title=f"{prefix.title()} trade talks, round {i}",
                paragraphs=[
                    f"Negotiators from Japan and the United States met for round {i} of talks on {prefix} tariffs.",
                    f"Officials said the United States would lower its tariff on Japanese cars to 15 percent in round {i}.",
                    "Japan agreed to expand purchases of American rice and soybeans over the next three years.",
                    "Both sides said a signed text could follow within weeks, pending approval by lawmakers.",
                ],
                comments=[
                    f"Reader remark number {i}: this will never pass the senate.",
                    "First! Who else is reading this at work?",
                ],
                published=start + timedelta(hours=i),
                link_suffix="?utm_source=rss&utm_medium=feed",
            )
        )
    return out


class StaticResolver:
    """Stands in for DNS: names map to fixed addresses, anything else does not resolve.

    An aiohttp AbstractResolver (duck-typed), so it goes where tradebot's guard takes its inner
    resolver. `answers` may hold a list per name to answer differently on each lookup (rebinding).
    """

    def __init__(self, names: dict[str, str | list[str]]) -> None:
        self.names = names
        self.lookups: list[tuple[str, str]] = []

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[dict]:
        import socket

        answer = self.names.get(host)
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if answer is None:
            self.lookups.append((host, ""))
            raise OSError(socket.EAI_NONAME, f"Name or service not known: {host}")
        self.lookups.append((host, answer))
        fam = socket.AF_INET6 if ":" in answer else socket.AF_INET
        return [
            {
                "hostname": host,
                "host": answer,
                "port": port,
                "family": fam,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


def feed_test_settings(**fetch_overrides: object):  # -> bot.config.Settings
    """Settings for poller tests: private addresses allowed (the site is on 127.0.0.1), short
    timeouts, no jitter, and a small failure limit so disabling is quick to reach."""
    from bot.config import FetchSettings, PollingSettings, Settings

    fetch = {"allow_private_addresses": True, "total_timeout_s": 2.0, "connect_timeout_s": 1.0}
    fetch.update(fetch_overrides)
    return Settings(
        polling=PollingSettings(jitter_fraction=0, disable_after_failures=3, backoff_base_s=60),
        fetch=FetchSettings(**fetch),
    )
