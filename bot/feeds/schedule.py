"""When to look at a feed next. Pure: the feed's signals and the settings in, a datetime out.

After a success: the feed's own interval, stretched (never shortened) by what the feed asks for
(RSS <ttl>, Cache-Control max-age), jittered so feeds added together drift apart, then clamped to
[min_interval, max_interval].

After a failure: exponential backoff from `backoff_base_s`, doubling per failure in a row, capped
at `backoff_max_s`, jittered; a Retry-After from a 429/503 is honoured when it asks for longer
(clamped to max_interval so a hostile header cannot park a feed for years).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.config import PollingSettings

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.I)


def cache_max_age_s(headers: Mapping[str, str] | None) -> float | None:
    """max-age from Cache-Control, in seconds; None when absent or no-cache/no-store."""
    if not headers:
        return None
    value = headers.get("Cache-Control") or ""
    match = _MAX_AGE.search(value)
    return float(match.group(1)) if match else None


def _jitter(seconds: float, fraction: float, rng: random.Random) -> float:
    return seconds * (1 + rng.uniform(-fraction, fraction)) if fraction else seconds


def next_check_after_success(
    now: datetime,
    *,
    interval_min: float,
    settings: PollingSettings,
    ttl_min: float | None = None,
    max_age_s: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    rng = rng or random.Random()
    seconds = max(interval_min, settings.min_interval_min) * 60
    if ttl_min:
        seconds = max(seconds, ttl_min * 60)
    if max_age_s:
        seconds = max(seconds, max_age_s)
    seconds = _jitter(seconds, settings.jitter_fraction, rng)
    seconds = min(max(seconds, settings.min_interval_min * 60), settings.max_interval_min * 60)
    return now + timedelta(seconds=seconds)


def backoff_s(failures: int, settings: PollingSettings) -> float:
    """Delay after `failures` failures in a row (1 → base, 2 → 2×base, …), capped."""
    exponent = min(max(failures - 1, 0), 30)
    return min(settings.backoff_base_s * (2**exponent), settings.backoff_max_s)


def next_check_after_failure(
    now: datetime,
    *,
    failures: int,
    settings: PollingSettings,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    rng = rng or random.Random()
    seconds = _jitter(backoff_s(failures, settings), settings.jitter_fraction, rng)
    if retry_after_s is not None:
        # Honour the server's wait exactly when it asks for longer than our own backoff.
        seconds = max(seconds, min(retry_after_s, settings.max_interval_min * 60))
    seconds = min(seconds, max(settings.backoff_max_s, retry_after_s or 0, 1.0))
    return now + timedelta(seconds=max(seconds, 1.0))
