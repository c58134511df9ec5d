"""A global request pacer: Discord allows a bot 50 requests per second across all routes.

discord.py follows the per-route buckets it learns from X-RateLimit-* headers and waits out a 429,
but it does not space requests to stay under the global limit before hitting it. A fan-out of one
story to a thousand channels would otherwise run into global 429s every second. This spaces our
own REST calls (channel messages, typing) evenly at `rate` per second (virtual scheduling: each
call gets the next free slot), so in any one-second window at most rate + burst calls start.
Interaction callbacks and followups are exempt from the global limit and are not paced.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Pacer:
    def __init__(self, rate: float, *, burst: int = 1, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.burst = max(1, burst)
        self._clock = clock
        self._next = 0.0  # the theoretical time of the next slot

    def reserve(self) -> float:
        """Take the next slot; return how long to wait before using it (0 when it is free now)."""
        now = self._clock()
        slot = max(self._next, now)
        self._next = slot + self.interval
        return max(0.0, slot - now - (self.burst - 1) * self.interval)

    async def wait(self) -> None:
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)
