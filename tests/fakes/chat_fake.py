"""A loopback chat service for delivery tests and the soak bench, and a tiny adapter that posts to it.

The service models what matters about a real platform for delivery, and nothing more:

- `POST /channels/{channel}/messages` with JSON `{"text", "key", "kind"}` posts a message and
  answers `{"id": ...}`.
- Idempotency keys behave like Discord's nonce with `enforce_nonce`: the service remembers the
  keys it has accepted per channel for `key_ttl_s` seconds, and a repeat within that time is not
  posted again (the original message id is returned). After the TTL a repeat IS posted again, and
  a post without a key is always posted: the service does not dedupe anything else by itself.
- Faults on demand: answer 5xx for a while (`outage(seconds)` or `fail_next(n, status)`), 429 with
  a Retry-After (`rate_limit_next(n, retry_after)`), 404 for a deleted channel (`gone`), or hold a
  request without answering (`hold_next`), which is how a test freezes a sender mid-send.

It counts everything: every accepted message (with its key), every repeat it dropped, every request.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from bot.api import ChannelGone, CoreAPI, RateLimited, TemporaryFailure
from bot.models import Reply


@dataclass(slots=True)
class Message:
    id: str
    channel: str
    key: str | None
    text: str
    kind: str
    at: float = field(default_factory=time.monotonic)


class ChatService:
    def __init__(self, key_ttl_s: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.key_ttl_s = key_ttl_s
        self.clock = clock
        self.messages: list[Message] = []
        self.requests = 0
        self.dropped_repeats = 0
        self.statuses: Counter[int] = Counter()
        self.gone: set[str] = set()
        self.on_post: Callable[[Message], None] | None = None  # called after a message is accepted
        self._keys: dict[tuple[str, str], tuple[str, float]] = {}  # (channel, key) -> (message id, when)
        self._ids = itertools.count(1)
        self._fail: list[tuple[int, float | None]] = []  # queued (status, retry_after) answers
        self._outage_until = 0.0
        self._outage_status = 503
        self._hold = 0
        self._failing_channels: dict[str, tuple[int, float]] = {}
        self.held = asyncio.Event()  # set when a held request has been accepted
        self.release = asyncio.Event()
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.app = web.Application()
        self.app.router.add_post("/channels/{channel}/messages", self._post)

    # ---------------------------------------------------------------- faults

    def fail_next(self, count: int, status: int = 500) -> None:
        self._fail += [(status, None)] * count

    def fail_channel(self, channel: str, status: int = 503, delay_s: float = 0.0) -> None:
        """Answer `status` to every post to `channel`, after `delay_s` (a slow failure)."""
        self._failing_channels[channel] = (status, delay_s)

    def rate_limit_next(self, count: int, retry_after: float) -> None:
        self._fail += [(429, retry_after)] * count

    def outage(self, seconds: float, status: int = 503) -> None:
        """Answer `status` to every post for the next `seconds`."""
        self._outage_until = self.clock() + seconds
        self._outage_status = status

    def hold_next(self, count: int = 1) -> None:
        """Accept the next post(s), then never answer until `release` is set (a sender frozen
        between the platform's accepting a message and its recording the message id)."""
        self._hold += count

    # ---------------------------------------------------------------- what was delivered

    def delivered(self, channel: str | None = None) -> list[Message]:
        return [m for m in self.messages if channel is None or m.channel == channel]

    def duplicates(self) -> int:
        """Messages posted for a (channel, key) that had already been posted."""
        seen: Counter[tuple[str, str | None]] = Counter((m.channel, m.key) for m in self.messages)
        return sum(n - 1 for n in seen.values())

    # ---------------------------------------------------------------- server

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> ChatService:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> ChatService:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _answer(self, status: int, retry_after: float | None = None) -> web.Response:
        self.statuses[status] += 1
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return web.json_response({"error": status}, status=status, headers=headers)

    async def _post(self, request: web.Request) -> web.Response:
        self.requests += 1
        channel = request.match_info["channel"]
        body = await request.json()
        if channel in self.gone:
            return self._answer(404)
        if channel in self._failing_channels:
            status, delay = self._failing_channels[channel]
            await asyncio.sleep(delay)
            return self._answer(status)
        if self.clock() < self._outage_until:
            return self._answer(self._outage_status)
        if self._fail:
            status, retry_after = self._fail.pop(0)
            return self._answer(status, retry_after)
        key = body.get("key")
        now = self.clock()
        if key is not None:
            known = self._keys.get((channel, key))
            if known is not None and now - known[1] < self.key_ttl_s:
                self.dropped_repeats += 1
                self.statuses[200] += 1
                return web.json_response({"id": known[0], "repeat": True})
        message = Message(
            str(next(self._ids)), channel, key, str(body.get("text", "")), str(body.get("kind", ""))
        )
        self.messages.append(message)
        if key is not None:
            self._keys[(channel, key)] = (message.id, now)
            if len(self._keys) > 200_000:  # forget expired keys, as the platform does
                self._keys = {k: v for k, v in self._keys.items() if now - v[1] < self.key_ttl_s}
        if self.on_post is not None:
            self.on_post(message)
        if self._hold:
            self._hold -= 1
            self.held.set()
            await self.release.wait()
        self.statuses[200] += 1
        return web.json_response({"id": message.id})


class HttpChatAdapter:
    """A ChatAdapter for ChatService, over real HTTP with aiohttp: the smallest honest adapter.

    It maps the service's answers onto the core's send errors the way the Discord and Slack
    adapters map theirs: 404 → ChannelGone, 429 → RateLimited(Retry-After), 5xx and connection
    errors → TemporaryFailure. It sends the delivery key so the service can drop a repeat."""

    def __init__(
        self, base_url: str, platform: str = "fakechat", *, send_key: bool = True, timeout_s: float = 10.0
    ) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.send_key = send_key
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.session: aiohttp.ClientSession | None = None
        self.core: CoreAPI | None = None

    async def start(self, core: CoreAPI) -> None:
        self.core = core
        if self.session is None:
            self.session = aiohttp.ClientSession(timeout=self.timeout)

    async def send(self, channel: str, reply: Reply, *, key: str) -> str:
        if self.session is None:
            self.session = aiohttp.ClientSession(timeout=self.timeout)
        payload = {"text": reply.text, "kind": reply.kind, "key": key if self.send_key else None}
        try:
            async with self.session.post(
                f"{self.base_url}/channels/{channel}/messages", json=payload
            ) as resp:
                data = await resp.json(content_type=None)
                if resp.status == 404:
                    raise ChannelGone(f"channel {channel} not found")
                if resp.status == 429:
                    raise RateLimited(float(resp.headers.get("Retry-After", "1")))
                if resp.status >= 400:
                    raise TemporaryFailure(f"HTTP {resp.status}")
                return str(data["id"])
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc

    async def stop(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None
