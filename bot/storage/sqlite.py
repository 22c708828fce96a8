"""The SQLite store: one aiosqlite write connection in WAL mode, a read connection, serialized write transactions.

One bot process per file (bot/storage/lock.py); the version lives in PRAGMA user_version.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage.database import Database, Migration, Row, Transaction, bundled_migrations, check_schema
from bot.storage.dialect import SQLITE, StoreURL

log = logging.getLogger(__name__)


class SqliteTransaction(Transaction):
    dialect = SQLITE

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Iterable[object] = ()) -> int:
        cursor = await self._connection.execute(sql, tuple(params))
        changed = cursor.rowcount
        await cursor.close()
        return max(changed, 0)  # -1 for statements that change nothing countable

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        await self._connection.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Iterable[object] = ()) -> list[Row]:
        return list(await self._connection.execute_fetchall(sql, tuple(params)))


class SqliteDatabase(Database):
    """Owns the connections. Reads run directly; writes go through `transaction()`, one at a time."""

    dialect = SQLITE

    def __init__(
        self, connection: aiosqlite.Connection, path: Path | str, reader: aiosqlite.Connection | None = None
    ) -> None:
        self._connection = connection
        # Reads go through their own connection (and thread): in WAL mode they never wait for a writer,
        # so a member's read is answered even while a write waits busy_timeout_ms for another
        # process's lock (a backup, a sqlite3 shell; a second bot is refused at start, see lock.py).
        # Each read sees what was committed before it.
        self._reader = reader or connection
        self.path = path
        self.description = StoreURL.for_sqlite_path(path).description
        # One connection is shared by every task: without this lock two tasks' statements
        # would interleave inside one SQLite transaction.
        self._write_lock = asyncio.Lock()

    @property
    def sqlite_path(self) -> Path | None:
        return None if str(self.path) == ":memory:" else Path(self.path)

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        busy_timeout_ms: int = 5000,
        migrations: Iterable[Migration] | None = None,
        migrate: bool = True,
    ) -> SqliteDatabase:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await _connect(path, busy_timeout_ms)
        reader = None
        try:
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA synchronous = NORMAL")
            if str(path) != ":memory:":  # an in-memory database exists for one connection only
                reader = await _connect(path, busy_timeout_ms)
                await reader.execute("PRAGMA query_only = ON")
            database = cls(connection, path, reader)
            if migrate:
                await database.migrate(None if migrations is None else list(migrations))
        except BaseException:
            await connection.close()
            if reader is not None:
                await reader.close()
            raise
        return database

    async def close(self) -> None:
        if self._reader is not self._connection:
            await self._reader.close()
        await self._connection.close()

    async def schema_version(self) -> int:
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, migrations: list[Migration] | None = None) -> int:
        """Apply every pending migration in one transaction; return the resulting version."""
        migrations = bundled_migrations(SQLITE) if migrations is None else migrations
        current = await self.schema_version()
        pending = check_schema(current, migrations)
        if not pending:
            return current
        latest = migrations[-1].version
        script = "\n".join(migration.sql for migration in pending)
        async with self._write_lock:
            try:
                # executescript() commits any open transaction first, so BEGIN/COMMIT live inside the script.
                await self._connection.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {latest};\nCOMMIT;"
                )
            except BaseException:
                if self._connection.in_transaction:
                    await self._connection.execute("ROLLBACK")
                raise
        log.info("database migrated from version %d to %d", current, latest)
        return latest

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error; writers queue on the lock."""
        async with self._write_lock:
            try:
                await self._connection.execute("BEGIN IMMEDIATE")
            except asyncio.CancelledError:
                # aiosqlite runs the BEGIN in its own thread even when the awaiting task is cancelled.
                # Statements run in order there, so a ROLLBACK queued now undoes it; without it the
                # connection would stay inside a transaction and every later write would fail.
                await asyncio.shield(self._rollback_quietly())
                raise
            try:
                yield SqliteTransaction(self._connection)
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            else:
                await self._connection.execute("COMMIT")

    async def _rollback_quietly(self) -> None:
        with contextlib.suppress(sqlite3.OperationalError):  # the BEGIN itself may have failed
            await self._connection.execute("ROLLBACK")

    # One trip to aiosqlite's thread per read (execute_fetchall), not three (execute, fetch, close):
    # each trip costs a thread hand-off both ways, which is most of what a small query costs.

    async def fetch_all(self, sql: str, params: Iterable[object] = ()) -> list[Row]:
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def fetch_one(self, sql: str, params: Iterable[object] = ()) -> Row | None:
        rows = await self._reader.execute_fetchall(sql, tuple(params))
        return rows[0] if rows else None


async def _connect(path: Path | str, busy_timeout_ms: int) -> aiosqlite.Connection:
    connection = await aiosqlite.connect(str(path), isolation_level=None)
    connection.row_factory = aiosqlite.Row
    try:
        await connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        await connection.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        await connection.close()
        raise
    return connection
