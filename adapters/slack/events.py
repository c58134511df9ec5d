"""Slack payloads → neutral commands. Pure functions: dicts in, (name, text, options) out."""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

from bot.commands import parse_line

# Commands whose Context needs the user's rights looked up (the others never consult them).
NEEDS_RIGHTS = frozenset({"subscribe", "unsubscribe", "feeds_add", "feeds_remove"})

_LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")


def slash_command(text: str) -> tuple[str, str, dict[str, Any]]:
    """The text after /tradebot → (command name, text, options). Unknown words reach the core,
    which answers them with the help text."""
    return parse_line(text or "")


def question(text: str) -> tuple[str, str, dict[str, Any]]:
    """A mention or DM: '<@BOT> is the Japan deal signed?' → ('ask', 'is the Japan deal signed?', {})."""
    cleaned = _LEADING_MENTION.sub("", text or "", count=1).strip()
    if not cleaned or cleaned.lower() in {"help", "?"}:
        return "help", "", {}
    return "ask", cleaned, {}


def is_dm_channel(channel_id: str, channel_name: str = "") -> bool:
    return channel_id.startswith("D") or channel_name == "directmessage"


def is_user_dm(event: dict[str, Any]) -> bool:
    """A person's message in a DM with the app (not an edit, a join, or our own post)."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool((event.get("text") or "").strip())
    )


class SeenEvents:
    """Event ids already taken, bounded: Slack retries an event it thinks we missed (same event_id,
    X-Slack-Retry-Num / retry_attempt set); a retry of one we took is acknowledged and dropped."""

    def __init__(self, capacity: int = 5000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True
