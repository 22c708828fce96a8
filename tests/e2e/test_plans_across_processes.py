"""Every live process plans every job, also those of changes made through another process (issue 12, item 3):
a member subscribes, or a moderator postpones, through process A; process B sends the reminder on time even
if A never does (A here is what a bot process runs, minus its reminder runtime: as if it died just after
the change). B hears of the change on the change feed (PostgreSQL LISTEN/NOTIFY) and plans it at once.

B is the real bot on the emulator; A is a second set of services on its own pool, on the same database.
The clock is the real one shifted forward (tests/helpers/reminders.py): a whole minute is two seconds
away, and messages are awaited, not slept for."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import validate_settings
from bot.sandbox import DiscordEmulator
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from bot.services import Services, build_services
from bot.services.events.service import EventDraft, EventPatch
from bot.storage.database import open_database
from bot.storage.repositories.reminders import PLANS_TOPIC
from tests.helpers.reminders import OffsetClock
from tests.helpers.store_choice import on_store

SOON = timedelta(seconds=2)
DEADLINE = 10.0  # seconds; a notification takes milliseconds
ZURICH = ZoneInfo("Europe/Zurich")

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def clock() -> OffsetClock:
    return OffsetClock()


@pytest.fixture
async def emulator(clock) -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator(clock=clock) as emu:
        yield emu
        emu.assert_no_spec_violations()


@pytest.fixture
async def process_a(world, postgres_url, clock) -> AsyncIterator[Services]:
    database = await open_database(postgres_url)
    try:
        yield build_services(database, validate_settings({}), clock)
    finally:
        await database.close()


@pytest.fixture
async def bot_b(world, tmp_path, postgres_url, clock):
    settings = on_store(settings_for_emulator(validate_settings({}), world.emulator, tmp_path / "b.sqlite3"),
                        postgres_url)  # fmt: skip
    async with bot_on_emulator(settings, world.emulator, clock=clock) as running:
        await runtime_of(running).ready.wait()
        yield running


def runtime_of(bot):
    return bot.get_cog("Reminders").runtime


def local(moment: datetime) -> str:
    return moment.astimezone(ZURICH).strftime("%Y-%m-%d %H:%M")


class Heard:
    """B's change feed heard a topic (subscribed after B's runtime, so its replan is spawned by then)."""

    def __init__(self, bot, topic: str) -> None:
        self._heard = asyncio.Event()
        bot.services.reminders.repository.feed.subscribe(topic, lambda key: self._heard.set(), lambda: None)

    async def planned(self, bot) -> None:
        await asyncio.wait_for(self._heard.wait(), DEADLINE)
        self._heard.clear()
        await runtime_of(bot).idle()


async def add_event_through_a(process_a: Services, world, starts: datetime):
    draft = EventDraft(name_en="AI Safety Forum", date=local(starts), timezone="Europe/Zurich", venue="Palexpo",
                       city="Geneva", country="CH")  # fmt: skip
    return (await process_a.events.add(world.guild.id, world.moderator.id, draft)).event


async def test_a_subscription_taken_by_another_process_is_reminded_on_time_by_this_one(world, bot_b, process_a, clock):
    due = clock.align(SOON + timedelta(seconds=1))
    event = await add_event_through_a(process_a, world, due + timedelta(minutes=1))
    runtime = runtime_of(bot_b)
    assert runtime.job_run_at(event.id, 60) is None, "nobody follows it yet"
    heard = Heard(bot_b, PLANS_TOPIC)

    await process_a.reminders.subscribe(world.guild.id, world.member_en.id, event.key, "1m", "en-US")
    await heard.planned(bot_b)
    assert runtime.job_run_at(event.id, 60) is not None, "B planned the job of A's subscription"

    message = await world.emulator.wait_for_message(world.member_en, timeout=DEADLINE)
    arrived = datetime.fromisoformat(message["timestamp"])
    assert timedelta(0) <= arrived - due < timedelta(seconds=1), f"{arrived - due} after its due time"
    assert message["embeds"][0]["title"] == "⏰ AI Safety Forum"
    await runtime.idle()
    rows = await bot_b.database.fetch_all("SELECT state, claimed_by FROM reminder_deliveries")
    assert [(row["state"], row["claimed_by"]) for row in rows] == [("sent", runtime.membership.process_id)]
    assert len(world.emulator.dm_messages(world.member_en)) == 1


async def test_an_unsubscription_through_another_process_drops_the_job_here(world, bot_b, process_a, clock):
    event = await add_event_through_a(process_a, world, clock.now() + timedelta(days=3))
    heard = Heard(bot_b, PLANS_TOPIC)
    await process_a.reminders.subscribe(world.guild.id, world.member_fr.id, event.key, "1d", "fr")
    await heard.planned(bot_b)
    assert runtime_of(bot_b).job_run_at(event.id, 86400) is not None

    await process_a.reminders.unsubscribe(world.guild.id, world.member_fr.id, event.key)
    await heard.planned(bot_b)
    assert runtime_of(bot_b).job_run_at(event.id, 86400) is None, "nobody wants that reminder any more"


async def test_an_event_postponed_through_another_process_is_told_and_reminded_at_its_new_time_here(
    world, bot_b, process_a, clock
):
    first = clock.now() + timedelta(days=2)
    event = await add_event_through_a(process_a, world, first)
    plans, events = Heard(bot_b, PLANS_TOPIC), Heard(bot_b, "events")
    await process_a.reminders.subscribe(world.guild.id, world.member_en.id, event.key, "1m", "en-US")
    await plans.planned(bot_b)
    runtime = runtime_of(bot_b)
    assert runtime.job_run_at(event.id, 60) is not None

    # Postponed (through A) to a minute from now: B moves its job and tells the follower (A never will).
    due = clock.align(SOON + timedelta(seconds=1))
    await process_a.events.edit(
        world.guild.id, event.key, world.moderator.id, EventPatch(date=local(due + timedelta(minutes=1)))
    )
    await events.planned(bot_b)
    notice = await world.emulator.wait_for_message(world.member_en, timeout=DEADLINE)
    assert "AI Safety Forum" in str(notice["embeds"]) and "⏰" not in notice["embeds"][0]["title"]

    reminder = await world.emulator.wait_for_message(world.member_en, timeout=DEADLINE)
    arrived = datetime.fromisoformat(reminder["timestamp"])
    assert timedelta(0) <= arrived - due < timedelta(seconds=1), f"{arrived - due} after its new due time"
    assert reminder["embeds"][0]["title"] == "⏰ AI Safety Forum"
    await runtime.idle()
    assert len(world.emulator.dm_messages(world.member_en)) == 2, "one notice, one reminder"
