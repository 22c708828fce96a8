"""Another process holds the database (a backup reading it, a second bot writing): answer or refuse politely.

In WAL mode a reader never blocks the bot; a writer holding the lock makes the bot's writes wait
`database.busy_timeout_ms` and then fail. Reads must still be answered; a write that could not get the
lock is refused with a short translated "busy, try again" (not the apology for an unexpected error) and
changes nothing; once the lock is released the same command lands, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bot.config import Settings, validate_settings
from bot.i18n import t
from bot.sandbox import DiscordEmulator
from bot.sandbox_session import bot_on_emulator, settings_for_emulator

from .observation import Observer

BUSY_TIMEOUT_MS = 100
MANAGE_EVENTS = discord.Permissions(manage_events=True).value
NEW_EVENT = {"name": "Locked-store forum", "date": "2031-09-09 09:00", "timezone": "Europe/Paris"}
READS = [("clause", {"ref": "2"}), ("events", {"when": "all"}), ("signatory", {"country": "Canada"}),
         ("search", {"query": "énergie"}), ("declaration", {})]  # fmt: skip

# The other process: take the lock, say so, hold it until told to let go (a line on stdin).
HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
connection.execute(sys.argv[2])
connection.execute("SELECT count(*) FROM guild_events").fetchone()
print("holding", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


@pytest.fixture
def settings(tmp_path: Path, emulator: DiscordEmulator) -> Settings:
    quick = validate_settings({"database": {"busy_timeout_ms": BUSY_TIMEOUT_MS}})
    return settings_for_emulator(quick, emulator, tmp_path / "bot.sqlite3")


@contextlib.asynccontextmanager
async def another_process(database: Path, begin: str) -> AsyncIterator[None]:
    """A second process with `begin` ("BEGIN EXCLUSIVE": a writer; "BEGIN": a reader's snapshot) open."""
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, str(database), begin,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert await asyncio.wait_for(holder.stdout.readline(), 10) == b"holding\n"
        yield
    finally:
        holder.stdin.write(b"\n")
        await holder.stdin.drain()
        assert await asyncio.wait_for(holder.wait(), 10) == 0


async def added_rows(bot) -> tuple[int, int]:
    events = await bot.database.fetch_value("SELECT count(*) FROM guild_events WHERE name_en = ?", (NEW_EVENT["name"],))
    history = await bot.database.fetch_value(
        "SELECT count(*) FROM guild_event_changes c JOIN guild_events e ON e.id = c.event_id WHERE e.name_en = ?",
        (NEW_EVENT["name"],),
    )
    return int(events), int(history)


async def test_while_another_process_writes_reads_answer_and_a_write_is_refused_then_lands_once(bot, world, settings):
    emulator = world.emulator
    members = [world.member_en, world.member_fr]
    with Observer(emulator, bot) as observer:
        mark = observer.mark()
        async with another_process(settings.database.store.sqlite_path, "BEGIN EXCLUSIVE"):
            reads = [emulator.slash(members[n % 2], world.general, *read) for n, read in enumerate(READS * 2)]
            writes = [
                emulator.slash(world.moderator, world.general, "eventadmin add", NEW_EVENT),
                emulator.slash(world.moderator, world.general, "eventadmin add", NEW_EVENT, locale="fr"),
            ]
            *answers, refused_en, refused_fr = await asyncio.gather(*reads, *writes)
            assert await added_rows(bot) == (0, 0)
        problems = observer.problems(mark, [*answers, refused_en, refused_fr])
    assert not problems, "\n".join(problems)
    assert all(answer.embeds and not answer.ephemeral for answer in answers)
    assert refused_en.ephemeral and refused_en.content == t("errors.busy", "en-US")
    assert refused_fr.ephemeral and refused_fr.content == t("errors.busy", "fr")

    retried = await emulator.slash(world.moderator, world.general, "eventadmin add", NEW_EVENT)
    assert retried.content.startswith(f"Added **{NEW_EVENT['name']}**")
    events, history = await added_rows(bot)
    assert events == 1 and history >= 1  # the two refused attempts left nothing behind


async def test_while_a_backup_reads_the_store_everything_answers_and_writes_land(bot, world, settings):
    emulator = world.emulator
    with Observer(emulator, bot) as observer:
        mark = observer.mark()
        async with another_process(settings.database.store.sqlite_path, "BEGIN"):
            answers = await asyncio.gather(*(emulator.slash(world.member_en, world.general, *read) for read in READS))
            added = await emulator.slash(world.moderator, world.general, "eventadmin add", NEW_EVENT)
        problems = observer.problems(mark, [*answers, added])
    assert not problems, "\n".join(problems)
    assert all(answer.embeds for answer in answers)
    assert added.content.startswith(f"Added **{NEW_EVENT['name']}**")
    assert (await added_rows(bot))[0] == 1


async def test_a_read_during_a_writes_wait_for_the_lock_is_answered_in_time(tmp_path: Path):
    # Discord's 3 s to answer and the default 5 s busy timeout, both scaled down to keep the test short.
    async with DiscordEmulator(interaction_ttl=0.5) as emulator:
        guild = emulator.create_guild("Summit Community")
        general = emulator.create_text_channel(guild, "general")
        moderators = emulator.create_role(guild, "Moderators", permissions=MANAGE_EVENTS)
        member = emulator.create_member(guild, "ada")
        moderator = emulator.create_member(guild, "modo", roles=[moderators])
        patient = validate_settings({"database": {"busy_timeout_ms": 1000}})
        settings = settings_for_emulator(patient, emulator, tmp_path / "bot.sqlite3")
        async with bot_on_emulator(settings, emulator), another_process(tmp_path / "bot.sqlite3", "BEGIN EXCLUSIVE"):
            writing = asyncio.ensure_future(emulator.slash(moderator, general, "eventadmin add", NEW_EVENT))
            await deferred(emulator, "eventadmin add")
            # Nothing signals that the bot's store thread is now inside SQLite's busy wait: give it the time to
            # get there (a fifth of the wait), then read what is stored (the search index, read on every call).
            await asyncio.sleep(0.2)
            try:
                read = await emulator.slash(member, general, "search", {"query": "énergie"}, timeout=2)
            finally:
                await writing
        assert read.embeds


async def deferred(emulator: DiscordEmulator, name: str) -> None:
    """Until the bot has acknowledged (deferred) the interaction running `name` (sent by a task just started)."""
    await asyncio.sleep(0)  # let that task send it
    (interaction,) = [ix for ix in emulator.interactions.by_id.values() if ix.name == name]
    await interaction.signal.wait_for(lambda: interaction.callback_type, 5)
