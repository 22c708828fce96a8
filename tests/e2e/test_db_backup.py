"""Backups as the operator takes them: `summit-bot db backup` on SQLite while the real bot runs, its refusals,
and on PostgreSQL a `pg_dump -Fc` restored with `pg_restore --no-owner` into a new database that the real bot
then starts on, with the data there and new rows getting new ids."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.config import validate_settings
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from bot.storage.database import Database, open_database
from tests.e2e.test_db_migrate import config_for, summit_bot
from tests.helpers.stores import BINARIES

FOLLOWED = "**Next AI summit, hosted by Switzerland** — 1 day before"


async def backup(config: Path, *path: str):
    return await summit_bot("db", "backup", *path, "--config", str(config))


async def test_a_backup_taken_while_the_bot_runs_holds_what_members_did(world, emulator, tmp_path):
    settings = settings_for_emulator(validate_settings({}), emulator, tmp_path / "var" / "bot.sqlite3")
    store = settings.database.store.sqlite_path
    async with bot_on_emulator(settings, emulator):
        await emulator.slash(world.member_en, world.general, "remind subscribe", {"event": "geneva-2027", "lead": "1d"})
        done = await backup(config_for(tmp_path, settings.database.url))  # the bot holds the store meanwhile
        later = await emulator.slash(world.member_en, world.general, "remind list", {})
        assert FOLLOWED in later.embeds[0]["description"]  # the bot went on answering

    assert done.code == 0, done.err
    match = re.fullmatch(r"backed up (\S+) to (\S+) \(([\d,]+) bytes\)\n", done.out)
    assert match, done.out
    copy = Path(match.group(2))
    assert match.group(1) == str(store)
    assert copy.parent == store.parent and re.fullmatch(r"bot-\d{8}T\d{6}Z\.sqlite3", copy.name), copy
    assert int(match.group(3).replace(",", "")) == copy.stat().st_size
    assert not list(store.parent.glob("*.partial"))
    async with await Database.open(copy) as restored:
        assert await restored.fetch_value("PRAGMA integrity_check") == "ok"
        assert await restored.fetch_value(
            "SELECT count(*) FROM reminder_subscriptions WHERE user_id = ?", (world.member_en.id,)
        ) == 1  # fmt: skip


async def test_a_backup_to_a_chosen_path_and_an_existing_file_is_never_overwritten(tmp_path):
    store = tmp_path / "bot.sqlite3"
    async with await Database.open(store) as database, database.transaction() as tx:
        await tx.execute("INSERT INTO reminder_dm_channels (user_id, channel_id) VALUES (1, 2)")
    config = config_for(tmp_path, f"sqlite:///{store}")
    target = tmp_path / "kept.sqlite3"

    done = await backup(config, str(target))
    assert done.code == 0, done.err
    assert f"to {target} (" in done.out
    first = target.read_bytes()

    again = await backup(config, str(target))
    assert again.code == 1
    assert again.err.strip() == f"summit-bot: {target} already exists: choose another path (nothing was written)"
    assert target.read_bytes() == first

    nowhere = await backup(config, str(tmp_path / "no" / "such" / "folder.sqlite3"))
    assert nowhere.code == 1 and "does not exist (nothing was written)" in nowhere.err
    assert not (tmp_path / "no").exists()

    missing = await backup(config_for(tmp_path, f"sqlite:///{tmp_path / 'absent.sqlite3'}"))
    assert missing.code == 1 and "no SQLite store at" in missing.err
    assert not (tmp_path / "absent.sqlite3").exists()


async def test_on_postgresql_backup_explains_pg_dump_and_never_shows_the_password(tmp_path):
    done = await backup(config_for(tmp_path, "postgresql://summit:hunter2-pw@db.example:5432/summit"))
    assert done.code == 2
    assert "pg_dump -Fc --no-owner" in done.err and "pg_restore --no-owner" in done.err, done.err
    assert "postgresql://summit:***@db.example:5432/summit" in done.err
    assert "hunter2-pw" not in done.out + done.err


async def run(*command: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await process.communicate()
    assert process.returncode == 0, (command[0], err.decode())


@pytest.mark.timeout(120)
async def test_the_bot_starts_on_a_restored_pg_dump_with_its_data_and_new_ids(
    world, emulator, tmp_path, postgres_url, postgres_server, caplog
):
    settings = settings_for_emulator(validate_settings({}), emulator, tmp_path / "unused.sqlite3")

    def on(url: str):
        return settings.model_copy(update={"database": settings.database.model_copy(update={"url": url, "path": None})})

    async with bot_on_emulator(on(postgres_url), emulator):
        await emulator.slash(world.member_en, world.general, "remind subscribe", {"event": "geneva-2027", "lead": "1d"})
        edit = {"event": "geneva-2027", "venue": "CICG", "reason": "venue known"}
        assert (await emulator.slash(world.moderator, world.general, "eventadmin edit", edit)).content.startswith(
            "Saved"
        )

    dump = tmp_path / "summit.dump"
    await run(str(BINARIES / "pg_dump"), "-Fc", "--no-owner", "-f", str(dump), postgres_url)
    name = await postgres_server.create_database(template=None)  # a new, empty database
    restored = postgres_server.url_of(name)
    try:
        await run(str(BINARIES / "pg_restore"), "--no-owner", "--exit-on-error", "-d", restored, str(dump))
        async with await open_database(restored) as store:
            before = await store.fetch_value("SELECT max(id) FROM reminder_subscriptions")

        caplog.clear()
        async with bot_on_emulator(on(restored), emulator):
            listed = await emulator.slash(world.member_en, world.general, "remind list", {})
            assert FOLLOWED in listed.embeds[0]["description"], listed.embeds
            shown = await emulator.slash(world.member_fr, world.general, "event", {"name": "geneva-2027"})
            assert "CICG" in str(shown.embeds)
            found = await emulator.slash(world.member_en, world.general, "search", {"query": "energie"})
            assert found.embeds  # the search index (a generated column) came back too
            followed = await emulator.slash(world.member_fr, world.general, "remind subscribe", {"event": "*"})
            assert followed.ephemeral
        assert not [record for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")]
        async with await open_database(restored) as store:
            assert await store.fetch_value(
                "SELECT id FROM reminder_subscriptions WHERE user_id = ?", (world.member_fr.id,)
            ) == before + 1  # fmt: skip
    finally:
        await postgres_server.drop_database(name)
