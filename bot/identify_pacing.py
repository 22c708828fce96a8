"""Before each IDENTIFY: wait for its bucket's turn, as Discord allows one IDENTIFY per bucket per 5 s.

A shard's bucket is `shard_id % max_concurrency` (from GET /gateway/bot). discord.py's default hook
sleeps 5 s before every IDENTIFY but the first; this one lets shards of different buckets go at once
and waits only for what is left of the bucket's window. On SQLite (one process) that is all; on
PostgreSQL the pacer is handed the store's bucket locks (bot/cluster/identify_lock.py), so that
processes sharing the bot's shards never IDENTIFY two shards of one bucket within the window.

At start the process also checks Discord's `session_start_limit`: every IDENTIFY spends one, and a
process that would run out part-way refuses to start (`check_session_starts`).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Protocol

IDENTIFY_WINDOW = 5.0  # seconds; Discord's, per bucket


class SharedBucketLocks(Protocol):
    async def take(self, bucket: int) -> None: ...


class SessionStartsExhausted(RuntimeError):
    """Too few session starts remain today for the shards this process is about to start."""


def check_session_starts(limits: dict[str, int], shards: int, *, margin: int) -> None:
    """Refuse to start when fewer than `shards + margin` session starts remain (the margin keeps a few for
    reconnections that cannot resume); the message says how many remain and when they come back."""
    remaining, reset_after = limits["remaining"], limits["reset_after"]
    if remaining >= shards + margin:
        return
    hours, rest = divmod(max(0, round(reset_after / 1000)), 3600)
    raise SessionStartsExhausted(
        f"only {remaining} Discord session start(s) remain for {shards} shard(s) (and {margin} spare); "
        f"they reset in {hours} h {rest // 60:02d} min: not starting"
    )


class IdentifyPacer:
    def __init__(
        self,
        fetch_max_concurrency: Callable[[], Awaitable[int]],
        *,
        window: float = IDENTIFY_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedBucketLocks | None = None,
    ) -> None:
        self._fetch = fetch_max_concurrency
        self._shared = shared
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
        if self._shared is not None:
            if self.max_concurrency is None:
                self.know_max_concurrency(await self._fetch())
            assert self.max_concurrency is not None
            await self._shared.take(shard_id % self.max_concurrency)
            return
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
