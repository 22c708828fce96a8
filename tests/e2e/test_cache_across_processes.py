"""A change made through one process is seen at once through another (issue 12, item 4).

Two bots' worth of state in this test process, each with its own store pool and its own caches, on one
PostgreSQL database: bot B is the real bot on the emulator, answering /events and /event from the events
it keeps in memory; "process A" is a second set of services (what a second bot process runs), through
which a moderator edits the event. B must show the edit without restarting, via the change feed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.config import validate_settings
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from bot.services import Services, build_services
from bot.services.events.service import EventPatch
from bot.storage.database import open_database
from tests.helpers.store_choice import on_store

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DEADLINE = 10.0  # seconds; a notification takes milliseconds
RENAMED = "AI Impact Summit 2026 (Bharat Mandapam)"

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def process_a(world, postgres_url) -> AsyncIterator[Services]:
    """The services of another bot process on the same database: its own pool, its own caches."""
    database = await open_database(postgres_url)
    try:
        yield build_services(database, validate_settings({}), ManualClock(NOW))
    finally:
        await database.close()


@pytest.fixture
async def bot_b(world, tmp_path, postgres_url):
    settings = on_store(settings_for_emulator(validate_settings({}), world.emulator, tmp_path / "b.sqlite3"),
                        postgres_url)  # fmt: skip
    async with bot_on_emulator(settings, world.emulator, clock=ManualClock(NOW)) as running:
        yield running


async def _titles(world, command: str, options: dict) -> str:
    result = await world.emulator.slash(world.member_en, world.general, command, options)
    return " ".join(str(embed.get("title", "")) + " " + str(embed.get("description", "")) for embed in result.embeds)


async def _until_shown(world, command: str, options: dict, wanted: str) -> str:
    """Ask again until `wanted` is in the answer or the deadline passes (each ask is a real command)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + DEADLINE
    while True:
        shown = await _titles(world, command, options)
        if wanted in shown or loop.time() > give_up:
            return shown
        await asyncio.sleep(0)  # yield to the feed's listener between two commands


async def test_an_edit_made_through_another_process_is_shown_by_events_and_event_at_once(world, bot_b, process_a):
    # B has read the server's events (and keeps them); the old name is what it shows.
    assert "AI Impact Summit 2026" in await _titles(world, "event", {"name": "india-2026"})
    assert RENAMED not in await _titles(world, "events", {"when": "all"})
    heard = asyncio.Event()
    bot_b.services.events.changes.subscribe("events", lambda key: heard.set(), lambda: None)

    await process_a.events.edit(world.guild.id, "india-2026", world.moderator.id, EventPatch(name_en=RENAMED))
    await asyncio.wait_for(heard.wait(), DEADLINE)  # B's feed heard it from PostgreSQL

    assert RENAMED in await _until_shown(world, "event", {"name": "india-2026"}, RENAMED)
    assert RENAMED in await _until_shown(world, "events", {"when": "all"}, RENAMED)
