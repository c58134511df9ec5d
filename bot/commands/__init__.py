"""Chat commands, platform-neutral: a Command in, a Reply out.

Adapters build `Command(name, ctx, text, options)`; `dispatch` checks the arguments and the
caller's rights (with facts the adapter put in `Context`), applies abuse limits, and runs the
handler. Handlers live in the modules below and register themselves with `@command`.
"""

from __future__ import annotations

# Importing the handler modules registers them.
from bot.commands import deals as _deals  # noqa: E402,F401  (import for side effect)
from bot.commands import feeds as _feeds  # noqa: E402,F401
from bot.commands import subscriptions as _subscriptions  # noqa: E402,F401
from bot.commands.registry import COMMANDS, Env, command, dispatch, help_reply
from bot.commands.textline import parse_line

__all__ = ["COMMANDS", "Env", "command", "dispatch", "help_reply", "parse_line"]
