"""A loopback stand-in for Discord that the unmodified discord.py client talks to.

REST under /api/v10 and the gateway websocket under /gateway, on 127.0.0.1. Payloads follow the
shapes in Discord's API documentation (discord/discord-api-docs: interactions/application-commands,
events/gateway-events, resources/message, topics/rate-limits), with the extra keys discord.py reads.

What it enforces, like Discord:
  - a global limit of `global_limit` requests per second per bot (a sliding one-second window);
    interaction callbacks and followups are exempt. Beyond it: 429, `{"retry_after", "global": true}`
    with `Retry-After`, `X-RateLimit-Global`, `X-RateLimit-Scope: global` and a `Via` header (without
    `Via` discord.py takes a 429 for a Cloudflare ban);
  - a per-channel bucket on `POST /channels/{id}/messages` with X-RateLimit-* headers;
  - `nonce` + `enforce_nonce`: a second message from the bot with the same nonce returns the first
    and creates nothing;
  - deleted channels answer 404 `{"code": 10003, "message": "Unknown Channel"}`.

`point_discord_py_at(fake)` points discord.py's REST base and default gateway at the fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000

# Permission bits (developers/topics/permissions).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
MEMBER_DEFAULT = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY

# Application command option types (interactions/application-commands).
OPTION_SUB_COMMAND = 1
OPTION_SUB_COMMAND_GROUP = 2
OPTION_STRING = 3
OPTION_INTEGER = 4
OPTION_BOOLEAN = 5
OPTION_NUMBER = 10


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py only parses a body whose Content-Type is exactly application/json (no charset).
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _iso(ts: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime(ts or time.time()))


@dataclass
class FakeChannel:
    id: int
    name: str
    guild_id: int | None
    type: int = 0  # GUILD_TEXT; 1 is DM


@dataclass
class FakeGuild:
    id: int
    name: str
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    roles: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SentMessage:
    """A message the bot created (channel message, interaction response or followup)."""

    id: int
    channel_id: int | None
    payload: dict[str, Any]
    files: list[tuple[str, bytes]]
    nonce: str | None
    via: str  # "channel" | "callback" | "followup" | "edit"
    interaction_id: int | None = None
    at: float = 0.0

    @property
    def content(self) -> str:
        return self.payload.get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.payload.get("embeds") or []

    @property
    def ephemeral(self) -> bool:
        return bool((self.payload.get("flags") or 0) & 64)


@dataclass
class _Fault:
    status: int
    retry_after: float = 0.0
    code: int = 0


class FakeDiscord:
    """One bot's view of Discord. Start with `await fake.start()`, stop with `await fake.close()`."""

    token = "fake-token"  # the bot token the fake accepts (REST Authorization and gateway IDENTIFY)

    def __init__(
        self,
        *,
        global_limit: int = 50,
        channel_bucket: tuple[int, float] = (5, 5.0),
        heartbeat_interval_ms: int = 41250,
    ) -> None:
        self.global_limit = global_limit
        self.channel_bucket = channel_bucket
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.identify_close_code: int | None = None  # e.g. 4014 "disallowed intents"
        # Discord checks enforce_nonce "for uniqueness in the past few minutes".
        self.nonce_ttl_s = 300.0
        self._ids = itertools.count(((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) + 1)
        self.application_id = self.snowflake()
        self.bot_user = {
            "id": str(self.application_id),
            "username": "tradebot",
            "discriminator": "0",
            "global_name": "tradebot",
            "avatar": None,
            "bot": True,
            "flags": 0,
            "public_flags": 0,
        }
        self.guilds: dict[int, FakeGuild] = {}
        self.dm_channels: dict[int, FakeChannel] = {}
        self.deleted_channels: set[int] = set()
        self.forbidden_channels: set[int] = set()
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id -> synced commands
        self.sync_calls: list[str] = []
        self.messages: list[SentMessage] = []
        self.callbacks: dict[int, list[dict[str, Any]]] = {}
        self.requests: list[tuple[float, str, str, int]] = []  # (time, method, path, status)
        self.http_429 = 0
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.compression: list[str | None] = []
        self._nonces: dict[str, SentMessage] = {}
        self._window: deque[float] = deque()
        self._buckets: dict[int, deque[float]] = {}
        self._faults: dict[int, deque[_Fault]] = {}
        self._interaction_tokens: dict[str, int] = {}
        self._sessions: dict[str, int] = {}
        self._ws: web.WebSocketResponse | None = None
        self._send_ws: Callable[[dict[str, Any]], Any] | None = None
        self._seq = 0
        self._changed = asyncio.Condition()
        self._ready = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    def snowflake(self) -> int:
        return next(self._ids)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        p = API_PREFIX
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get(p + "/gateway", self._get_gateway)
        app.router.add_get(p + "/gateway/bot", self._get_gateway_bot)
        app.router.add_get(p + "/users/@me", self._get_me)
        app.router.add_get(p + "/oauth2/applications/@me", self._get_app)
        app.router.add_put(p + "/applications/{app}/commands", self._put_commands)
        app.router.add_put(p + "/applications/{app}/guilds/{guild}/commands", self._put_commands)
        app.router.add_get(p + "/applications/{app}/commands", self._get_commands)
        app.router.add_get(p + "/applications/{app}/guilds/{guild}/commands", self._get_commands)
        app.router.add_post(p + "/interactions/{id}/{token}/callback", self._callback)
        app.router.add_post(p + "/webhooks/{app}/{token}", self._followup)
        app.router.add_patch(p + "/webhooks/{app}/{token}/messages/{message}", self._edit_followup)
        app.router.add_delete(p + "/webhooks/{app}/{token}/messages/{message}", self._delete_followup)
        app.router.add_post(p + "/channels/{channel}/messages", self._post_message)
        app.router.add_post(p + "/channels/{channel}/typing", self._typing)
        app.middlewares.append(self._limits)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ world set-up

    def add_guild(
        self, name: str = "Trade Desk", *, channels: int = 1, roles: dict[str, int] | None = None
    ) -> FakeGuild:
        """A guild with `channels` text channels; @everyone gets MEMBER_DEFAULT, plus named roles."""
        gid = self.snowflake()
        guild = FakeGuild(id=gid, name=name)
        guild.roles.append(self._role(gid, "@everyone", MEMBER_DEFAULT, 0))
        for position, (role_name, perms) in enumerate((roles or {}).items(), start=1):
            guild.roles.append(self._role(self.snowflake(), role_name, perms, position))
        for n in range(channels):
            self.add_channel(guild, f"trade-news-{n}")
        self.guilds[gid] = guild
        return guild

    def add_channel(self, guild: FakeGuild, name: str) -> FakeChannel:
        channel = FakeChannel(id=self.snowflake(), name=name, guild_id=guild.id)
        guild.channels[channel.id] = channel
        return channel

    def role_id(self, guild: FakeGuild, name: str) -> int:
        return next(int(r["id"]) for r in guild.roles if r["name"] == name)

    def delete_channel(self, channel_id: int) -> None:
        self.deleted_channels.add(channel_id)

    def fail_next(
        self, channel_id: int, status: int, *, retry_after: float = 0.0, code: int = 0, times: int = 1
    ) -> None:
        """Answer the next `times` message posts to this channel with `status` (429 carries retry_after)."""
        queue = self._faults.setdefault(channel_id, deque())
        queue.extend(_Fault(status, retry_after, code) for _ in range(times))

    # ------------------------------------------------------------------ waiting for the client

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], Any], within: float = 5.0) -> Any:
        async def wait() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(wait(), within)

    async def wait_ready(self, within: float = 5.0) -> None:
        await asyncio.wait_for(self._ready.wait(), within)

    def channel_messages(self, channel_id: int) -> list[SentMessage]:
        return [m for m in self.messages if m.channel_id == channel_id and m.via == "channel"]

    def interaction_messages(self, interaction_id: int) -> list[SentMessage]:
        return [m for m in self.messages if m.interaction_id == interaction_id]

    # ------------------------------------------------------------------ payload builders

    @staticmethod
    def _role(rid: int, name: str, permissions: int, position: int) -> dict[str, Any]:
        return {
            "id": str(rid),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    @staticmethod
    def _channel_payload(channel: FakeChannel, position: int = 0) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(channel.id),
            "type": channel.type,
            "name": channel.name,
            "position": position,
            "permission_overwrites": [],
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        return data

    def _user(self, user_id: int, name: str) -> dict[str, Any]:
        return {
            "id": str(user_id),
            "username": name,
            "discriminator": "0",
            "global_name": name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
        }

    def _member(
        self, user: dict[str, Any], roles: list[int], permissions: int | None = None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user": user,
            "nick": None,
            "avatar": None,
            "roles": [str(r) for r in roles],
            "joined_at": _iso(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data

    def _guild_create(self, guild: FakeGuild) -> dict[str, Any]:
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.snowflake()),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": guild.roles,
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": _iso(),
            "large": False,
            "unavailable": False,
            "member_count": 2,
            "voice_states": [],
            "presences": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "members": [self._member(self.bot_user, [])],
            "channels": [self._channel_payload(c, i) for i, c in enumerate(guild.channels.values())],
        }

    def _message(
        self,
        channel_id: int | None,
        payload: dict[str, Any],
        files: list[tuple[str, bytes]],
        nonce: str | None,
        interaction_id: int | None = None,
    ) -> dict[str, Any]:
        mid = self.snowflake()
        attachments = [
            {
                "id": str(self.snowflake()),
                "filename": name,
                "size": len(data),
                "url": f"{self.url}/attachments/{mid}/{name}",
                "proxy_url": f"{self.url}/attachments/{mid}/{name}",
                "content_type": "image/png" if name.endswith(".png") else "application/octet-stream",
            }
            for name, data in files
        ]
        data: dict[str, Any] = {
            "id": str(mid),
            "type": 0 if interaction_id is None else 20,
            "channel_id": str(channel_id or 0),
            "author": self.bot_user,
            "content": payload.get("content") or "",
            "timestamp": _iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": payload.get("embeds") or [],
            "pinned": False,
            "flags": payload.get("flags") or 0,
            "components": [],
        }
        if nonce is not None:
            data["nonce"] = nonce
        if channel_id is not None:
            for guild in self.guilds.values():
                if channel_id in guild.channels:
                    data["guild_id"] = str(guild.id)
        return data

    # ------------------------------------------------------------------ rate limits

    @web.middleware
    async def _limits(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        path = request.path
        exempt = not path.startswith(API_PREFIX + "/") or path.startswith(
            (API_PREFIX + "/interactions/", API_PREFIX + "/webhooks/")
        )
        now = time.monotonic()
        if not exempt:
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= self.global_limit:
                retry_after = round(1.0 - (now - self._window[0]), 3) + 0.001
                self.http_429 += 1
                self.requests.append((now, request.method, path, 429))
                return _json(
                    {"message": "You are being rate limited.", "retry_after": retry_after, "global": True},
                    status=429,
                    headers={
                        "Retry-After": str(max(1, round(retry_after))),
                        "X-RateLimit-Global": "true",
                        "X-RateLimit-Scope": "global",
                        "Via": "1.1 google",
                    },
                )
            self._window.append(now)
        response = await handler(request)
        self.requests.append((now, request.method, path, response.status))
        return response

    def _channel_bucket(self, channel_id: int) -> tuple[dict[str, str], float | None]:
        """Headers for the per-channel message bucket, and a retry_after if it is exhausted."""
        limit, per = self.channel_bucket
        now = time.monotonic()
        window = self._buckets.setdefault(channel_id, deque())
        while window and now - window[0] >= per:
            window.popleft()
        if len(window) >= limit:
            return {}, per - (now - window[0])
        window.append(now)
        reset_after = per - (now - window[0])
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(limit - len(window)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": "channel-messages",
        }
        return headers, None

    # ------------------------------------------------------------------ REST

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        return _json(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14400000,
                    "max_concurrency": 1,
                },
            }
        )

    async def _get_me(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization", "") != "Bot " + self.token:
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        return _json(self.bot_user)

    async def _get_app(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(self.application_id),
                "name": "tradebot",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "00" * 32,
                "flags": 0,
                "owner": self._user(self.snowflake(), "owner"),
                "team": None,
                "interactions_endpoint_url": None,
                "summary": "",
                "bot": self.bot_user,
            }
        )

    async def _put_commands(self, request: web.Request) -> web.Response:
        scope = request.match_info.get("guild", "global")
        body = await request.json()
        synced = []
        for command in body:
            command = dict(command)
            command.update(id=str(self.snowflake()), application_id=str(self.application_id), version="1")
            command.setdefault("type", 1)
            command.setdefault("options", [])
            command.setdefault("default_member_permissions", None)
            command.setdefault("nsfw", False)
            synced.append(command)
        self.commands[scope] = synced
        self.sync_calls.append(scope)
        await self._notify()
        return _json(synced)

    async def _get_commands(self, request: web.Request) -> web.Response:
        return _json(self.commands.get(request.match_info.get("guild", "global"), []))

    async def _read_message_body(
        self, request: web.Request
    ) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
        if request.content_type.startswith("multipart/"):
            payload: dict[str, Any] = {}
            files: list[tuple[str, bytes]] = []
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    payload = json.loads(await part.text())
                else:
                    files.append((part.filename or part.name or "file", bytes(await part.read())))
            return payload, files
        return await request.json(), []

    async def _post_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel"])
        known = any(channel_id in g.channels for g in self.guilds.values()) or channel_id in self.dm_channels
        if channel_id in self.deleted_channels or not known:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        if channel_id in self.forbidden_channels:
            return _json({"message": "Missing Access", "code": 50001}, status=403)
        faults = self._faults.get(channel_id)
        if faults:
            fault = faults.popleft()
            if fault.status == 429:
                self.http_429 += 1
                return _json(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": fault.retry_after,
                        "global": False,
                    },
                    status=429,
                    headers={
                        "Retry-After": str(max(1, round(fault.retry_after))),
                        "X-RateLimit-Scope": "user",
                        "Via": "1.1 google",
                    },
                )
            return _json({"message": "fault", "code": fault.code}, status=fault.status)
        headers, retry_after = self._channel_bucket(channel_id)
        if retry_after is not None:
            self.http_429 += 1
            return _json(
                {
                    "message": "You are being rate limited.",
                    "retry_after": round(retry_after, 3),
                    "global": False,
                },
                status=429,
                headers={
                    "Retry-After": str(max(1, round(retry_after))),
                    "X-RateLimit-Scope": "user",
                    "Via": "1.1 google",
                },
            )
        payload, files = await self._read_message_body(request)
        nonce = payload.get("nonce")
        existing = (
            self._nonces.get(str(nonce)) if nonce is not None and payload.get("enforce_nonce") else None
        )
        if existing is not None and time.monotonic() - existing.at < self.nonce_ttl_s:
            return _json(
                self._message(existing.channel_id, existing.payload, existing.files, existing.nonce)
                | {"id": str(existing.id)},
                headers=headers,
            )
        data = self._message(channel_id, payload, files, None if nonce is None else str(nonce))
        sent = SentMessage(
            int(data["id"]), channel_id, payload, files, data.get("nonce"), "channel", at=time.monotonic()
        )
        self.messages.append(sent)
        if sent.nonce is not None:
            self._nonces[sent.nonce] = sent
        await self._notify()
        return _json(data, headers=headers)

    async def _typing(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _callback(self, request: web.Request) -> web.Response:
        interaction_id = int(request.match_info["id"])
        if self._interaction_tokens.get(request.match_info["token"]) != interaction_id:
            return _json({"message": "Unknown interaction", "code": 10062}, status=404)
        if self.callbacks.get(interaction_id):
            return _json({"message": "Interaction has already been acknowledged.", "code": 40060}, status=400)
        body, files = await self._read_message_body(request)
        self.callbacks.setdefault(interaction_id, []).append(body)
        response_type = body.get("type")
        data = body.get("data") or {}
        interaction = {
            "id": str(interaction_id),
            "type": 2,
            "response_message_loading": response_type == 5,
            "response_message_ephemeral": bool((data.get("flags") or 0) & 64),
        }
        resource: dict[str, Any] = {"type": response_type}
        if response_type in (4, 5):
            message = self._message(None, data, files, None, interaction_id)
            interaction["response_message_id"] = message["id"]
            resource["message"] = message
            if response_type == 4:
                self.messages.append(
                    SentMessage(
                        int(message["id"]),
                        None,
                        data,
                        files,
                        None,
                        "callback",
                        interaction_id,
                        time.monotonic(),
                    )
                )
        await self._notify()
        return _json({"interaction": interaction, "resource": resource})

    async def _followup(self, request: web.Request) -> web.Response:
        interaction_id = self._interaction_tokens.get(request.match_info["token"])
        if interaction_id is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        payload, files = await self._read_message_body(request)
        data = self._message(None, payload, files, None, interaction_id)
        self.messages.append(
            SentMessage(
                int(data["id"]), None, payload, files, None, "followup", interaction_id, time.monotonic()
            )
        )
        await self._notify()
        return _json(data)

    async def _edit_followup(self, request: web.Request) -> web.Response:
        interaction_id = self._interaction_tokens.get(request.match_info["token"])
        if interaction_id is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        payload, files = await self._read_message_body(request)
        data = self._message(None, payload, files, None, interaction_id)
        self.messages.append(
            SentMessage(int(data["id"]), None, payload, files, None, "edit", interaction_id, time.monotonic())
        )
        await self._notify()
        return _json(data)

    async def _delete_followup(self, request: web.Request) -> web.Response:
        interaction_id = self._interaction_tokens.get(request.match_info["token"])
        if interaction_id is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        self.messages.append(SentMessage(0, None, {}, [], None, "delete", interaction_id, time.monotonic()))
        await self._notify()
        return web.Response(status=204)

    # ------------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        compress = request.query.get("compress")
        self.compression.append(compress)
        compressor = zlib.compressobj() if compress == "zlib-stream" else None

        async def send(payload: dict[str, Any]) -> None:
            text = json.dumps(payload)
            if compressor is not None:
                # zlib-stream: one shared context per connection, each message ends in a sync flush.
                await ws.send_bytes(compressor.compress(text.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH))
            else:
                await ws.send_str(text)

        await send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op, d = frame.get("op"), frame.get("d")
            if op == 1:
                self.heartbeats += 1
                await send({"op": 11, "d": None, "s": None, "t": None})
                await self._notify()
            elif op == 2:
                self.identifies.append(d)
                if d.get("token") != self.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                if self.identify_close_code is not None:
                    await ws.close(code=self.identify_close_code, message=b"Refused by the fake.")
                    break
                self._ws, self._send_ws = ws, send
                session_id = f"session-{self.snowflake()}"
                self._sessions[session_id] = 0
                self._seq = 0
                await self._dispatch(
                    "READY",
                    {
                        "v": 10,
                        "user": self.bot_user | {"verified": True, "mfa_enabled": False},
                        "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds],
                        "session_id": session_id,
                        "resume_gateway_url": self.gateway_url,
                        "application": {"id": str(self.application_id), "flags": 0},
                        "private_channels": [],
                        "relationships": [],
                        "presences": [],
                        "_trace": ["fake-discord"],
                    },
                )
                for guild in self.guilds.values():
                    await self._dispatch("GUILD_CREATE", self._guild_create(guild))
                self._ready.set()
                await self._notify()
            elif op == 6:
                self.resumes.append(d)
                if d.get("session_id") not in self._sessions:
                    await send({"op": 9, "d": False, "s": None, "t": None})
                    continue
                self._ws, self._send_ws = ws, send
                await self._dispatch("RESUMED", {"_trace": ["fake-discord"]})
                self._ready.set()
                await self._notify()
        return ws

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        if self._send_ws is None:
            raise RuntimeError("no client is connected to the fake gateway")
        self._seq += 1
        await self._send_ws({"op": 0, "s": self._seq, "t": event, "d": data})

    async def request_reconnect(self) -> None:
        """Gateway op 7: the client closes and RESUMEs on resume_gateway_url."""
        ws, self._ready = self._ws, asyncio.Event()
        if self._send_ws is not None and ws is not None:
            await self._send_ws({"op": 7, "d": None, "s": None, "t": None})
            self._send_ws = None

    # ------------------------------------------------------------------ events from "users"

    def _command(self, name: str, scope: str) -> dict[str, Any]:
        for command in self.commands.get(scope, []) + self.commands.get("global", []):
            if command["name"] == name:
                return command
        raise KeyError(f"/{name} was not synced (scope {scope})")

    @staticmethod
    def _options(
        declared: list[dict[str, Any]], given: dict[str, Any], focused: str | None
    ) -> list[dict[str, Any]]:
        """Build interaction options from the SYNCED option definitions: a wrong name or type fails here."""
        by_name = {o["name"]: o for o in declared}
        out = []
        for name, value in given.items():
            if name not in by_name:
                raise KeyError(f"option {name!r} is not declared; declared: {sorted(by_name)}")
            kind = by_name[name]["type"]
            if kind in (OPTION_SUB_COMMAND, OPTION_SUB_COMMAND_GROUP):
                nested = FakeDiscord._options(by_name[name].get("options", []), value or {}, focused)
                out.append({"name": name, "type": kind, "options": nested})
                continue
            checks: dict[int, Callable[[Any], bool]] = {
                OPTION_STRING: lambda v: isinstance(v, str),
                OPTION_INTEGER: lambda v: isinstance(v, int) and not isinstance(v, bool),
                OPTION_BOOLEAN: lambda v: isinstance(v, bool),
                OPTION_NUMBER: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            }
            if kind in checks and not checks[kind](value) and name != focused:
                raise TypeError(f"option {name!r} has type {kind}; got {value!r}")
            option: dict[str, Any] = {"name": name, "type": kind, "value": value}
            if name == focused:
                option["focused"] = True
            out.append(option)
        return out

    def _interaction(
        self,
        kind: int,
        name: str,
        options: dict[str, Any],
        *,
        guild: FakeGuild | None,
        channel_id: int,
        user_id: int,
        user_name: str,
        permissions: int,
        roles: list[int],
        focused: str | None = None,
    ) -> dict[str, Any]:
        scope = str(guild.id) if guild is not None else "global"
        command = self._command(name, scope)
        interaction_id = self.snowflake()
        token = f"itoken-{interaction_id}"
        self._interaction_tokens[token] = interaction_id
        user = self._user(user_id, user_name)
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": self._options(command.get("options", []), options, focused),
        }
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "locale": "en-US",
            "attachment_size_limit": 10 * 1024 * 1024,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id if guild else user_id)},
            "app_permissions": str(MEMBER_DEFAULT | EMBED_LINKS | ATTACH_FILES),
        }
        if guild is not None:
            data["guild_id"] = str(guild.id)
            channel = guild.channels[channel_id]
            payload.update(
                guild_id=str(guild.id),
                guild_locale="en-US",
                context=0,
                channel_id=str(channel_id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                channel=self._channel_payload(channel) | {"permissions": str(permissions)},
                member=self._member(user, roles, permissions),
            )
        else:
            dm = self.dm_channels.setdefault(channel_id, FakeChannel(channel_id, "dm", None, type=1))
            payload.update(
                context=1,
                channel_id=str(dm.id),
                user=user,
                channel={
                    "id": str(dm.id),
                    "type": 1,
                    "last_message_id": None,
                    "flags": 0,
                    "recipients": [user],
                },
            )
        return payload

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        guild: FakeGuild | None,
        channel_id: int,
        user_id: int = 4242,
        user_name: str = "trader",
        permissions: int = MEMBER_DEFAULT,
        roles: list[int] | None = None,
    ) -> int:
        """A member runs /name with options (a subcommand is {"add": {"url": ...}}); returns the interaction id."""
        payload = self._interaction(
            2,
            name,
            options or {},
            guild=guild,
            channel_id=channel_id,
            user_id=user_id,
            user_name=user_name,
            permissions=permissions,
            roles=roles or [],
        )
        await self._dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    async def autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        guild: FakeGuild | None,
        channel_id: int,
        user_id: int = 4242,
    ) -> int:
        payload = self._interaction(
            4,
            name,
            options,
            guild=guild,
            channel_id=channel_id,
            user_id=user_id,
            user_name="trader",
            permissions=MEMBER_DEFAULT,
            roles=[],
            focused=focused,
        )
        await self._dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    async def user_message(
        self,
        content: str,
        *,
        guild: FakeGuild | None,
        channel_id: int,
        user_id: int = 4242,
        user_name: str = "trader",
        mention_bot: bool = False,
        roles: list[int] | None = None,
    ) -> int:
        """MESSAGE_CREATE from a user, in a guild channel or (guild=None) a DM with the bot."""
        mid = self.snowflake()
        user = self._user(user_id, user_name)
        data: dict[str, Any] = {
            "id": str(mid),
            "type": 0,
            "channel_id": str(channel_id),
            "author": user,
            "content": content,
            "timestamp": _iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [self.bot_user] if mention_bot else [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "flags": 0,
            "components": [],
            "nonce": None,
        }
        if guild is not None:
            data["guild_id"] = str(guild.id)
            member = self._member(user, roles or [])
            member.pop("user")
            data["member"] = member
        else:
            self.dm_channels.setdefault(channel_id, FakeChannel(channel_id, "dm", None, type=1))
        await self._dispatch("MESSAGE_CREATE", data)
        return mid


@contextlib.contextmanager
def point_discord_py_at(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at the fake, and restore them after."""
    import discord.gateway
    import discord.http
    import yarl

    old_base, old_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
