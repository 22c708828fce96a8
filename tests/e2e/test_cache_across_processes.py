"""A change made through one process is seen at once through another (issue 12, item 4).

Two bots' worth of state in this test process, each with its own store pool and its own caches, on one
PostgreSQL database: bot B is the real bot on the emulator, answering /events and /event from the events
it keeps in memory; "process A" is a second set of services (what a second bot process runs), through
which a moderator edits the event. B must show the edit without restarting, via the change feed: in
/event, /events and its events web page (cached by what it was built from: the events' sequences)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
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
    web = {"web": {"enabled": True, "host": "127.0.0.1", "port": 0}}
    settings = on_store(settings_for_emulator(validate_settings(web), world.emulator, tmp_path / "b.sqlite3"),
                        postgres_url)  # fmt: skip
    async with bot_on_emulator(settings, world.emulator, clock=ManualClock(NOW)) as running:
        yield running


async def _titles(world, command: str, options: dict) -> str:
    result = await world.emulator.slash(world.member_en, world.general, command, options)
    return " ".join(str(embed.get("title", "")) + " " + str(embed.get("description", "")) for embed in result.embeds)


async def _edit_through_a_and_await_b(world, bot_b, process_a) -> None:
    """Process A renames the event; return once B's change feed has heard of it. B's events service
    subscribed first (when it was built), so by then it has forgotten what it kept."""
    heard = asyncio.Event()
    bot_b.services.events.changes.subscribe("events", lambda key: heard.set(), lambda: None)
    await process_a.events.edit(world.guild.id, "india-2026", world.moderator.id, EventPatch(name_en=RENAMED))
    await asyncio.wait_for(heard.wait(), DEADLINE)


async def test_an_edit_made_through_another_process_is_shown_by_events_and_event_at_once(world, bot_b, process_a):
    # B has read the server's events (and keeps them); the old name is what it shows.
    assert "AI Impact Summit 2026" in await _titles(world, "event", {"name": "india-2026"})
    assert RENAMED not in await _titles(world, "events", {"when": "all"})
    await _edit_through_a_and_await_b(world, bot_b, process_a)

    assert RENAMED in await _titles(world, "event", {"name": "india-2026"})
    assert RENAMED in await _titles(world, "events", {"when": "all"})


async def test_the_events_page_of_another_process_shows_the_edit_at_once(world, bot_b, process_a):
    feed = await world.emulator.slash(world.moderator, world.general, "eventadmin settings", {"calendar_feed": "on"})
    assert feed.ephemeral
    (page,) = {address.split(".ics")[0] for address in re.findall(r"https?://\S+?/calendar/[A-Za-z0-9_-]{32}\.ics",
                                                                   str(feed.embeds))}  # fmt: skip
    async with aiohttp.ClientSession() as http:

        async def shown() -> str:
            async with http.get(page, headers={"Accept-Language": "en"}) as response:
                assert response.status == 200
                return await response.text()

        assert RENAMED not in await shown()  # B rendered and cached the page
        await _edit_through_a_and_await_b(world, bot_b, process_a)
        assert RENAMED in await shown()


async def test_a_closed_dm_notice_stored_by_another_process_is_told_by_this_one(world, bot_b, process_a):
    # B has answered the member once: it knows (and keeps in memory) that no notice waits for them.
    first = await world.emulator.slash(world.member_en, world.general, "about")
    assert first.followups == []
    event = await process_a.events.find(world.guild.id, "india-2026")
    heard = asyncio.Event()
    bot_b.services.reminders.repository.feed.subscribe("notices", lambda key: heard.set(), lambda: None)
    # Process A's sender found the member's DMs closed and stored the notice for their next command.
    await process_a.reminders.repository.add_pending_notice(world.guild.id, world.member_en.id, event.id, at=NOW)
    await asyncio.wait_for(heard.wait(), DEADLINE)

    about = await world.emulator.slash(world.member_en, world.general, "about")
    (told,) = await about.wait_for_followups(1)
    assert told.ephemeral and "I could not send you the reminder for" in told["content"]
