"""DiscordAdapter: discord.py in, bot.api out. Implements bot.api.ChatAdapter.

    INTERACTION_CREATE ─► commands.py callback ─► Command ─► core.handle() ─► Reply ─► render ─► reply
    MESSAGE_CREATE (a mention of the bot, or a DM) ─► Command("ask") ─► … ─► message reply
    bot.delivery ─► send(channel, Reply, key) ─► POST /channels/{id}/messages (nonce from key)

Rate limits. discord.py keeps Discord's per-route buckets (X-RateLimit-* headers) and, on a 429,
sleeps `retry_after` and retries the same request itself (a global 429 holds every request). We let
it: a short 429 is waited out inside `send` and nothing is lost. Only a wait longer than
`max_ratelimit_timeout` (30 s) comes back as bot.api.RateLimited(retry_after), for the delivery to
reschedule. Global pacing happens before the request: the delivery spaces its sends, and every REST
call this adapter makes goes through `Pacer` as well (a send that needs several messages, typing,
replies to mentions), so a fan-out stays under the global 50/s instead of discovering it.

Idempotence. Each message of a delivery carries a nonce derived from the delivery key (and its
position), with enforce_nonce: if a send is retried after the message was made (a crash, a lost
response), Discord returns the first message instead of posting again. Discord checks nonces over
"the past few minutes"; past that, the outbox's own sent/claimed state is what prevents a repeat.

Intents: GUILDS (the channel and role cache that permission checks use), GUILD_MESSAGES and
DIRECT_MESSAGES (mentions and DMs). No privileged intent: Discord includes message content, without
MESSAGE_CONTENT, for messages that mention the bot and for DMs, which are the only ones we read.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from typing import Any

import aiohttp
import discord
from discord import app_commands

from adapters.discord_bot.commands import SLOW_COMMANDS, build_tree
from adapters.discord_bot.context import interaction_context, message_context
from adapters.discord_bot.pacer import Pacer
from adapters.discord_bot.render import OutMessage, render
from bot.api import ChannelGone, CoreAPI, RateLimited, SendError, TemporaryFailure
from bot.config import ConfigError, DiscordSettings
from bot.models import Command, Context, Reply

log = logging.getLogger(__name__)

FAILED = "Something went wrong running that command; it has been logged."
DISCORD_GLOBAL_LIMIT = 50  # requests per second per bot (topics/rate-limits: "Global Rate Limit")
NONCE_LENGTH = 25  # Discord's maximum for a string nonce
# Error codes that mean "this channel will not take our messages" (topics/opcodes-and-status-codes).
GONE_CODES = {
    10003: "unknown channel",
    50001: "missing access",
    50013: "missing permissions",
    50007: "cannot message this user",
}


class DiscordConfigError(ConfigError):
    """The token or the application setup is wrong; the CLI prints this without a traceback."""


def nonce_for(key: str, part: int = 0) -> str:
    """A deterministic nonce for message `part` of the delivery `key` (≤ 25 characters)."""
    return hashlib.sha256(f"{key}#{part}".encode()).hexdigest()[:NONCE_LENGTH]


def intents() -> discord.Intents:
    value = discord.Intents.none()
    value.guilds = True
    value.guild_messages = True
    value.dm_messages = True
    return value


def map_send_error(exc: Exception) -> SendError:
    """discord.py's exceptions → bot.api's send errors (see the tree in bot/api.py)."""
    if isinstance(exc, discord.RateLimited):
        return RateLimited(exc.retry_after)
    if isinstance(exc, discord.NotFound | discord.Forbidden):
        code = getattr(exc, "code", 0)
        reason = GONE_CODES.get(code, exc.text or f"HTTP {exc.status}")
        return ChannelGone(f"{reason} (HTTP {exc.status}, code {code})")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:  # discord.py's own retries ran out
            retry_after = exc.response.headers.get("Retry-After") if exc.response is not None else None
            return RateLimited(float(retry_after or 5.0))
        if exc.status >= 500:
            return TemporaryFailure(f"Discord answered HTTP {exc.status}")
        return SendError(f"Discord refused the message: HTTP {exc.status} code {exc.code}: {exc.text}")
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return TemporaryFailure(f"{type(exc).__name__}: {exc}")
    return SendError(f"{type(exc).__name__}: {exc}")


_MENTION = re.compile(r"<@!?(\d+)>")


def question_from(content: str, bot_id: int) -> str:
    """The text of a message that mentions the bot, without the mention itself."""
    return " ".join(_MENTION.sub(lambda m: "" if int(m.group(1)) == bot_id else m.group(0), content).split())


class DiscordAdapter:
    """One bot connection. `await start(core)` connects and syncs commands; `stop()` disconnects."""

    platform = "discord"

    def __init__(
        self,
        token: str,
        settings: DiscordSettings | None = None,
        *,
        global_rps: float = 45.0,
        defer_after_s: float = 2.0,
        guild_ready_timeout: float = 2.0,
        connect_timeout_s: float = 60.0,
    ) -> None:
        self._token = token
        self.settings = settings or DiscordSettings()
        self.defer_after_s = defer_after_s
        self.guild_ready_timeout = guild_ready_timeout
        self.connect_timeout_s = connect_timeout_s
        # A few slots of burst let sends catch up after a stall of the event loop instead of carrying
        # the delay forward, while any one second still holds at most global_rps + burst < 50 calls.
        burst = max(1, min(4, int(DISCORD_GLOBAL_LIMIT - global_rps) - 1))
        self.pacer = Pacer(global_rps, burst=burst)
        self.core: CoreAPI | None = None
        self.client: discord.Client | None = None
        self.tree: app_commands.CommandTree | None = None
        self._runner: asyncio.Task[None] | None = None
        self._notified_gone: set[str] = set()

    # ------------------------------------------------------------------ lifecycle

    def _build_client(self) -> discord.Client:
        client = discord.Client(
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=self.guild_ready_timeout,
            max_ratelimit_timeout=30.0,
        )
        self.tree = build_tree(client, self)
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        client.setup_hook = self._sync_commands  # type: ignore[method-assign]
        client.event(self.on_message)
        return client

    async def start(self, core: CoreAPI) -> None:
        """Log in, sync the slash commands and connect to the gateway; return once ready."""
        self.core = core
        self.client = client = self._build_client()
        try:
            await client.login(self._token)  # setup_hook (the command sync) runs in here
        except BaseException as exc:
            await client.close()  # a bad token or a failed sync: do not leave the HTTP session open
            if isinstance(exc, discord.LoginFailure):
                raise DiscordConfigError(
                    "Discord refused the bot token in DISCORD_TOKEN (reset it under "
                    "Bot in the Developer Portal)"
                ) from exc
            raise
        self._runner = runner = asyncio.create_task(client.connect(reconnect=True), name="discord-gateway")
        runner.add_done_callback(self._gateway_ended)
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {runner, ready}, timeout=self.connect_timeout_s, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            await self.stop()
            failure = runner.exception() if runner.done() and not runner.cancelled() else None
            if isinstance(failure, discord.PrivilegedIntentsRequired):
                raise DiscordConfigError(
                    "Discord refused the gateway intents tradebot asked for (see docs/discord.md, Intents)"
                ) from failure
            if failure is not None:
                raise failure  # why the gateway connection ended
            raise TimeoutError(f"Discord gateway not ready after {self.connect_timeout_s:.0f} s")
        log.info("discord connected", extra={"guilds": len(client.guilds)})

    @staticmethod
    def _gateway_ended(task: asyncio.Task[None]) -> None:
        """discord.py reconnects by itself; if the connection ends for good (the token was revoked,
        an intent is refused), say so loudly instead of leaving the bot silently offline."""
        if not task.cancelled() and task.exception() is not None:
            log.error("Discord gateway connection ended", exc_info=task.exception())

    async def stop(self) -> None:
        if self.client is not None and not self.client.is_closed():
            await self.client.close()
        if self._runner is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner
            self._runner = None

    async def _sync_commands(self) -> None:
        assert self.tree is not None
        guild_id = self.settings.guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("slash commands synced", extra={"count": len(synced), "guild": guild_id or "global"})

    # ------------------------------------------------------------------ ChatAdapter.send

    async def send(self, channel: str, reply: Reply, *, key: str) -> str:
        """Post `reply` in `channel`; return the (first) message id. Retries with the same key do not
        post twice: each message carries nonce_for(key, part) with enforce_nonce."""
        if self.client is None:
            raise TemporaryFailure("the Discord adapter is not started")
        target = self.client.get_partial_messageable(int(channel))
        first_id = ""
        for part, message in enumerate(render(reply)):
            await self.pacer.wait()
            try:
                sent = await target.send(**message.send_kwargs(), nonce=nonce_for(key, part))
            except Exception as exc:
                raise map_send_error(exc) from exc
            first_id = first_id or str(sent.id)
        return first_id

    async def channel_gone(self, channel: str, reason: str) -> None:
        """Called by the delivery after it paused a subscription: tell the admin channel, once."""
        admin = self.settings.admin_channel_id
        if not admin or str(admin) == channel or channel in self._notified_gone or self.client is None:
            return
        self._notified_gone.add(channel)
        text = (
            f"tradebot paused the subscription of channel <#{channel}> ({channel}): {reason}. "
            "Give tradebot access again and run /subscribe there to resume."
        )
        await self.pacer.wait()
        try:
            await self.client.get_partial_messageable(admin).send(
                content=text, nonce=nonce_for(f"gone:{channel}")
            )
        except discord.HTTPException as exc:
            log.warning("could not post to the admin channel", extra={"channel": admin, "status": exc.status})

    # ------------------------------------------------------------------ slash commands (commands.Runner)

    def _context(self, interaction: discord.Interaction) -> Context:
        return interaction_context(interaction, feed_manager_role=self.settings.feed_manager_role)

    async def _handle(self, command: Command) -> Reply:
        assert self.core is not None
        try:
            return await self.core.handle(command)
        except Exception:
            log.exception("core.handle failed", extra={"command": command.name})
            return Reply(text=FAILED, kind="error", ephemeral=True)

    async def run(
        self,
        interaction: discord.Interaction,
        name: str,
        text: str = "",
        options: dict[str, Any] | None = None,
    ) -> None:
        """Answer one slash command. Slow commands are deferred at once; any other that has no answer
        after `defer_after_s` is deferred then (Discord wants a first response within 3 s)."""
        command = Command(name=name, ctx=self._context(interaction), text=text, options=options or {})
        deferred = False
        if name in SLOW_COMMANDS or self.defer_after_s <= 0:
            await interaction.response.defer(thinking=True)
            deferred = True
            reply = await self._handle(command)
        else:
            task = asyncio.ensure_future(self._handle(command))
            done, _ = await asyncio.wait({task}, timeout=self.defer_after_s)
            if not done:
                await interaction.response.defer(thinking=True)
                deferred = True
            reply = await task
        await self._respond(interaction, reply, deferred=deferred)

    async def _respond(self, interaction: discord.Interaction, reply: Reply, *, deferred: bool) -> None:
        messages: list[OutMessage] = render(reply)
        rest = messages[1:]
        if not deferred:
            await interaction.response.send_message(**messages[0].send_kwargs(), ephemeral=reply.ephemeral)
        elif reply.ephemeral:
            # The public "thinking…" placeholder cannot turn ephemeral: replace it with a private reply.
            await interaction.delete_original_response()
            rest = messages
        else:
            await interaction.edit_original_response(**messages[0].edit_kwargs())
        for message in rest:
            await interaction.followup.send(**message.send_kwargs(), ephemeral=reply.ephemeral)

    async def choices(self, kind: str, prefix: str) -> list[app_commands.Choice[str]]:
        if self.core is None:
            return []
        try:
            values = await self.core.complete(kind, prefix)
        except Exception:
            log.exception("autocomplete failed")
            return []
        return [app_commands.Choice(name=value[:100], value=value[:100]) for value in values[:25]]

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error(
            "slash command failed",
            exc_info=error,
            extra={"command": getattr(interaction.command, "name", "")},
        )
        with contextlib.suppress(discord.HTTPException):
            if interaction.response.is_done():
                await interaction.followup.send(content=FAILED, ephemeral=True)
            else:
                await interaction.response.send_message(content=FAILED, ephemeral=True)

    # ------------------------------------------------------------------ mentions and DMs

    async def on_message(self, message: discord.Message) -> None:
        """A DM, or a message that mentions the bot, is a question: it works like /ask."""
        client = self.client
        if client is None or client.user is None or message.author.bot:
            return
        is_dm = message.guild is None
        mentioned = client.user.id in message.raw_mentions or any(
            u.id == client.user.id for u in message.mentions
        )
        if not is_dm and not mentioned:
            return
        question = question_from(message.content, client.user.id)
        name = "ask" if question else "help"
        ctx = message_context(message, feed_manager_role=self.settings.feed_manager_role)
        await self.pacer.wait()
        try:
            async with message.channel.typing():
                reply = await self._handle(Command(name=name, ctx=ctx, text=question))
            for part, out in enumerate(render(reply)):
                await self.pacer.wait()
                reference = message.to_reference(fail_if_not_exists=False) if part == 0 else None
                await message.channel.send(**out.send_kwargs(), reference=reference)  # type: ignore[arg-type]
        except discord.HTTPException as exc:
            log.warning(
                "could not answer a mention", extra={"channel": message.channel.id, "status": exc.status}
            )
