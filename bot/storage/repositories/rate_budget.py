"""The global rate limit shared by all processes: who may send a request now, on the database's clock.

A request may start when fewer than `limit` requests started in the last `span` seconds, whichever
process sent them. The check and the record are one transaction under an advisory lock, so two
processes cannot both take the last place. PostgreSQL only (several processes share it); times are
`clock_timestamp()`, never a machine's own clock, so skew between machines does not matter.
"""

from __future__ import annotations

from bot.storage.database import Database

# pg_advisory_xact_lock(int, int): the first key is ours, the second unused.
RATE_BUDGET_LOCK_KEY = 0x1D3_80
KEEP_SECONDS = 10.0  # rows older than this are pruned


class RateBudgetRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def try_start(self, *, limit: int, span: float) -> float | None:
        """Record one request starting now and return None; or, when `limit` started within the last
        `span` seconds, record nothing and return how long until the oldest of them leaves the span."""
        async with self._db.transaction() as tx:
            await tx.execute("SELECT pg_advisory_xact_lock(?, 0)", (RATE_BUDGET_LOCK_KEY,))
            now = float(await tx.fetch_value("SELECT extract(epoch FROM clock_timestamp())::float8"))
            rows = await tx.fetch_all(
                "SELECT count(*), min(started_at) FROM rate_budget WHERE started_at > ?", (now - span,)
            )
            count, oldest = int(rows[0][0]), rows[0][1]
            if count >= limit:
                return max(0.0, float(oldest) + span - now)
            await tx.execute("INSERT INTO rate_budget (started_at) VALUES (?)", (now,))
            await tx.execute("DELETE FROM rate_budget WHERE started_at < ?", (now - KEEP_SECONDS,))
            return None

    async def started_within(self, span: float) -> int:
        """How many requests started in the last `span` seconds (tests, status)."""
        now = float(await self._db.fetch_value("SELECT extract(epoch FROM clock_timestamp())::float8"))
        return int(await self._db.fetch_value("SELECT count(*) FROM rate_budget WHERE started_at > ?", (now - span,)))
