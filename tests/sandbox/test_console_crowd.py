""":crowd in the console of `summit-bot emulator`: N members each run a command, so that a person can give a
reminder many followers (docs/deployment.md, "Try it"); `:crowd` alone counts the DMs they got. On the real
bot (SQLite), the clock shifted forward so that the reminder falls due seconds after it is set; no sleeps.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import validate_settings
from bot.sandbox import DiscordEmulator
from bot.sandbox.console import Console, Directive
from bot.sandbox.console_crowd import crowd, crowd_members
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from bot.storage.repositories.events import EventRepository
from bot.storage.repositories.reminders import ReminderRepository
from tests.helpers.reminders import OffsetClock

from .console_helpers import Transcript, personas

ZURICH = ZoneInfo("Europe/Zurich")
CROWD = 30


@pytest.fixture
def clock() -> OffsetClock:
    return OffsetClock()


@pytest.fixture
async def emulator(clock):
    async with DiscordEmulator(clock=clock) as emu:
        yield emu
        emu.assert_no_spec_violations()


@pytest.fixture
def settings(tmp_path, emulator):
    return settings_for_emulator(validate_settings({}), emulator, tmp_path / "bot.sqlite3")


@pytest.fixture
async def bot(world, settings, clock):
    async with bot_on_emulator(settings, world.emulator, clock=clock) as running:
        await running.get_cog("Reminders").runtime.ready.wait()
        yield running


def console_on(world, out: Transcript) -> Console:
    directives = {"crowd": Directive(":crowd 300 /remind subscribe geneva-2027 1m", "crowd", crowd)}
    return Console(world.emulator, world.guild, world.general, personas(world), current="moderator", stdout=out,
                   color=False, directives=directives)  # fmt: skip


async def followers(bot, guild_id: int, key: str) -> list[int]:
    event = await EventRepository(bot.database).get(guild_id, key)
    return sorted(s.user_id for s in await ReminderRepository(bot.database).followers(guild_id, event.id, lead=60))


async def test_a_crowd_follows_an_event_and_each_member_gets_its_reminder_once(bot, world, clock):
    out = Transcript()
    console = console_on(world, out)
    starts = clock.align(timedelta(seconds=3)) + timedelta(minutes=1)  # due (1 min before) in about 3 s
    at_venue = starts.astimezone(ZURICH).strftime("%Y-%m-%d %H:%M")
    await console.handle(f'/eventadmin add "AI Safety Forum" "{at_venue}" Europe/Zurich key:forum')
    await console.handle(":crowd")
    assert "No crowd yet" in out.getvalue()

    await console.handle(f":crowd {CROWD} /remind subscribe forum 1m")
    assert f"crowd-1 … crowd-{CROWD} ran /remind subscribe: {CROWD} answered." in out.getvalue()
    crowd_ids = sorted(member.id for member in crowd_members(console))
    assert len(crowd_ids) == CROWD and await followers(bot, world.guild.id, "forum") == crowd_ids

    def all_reminded() -> bool | None:
        return all(world.emulator.dm_messages(member) for member in crowd_members(console)) or None

    await world.emulator.messages_signal.wait_for(all_reminded, 15)
    await console.handle(":crowd")
    assert f"{CROWD} members. DMs from the bot: {CROWD} got one, 0 got more than one, 0 none yet." in out.getvalue()

    await console.handle(":crowd 10 /remind unsubscribe forum")  # the same members again, none added
    assert "crowd-1 … crowd-10 ran /remind unsubscribe: 10 answered." in out.getvalue()
    assert len(crowd_members(console)) == CROWD
    assert await followers(bot, world.guild.id, "forum") == crowd_ids[10:]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (":crowd many /about", "Usage: :crowd N /command"),
        (":crowd 0 /about", "Usage: :crowd N /command"),
        (":crowd 5001 /about", "Usage: :crowd N /command"),
        (":crowd 5", "Usage: :crowd N /command"),
        (":crowd 5 about", "Usage: :crowd N /command"),
        (":crowd 5 /nosuch", "Unknown command /nosuch"),
        (":crowd 5 /remind subscribe", "needs a value for"),
        (':crowd 5 /clause "4', "A double quote is not closed."),
    ],
)
async def test_a_crowd_line_that_cannot_run_says_why_and_adds_nobody(bot, world, line, says):
    out = Transcript()
    console = console_on(world, out)
    before = dict(world.guild.members)
    await console.handle(line)
    assert says in out.getvalue()
    assert world.guild.members == before and not crowd_members(console)


async def test_help_lists_crowd_before_help_and_quit(bot, world):
    out = Transcript()
    await console_on(world, out).handle(":help")
    lines = out.getvalue().splitlines()
    assert lines[-3].startswith(":crowd 300 /remind subscribe geneva-2027 1m") and "each run the command" in lines[-3]
    assert lines[-2].startswith(":help") and lines[-1].startswith(":quit")
