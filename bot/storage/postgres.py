"""The PostgreSQL store: an asyncpg pool shared by many bot processes.

- READ COMMITTED transactions; SQL written with `?` is rewritten to $1…$n once per statement text.
- Migrations run in one transaction under `pg_advisory_xact_lock(MIGRATION_LOCK)`, so processes starting
  together never race; the version is the one row of `schema_version`.
- The pool replaces a broken connection on the next acquire; a statement cut by a dead connection (the
  server restarting, `pg_terminate_backend`) or a server that cannot be reached raises
  `StoreUnavailableError`, whose message names the store without its password.
- `sync_identities()`: after a copy that inserted explicit ids, moves every identity sequence past them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.storage.database import (
    Database,
    Migration,
    Row,
    StoreUnavailableError,
    Transaction,
    bundled_migrations,
    check_schema,
)
from bot.storage.dialect import POSTGRESQL, StoreURL, numbered

log = logging.getLogger(__name__)

MIGRATION_LOCK = 0x5355_4D4D_4954  # "SUMMIT": one advisory lock key for every process migrating this database

# What a dead or unreachable server looks like through asyncpg (class 08 connection exceptions, class 57
# operator intervention such as admin_shutdown, the client noticing a closed socket, a refused TCP connect).
UNAVAILABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,  # a statement racing the socket being closed under it
    ConnectionError,
    OSError,
    TimeoutError,
)


def _unavailable(description: str, exc: BaseException) -> StoreUnavailableError:
    # The driver's text never holds the password, but say only the type to be sure of it.
    return StoreUnavailableError(f"PostgreSQL at {description} is unavailable ({type(exc).__name__})")


class PostgresTransaction(Transaction):
    dialect = POSTGRESQL

    def __init__(self, connection: asyncpg.Connection, description: str) -> None:
        self._connection = connection
        self._description = description

    async def execute(self, sql: str, params: Iterable[object] = ()) -> int:
        try:
            status = await self._connection.execute(numbered(sql), *params)
        except UNAVAILABLE as exc:
            raise _unavailable(self._description, exc) from None
        # "UPDATE 3", "INSERT 0 1", "DELETE 0": the last word is the row count.
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        rows = list(rows)
        if not rows:
            return
        try:
            await self._connection.executemany(numbered(sql), rows)
        except UNAVAILABLE as exc:
            raise _unavailable(self._description, exc) from None

    async def fetch_all(self, sql: str, params: Iterable[object] = ()) -> list[Row]:
        try:
            return await self._connection.fetch(numbered(sql), *params)
        except UNAVAILABLE as exc:
            raise _unavailable(self._description, exc) from None


class PostgresDatabase(Database):
    dialect = POSTGRESQL

    def __init__(self, pool: asyncpg.Pool, store: StoreURL) -> None:
        self._pool = pool
        self.description = store.description

    @classmethod
    async def open(
        cls,
        store: StoreURL | str,
        *,
        pool_size: int = 4,
        migrations: Iterable[Migration] | None = None,
        migrate: bool = True,
    ) -> PostgresDatabase:
        store = StoreURL.parse(store) if isinstance(store, str) else store
        try:
            # The password comes from the URL or PGPASSWORD (asyncpg reads it).
            pool = await asyncpg.create_pool(store.url, min_size=1, max_size=pool_size, command_timeout=60)
        except (*UNAVAILABLE, asyncpg.PostgresError) as exc:
            raise StoreUnavailableError(
                f"cannot connect to PostgreSQL at {store.description}: {_reason(exc)}"
            ) from None
        database = cls(pool, store)
        try:
            if migrate:
                await database.migrate(None if migrations is None else list(migrations))
        except BaseException:
            await pool.close()
            raise
        return database

    async def close(self) -> None:
        await self._pool.close()

    async def schema_version(self) -> int:
        exists = await self.fetch_value("SELECT to_regclass('schema_version') IS NOT NULL")
        if not exists:
            return 0
        return int(await self.fetch_value("SELECT coalesce(max(version), 0) FROM schema_version") or 0)

    async def migrate(self, migrations: list[Migration] | None = None) -> int:
        """Apply every pending migration in one transaction, under an advisory lock; the resulting version."""
        migrations = bundled_migrations(POSTGRESQL) if migrations is None else migrations
        async with self._connection() as connection, connection.transaction():
            # A second process waits here, then finds the work done.
            await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = int(await connection.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))
            pending = check_schema(current, migrations)
            if not pending:
                return current
            for migration in pending:
                await connection.execute(migration.sql)  # a script without parameters: several statements
            latest = migrations[-1].version
            await connection.execute("DELETE FROM schema_version")
            await connection.execute("INSERT INTO schema_version (version) VALUES ($1)", latest)
        log.info("database migrated from version %d to %d", current, latest)
        return latest

    async def sync_identities(self) -> None:
        """After rows were inserted with explicit ids (a copy from SQLite): each identity column's sequence
        moves past the highest id, so the next insert without an id does not collide."""
        columns = await self.fetch_all(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        )
        async with self.transaction() as tx:
            for table, column in columns:  # names from the catalogue, quoted
                await tx.fetch_value(
                    f'SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max("{column}"), 0) + 1, false)'  # noqa: S608
                    f' FROM "{table}"',
                    (f'"{table}"', column),
                )

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            async with self._pool.acquire() as connection:
                yield connection
        except UNAVAILABLE as exc:
            raise _unavailable(self.description, exc) from None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """BEGIN ISOLATION LEVEL READ COMMITTED … COMMIT, rolled back on any error.

        Only the store's own failures become StoreUnavailableError: an exception from the caller's block
        (even an OSError from elsewhere) passes through unchanged after the rollback."""
        try:
            connection = await self._pool.acquire()
        except UNAVAILABLE as exc:
            raise _unavailable(self.description, exc) from None
        try:
            transaction = connection.transaction(isolation="read_committed")
            try:
                await transaction.start()
            except UNAVAILABLE as exc:
                raise _unavailable(self.description, exc) from None
            try:
                yield PostgresTransaction(connection, self.description)
            except BaseException:
                with contextlib.suppress(*UNAVAILABLE):  # a dead connection has rolled back by itself
                    await transaction.rollback()
                raise
            try:
                await transaction.commit()
            except UNAVAILABLE as exc:
                raise _unavailable(self.description, exc) from None
        finally:
            # A connection that died after the COMMIT (or the rollback) fails its reset here; the pool drops it
            # and the transaction's outcome is already known: not an error of the caller's.
            with contextlib.suppress(*UNAVAILABLE):
                await self._pool.release(connection)

    async def fetch_all(self, sql: str, params: Iterable[object] = ()) -> list[Row]:
        try:
            return await self._pool.fetch(numbered(sql), *params)
        except UNAVAILABLE as exc:
            raise _unavailable(self.description, exc) from None


def _reason(exc: BaseException) -> str:
    """The driver's reason, which names no password (asyncpg never echoes it)."""
    if isinstance(exc, OSError) and exc.strerror:  # "Connect call failed ('db', 5432)", not errno 111
        return exc.strerror
    text: Any = getattr(exc, "args", ())
    return str(text[0]) if text else type(exc).__name__
