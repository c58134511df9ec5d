"""The Discord adapter (discord.py): slash commands, mentions and DMs in; embeds out.

    render.py    Reply → Discord messages (pure)
    context.py   interaction / message → Context (permission facts)
    commands.py  the slash command definitions → (name, text, options)
    pacer.py     global request spacing under Discord's 50 requests/s
    adapter.py   DiscordAdapter: start/stop, send (nonce + enforce_nonce), interactions, mentions

`tradebot run --adapter discord` builds it through `create(settings, secrets)`.
"""

from __future__ import annotations

from adapters.discord_bot.adapter import DiscordAdapter, DiscordConfigError
from bot.config import Secrets, Settings

__all__ = ["DiscordAdapter", "DiscordConfigError", "create"]


def create(settings: Settings, secrets: Secrets) -> DiscordAdapter:
    """The adapter for `tradebot run`: the token from DISCORD_TOKEN, options from settings."""
    if secrets.discord_token is None:
        raise DiscordConfigError(
            "DISCORD_TOKEN is not set: put the bot token in the environment (docs/discord.md)"
        )
    return DiscordAdapter(
        secrets.discord_token.get_secret_value(),
        settings.discord,
        global_rps=settings.delivery.discord_global_rps,
    )
