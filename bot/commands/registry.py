"""The command registry and the one place where every command is checked before it runs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands.limits import RateLimiter
from bot.config import Settings
from bot.models import Command, Reply

log = logging.getLogger(__name__)

Permission = Literal["none", "manage_channel", "manage_feeds"]
Handler = Callable[["Env", Command], Awaitable[Reply]]


@dataclass
class Env:
    """What a handler may use: the store, the settings, and caches that live as long as the bot."""

    engine: AsyncEngine
    settings: Settings
    limiter: RateLimiter = field(default_factory=RateLimiter)
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    handler: Handler
    usage: str
    summary: str
    permission: Permission = "none"
    needs_text: bool = False


COMMANDS: dict[str, CommandSpec] = {}


def command(
    name: str, *, usage: str, summary: str, permission: Permission = "none", needs_text: bool = False
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = CommandSpec(name, handler, usage, summary, permission, needs_text)
        return handler

    return register


_REFUSALS = {
    "manage_channel": "You need the Manage Channels permission in this channel (on Slack: a workspace admin, "
    "owner, or the configured user group) to change its subscription.",
    "manage_feeds": "You need the Manage Server permission or the feed-manager role (on Slack: a workspace "
    "admin) to manage feeds.",
}


def refusal(text: str) -> Reply:
    return Reply(text=text, kind="refusal", ephemeral=True)


def error(text: str) -> Reply:
    return Reply(text=text, kind="error", ephemeral=True)


def help_reply() -> Reply:
    lines = ["tradebot commands:"]
    lines += [f"  {spec.usage:<42} {spec.summary}" for spec in sorted(COMMANDS.values(), key=lambda s: s.name)
              if spec.name != "help"]
    lines.append("  help                                       this list")
    return Reply(text="\n".join(lines), kind="help", title="tradebot commands", ephemeral=True)


def _too_long(cmd: Command, limit: int) -> bool:
    if len(cmd.text) > limit:
        return True
    for value in cmd.options.values():
        items = value if isinstance(value, list | tuple) else [value]
        if len(items) > 50 or any(isinstance(v, str) and len(v) > limit for v in items):
            return True
    return False


async def dispatch(env: Env, cmd: Command) -> Reply:
    """Run a command for a user. Never raises: a failure becomes an error Reply."""
    spec = COMMANDS.get(cmd.name)
    if spec is None or cmd.name == "help":
        return help_reply()
    if _too_long(cmd, env.settings.limits.max_argument_length):
        return error(f"That is too long: keep arguments under {env.settings.limits.max_argument_length} characters.")
    if spec.needs_text and not cmd.text.strip():
        return error(f"Usage: {spec.usage}")
    if spec.permission == "manage_channel" and not (cmd.ctx.can_manage_channel or cmd.ctx.is_dm):
        return refusal(_REFUSALS["manage_channel"])
    if spec.permission == "manage_feeds" and not cmd.ctx.can_manage_feeds:
        return refusal(_REFUSALS["manage_feeds"])
    wait = env.limiter.check(cmd, env.settings.limits)
    if wait is not None:
        return refusal(f"Slow down: too many {cmd.name} requests. Try again in {max(1, round(wait))} s.")
    try:
        return await spec.handler(env, cmd)
    except Exception:
        log.exception("command failed", extra={"command": cmd.name, "platform": cmd.ctx.platform})
        return error("Something went wrong running that command; it has been logged.")
