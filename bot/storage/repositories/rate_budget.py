"""The global rate limit shared by all processes: who may send a request now, on the database's clock.

A request holds a place from when it starts until `span` seconds after its answer came back (or, never
answered, STALE_AFTER after it started): a request may start while fewer than `limit` places are held,
whichever process holds them. The check and the record are one transaction under an advisory lock, so
two processes cannot both take the last place. PostgreSQL only (several processes share it); times are
`clock_timestamp()`, never a machine's own clock, so skew between machines does not matter.
"""

from __future__ import annotations

from bot.storage.database import Database

# pg_advisory_xact_lock(int, int): the first key is ours, the second unused.
RATE_BUDGET_LOCK_KEY = 0x1D3_80
STALE_AFTER = 10.0  # a request with no answer after this long holds no place (a hung connection, a dead process)
KEEP_SECONDS = 30.0  # rows older than this are pruned

_NOW = "SELECT extract(epoch FROM clock_timestamp())::float8"
# Places held now: unanswered and started after ? (now - STALE_AFTER), or answered after ? (now - span).
_COUNT_HELD = (
    "SELECT count(*), min(answered_at) FROM rate_budget"
    " WHERE (answered_at IS NULL AND started_at > ?) OR answered_at > ?"
)
_ANSWERED = (
    "UPDATE rate_budget SET answered_at = extract(epoch FROM clock_timestamp())::float8"
    " WHERE id = ? AND answered_at IS NULL"
)


class RateBudgetRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def try_start(self, *, limit: int, span: float) -> tuple[int | None, float]:
        """(the request's id, 0) when it may start now (recorded as started); else (None, how long until a
        place may come free: the earliest answered one leaves the span then, unanswered ones later)."""
        async with self._db.transaction() as tx:
            await tx.execute("SELECT pg_advisory_xact_lock(?, 0)", (RATE_BUDGET_LOCK_KEY,))
            now = float(await tx.fetch_value(_NOW))
            rows = await tx.fetch_all(_COUNT_HELD, (now - STALE_AFTER, now - span))
            held, earliest = int(rows[0][0]), rows[0][1]
            if held >= limit:
                return None, span if earliest is None else max(0.0, float(earliest) + span - now)
            request_id = await tx.fetch_value("INSERT INTO rate_budget (started_at) VALUES (?) RETURNING id", (now,))
            await tx.execute("DELETE FROM rate_budget WHERE started_at < ?", (now - KEEP_SECONDS,))
            return int(request_id), 0.0

    async def answered(self, request_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(_ANSWERED, (request_id,))

    async def held(self, span: float) -> int:
        """How many places are held now (tests, status)."""
        now = float(await self._db.fetch_value(_NOW))
        rows = await self._db.fetch_all(_COUNT_HELD, (now - STALE_AFTER, now - span))
        return int(rows[0][0])
