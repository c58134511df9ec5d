"""A loopback stand-in for Slack, for the unmodified slack_sdk / slack-bolt clients.

One aiohttp server on 127.0.0.1 plays both sides of Slack:
- the Web API under /api/ (auth.test, chat.postMessage, chat.postEphemeral, conversations.history,
  users.info, usergroups.*, files upload v2, apps.connections.open), with chat.postMessage limited
  to one message per `min_interval` seconds per channel (beyond it: 429 + Retry-After, as Slack does);
- response_url webhooks under /commands/;
- the Socket Mode websocket under /link, which says `hello` and then pushes the envelopes a test
  queues, collecting the app's acks;
- for HTTP mode, `deliver()` signs and POSTs a payload to the app, the way Slack calls a Request URL.

Payload builders below follow the shapes in Slack's documentation (slash command form fields,
Events API `event_callback`, Socket Mode envelopes).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import math
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import ClientSession, WSMsgType, web

TEAM_ID = "T0TRADE01"
BOT_USER_ID = "U0BOT0001"
BOT_ID = "B0BOT0001"
APP_ID = "A0APP0001"


def sign(secret: str, timestamp: str, body: str) -> str:
    """Slack's request signature: v0= + hex HMAC-SHA256 of 'v0:{timestamp}:{body}'."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Posted:
    method: str
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None = None
    user: str | None = None  # chat.postEphemeral's recipient
    metadata: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    at: float = 0.0


@dataclass
class Upload:
    file_id: str
    filename: str
    length: int
    data: bytes = b""
    channel: str | None = None
    thread_ts: str | None = None
    title: str | None = None
    completed: bool = False


class SlackFake:
    def __init__(self, *, min_interval: float = 1.0) -> None:
        self.min_interval = min_interval
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.calls: Counter[str] = Counter()
        self.messages: list[Posted] = []  # chat.postMessage, accepted
        self.ephemeral: list[Posted] = []
        self.responses: list[dict[str, Any]] = []  # POSTs to response_url
        self.uploads: dict[str, Upload] = {}
        self.http_429 = 0
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, dict[str, Any]] = {}  # id -> {"handle", "users"}
        self.gone: dict[str, str] = {}  # channel -> error (channel_not_found, is_archived, not_in_channel)
        self._fail: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)  # method -> queued errors
        self._last_post: dict[str, float] = {}
        self._lose_answer: set[str] = set()
        self._last_ts = 0.0
        # Socket Mode
        self.sockets: list[web.WebSocketResponse] = []
        self.connections_opened = 0
        self.acks: dict[str, dict[str, Any]] = {}
        self._ack_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._connected = asyncio.Event()

    # ------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> SlackFake:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_post("/commands/{path:.*}", self._response_url)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    # ------------------------------------------------------------ test controls

    def add_user(self, user_id: str, name: str, *, admin: bool = False, owner: bool = False) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name,
            "real_name": name.title(),
            "is_admin": admin,
            "is_owner": owner,
            "is_bot": False,
            "deleted": False,
        }

    def add_usergroup(self, group_id: str, handle: str, users: list[str]) -> None:
        self.usergroups[group_id] = {"id": group_id, "team_id": TEAM_ID, "handle": handle, "users": users}

    def fail_next(self, method: str, status: int, *, error: str = "", retry_after: int | None = None) -> None:
        """Make the next call of `method` answer `status` (429 with Retry-After, 5xx, or ok:false)."""
        extra = {"error": error or ("ratelimited" if status == 429 else "internal_error")}
        if retry_after is not None:
            extra["retry_after"] = str(retry_after)
        self._fail[method].append((status, extra))

    def lose_next_answer(self, method: str) -> None:
        """Do the next call of `method`, then answer 503 as if the connection broke after Slack acted."""
        self._lose_answer.add(method)

    def channel_messages(self, channel: str) -> list[Posted]:
        return [m for m in self.messages if m.channel == channel]

    # ------------------------------------------------------------ Web API

    @staticmethod
    def _json(data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response(data, status=status, headers=headers)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            raw = await request.text()
            if request.content_type == "application/json":
                params.update(json.loads(raw or "{}"))
            else:
                params.update(dict(parse_qsl(raw, keep_blank_values=True)))
        for key in ("blocks", "metadata", "files"):
            if isinstance(params.get(key), str) and params[key][:1] in "[{":
                params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls[method] += 1
        auth = request.headers.get("Authorization", "")
        params = await self._params(request)
        if method == "apps.connections.open":
            if not auth.startswith("Bearer xapp-"):
                return self._json({"ok": False, "error": "invalid_auth"})
            return await self._connections_open()
        if not auth.startswith("Bearer xoxb-"):
            return self._json({"ok": False, "error": "not_authed" if not auth else "invalid_auth"})
        if self._fail.get(method):
            status, extra = self._fail[method].pop(0)
            headers = {"Retry-After": extra.pop("retry_after")} if "retry_after" in extra else None
            if status == 429:
                self.http_429 += 1
            return self._json({"ok": False, **extra}, status=status, headers=headers)
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return self._json({"ok": False, "error": "unknown_method"}, status=404)
        response = await handler(params)
        if method in self._lose_answer:
            self._lose_answer.discard(method)
            return web.Response(status=503, text="upstream connect error")
        return response

    def _next_ts(self) -> str:
        """Slack's ts: the post's epoch time in microseconds, unique (it is the message's id)."""
        now = max(time.time(), self._last_ts + 1e-6)
        self._last_ts = now
        return f"{now:.6f}"

    async def _m_auth_test(self, params: dict[str, Any]) -> web.Response:
        return self._json(
            {
                "ok": True,
                "url": "https://tradebot-test.slack.com/",
                "team": "Trade Test",
                "user": "tradebot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        )

    def _channel_error(self, channel: str) -> web.Response | None:
        if not channel:
            return self._json({"ok": False, "error": "channel_not_found"})
        if channel in self.gone:
            return self._json({"ok": False, "error": self.gone[channel]})
        return None

    async def _m_chat_postMessage(self, params: dict[str, Any]) -> web.Response:
        channel = str(params.get("channel", ""))
        if (error := self._channel_error(channel)) is not None:
            return error
        if params.get("link_names") in (1, "1", True, "true") or params.get("parse") == "full":
            return self._json({"ok": False, "error": "fake_refuses_mention_parsing"}, status=400)
        now = time.monotonic()
        last = self._last_post.get(channel)
        if last is not None and now - last < self.min_interval:
            self.http_429 += 1
            wait = max(1, math.ceil(self.min_interval - (now - last)))
            return self._json(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(wait)}
            )
        self._last_post[channel] = now
        ts = self._next_ts()
        posted = Posted(
            "chat.postMessage",
            channel,
            ts,
            str(params.get("text", "")),
            params.get("blocks"),
            thread_ts=params.get("thread_ts"),
            metadata=params.get("metadata"),
            params=params,
            at=now,
        )
        self.messages.append(posted)
        message = {
            "type": "message",
            "text": posted.text,
            "ts": ts,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "user": BOT_USER_ID,
        }
        return self._json({"ok": True, "channel": channel, "ts": ts, "message": message})

    async def _m_chat_postEphemeral(self, params: dict[str, Any]) -> web.Response:
        channel = str(params.get("channel", ""))
        if (error := self._channel_error(channel)) is not None:
            return error
        ts = self._next_ts()
        self.ephemeral.append(
            Posted(
                "chat.postEphemeral",
                channel,
                ts,
                str(params.get("text", "")),
                params.get("blocks"),
                thread_ts=params.get("thread_ts"),
                user=params.get("user"),
                params=params,
                at=time.monotonic(),
            )
        )
        return self._json({"ok": True, "message_ts": ts})

    async def _m_conversations_history(self, params: dict[str, Any]) -> web.Response:
        channel = str(params.get("channel", ""))
        if (error := self._channel_error(channel)) is not None:
            return error
        limit = min(int(params.get("limit") or 100), 999)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [m for m in reversed(self.messages) if m.channel == channel and not m.thread_ts][:limit]
        out = []
        for m in found:
            item: dict[str, Any] = {
                "type": "message",
                "ts": m.ts,
                "text": m.text,
                "bot_id": BOT_ID,
                "app_id": APP_ID,
                "user": BOT_USER_ID,
            }
            if with_metadata and m.metadata:
                item["metadata"] = m.metadata
            out.append(item)
        return self._json(
            {"ok": True, "messages": out, "has_more": False, "response_metadata": {"next_cursor": ""}}
        )

    async def _m_users_info(self, params: dict[str, Any]) -> web.Response:
        user = self.users.get(str(params.get("user", "")))
        if user is None:
            return self._json({"ok": False, "error": "user_not_found"})
        return self._json({"ok": True, "user": user})

    async def _m_usergroups_users_list(self, params: dict[str, Any]) -> web.Response:
        group = self.usergroups.get(str(params.get("usergroup", "")))
        if group is None:
            return self._json({"ok": False, "error": "no_such_subteam"})
        return self._json({"ok": True, "users": list(group["users"])})

    async def _m_usergroups_list(self, params: dict[str, Any]) -> web.Response:
        with_users = str(params.get("include_users", "")).lower() in ("1", "true")
        groups = [
            {k: v for k, v in g.items() if with_users or k != "users"} for g in self.usergroups.values()
        ]
        return self._json({"ok": True, "usergroups": groups})

    async def _m_files_getUploadURLExternal(self, params: dict[str, Any]) -> web.Response:
        file_id = "F" + uuid.uuid4().hex[:10].upper()
        self.uploads[file_id] = Upload(file_id, str(params.get("filename", "")), int(params.get("length", 0)))
        return self._json({"ok": True, "upload_url": self.url(f"/upload/v1/{file_id}"), "file_id": file_id})

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="unknown upload")
        upload.data = await request.read()
        return web.Response(text=f"OK - {len(upload.data)}")

    async def _m_files_completeUploadExternal(self, params: dict[str, Any]) -> web.Response:
        done = []
        for item in params.get("files") or []:
            upload = self.uploads.get(item.get("id", ""))
            if upload is None or len(upload.data) != upload.length:
                return self._json({"ok": False, "error": "upload_not_complete"})
            upload.completed = True
            upload.title = item.get("title")
            upload.channel = params.get("channel_id")
            upload.thread_ts = params.get("thread_ts")
            done.append({"id": upload.file_id, "title": upload.title, "name": upload.filename})
        return self._json({"ok": True, "files": done})

    async def _response_url(self, request: web.Request) -> web.Response:
        self.calls["response_url"] += 1
        self.responses.append(await request.json())
        return web.Response(text="ok")

    # ------------------------------------------------------------ Socket Mode

    async def _connections_open(self) -> web.Response:
        self.connections_opened += 1
        ticket = uuid.uuid4().hex
        return self._json({"ok": True, "url": f"ws://127.0.0.1:{self.port}/link?ticket={ticket}"})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": len(self.sockets),
                    "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600},
                    "connection_info": {"app_id": APP_ID},
                }
            )
        )
        self._connected.set()
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                ack = json.loads(message.data)
                envelope_id = ack.get("envelope_id")
                if envelope_id:
                    self.acks[envelope_id] = ack
                    waiter = self._ack_waiters.pop(envelope_id, None)
                    if waiter and not waiter.done():
                        waiter.set_result(ack)
        finally:
            self.sockets.remove(ws)
            if not self.sockets:
                self._connected.clear()
        return ws

    async def wait_connected(self, wait_s: float = 5.0) -> None:
        await asyncio.wait_for(self._connected.wait(), wait_s)

    async def push(
        self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0, wait_s: float = 5.0
    ) -> dict[str, Any]:
        """Send one envelope (kind: slash_commands, events_api, interactive) and wait for its ack."""
        await self.wait_connected(wait_s)
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind == "slash_commands",
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout" if retry_attempt else ""
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._ack_waiters[envelope_id] = waiter
        await self.sockets[-1].send_str(json.dumps(envelope))
        return await asyncio.wait_for(waiter, wait_s)

    async def ask_to_reconnect(self) -> None:
        for ws in list(self.sockets):
            await ws.send_str(json.dumps({"type": "disconnect", "reason": "refresh_requested"}))


# ---------------------------------------------------------------- Slack → app (HTTP mode)


async def deliver(
    url: str,
    body: str,
    *,
    secret: str | None,
    content_type: str,
    timestamp: int | None = None,
    signature: str | None = None,
    retry_num: int | None = None,
) -> tuple[int, str]:
    """POST a payload to the app's Request URL the way Slack does (signed unless secret is None)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {"Content-Type": content_type}
    if secret is not None:
        headers["X-Slack-Request-Timestamp"] = ts
        headers["X-Slack-Signature"] = signature or sign(secret, ts, body)
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    async with ClientSession() as session, session.post(url, data=body.encode(), headers=headers) as resp:
        return resp.status, await resp.text()


def command_form(
    fake: SlackFake,
    text: str,
    *,
    user: str,
    channel: str = "C0NEWS001",
    channel_name: str = "trade-news",
    command: str = "/tradebot",
) -> dict[str, str]:
    """A slash-command invocation, fields as Slack documents them."""
    trigger = uuid.uuid4().hex[:12]
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "tradebot-test",
        "channel_id": channel,
        "channel_name": channel_name,
        "user_id": user,
        "user_name": f"name-{user.lower()}",
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": fake.url(f"/commands/{TEAM_ID}/{trigger}/hook"),
        "trigger_id": f"{trigger}.1.abc",
    }


def encode_form(form: dict[str, str]) -> str:
    return urlencode(form)


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """An Events API `event_callback` wrapper around `event`."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def mention_event(
    text: str, *, user: str, channel: str = "C0NEWS001", thread_ts: str | None = None
) -> dict[str, Any]:
    ts = f"{time.time():.6f}"
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM_ID,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def dm_event(text: str, *, user: str, channel: str = "D0DIRECT1") -> dict[str, Any]:
    ts = f"{time.time():.6f}"
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM_ID,
    }
