"""bot_processes: one row per running bot process, kept alive by its heartbeat (bot/cluster/membership.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Database, Row
from bot.storage.repositories.deliveries import iso

_COLUMNS = "id, host, pid, shard_ids, shard_count, started_at, heartbeat_at, lease_until, latency_ms, stopping"


@dataclass(frozen=True)
class ProcessRow:
    id: str
    host: str
    pid: int
    shard_ids: tuple[int, ...]
    shard_count: int
    started_at: datetime
    heartbeat_at: datetime
    lease_until: datetime
    latency_ms: int | None
    stopping: bool

    def alive_at(self, now: datetime) -> bool:
        return self.lease_until > now


def shard_text(shard_ids: tuple[int, ...]) -> str:
    return ",".join(str(shard) for shard in shard_ids)


def _process(row: Row) -> ProcessRow:
    shards = tuple(int(part) for part in row["shard_ids"].split(",") if part)
    return ProcessRow(
        id=row["id"],
        host=row["host"],
        pid=row["pid"],
        shard_ids=shards,
        shard_count=row["shard_count"],
        started_at=datetime.fromisoformat(row["started_at"]),
        heartbeat_at=datetime.fromisoformat(row["heartbeat_at"]),
        lease_until=datetime.fromisoformat(row["lease_until"]),
        latency_ms=row["latency_ms"],
        stopping=bool(row["stopping"]),
    )


class ProcessRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def register(self, process: ProcessRow) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                f"INSERT INTO bot_processes ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
                " ON CONFLICT (id) DO NOTHING",  # a retry after a lost COMMIT
                (process.id, process.host, process.pid, shard_text(process.shard_ids), process.shard_count,
                 iso(process.started_at), iso(process.heartbeat_at), iso(process.lease_until), process.latency_ms,
                 int(process.stopping)),
            )  # fmt: skip

    async def heartbeat(
        self,
        process_id: str,
        *,
        at: datetime,
        lease_until: datetime,
        latency_ms: int | None,
        shard_ids: tuple[int, ...],
        shard_count: int,
    ) -> bool:
        """Extend the lease; False when the row is gone (declared dead and removed: the caller re-registers)."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE bot_processes SET heartbeat_at = ?, lease_until = ?, latency_ms = ?, shard_ids = ?,"
                " shard_count = ? WHERE id = ?",
                (iso(at), iso(lease_until), latency_ms, shard_text(shard_ids), shard_count, process_id),
            )
            return changed == 1

    async def mark_stopping(self, process_id: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE bot_processes SET stopping = 1 WHERE id = ?", (process_id,))

    async def remove(self, process_id: str) -> None:
        """A clean stop: the row goes at once, and with it every lease the process held."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM bot_processes WHERE id = ?", (process_id,))

    async def all(self) -> list[ProcessRow]:
        rows = await self._db.fetch_all(f"SELECT {_COLUMNS} FROM bot_processes ORDER BY started_at, id")  # noqa: S608
        return [_process(row) for row in rows]

    async def forget_dead(self, *, ended_before: datetime) -> int:
        """Drop rows whose lease ended before `ended_before` and that hold no claim any more (status stays short)."""
        async with self._db.transaction() as tx:
            return await tx.execute(
                "DELETE FROM bot_processes WHERE lease_until < ? AND NOT EXISTS (SELECT 1 FROM reminder_deliveries d"
                " WHERE d.state = 'claimed' AND d.claimed_by = bot_processes.id)",
                (iso(ended_before),),
            )
