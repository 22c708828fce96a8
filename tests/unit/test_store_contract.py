"""The store contract, on SQLite and on PostgreSQL: one API, the same results (`store_url` runs each test twice)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import asyncpg
import pytest

from bot.config import ConfigError, validate_settings
from bot.storage.database import (
    Migration,
    SchemaTooNewError,
    StoreUnavailableError,
    bundled_migrations,
    open_database,
)
from bot.storage.dialect import numbered
from tests.helpers.stores import PostgresServer

MIGRATIONS = Path(__file__).resolve().parents[2] / "bot" / "storage" / "migrations"


async def test_opening_migrates_to_the_latest_version(store_url):
    async with await open_database(store_url) as db:
        assert await db.schema_version() == bundled_migrations(db.dialect)[-1].version
        assert "***" not in db.description and db.dialect.name in ("sqlite", "postgresql")


async def test_execute_counts_rows_and_returning_gives_the_new_id(store_url):
    async with await open_database(store_url) as db:
        async with db.transaction() as tx:
            first = await tx.fetch_value(
                "INSERT INTO reminder_subscriptions (guild_id, user_id, event_id, locale, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (1, 2, None, "fr", "2026-01-01T00:00:00.000000+00:00"),
            )
            await tx.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)", [("a", "1"), ("b", "2"), ("c", "3")]
            )
            changed = await tx.execute("UPDATE meta SET value = 'x' WHERE key IN (?, ?)", ("a", "c"))
        assert changed == 2
        row = await db.fetch_one("SELECT id, locale FROM reminder_subscriptions WHERE user_id = ?", (2,))
        assert (row["id"], row[1]) == (first, "fr")
        assert [r["value"] for r in await db.fetch_all("SELECT value FROM meta ORDER BY key")] == ["x", "2", "x"]
        # A question mark inside a literal is text, not a placeholder.
        assert await db.fetch_value("SELECT '?' || CAST(? AS TEXT)", ("!",)) == "?!"


async def test_a_transaction_reads_its_own_writes_and_rolls_back_on_error(store_url):
    async with await open_database(store_url) as db:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
                assert await tx.fetch_value("SELECT value FROM meta WHERE key = 'k'") == "v"
                raise RuntimeError("boom")
        assert await db.fetch_one("SELECT * FROM meta WHERE key = 'k'") is None


async def test_a_network_error_from_the_callers_block_is_not_taken_for_the_store(store_url):
    async with await open_database(store_url) as db:
        with pytest.raises(ConnectionResetError):  # e.g. Discord dropping a connection mid-block
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
                raise ConnectionResetError("not the store")
        assert await db.fetch_value("SELECT count(*) FROM meta WHERE key = 'k'") == 0


async def test_a_cancelled_transaction_leaves_the_store_usable(store_url):
    async with await open_database(store_url) as db:
        entered = asyncio.Event()

        async def write() -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('gone', 'v')")
                entered.set()
                await asyncio.Event().wait()

        task = asyncio.create_task(write())
        await entered.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('kept', 'v')")
        assert [row[0] for row in await db.fetch_all("SELECT key FROM meta ORDER BY key")] == ["kept"]


async def test_a_newer_schema_is_refused_and_an_older_one_migrated(store_url):
    async with await open_database(store_url) as db:
        latest = bundled_migrations(db.dialect)
        extra = Migration(latest[-1].version + 1, "9999_x.sql", "CREATE TABLE extra (x INTEGER);")
        assert await db.migrate([*latest, extra]) == extra.version
        assert await db.schema_version() == extra.version
        with pytest.raises(SchemaTooNewError):
            await db.migrate(latest)


def test_both_stores_have_the_same_migration_versions():
    sqlite = [m.name for m in bundled_migrations("sqlite")]
    postgresql = [m.name for m in bundled_migrations("postgresql")]
    assert sqlite == postgresql == sorted(path.name for path in (MIGRATIONS / "sqlite").glob("*.sql"))


async def test_both_stores_have_the_same_tables_and_columns(tmp_path, postgres_url):
    async with await open_database(f"sqlite:///{tmp_path / 'bot.sqlite3'}") as db:
        tables = [r[0] for r in await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")]
        on_sqlite = {
            (table, r["name"]) for table in tables if not table.startswith("search_index")
            for r in await db.fetch_all(f"PRAGMA table_info('{table}')")
        }
    async with await open_database(postgres_url) as db:
        on_postgresql = {
            (r[0], r[1]) for r in await db.fetch_all(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
                " AND table_name <> 'schema_version'"
            )
        }
    # The search vector is PostgreSQL's counterpart of SQLite's FTS5 table.
    assert on_postgresql - {("search_documents", "document")} == on_sqlite


def test_placeholders_are_numbered_outside_literals_and_comments():
    assert numbered("SELECT ? , '?', \"a?\" -- ?\n, ? /* ? */") == "SELECT $1 , '?', \"a?\" -- ?\n, $2 /* ? */"


# --- PostgreSQL only -------------------------------------------------------------------------------------


async def test_processes_starting_together_migrate_once(postgres_server: PostgresServer):
    name = await postgres_server.create_database(template=None)  # empty: both race to migrate it
    try:
        url = postgres_server.url_of(name)
        stores = await asyncio.gather(open_database(url), open_database(url))
        for store in stores:
            assert await store.schema_version() == bundled_migrations("postgresql")[-1].version
        assert await stores[0].fetch_value("SELECT count(*) FROM schema_version") == 1
        for store in stores:
            await store.close()
    finally:
        await postgres_server.drop_database(name)


async def test_after_a_copy_with_explicit_ids_new_rows_get_the_next_id(postgres_url):
    async with await open_database(postgres_url) as db:
        insert = (
            "INSERT INTO reminder_subscriptions (id, guild_id, user_id, event_id, locale, created_at)"
            " VALUES (?, 1, 2, NULL, 'en', '2026-01-01T00:00:00.000000+00:00')"
        )
        async with db.transaction() as tx:
            await tx.execute(insert, (500,))
        await db.sync_identities()
        async with db.transaction() as tx:
            new_id = await tx.fetch_value(
                "INSERT INTO reminder_subscriptions (guild_id, user_id, event_id, locale, created_at)"
                " VALUES (1, 3, NULL, 'en', '2026-01-01T00:00:00.000000+00:00') RETURNING id"
            )
        assert new_id == 501


async def test_the_pool_reconnects_after_its_connections_are_terminated(postgres_url, postgres_server):
    async with await open_database(postgres_url) as db:
        await db.fetch_value("SELECT 1")
        admin = await asyncpg.connect(postgres_server.admin_url)
        try:
            database = postgres_url.rsplit("/", 1)[1]
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database
            )
        finally:
            await admin.close()
        # A statement on a dead connection is one well-defined error (or already replaced); then it works.
        with contextlib.suppress(StoreUnavailableError):
            await db.fetch_value("SELECT 1")
        assert await db.fetch_value("SELECT 2") == 2
        async with db.transaction() as tx:
            assert await tx.execute("INSERT INTO meta (key, value) VALUES ('after', 'x')") == 1


async def test_the_password_never_shows_in_errors_check_config_or_logs(postgres_server, capsys, caplog):
    from bot.cli import check_config, check_store

    port = postgres_server.admin_url.rsplit(":", 1)[1].split("/")[0]
    secret = "s3cret-Pa55word"
    url = f"postgresql://nobody:{secret}@127.0.0.1:{port}/no_such_database"
    with pytest.raises(StoreUnavailableError) as refused:
        await open_database(url)
    assert secret not in str(refused.value) and "nobody:***@127.0.0.1" in str(refused.value)
    settings = validate_settings({"database": {"url": url}})
    assert check_config(Path("config.toml"), settings) == 0
    assert await check_store(settings) == 1
    shown = capsys.readouterr()
    assert "nobody:***@127.0.0.1" in shown.out
    assert secret not in shown.out + shown.err + caplog.text
    with pytest.raises(ConfigError) as invalid:
        validate_settings({"database": {"url": f"mysql://nobody:{secret}@host/db"}})
    assert secret not in str(invalid.value)


async def test_check_config_connect_reaches_the_store_and_shows_its_schema_version(store_url, capsys):
    from bot.cli import check_store

    async with await open_database(store_url):
        pass
    assert await check_store(validate_settings({"database": {"url": store_url}})) == 0
    latest = bundled_migrations("sqlite")[-1].version
    assert f"store: reachable, schema version {latest}" in capsys.readouterr().out


async def test_table_names_are_the_same_on_both_stores(tmp_path, postgres_url):
    async with await open_database(f"sqlite:///{tmp_path / 'bot.sqlite3'}") as db:
        on_sqlite = await db.table_names()
    async with await open_database(postgres_url) as db:
        on_postgresql = await db.table_names()
    assert on_sqlite == on_postgresql
    assert {"guild_events", "reminder_deliveries", "search_documents"} <= set(on_sqlite)
    assert not [name for name in on_sqlite if name.startswith(("sqlite_", "search_index", "schema_version"))]
