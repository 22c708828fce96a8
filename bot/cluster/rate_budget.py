"""The global rate limit shared by every process on a PostgreSQL store: a strategy the pacer takes.

Discord's limit is per token, so N processes pacing themselves to 50/s each would send N × 50. Before
each request is let go, this asks the store (bot/storage/repositories/rate_budget.py) whether fewer than
`limit` requests of any process started in the last `1 s + slack`; if not, it waits until the oldest of
them leaves that span, and asks again.

Why a sliding span rather than a budget per clock second: Discord counts a request when it arrives, in a
window of its own that is not aligned with our seconds; with a budget per second, the end of one second
and the start of the next (2 × limit) can land in one of Discord's windows. A sliding span of
1 s + slack keeps any one-second window at Discord under the limit as long as requests' network
delays differ by less than the slack, and uses limit / (1 + slack) of it: 97 % with the default 0.03 s.

The requests of one process ask in turn (first come, first asked), so one process keeps one query
in flight. If the store cannot be reached, the request goes out under this process's own pacer only
(logged once per outage): a PostgreSQL restart must not stop the bot from talking to Discord.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable

from bot.storage.database import Database, StoreUnavailableError
from bot.storage.repositories.rate_budget import RateBudgetRepository

log = logging.getLogger(__name__)

SLACK = 0.03  # seconds: the spread of network delays the shared span allows for


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

    async def take(self) -> None:
        """Return when this request may start, every process counted."""
        async with self._turn:
            while True:
                try:
                    wait = await self._repository.try_start(limit=self.limit, span=self.span)
                except StoreUnavailableError as exc:
                    if not self._store_down:
                        log.warning("shared rate limit unavailable (%s): pacing this process alone", exc)
                        self._store_down = True
                    return
                self._store_down = False
                if wait is None:
                    return
                await self._sleep(wait)


def shared_rate_budget(database: Database, global_rate_limit: float) -> SharedRateBudget | None:
    """The shared budget on PostgreSQL (several processes may run); None on SQLite (one process)."""
    if database.dialect.name != "postgresql":
        return None
    if global_rate_limit < 2:
        return SharedRateBudget(database, 1, window=1.0 / global_rate_limit)
    return SharedRateBudget(database, math.floor(global_rate_limit))
