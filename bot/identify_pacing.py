"""Before each IDENTIFY: wait for its bucket's turn, as Discord allows one IDENTIFY per bucket per 5 s.

A shard's bucket is `shard_id % max_concurrency` (from GET /gateway/bot). discord.py's default hook
sleeps 5 s before every IDENTIFY but the first; this one lets shards of different buckets go at once
and waits only for what is left of the bucket's window. It paces this process only: coordinating
several processes is the store's job (a later part of issue 12).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable

IDENTIFY_WINDOW = 5.0  # seconds; Discord's, per bucket


class IdentifyPacer:
    def __init__(
        self,
        fetch_max_concurrency: Callable[[], Awaitable[int]],
        *,
        window: float = IDENTIFY_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch_max_concurrency
        self.window = window
        self._clock = clock
        self.max_concurrency: int | None = None
        self._last: dict[int, float] = {}  # bucket -> when its last IDENTIFY went
        self._first: tuple[int, float] | None = None  # the first IDENTIFY, before the buckets are known
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def know_max_concurrency(self, value: int) -> None:
        self.max_concurrency = max(1, value)
        if self._first is not None:
            shard_id, at = self._first
            self._last.setdefault(shard_id % self.max_concurrency, at)

    async def wait(self, shard_id: int, *, initial: bool) -> None:
        if initial and self.max_concurrency is None:
            # The process's first IDENTIFY goes at once, without a request for the limits.
            self._first = (shard_id, self._clock())
            return
        if self.max_concurrency is None:
            self.know_max_concurrency(await self._fetch())
        assert self.max_concurrency is not None
        bucket = shard_id % self.max_concurrency
        async with self._locks[bucket]:
            last = self._last.get(bucket)
            if last is not None:
                delay = last + self.window - self._clock()
                if delay > 0:
                    await asyncio.sleep(delay)
            self._last[bucket] = self._clock()
