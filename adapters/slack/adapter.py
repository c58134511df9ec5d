"""The Slack adapter: slack-bolt AsyncApp in, bot.api.CoreAPI across, Block Kit out.

    /tradebot <line>   → ack now → parse_line → core.handle → respond() via response_url
    @tradebot <text>   → ack now → ask → answer in the message's thread (chat.postMessage)
    DM to the app      → ack now → ask → answer in the DM
    delivery.send()    → paced chat.postMessage with the key in message metadata

Transports (settings.slack.mode): "socket" (SLACK_APP_TOKEN, AsyncSocketModeHandler, no public URL)
or "http" (SLACK_SIGNING_SECRET; an aiohttp server on http_host:http_port/http_path; bolt checks
the signature and refuses requests older than five minutes with 401).

Every listener acknowledges first and does the work in a task the adapter tracks, so Slack gets its
answer well within 3 s and stop() can let in-flight work finish.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import events
from adapters.slack.permissions import Permissions
from adapters.slack.render import render
from adapters.slack.sending import Poster, classify
from bot.api import CoreAPI
from bot.config import ConfigError, Secrets, Settings, SlackSettings
from bot.models import Command, Context, Reply

log = logging.getLogger(__name__)

SLASH_COMMAND = "/tradebot"
DRAIN_TIMEOUT_S = 10.0


class SlackConfigError(ConfigError):
    """A token or secret the chosen transport needs is missing (the CLI prints it, no traceback)."""


class SlackAdapter:
    """Implements bot.api.ChatAdapter for Slack."""

    platform = "slack"

    def __init__(
        self,
        settings: SlackSettings,
        secrets: Secrets,
        *,
        per_channel_interval_s: float = 1.0,
        rate_limit_retries: int = 2,
    ) -> None:
        self.settings = settings
        self.mode = settings.mode
        self._bot_token = secrets.slack_bot_token.get_secret_value() if secrets.slack_bot_token else ""
        self._app_token = secrets.slack_app_token.get_secret_value() if secrets.slack_app_token else ""
        self._signing_secret = (
            secrets.slack_signing_secret.get_secret_value() if secrets.slack_signing_secret else ""
        )
        if not self._bot_token:
            raise SlackConfigError("SLACK_BOT_TOKEN is not set")
        if self.mode == "socket" and not self._app_token:
            raise SlackConfigError("Socket Mode needs SLACK_APP_TOKEN (an xapp- app-level token)")
        if self.mode == "http" and not self._signing_secret:
            raise SlackConfigError("HTTP mode needs SLACK_SIGNING_SECRET")
        self.interval = per_channel_interval_s
        self.rate_limit_retries = rate_limit_retries
        self.core: CoreAPI | None = None
        self.client: AsyncWebClient | None = None
        self.app: AsyncApp | None = None
        self.poster: Poster | None = None
        self.permissions: Permissions | None = None
        self.bot_user_id = ""
        self.team_id = ""
        self.http_url = ""  # set in HTTP mode once listening (tests read the bound port here)
        self._session: aiohttp.ClientSession | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._seen = events.SeenEvents()

    @classmethod
    def from_settings(cls, settings: Settings, secrets: Secrets) -> SlackAdapter:
        return cls(
            settings.slack, secrets, per_channel_interval_s=settings.delivery.slack_per_channel_interval_s
        )

    # ------------------------------------------------------------ lifecycle (ChatAdapter)

    async def start(self, core: CoreAPI) -> None:
        self.core = core
        # One connection pool for every Web API call (slack_sdk opens a session per call otherwise).
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        kwargs: dict[str, Any] = (
            {"base_url": self.settings.api_base_url} if self.settings.api_base_url else {}
        )
        self.client = AsyncWebClient(
            token=self._bot_token,
            session=self._session,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=self.rate_limit_retries)],
            **kwargs,
        )
        try:
            identity = await self.client.auth_test()
        except SlackApiError as exc:
            await self._session.close()
            raise SlackConfigError(
                f"Slack refused SLACK_BOT_TOKEN: {exc.response.get('error', exc)}"
            ) from None
        self.bot_user_id = str(identity.get("user_id", ""))
        self.team_id = str(identity.get("team_id", ""))
        self.poster = Poster(self.client, self.interval, bot_id=str(identity.get("bot_id", "")))
        self.permissions = Permissions(self.client, self.settings.subscription_manager_usergroup)
        self.app = self._build_app()
        if self.mode == "socket":
            self._socket = AsyncSocketModeHandler(self.app, self._app_token, web_client=self.client)
            await self._socket.connect_async()
        else:
            await self._serve_http()
        log.info("slack adapter started", extra={"mode": self.mode, "team": self.team_id})

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=DRAIN_TIMEOUT_S)
            for task in pending:
                task.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, channel: str, reply: Reply, *, key: str, maybe_sent: bool | None = None) -> str:
        """Post a delivery; return its ts. `maybe_sent=False` (a row never attempted before) skips
        the history lookup; None means "don't know" and looks once per channel after start."""
        assert self.poster is not None, "send() before start()"
        return await self.poster.deliver(channel, reply, key, maybe_sent=maybe_sent)

    # ------------------------------------------------------------ transports

    async def _serve_http(self) -> None:
        assert self.app is not None
        bolt = self.app

        async def events_endpoint(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

        async def health(_request: web.Request) -> web.Response:
            return web.Response(text="ok")

        server = web.Application(client_max_size=1024 * 1024)
        server.router.add_post(self.settings.http_path, events_endpoint)
        server.router.add_get("/healthz", health)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.http_host, self.settings.http_port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.http_url = f"http://{host}:{port}{self.settings.http_path}"

    def _build_app(self) -> AsyncApp:
        app = AsyncApp(
            client=self.client,
            signing_secret=self._signing_secret,
            request_verification_enabled=self.mode == "http",
            process_before_response=False,
        )
        app.use(self._drop_retries)
        app.command(SLASH_COMMAND)(self._on_slash)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.error(self._on_error)
        return app

    # ------------------------------------------------------------ listeners (ack first, work after)

    async def _drop_retries(
        self, body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:  # noqa: A002
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and not self._seen.first_time(str(event_id)):
            log.info("dropping a retry of an event already taken", extra={"event_id": event_id})
            return BoltResponse(status=200, body="")
        await next()
        return None

    async def _on_slash(
        self,
        ack: Callable[..., Awaitable[None]],
        command: dict[str, Any],
        respond: Callable[..., Awaitable[Any]],
    ) -> None:
        await ack()
        self._spawn(self._run_slash(command, respond))

    async def _on_mention(self, ack: Callable[..., Awaitable[None]], event: dict[str, Any]) -> None:
        await ack()
        self._spawn(self._run_question(event, thread_ts=event.get("thread_ts") or event.get("ts")))

    async def _on_message(self, ack: Callable[..., Awaitable[None]], event: dict[str, Any]) -> None:
        await ack()
        if events.is_user_dm(event):
            self._spawn(self._run_question(event, thread_ts=event.get("thread_ts")))

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        log.error("slack listener failed: %s", error, exc_info=error)

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("slack work failed", exc_info=task.exception())

    # ------------------------------------------------------------ the work

    async def _context(
        self, *, team: str, channel: str, user: str, user_name: str, is_dm: bool, needs_rights: bool
    ) -> Context:
        can_channel = can_feeds = False
        if needs_rights and self.permissions is not None:
            facts = await self.permissions.facts(user)
            can_channel, can_feeds = facts.can_manage_channel, facts.can_manage_feeds
            user_name = user_name or facts.name
        return Context(
            platform="slack",
            workspace=team or self.team_id,
            channel=channel,
            user=user,
            user_name=user_name,
            is_dm=is_dm,
            can_manage_channel=can_channel or is_dm,
            can_manage_feeds=can_feeds,
        )

    async def _handle(self, name: str, text: str, options: dict[str, Any], ctx: Context) -> Reply:
        assert self.core is not None
        return await self.core.handle(Command(name=name, ctx=ctx, text=text, options=options))

    async def _run_slash(self, payload: dict[str, Any], respond: Callable[..., Awaitable[Any]]) -> None:
        name, text, options = events.slash_command(payload.get("text", ""))
        channel = str(payload.get("channel_id", ""))
        try:
            ctx = await self._context(
                team=str(payload.get("team_id", "")),
                channel=channel,
                user=str(payload.get("user_id", "")),
                user_name=str(payload.get("user_name", "")),
                is_dm=events.is_dm_channel(channel, str(payload.get("channel_name", ""))),
                needs_rights=name in events.NEEDS_RIGHTS,
            )
            reply = await self._handle(name, text, options, ctx)
        except Exception:
            log.exception("slash command failed", extra={"command": name})
            reply = Reply(
                text="Something went wrong running that command; it has been logged.",
                kind="error",
                ephemeral=True,
            )
        # response_url works in any channel, even one the bot was never invited to.
        await respond(response_type="ephemeral" if reply.ephemeral else "in_channel", **render(reply))
        if reply.image is not None and not reply.ephemeral:
            assert self.poster is not None
            await self.poster.upload(channel, reply)

    async def _run_question(self, event: dict[str, Any], *, thread_ts: str | None) -> None:
        assert self.poster is not None
        name, text, options = events.question(event.get("text", ""))
        channel, user = str(event.get("channel", "")), str(event.get("user", ""))
        ctx = await self._context(
            team=str(event.get("team", "")),
            channel=channel,
            user=user,
            user_name="",
            is_dm=event.get("channel_type") == "im" or channel.startswith("D"),
            needs_rights=False,
        )
        reply = await self._handle(name, text, options, ctx)
        try:
            if reply.ephemeral and not ctx.is_dm:
                await self.poster.whisper(channel, user, reply, thread_ts=thread_ts)
            else:
                await self.poster.say(channel, reply, thread_ts=thread_ts)
        except Exception as exc:
            log.warning("could not answer in %s: %s", channel, classify(exc))
