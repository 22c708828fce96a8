"""`summit-bot db migrate --to postgresql://…`, run as the operator runs it (a process of its own), on real
stores: a community with a row in every table moves field by field and the real bot then serves it from
PostgreSQL; 100,000 subscriptions are copied and verified in seconds; a copy that fails half-way leaves
the target empty and runs again; every refusal says why and changes nothing."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from bench.bulk_load import Shape, build
from bot.config import validate_settings
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from bot.storage.database import Database, bundled_migrations, open_database
from bot.storage.lock import StoreLock
from bot.storage.transfer import canonical_row

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Finished:
    code: int
    out: str
    err: str


async def summit_bot(*args: str, cwd: Path = ROOT) -> Finished:
    """`summit-bot …` in a process of its own, without the developer's store or token variables."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("SUMMIT_DATABASE_URL", "DISCORD_TOKEN", "SUMMIT_BOT_CONFIG")
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode is not None
    return Finished(process.returncode, out.decode(), err.decode())


def config_for(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


async def migrate(config: Path, target: str) -> Finished:
    return await summit_bot("db", "migrate", "--to", target, "--config", str(config))


async def columns_of(source: Database, table: str) -> list[str]:
    return [row["name"] for row in await source.fetch_all(f'PRAGMA table_info("{table}")')]


async def keyed_rows(store: Database, table: str, columns: list[str], key: list[str]) -> list[tuple]:
    selected = ", ".join(f'"{column}"' for column in columns)
    order = ", ".join(f'"{column}"' for column in key)
    return [tuple(row) for row in await store.fetch_all(f'SELECT {selected} FROM "{table}" ORDER BY {order}')]


async def primary_key(source: Database, table: str) -> list[str]:
    info = [row for row in await source.fetch_all(f'PRAGMA table_info("{table}")') if row["pk"]]
    return [row["name"] for row in sorted(info, key=lambda row: row["pk"])]


async def counts(store: Database) -> dict[str, int]:
    return {table: await store.fetch_value(f'SELECT count(*) FROM "{table}"') for table in await store.table_names()}


# --- a community with a row in every table --------------------------------------------------------------


async def fill_the_tables_no_command_reaches_here(path: Path, world) -> None:
    """What a running bot accumulates without a member's command in this test (the ledger, DM channels, a
    mirror, a board, feeds, a snooze, a notice for someone else); values with accents, emoji and NULLs."""
    store = await Database.open(path)
    try:
        event_id = await store.fetch_value("SELECT id FROM guild_events WHERE key = 'geneva-2027'")
        guild, member = world.guild.id, world.member_en.id
        async with store.transaction() as tx:
            await tx.execute(
                "INSERT INTO reminder_channel_leads (guild_id, lead_seconds) VALUES (?, ?)", (guild, 86400)
            )
            await tx.execute(  # a killed process leaves its row until its lease is over
                "INSERT INTO bot_processes (id, host, pid, shard_ids, shard_count, started_at, heartbeat_at,"
                " lease_until, latency_ms, stopping) VALUES ('0f1e2d3c4b5a6978', 'hôte-🎉', 4242, '0,1', 2,"
                " '2026-01-02T07:00:00+00:00', '2026-01-02T08:00:00+00:00', '2026-01-02T08:00:30+00:00', NULL, 0)"
            )
            await tx.execute(
                "INSERT INTO reminder_deliveries (kind, event_id, instant, audience, recipient_id, lead_seconds,"
                " guild_id, due_at, state, nonce, claimed_at, sent_at, message_id, channel_id, late, error)"
                " VALUES ('reminder', ?, '2026-01-02T09:00:00+00:00', 'dm', ?, 3600, ?, '2026-01-02T08:00:00+00:00',"
                " 'sent', 'nonce-1', '2026-01-02T08:00:00+00:00', '2026-01-02T08:00:01+00:00', 42, 43, 1, NULL)",
                (event_id, member, guild),
            )
            await tx.execute(
                "INSERT INTO reminder_deliveries (kind, event_id, instant, audience, recipient_id, lead_seconds,"
                " guild_id, due_at, state, nonce, late, error) VALUES ('reminder', ?, '2026-01-02T09:00:00+00:00',"
                " 'dm', 99, 3600, ?, '2026-01-02T08:00:00+00:00', 'closed_dm', 'nonce-2', 0, 'DMs fermés — 🚫')",
                (event_id, guild),
            )
            await tx.execute("INSERT INTO reminder_dm_channels (user_id, channel_id) VALUES (?, ?)", (member, 77))
            await tx.execute(
                "INSERT INTO reminder_pending_notices (guild_id, user_id, kind, event_id, created_at)"
                " VALUES (?, 99, 'closed_dm', ?, '2026-01-02T08:00:00+00:00')",
                (guild, event_id),
            )
            await tx.execute(
                "INSERT INTO reminder_snoozes (guild_id, user_id, event_id, instant, due_at, locale, created_at)"
                " VALUES (?, 99, ?, '2099-01-02T09:00:00+00:00', '2099-01-02T08:00:00+00:00', 'fr',"
                " '2026-01-02T08:00:00+00:00')",
                (guild, event_id),
            )
            await tx.execute(
                "INSERT INTO guild_event_mirrors (event_id, guild_id, scheduled_event_id) VALUES (?, ?, 555)",
                (event_id, guild),
            )
            # The shared global limit's recent requests (PostgreSQL's only; copied like any table).
            await tx.execute("INSERT INTO rate_budget (started_at) VALUES (1767340800.123456)")
            await tx.execute(
                "INSERT INTO event_boards (guild_id, channel_id, message_id, problem_reported, updated_at)"
                " VALUES (?, ?, NULL, 0, '2026-01-02T08:00:00+00:00')",
                (guild, world.general.id),
            )
            await tx.execute(
                "INSERT INTO calendar_feeds (token_sha256, token, kind, guild_id, user_id, locale, created_at)"
                " VALUES ('sha-guild', 'tok-guild', 'guild', ?, NULL, 'en', '2026-01-02T08:00:00+00:00'),"
                " ('sha-member', 'tok-member', 'member', ?, ?, 'fr', '2026-01-02T08:00:00+00:00')",
                (guild, guild, member),
            )
    finally:
        await store.close()


async def test_a_community_moves_to_postgresql_field_by_field_and_the_bot_serves_it_there(
    world, emulator, tmp_path, empty_postgres_url
):
    settings = settings_for_emulator(validate_settings({}), emulator, tmp_path / "bot.sqlite3")
    path = settings.database.store.sqlite_path
    # What members and moderators do, through the real bot on SQLite.
    async with bot_on_emulator(settings, emulator):
        followed = await emulator.slash(world.member_en, world.general, "remind subscribe",
                                        {"event": "geneva-2027", "lead": "1d, 2h"})  # fmt: skip
        assert followed.ephemeral
        await emulator.slash(world.member_fr, world.general, "remind subscribe", {"event": "*"}, locale="fr")
        edit = {"event": "geneva-2027", "venue": "Salle « Léman » 🎉", "reason": "moved"}
        edited = await emulator.slash(world.moderator, world.general, "eventadmin edit", edit)
        assert edited.content.startswith("Saved")
        await emulator.slash(world.moderator, world.general, "eventadmin settings", {"channel": world.general})
    await fill_the_tables_no_command_reaches_here(path, world)

    async with await Database.open(path) as source:
        tables = await source.table_names()
        empty = [table for table, count in (await counts(source)).items() if count == 0]
        assert not empty, f"give these tables a row in this test so their copy is checked: {empty}"

    done = await migrate(config_for(tmp_path, settings.database.url), empty_postgres_url)
    assert done.code == 0, done.err
    for table in tables:  # the end-of-copy table names every table of both schemas, each one verified
        assert re.search(rf"^{table} +[\d,]+ +[\d,]+ +[0-9a-f]{{16}} +[0-9a-f]{{16}} +ok$", done.out, re.M), done.out
    assert "copied and verified" in done.out and "MISMATCH" not in done.out

    async with await Database.open(path) as source, await open_database(empty_postgres_url) as target:
        assert await target.table_names() == tables  # the copy covers every table of both schemas
        for table in tables:
            columns, key = await columns_of(source, table), await primary_key(source, table)
            before = await keyed_rows(source, table, columns, key)
            after = await keyed_rows(target, table, columns, key)
            assert len(after) == len(before), table
            for old, new in zip(before, after, strict=True):  # field by field, the type kept too
                assert [(type(v).__name__, v) for v in new] == [(type(v).__name__, v) for v in old], table
                assert canonical_row(new) == canonical_row(old)
        last_subscription = await target.fetch_value("SELECT max(id) FROM reminder_subscriptions")

    # The real bot on the PostgreSQL store: the member's subscriptions and the moderator's edit are there.
    on_postgres = settings.model_copy(
        update={"database": settings.database.model_copy(update={"url": empty_postgres_url, "path": None})}
    )
    async with bot_on_emulator(on_postgres, emulator):
        listed = await emulator.slash(world.member_en, world.general, "remind list", {})
        text = listed.content + "".join(str(embed) for embed in listed.embeds)
        assert "**Next AI summit, hosted by Switzerland** — 1 day, 2 hours before" in text, text
        shown = await emulator.slash(world.member_en, world.general, "event", {"name": "geneva-2027"})
        assert "Salle « Léman » 🎉" in str(shown.embeds), shown.embeds
        more = await emulator.slash(world.member_en, world.general, "remind subscribe", {"event": "*"})
        assert more.ephemeral
    async with await open_database(empty_postgres_url) as target:  # new rows get new ids (sequences synced)
        assert await target.fetch_value("SELECT max(id) FROM reminder_subscriptions") == last_subscription + 1


# --- 100,000 subscriptions ------------------------------------------------------------------------------


@pytest.mark.timeout(120)
async def test_a_store_with_100_000_subscriptions_is_copied_and_verified_with_progress(tmp_path, empty_postgres_url):
    path = tmp_path / "big.sqlite3"
    loaded = await build(path, Shape(subscriptions=100_000, events=1_000, guilds=10))
    assert loaded.subscriptions >= 100_000  # whole members: a few more than asked
    subscriptions = f"{loaded.subscriptions:,}"

    started = time.monotonic()
    done = await migrate(config_for(tmp_path, f"sqlite:///{path}"), empty_postgres_url)
    elapsed = time.monotonic() - started
    print(f"db migrate of 100,000 subscriptions ({loaded.lead_rows:,} leads, {loaded.ledger_rows:,} deliveries): "
          f"{elapsed:.1f} s")  # fmt: skip
    assert done.code == 0, done.err
    assert elapsed < 30, elapsed
    # Progress: a line per table (not a terminal here), counts and the share of the whole copy.
    line = rf"^reminder_subscriptions: {subscriptions}/{subscriptions} rows · [\d,]+/[\d,]+ in all \(\d+ %\)$"
    assert re.search(line, done.out, re.M), done.out
    assert re.search(r"in all \(100 %\)$", done.out, re.M)
    assert re.search(rf"^reminder_subscriptions +{subscriptions} +{subscriptions} .* ok$", done.out, re.M), done.out
    async with await open_database(empty_postgres_url) as target, await Database.open(path) as source:
        assert await counts(target) == await counts(source)


# --- a failure half-way, then a rerun ---------------------------------------------------------------------


async def small_store(path: Path) -> None:
    await build(path, Shape(subscriptions=300, events=20, guilds=2))


async def test_a_copy_that_fails_half_way_leaves_the_target_empty_and_a_rerun_completes(tmp_path, postgres_server):
    path = tmp_path / "bot.sqlite3"
    await small_store(path)
    # A lead whose subscription does not exist (SQLite checks foreign keys only when told to): PostgreSQL
    # refuses it, after the tables before it were already copied in the same transaction.
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO reminder_subscription_leads (subscription_id, lead_seconds) VALUES (999999, 3600)")
    raw.commit()
    raw.close()
    name = await postgres_server.create_database(template=None)
    # A password in the URL (the test server trusts anyone) never reaches the output.
    target = postgres_server.url_of(name).replace("postgres@", "postgres:s3cret-pw@")
    config = config_for(tmp_path, f"sqlite:///{path}")
    try:
        failed = await migrate(config, target)
        assert failed.code == 1
        assert "reminder_subscription_leads" in failed.err and "rolled back" in failed.err, failed.err
        assert "guild_events: 20/20 rows" in failed.out  # it had copied those before failing
        assert "s3cret-pw" not in failed.out + failed.err
        async with await open_database(target) as store:
            assert set((await counts(store)).values()) == {0}

        raw = sqlite3.connect(path)
        raw.execute("DELETE FROM reminder_subscription_leads WHERE subscription_id = 999999")
        raw.commit()
        raw.close()
        again = await migrate(config, target)
        assert again.code == 0, again.err
        assert "s3cret-pw" not in again.out + again.err
        async with await open_database(target) as store, await Database.open(path) as source:
            assert await counts(store) == await counts(source)
    finally:
        await postgres_server.drop_database(name)


async def test_the_copy_is_cut_when_postgresql_drops_the_connection_and_a_rerun_completes(tmp_path, postgres_server):
    path = tmp_path / "bot.sqlite3"
    await build(path, Shape(subscriptions=20_000, events=100, guilds=2))
    name = await postgres_server.create_database(template=None)
    target = postgres_server.url_of(name)
    config = config_for(tmp_path, f"sqlite:///{path}")
    admin = await asyncpg.connect(postgres_server.admin_url)
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "db", "migrate", "--to", target, "--config", str(config), cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert process.stdout is not None
        # Once the first rows are in the copy's (open) transaction, the administrator cuts its connections.
        while not (line := (await process.stdout.readline()).decode()).startswith("guild_events: "):
            assert line, "the copy printed no progress for guild_events"
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1"
            " AND pid <> pg_backend_pid()",
            name,
        )
        assert killed >= 1
        out, err = await process.communicate()
        failed = Finished(process.returncode or 0, line + out.decode(), err.decode())
        assert failed.code == 1 and "went away" in failed.err, failed.err
        async with await open_database(target) as store:
            assert set((await counts(store)).values()) == {0}
        again = await migrate(config, target)
        assert again.code == 0, again.err
        async with await open_database(target) as store, await Database.open(path) as source:
            assert await counts(store) == await counts(source)
    finally:
        await admin.close()
        await postgres_server.drop_database(name)


# --- refusals: a message each, nothing changed ----------------------------------------------------------------


async def test_a_target_that_holds_data_is_refused_naming_the_table(tmp_path, postgres_url):
    path = tmp_path / "bot.sqlite3"
    await small_store(path)
    async with await open_database(postgres_url) as target, target.transaction() as tx:
        await tx.execute("INSERT INTO reminder_dm_channels (user_id, channel_id) VALUES (1, 2)")
    refused = await migrate(config_for(tmp_path, f"sqlite:///{path}"), postgres_url)
    assert refused.code == 1
    assert "already holds data (table reminder_dm_channels)" in refused.err, refused.err
    async with await open_database(postgres_url) as target:
        assert {table for table, count in (await counts(target)).items() if count} == {"reminder_dm_channels"}


async def test_a_source_with_an_older_schema_is_refused_until_the_bot_migrated_it(tmp_path, empty_postgres_url):
    path = tmp_path / "old.sqlite3"
    older = bundled_migrations()[:-1]
    store = await Database.open(path, migrations=older)
    await store.close()
    refused = await migrate(config_for(tmp_path, f"sqlite:///{path}"), empty_postgres_url)
    assert refused.code == 1
    assert f"schema version {len(older)}" in refused.err and "start the bot once" in refused.err, refused.err
    async with await open_database(empty_postgres_url, migrate=False) as target:
        assert await target.schema_version() == 0  # the target was not even migrated
    async with await Database.open(path, migrations=older) as store:
        assert await store.schema_version() == len(older)


async def test_a_store_a_running_bot_holds_is_refused(tmp_path, empty_postgres_url):
    path = tmp_path / "bot.sqlite3"
    await small_store(path)
    with StoreLock(path):  # what `summit-bot run` holds while it runs
        refused = await migrate(config_for(tmp_path, f"sqlite:///{path}"), empty_postgres_url)
    assert refused.code == 1
    assert "stop the bot first" in refused.err and f"pid {os.getpid()}" in refused.err, refused.err
    async with await open_database(empty_postgres_url, migrate=False) as target:
        assert await target.schema_version() == 0


@pytest.mark.parametrize(
    ("store", "to", "code", "said"),
    [
        (
            "postgresql://summit@db.invalid/summit",
            "postgresql://summit@db.invalid/other",
            2,
            "copies from a SQLite store",
        ),
        ("sqlite:///{tmp}/bot.sqlite3", "sqlite:///{tmp}/other.sqlite3", 1, "takes a PostgreSQL URL"),
        ("sqlite:///{tmp}/missing.sqlite3", "postgresql://summit@db.invalid/summit", 1, "no SQLite store at"),
    ],
)
async def test_a_wrong_source_or_target_is_refused(tmp_path, store, to, code, said):
    await small_store(tmp_path / "bot.sqlite3")
    refused = await migrate(config_for(tmp_path, store.format(tmp=tmp_path)), to.format(tmp=tmp_path))
    assert refused.code == code and said in refused.err, refused.err
    assert not (tmp_path / "other.sqlite3").exists() and not (tmp_path / "missing.sqlite3").exists()


async def test_help_text_names_the_one_transaction_rerun_policy():
    done = await summit_bot("db", "migrate", "--help")
    assert done.code == 0
    flat = " ".join(done.out.split())
    assert "ONE PostgreSQL transaction" in flat and "starts over" in flat


def test_progress_is_one_updating_line_on_a_terminal_and_rate_limited_lines_otherwise():
    from bot.storage.transfer import Progress, ProgressPrinter

    events, subscriptions = "guild_events", "reminder_subscriptions"
    steps = [Progress(events, 10, 20, 10, 40), Progress(events, 20, 20, 20, 40),
             Progress(subscriptions, 5, 20, 25, 40), Progress(subscriptions, 20, 20, 40, 40)]  # fmt: skip
    written: list[str] = []
    piped = ProgressPrinter(written.append, terminal=False, interval=3600)
    for step in steps:
        piped(step)
    # The first line, then only each table's end: the line in between falls inside the interval.
    assert written == [
        "guild_events: 10/20 rows · 10/40 in all (25 %)\n",
        "guild_events: 20/20 rows · 20/40 in all (50 %)\n",
        "reminder_subscriptions: 20/20 rows · 40/40 in all (100 %)\n",
    ]
    written.clear()
    terminal = ProgressPrinter(written.append, terminal=True, interval=0)
    for step in steps:
        terminal(step)
    assert all(text.startswith("\r\x1b[2K") for text in written)
    assert [text.endswith("\n") for text in written] == [False, False, False, True]  # one line, ended at the end


async def test_the_checksum_tells_a_copy_apart_from_one_with_a_single_field_changed(tmp_path, empty_postgres_url):
    from bot.storage.postgres import PostgresDatabase
    from bot.storage.sqlite import SqliteDatabase
    from bot.storage.transfer import checksum_table, copy_store, plan_copy

    path = tmp_path / "bot.sqlite3"
    await small_store(path)
    reports = await copy_store(path, empty_postgres_url)
    assert all(report.matches for report in reports)
    source = await SqliteDatabase.open(path, migrate=False)
    target = await PostgresDatabase.open(empty_postgres_url)
    try:
        plans = {plan.name: plan for plan in await plan_copy(source, target)}
        plan = plans["reminder_subscriptions"]
        assert await checksum_table(source, plan) == await checksum_table(target, plan)
        async with target.transaction() as tx:  # one locale, of one row
            await tx.execute("UPDATE reminder_subscriptions SET locale = 'fr' WHERE id = 7")
        count, digest = await checksum_table(target, plan)
        source_count, source_digest = await checksum_table(source, plan)
        assert count == source_count and digest != source_digest
    finally:
        await source.close()
        await target.close()
