"""Per-user and per-channel rate limits for the commands that cost something (ask, feed additions)."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

from bot.config import LimitsSettings
from bot.models import Command


class SlidingWindow:
    """At most `limit` events per `window` seconds per key."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.events: dict[str, deque[float]] = defaultdict(deque)

    def hit(self, key: str, limit: int, window: float) -> float | None:
        """Record an event; return None if allowed, else seconds until one is."""
        now = self.clock()
        queue = self.events[key]
        while queue and queue[0] <= now - window:
            queue.popleft()
        if len(queue) >= limit:
            return queue[0] + window - now
        queue.append(now)
        return None


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = SlidingWindow(clock)

    def check(self, cmd: Command, limits: LimitsSettings) -> float | None:
        ctx = cmd.ctx
        if cmd.name == "ask":
            user = self.window.hit(f"ask:u:{ctx.platform}:{ctx.user}", limits.ask_per_user_per_min, 60)
            if user is not None:
                return user
            return self.window.hit(f"ask:c:{ctx.platform}:{ctx.channel}", limits.ask_per_channel_per_min, 60)
        if cmd.name == "feeds_add":
            return self.window.hit(f"feed:u:{ctx.platform}:{ctx.user}", limits.feed_adds_per_user_per_hour, 3600)
        return None
