"""What /healthz and /metrics read from the store: that it answers, and the delivery ledger's counts."""

from __future__ import annotations

from bot.storage.database import Database


class HealthRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def ping(self) -> None:
        await self._db.fetch_value("SELECT 1")

    async def deliveries_by_state(self) -> dict[str, int]:
        """Ledger rows per state (claimed ones are outstanding: claimed, not yet confirmed sent)."""
        rows = await self._db.fetch_all("SELECT state, COUNT(*) FROM reminder_deliveries GROUP BY state")
        return {row[0]: int(row[1]) for row in rows}

    async def late_deliveries(self) -> int:
        return int(await self._db.fetch_value("SELECT COUNT(*) FROM reminder_deliveries WHERE late = 1") or 0)
