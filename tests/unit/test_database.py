"""The store: pragmas, migrations in one transaction, serialized writes (generic tests on both stores)."""

import asyncio

import pytest

from bot.storage.database import Database, Migration, SchemaTooNewError, bundled_migrations, open_database


async def table_exists(db: Database, name: str) -> bool:
    if db.dialect.name == "sqlite":
        return await db.fetch_one("SELECT name FROM sqlite_master WHERE name = ?", (name,)) is not None
    return bool(await db.fetch_value("SELECT to_regclass(CAST(? AS TEXT)) IS NOT NULL", (name,)))


async def test_open_sets_wal_foreign_keys_busy_timeout_and_latest_version(tmp_path):
    async with await Database.open(tmp_path / "bot.sqlite3", busy_timeout_ms=1234) as db:
        assert (await db.fetch_value("PRAGMA journal_mode")) == "wal"
        assert (await db.fetch_value("PRAGMA foreign_keys")) == 1
        assert (await db.fetch_value("PRAGMA busy_timeout")) == 1234
        assert await db.schema_version() == bundled_migrations()[-1].version


async def test_bundled_migrations_are_numbered_without_gaps():
    versions = [migration.version for migration in bundled_migrations()]
    assert versions == list(range(1, len(versions) + 1))


async def test_migrations_apply_in_one_transaction(empty_store_url):
    good = Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    broken = Migration(2, "0002_b.sql", "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);")
    with pytest.raises(Exception, match="nowhere"):
        await open_database(empty_store_url, migrations=[good, broken])
    async with await open_database(empty_store_url, migrations=[]) as db:
        # Nothing of either migration survived: version 0, no table a.
        assert await db.schema_version() == 0
        assert not await table_exists(db, "a")


async def test_reopening_applies_only_new_migrations(empty_store_url):
    first = Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    async with await open_database(empty_store_url, migrations=[first]) as db, db.transaction() as tx:
        await tx.execute("INSERT INTO a VALUES (7)")
    second = Migration(2, "0002_b.sql", "CREATE TABLE b (y INTEGER);")
    async with await open_database(empty_store_url, migrations=[first, second]) as db:
        assert await db.schema_version() == 2
        assert await db.fetch_value("SELECT x FROM a") == 7


async def test_a_database_from_a_newer_release_is_refused(empty_store_url):
    async with await open_database(empty_store_url, migrations=[Migration(1, "0001_a.sql", "SELECT 1;"),
                                                     Migration(2, "0002_b.sql", "SELECT 1;")]):
        pass
    with pytest.raises(SchemaTooNewError):
        await open_database(empty_store_url, migrations=[Migration(1, "0001_a.sql", "SELECT 1;")])


async def test_a_failed_transaction_changes_nothing(store_url):
    async with await open_database(store_url) as db:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
                raise RuntimeError("boom")
        assert await db.fetch_one("SELECT * FROM meta WHERE key = 'k'") is None


async def test_concurrent_transactions_do_not_interleave(store_url):
    async with await open_database(store_url) as db:

        async def write(n: int) -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"k{n}", "x"))
                await asyncio.sleep(0)  # let the other writers try to run inside this transaction
                if n % 2:
                    raise ValueError(n)

        results = await asyncio.gather(*(write(n) for n in range(10)), return_exceptions=True)
        assert sum(isinstance(result, ValueError) for result in results) == 5
        keys = {row[0] for row in await db.fetch_all("SELECT key FROM meta")}
        assert keys == {f"k{n}" for n in range(0, 10, 2)}


async def test_a_transaction_cancelled_while_starting_leaves_the_connection_usable(tmp_path):
    async with await Database.open(tmp_path / "bot.sqlite3") as db:
        # Keep aiosqlite's thread busy so the BEGIN below is still queued when the task is cancelled.
        slow = asyncio.ensure_future(
            db.fetch_value(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000)"
                " SELECT count(*) FROM c"
            )
        )

        async def write() -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('cancelled', 'x')")

        writer = asyncio.ensure_future(write())
        await asyncio.sleep(0)  # let the writer take the lock and queue its BEGIN
        writer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await writer
        await slow
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('after', 'y')")
        assert {row[0] for row in await db.fetch_all("SELECT key FROM meta")} == {"after"}
