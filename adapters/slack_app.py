"""Entry point for `tradebot run --adapter slack` (pyproject: tradebot.adapters → slack).

The adapter itself lives in the adapters.slack package; this only builds it from settings.
"""

from __future__ import annotations

from adapters.slack import SlackAdapter, SlackConfigError
from bot.config import Secrets, Settings

__all__ = ["SlackAdapter", "SlackConfigError", "create"]


def create(settings: Settings, secrets: Secrets) -> SlackAdapter:
    """Build (not start) the Slack adapter; tokens come from `secrets` (the environment).
    Raises SlackConfigError naming the missing token for the chosen mode."""
    return SlackAdapter.from_settings(settings, secrets)
