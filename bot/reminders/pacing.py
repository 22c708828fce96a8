"""Pacing under Discord's global rate limit: never more than the sender's share in any one-second window.

A sliding window: the n-th request may start once the (n - N)-th started at least one second earlier,
where N is the sender's whole requests per second. A burst of up to N goes out at once — the reminders
due in the same second are not queued behind each other — and no one-second window, wherever it falls
(Discord counts in fixed one-second windows), ever holds more than N: the sender never causes a 429.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
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
        # At most `burst` starts in any `window` seconds: one second (longer under one request a second).
        self.burst = max(1, math.floor(per_second))
        self.window = max(1.0, 1.0 / per_second)
        self._monotonic = monotonic
        self._sleep = sleep
        self._slots: deque[float] = deque(maxlen=self.burst)  # the last `burst` start times granted
        self.granted = 0

    async def wait(self) -> None:
        """Return when the next request may start."""
        now = self._monotonic()
        # Taken before awaiting: the loop is single-threaded, so every caller gets its own slot, and slots
        # are granted in increasing order.
        slot = now if len(self._slots) < self.burst else max(now, self._slots[0] + self.window)
        self._slots.append(slot)
        self.granted += 1
        if slot > now:
            await self._sleep(slot - now)


def sender_pacer(global_rate_limit: float) -> Pacer:
    return Pacer(global_rate_limit * SENDER_SHARE)
