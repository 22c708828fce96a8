"""The SQLite store: one aiosqlite connection in WAL mode, versioned migrations, serialized write transactions."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The SQL files shipped in bot/storage/migrations, in version order, numbered without gaps."""
    folder = resources.files("bot.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration {migration.name} breaks the sequence (expected {expected:04d})")
    return found


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer release; refusing to run rather than corrupt it."""


class Database:
    """Owns the connection. Reads run directly; writes go through `transaction()`, one at a time."""

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
        # One connection is shared by every task: without this lock two tasks' statements
        # would interleave inside one SQLite transaction.
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        busy_timeout_ms: int = 5000,
        migrations: Iterable[Migration] | None = None,
    ) -> Database:
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
            await database.migrate(bundled_migrations() if migrations is None else list(migrations))
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

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def schema_version(self) -> int:
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, migrations: list[Migration]) -> int:
        """Apply every pending migration in one transaction; return the resulting version."""
        current = await self.schema_version()
        latest = migrations[-1].version if migrations else 0
        if current > latest:
            raise SchemaTooNewError(f"database schema is version {current}, this release knows up to {latest}")
        pending = [migration for migration in migrations if migration.version > current]
        if not pending:
            return current
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
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
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
                yield self._connection
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

    async def fetch_all(self, sql: str, params: Iterable[object] = ()) -> list[aiosqlite.Row]:
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def fetch_one(self, sql: str, params: Iterable[object] = ()) -> aiosqlite.Row | None:
        """The first row (the queries using it name one row: a key, an aggregate, LIMIT 1)."""
        rows = await self._reader.execute_fetchall(sql, tuple(params))
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Iterable[object] = ()) -> object:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]


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
