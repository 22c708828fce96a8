"""The store's entry point: one API over SQLite (bot/storage/sqlite.py) and PostgreSQL (bot/storage/postgres.py).

    database = await open_database("postgresql://summit@db:5432/summit")   # or settings, or sqlite:///path
    async with database:                                   # close() at the end
        rows = await database.fetch_all("SELECT id, key FROM guild_events WHERE guild_id = ?", (guild_id,))
        rows[0]["key"], rows[0][0]                           # rows by name and by index, on both stores
        async with database.transaction() as tx:           # rolled back on any exception, else committed
            changed = await tx.execute("UPDATE … WHERE id = ?", (event_id,))      # rows affected
            await tx.executemany("INSERT … VALUES (?, ?)", rows)
            new_id = await tx.fetch_value("INSERT … VALUES (?) RETURNING id", (key,))

- SQL is written once with `?` placeholders (PostgreSQL's store rewrites them to $1…$n). What must
  differ is keyed on `database.dialect.name` ("sqlite" | "postgresql") in ONE mapping per repository.
- `database.description`: the URL without password (logs, check-config). `schema_version()`, `migrate()`.
- Errors: `SchemaTooNewError` (written by a newer release), `StoreUnavailableError` (the store cannot be
  reached or dropped the connection: PostgreSQL down or restarting; try again later). SQLite's
  "database is locked" stays `sqlite3.OperationalError`, as before.
- `Database.open(path)` opens a SQLite file directly (tests, the sandbox).
- `open_database(url | StoreURL | settings, *, migrations=None, migrate=True)`; `migrate=False` opens
  without touching the schema (check-config --connect). `bundled_migrations(dialect)` reads
  migrations/<sqlite|postgresql>/000N_*.sql; both folders have the same versions, tables and columns.
- `tx.dialect` is there too (code that only has the transaction); `database.sqlite_path` is the file,
  or None on PostgreSQL (the store lock, bot/storage/lock.py, applies to SQLite only).
- Parameters: asyncpg is strict about types: pass int for integer columns and str for text ones (times
  as ISO 8601 text); a `?` whose type PostgreSQL cannot infer (`? IS NULL`, `coalesce(?, …)`, `'x' || ?`)
  gets `CAST(? AS TEXT)` (or INTEGER) in the shared SQL.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.storage.dialect import SQLITE, Dialect, StoreURL

if TYPE_CHECKING:
    from bot.config import Settings

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

# aiosqlite.Row or asyncpg.Record: both index by column name and by position.
Row = Any


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations(dialect: Dialect | str = SQLITE) -> list[Migration]:
    """The SQL files shipped in bot/storage/migrations/<dialect>, in version order, numbered without gaps."""
    folder = resources.files("bot.storage") / "migrations" / str(dialect)
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


class StoreUnavailableError(RuntimeError):
    """The store cannot be reached, or dropped the connection mid-statement; try again later.

    Raised before or during a transaction, nothing of it was committed; raised by the COMMIT itself, the
    outcome is unknown (as with any network store): writes that matter are idempotent or checked after.
    The message names the store by its description (never the password)."""


class Transaction(ABC):
    """One write transaction; every statement sees the ones before it."""

    dialect: Dialect

    @abstractmethod
    async def execute(self, sql: str, params: Iterable[object] = ()) -> int:
        """Run one statement; the number of rows it inserted, updated or deleted."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None: ...

    @abstractmethod
    async def fetch_all(self, sql: str, params: Iterable[object] = ()) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Iterable[object] = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Iterable[object] = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]


class Database(ABC):
    """Reads run directly (each sees what was committed before it); writes go through `transaction()`."""

    dialect: Dialect
    description: str

    @classmethod
    async def open(
        cls, path: Path | str, *, busy_timeout_ms: int = 5000, migrations: Iterable[Migration] | None = None
    ) -> Database:
        """A SQLite file (kept for the sandbox and tests); `open_database()` takes any store."""
        from bot.storage.sqlite import SqliteDatabase

        return await SqliteDatabase.open(path, busy_timeout_ms=busy_timeout_ms, migrations=migrations)

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or None for another store (the store lock applies to SQLite only)."""
        return None

    @abstractmethod
    async def close(self) -> None: ...

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def migrate(self, migrations: list[Migration] | None = None) -> int:
        """Apply every pending migration in one transaction (the bundled ones by default); the resulting version."""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...

    @abstractmethod
    async def fetch_all(self, sql: str, params: Iterable[object] = ()) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Iterable[object] = ()) -> Row | None:
        """The first row (the queries using it name one row: a key, an aggregate, LIMIT 1)."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Iterable[object] = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def table_names(self) -> list[str]:
        """The tables that hold the bot's data, sorted: the same names on both stores (each store's own
        bookkeeping, and the search index that each store builds its own way, left out)."""
        rows = await self.fetch_all(_TABLE_NAMES[self.dialect.name])
        return sorted(row[0] for row in rows)


# SQLite: not its internal tables, nor the FTS5 index and its shadow tables (search_index*). PostgreSQL:
# not the schema_version bookkeeping (SQLite keeps its version in PRAGMA user_version).
_TABLE_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    " AND name NOT LIKE 'search\\_index%' ESCAPE '\\'",
    "postgresql": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    " AND table_type = 'BASE TABLE' AND table_name <> 'schema_version'",
}


def check_schema(current: int, migrations: Sequence[Migration]) -> list[Migration]:
    """The migrations still to apply; refuses a schema newer than the code."""
    latest = migrations[-1].version if migrations else 0
    if current > latest:
        raise SchemaTooNewError(f"database schema is version {current}, this release knows up to {latest}")
    return [migration for migration in migrations if migration.version > current]


async def open_database(
    url_or_settings: str | StoreURL | Settings, *, migrations: Iterable[Migration] | None = None, migrate: bool = True
) -> Database:
    """Open (and, unless migrate=False, migrate) the store a URL or the settings name: SQLite or PostgreSQL."""
    busy_timeout_ms, pool_size = 5000, 4
    if isinstance(url_or_settings, str):
        store = StoreURL.parse(url_or_settings)
    elif isinstance(url_or_settings, StoreURL):
        store = url_or_settings
    else:
        store = url_or_settings.database.store
        busy_timeout_ms = url_or_settings.database.busy_timeout_ms
        pool_size = url_or_settings.database.pool_size
    if store.dialect is SQLITE:
        from bot.storage.sqlite import SqliteDatabase

        assert store.sqlite_path is not None
        return await SqliteDatabase.open(
            store.sqlite_path, busy_timeout_ms=busy_timeout_ms, migrations=migrations, migrate=migrate
        )
    from bot.storage.postgres import PostgresDatabase

    return await PostgresDatabase.open(store, pool_size=pool_size, migrations=migrations, migrate=migrate)
