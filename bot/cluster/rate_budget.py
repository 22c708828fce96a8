"""The global rate limit shared by every process on a PostgreSQL store: a strategy the pacer takes.

Discord's limit is per token, so N processes pacing themselves to 50/s each would send N × 50. The rule
is the pacer's own (bot/pacing.py), over every process: a request holds a place from when it starts
until one second after its answer came back, and a request may start while fewer than `limit` places
are held. Discord counts a request when it arrives, somewhere between its start and its answer, so no
one-second window at Discord then holds more than `limit`, whatever the network's delays. The places
are rows in the store, stamped with the database's clock (bot/storage/repositories/rate_budget.py).

Why not a budget per clock second: Discord's windows are not aligned with our seconds; the end of one
second and the start of the next (2 × limit) can land in one of them. Nor a sliding span on start times
alone: a process whose request leaves a little late (a busy event loop) puts one too many in a window.

The requests of one process ask in turn (first come, first asked), so one process keeps one query in
flight. If the store cannot be reached, the request goes out under this process's own pacer only
(logged once per outage): a PostgreSQL restart must not stop the bot from talking to Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable

from bot.storage.database import Database, StoreUnavailableError
from bot.storage.repositories.rate_budget import RateBudgetRepository

log = logging.getLogger(__name__)

SLACK = 0.0  # seconds added to the one-second window (answers are stamped after they came back already)


class SharedRateBudget:
    def __init__(
        self,
        database: Database,
        limit: int,
        *,
        window: float = 1.0,
        slack: float = SLACK,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._repository = RateBudgetRepository(database)
        self.limit = limit
        self.span = window + slack
        self._sleep = sleep
        self._turn = asyncio.Lock()
        self._store_down = False

    async def take(self) -> int | None:
        """Return when this request may start, every process counted: its place (hand it to `answered`),
        or None when the store could not be asked."""
        async with self._turn:
            while True:
                try:
                    place, wait = await self._repository.try_start(limit=self.limit, span=self.span)
                except StoreUnavailableError as exc:
                    if not self._store_down:
                        log.warning("shared rate limit unavailable (%s): pacing this process alone", exc)
                        self._store_down = True
                    return None
                self._store_down = False
                if place is not None:
                    return place
                await self._sleep(wait)

    async def answered(self, place: int | None) -> None:
        """The request's answer came back (or it failed): its place is freed one window from now."""
        if place is None:
            return
        with contextlib.suppress(StoreUnavailableError):  # if so, its place is freed when it goes stale
            await self._repository.answered(place)


def shared_rate_budget(database: Database, global_rate_limit: float) -> SharedRateBudget | None:
    """The shared budget on PostgreSQL (several processes may run); None on SQLite (one process)."""
    if database.dialect.name != "postgresql":
        return None
    if global_rate_limit < 2:
        return SharedRateBudget(database, 1, window=1.0 / global_rate_limit)
    return SharedRateBudget(database, math.floor(global_rate_limit))
