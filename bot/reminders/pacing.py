"""Pacing under Discord's global rate limit: evenly spaced permits, so 429s never happen.

A token bucket with room for a single token: the n-th request may start 1/rate seconds after the
previous one, never earlier. Bursts are what trip a fixed one-second window, so there are none.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

# The share of Discord's global limit the reminder sender takes; commands and announcements keep the rest.
SENDER_SHARE = 0.8


class Pacer:
    def __init__(
        self,
        per_second: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.interval = 1.0 / per_second
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0
        self.granted = 0

    async def wait(self) -> None:
        """Return when the next request may start."""
        now = self._monotonic()
        # Taken before awaiting: the loop is single-threaded, so every caller gets its own slot.
        slot = max(now, self._next)
        self._next = slot + self.interval
        self.granted += 1
        if slot > now:
            await self._sleep(slot - now)


def sender_pacer(global_rate_limit: float) -> Pacer:
    return Pacer(global_rate_limit * SENDER_SHARE)
