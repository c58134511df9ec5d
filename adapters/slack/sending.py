"""Posting to Slack for the outbox (ChatAdapter.send) and for interactive answers.

Three jobs, each small:
- pacing: chat.postMessage allows about one message per second per channel. The next post to a
  channel waits until `interval` after the previous one *completed*, so even with network jitter
  Slack never sees two posts closer than `interval` (bot.delivery paces by schedule before this).
- no second copy: every delivery carries its key in message metadata. Before posting a key that
  may already be in the channel (the first post to a channel since start, or a key whose last
  attempt ended without an answer), the channel's recent history is read and a message with that
  key is returned instead of posting again.
- errors: Slack's answers are mapped onto bot.api's SendError tree (see `classify`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict, defaultdict
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import render
from bot.api import ChannelGone, RateLimited, SendError, TemporaryFailure
from bot.models import Reply

log = logging.getLogger(__name__)

METADATA_EVENT = "tradebot_delivery"
HISTORY_LIMIT = 200  # how far back a re-send looks for its key (a few minutes of a busy channel)
KEYS_PER_CHANNEL = 500  # keys remembered per channel in memory
GONE_ERRORS = frozenset({"channel_not_found", "is_archived", "not_in_channel", "channel_is_archived"})


def classify(exc: Exception) -> SendError:
    """Slack's answer → ChannelGone (pause), RateLimited (wait exactly), TemporaryFailure (back off),
    or a plain SendError (a request Slack will never accept, e.g. invalid_blocks)."""
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = getattr(response, "status_code", None) or getattr(response, "status", 0)
        try:
            error = str(response.get("error", "")) if hasattr(response, "get") else ""
        except Exception:  # a non-JSON body: only the status tells us anything
            error = ""
        if error in GONE_ERRORS:
            return ChannelGone(error)
        if status == 429 or error == "ratelimited":
            headers = getattr(response, "headers", {}) or {}
            raw = next((v for k, v in headers.items() if k.lower() == "retry-after"), "1")
            raw = raw[0] if isinstance(raw, list) else raw
            try:
                retry_after = max(1.0, float(raw))
            except ValueError:
                retry_after = 1.0
            return RateLimited(retry_after, "slack ratelimited")
        if status >= 500 or error in {
            "internal_error",
            "fatal_error",
            "service_unavailable",
            "request_timeout",
        }:
            return TemporaryFailure(f"slack {status} {error}".strip())
        return SendError(f"slack refused: {error or status}")
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | SlackClientError | ConnectionError):
        return TemporaryFailure(f"{type(exc).__name__}: {exc}")
    return SendError(f"{type(exc).__name__}: {exc}")


class ChannelPacer:
    """At most one chat.postMessage per `interval` seconds per channel, measured from completion.

    Callers hold `lock(channel)` around wait → post → done, so posts to one channel are serial."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._done_at: dict[str, float] = {}  # time.monotonic() of the channel's last post

    def lock(self, channel: str) -> asyncio.Lock:
        return self._locks[channel]

    async def wait(self, channel: str) -> None:
        delay = self._done_at.get(channel, -math.inf) + self.interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    def done(self, channel: str) -> None:
        self._done_at[channel] = time.monotonic()
        if len(self._done_at) > 10_000:  # forget channels whose interval has long passed
            horizon = time.monotonic() - self.interval
            self._done_at = {k: v for k, v in self._done_at.items() if v > horizon}

    def seed(self, channel: str, posted_at: float) -> None:
        """A post seen in the channel's history (wall-clock `posted_at`, e.g. by the process that ran
        before a restart) counts too."""
        at = time.monotonic() - max(0.0, time.time() - posted_at)
        self._done_at[channel] = max(self._done_at.get(channel, -math.inf), at)


class Poster:
    """chat.postMessage with pacing, idempotency keys and error mapping."""

    def __init__(self, client: AsyncWebClient, interval: float, bot_id: str = "") -> None:
        self.client = client
        self.pacer = ChannelPacer(interval)
        self.bot_id = bot_id
        self._posted: dict[str, OrderedDict[str, str]] = defaultdict(OrderedDict)  # channel -> key -> ts
        self._history_read: set[str] = set()
        self._uncertain: set[str] = set()  # keys whose last post got no answer: maybe in Slack

    def _remember(self, channel: str, key: str, ts: str) -> None:
        keys = self._posted[channel]
        keys[key] = ts
        keys.move_to_end(key)
        while len(keys) > KEYS_PER_CHANNEL:
            keys.popitem(last=False)

    async def _read_history(self, channel: str) -> None:
        response = await self.client.conversations_history(
            channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True
        )
        for message in reversed(response.get("messages") or []):
            if message.get("bot_id") and message.get("bot_id") == self.bot_id:
                self.pacer.seed(channel, float(message.get("ts") or 0))
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") != METADATA_EVENT:
                continue
            if self.bot_id and message.get("bot_id") not in (None, self.bot_id):
                continue
            key = (metadata.get("event_payload") or {}).get("key")
            if key:
                self._remember(channel, str(key), str(message.get("ts")))
        self._history_read.add(channel)

    async def find(self, channel: str, key: str, *, maybe_sent: bool | None) -> str | None:
        """The ts of a message already carrying `key` in `channel`, or None."""
        if key in self._posted[channel]:
            return self._posted[channel][key]
        if maybe_sent is False:
            return None
        if maybe_sent or key in self._uncertain or channel not in self._history_read:
            await self._read_history(channel)
            self._uncertain.discard(key)
        return self._posted[channel].get(key)

    async def deliver(self, channel: str, reply: Reply, key: str, *, maybe_sent: bool | None = None) -> str:
        try:
            async with self.pacer.lock(channel):
                existing = await self.find(channel, key, maybe_sent=maybe_sent)
                if existing:
                    log.info(
                        "delivery already in channel; not posting again",
                        extra={"channel": channel, "key": key, "ts": existing},
                    )
                    return existing
                await self.pacer.wait(channel)
                try:
                    ts = await self._post(channel, reply, key)
                finally:
                    self.pacer.done(channel)
        except Exception as exc:
            error = classify(exc)
            if isinstance(error, TemporaryFailure):
                self._uncertain.add(key)  # Slack may have posted it before the connection broke
            raise error from exc
        if reply.image is not None:
            await self.upload(channel, reply, thread_ts=ts)
        return ts

    async def _post(self, channel: str, reply: Reply, key: str) -> str:
        response = await self.client.chat_postMessage(
            channel=channel,
            unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"key": key}},
            **render(reply),
        )
        ts = str(response["ts"])
        self._remember(channel, key, ts)
        return ts

    async def say(self, channel: str, reply: Reply, *, thread_ts: str | None = None) -> str:
        """An interactive answer (no key): paced like everything else posted to the channel."""
        async with self.pacer.lock(channel):
            await self.pacer.wait(channel)
            try:
                response = await self.client.chat_postMessage(
                    channel=channel,
                    thread_ts=thread_ts,
                    unfurl_links=False,
                    unfurl_media=False,
                    **render(reply),
                )
            finally:
                self.pacer.done(channel)
        ts = str(response["ts"])
        if reply.image is not None:
            await self.upload(channel, reply, thread_ts=thread_ts)
        return ts

    async def whisper(self, channel: str, user: str, reply: Reply, *, thread_ts: str | None = None) -> None:
        """An ephemeral answer only `user` sees."""
        await self.client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, **render(reply))

    async def upload(self, channel: str, reply: Reply, *, thread_ts: str | None = None) -> None:
        """The reply's chart, through the files API (upload v2). A failed upload is logged: the text
        already went out and is complete on its own."""
        image = reply.image
        if image is None:
            return
        args: dict[str, Any] = {
            "channel": channel,
            "file": image.data,
            "filename": image.filename,
            "title": image.description or image.filename,
        }
        if image.description:
            args["alt_txt"] = image.description[:1000]
        if thread_ts:
            args["thread_ts"] = thread_ts
        try:
            await self.client.files_upload_v2(**args)
        except Exception as exc:
            log.warning("chart upload failed: %s", classify(exc), extra={"channel": channel})
