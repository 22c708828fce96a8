"""Things arrive in the console as in Discord: a reminder DM that falls due, an announcement in another
channel, printed when they come and marked with where they came from, without the person asking.

The clock is the real one shifted forward (tests/helpers/reminders.py), so a reminder falls due a
couple of seconds after it is set; the tests await what the console prints, they never sleep.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot.sandbox import DiscordEmulator, run_console
from bot.sandbox.console_prompt import prompt_loop
from bot.sandbox_session import bot_on_emulator
from tests.helpers.reminders import OffsetClock

from .console_helpers import Transcript, TypedInput, personas

SOON = timedelta(seconds=2)
ZURICH = ZoneInfo("Europe/Zurich")


@pytest.fixture
def clock() -> OffsetClock:
    return OffsetClock()


@pytest.fixture
async def emulator(clock):
    async with DiscordEmulator(clock=clock) as emu:
        yield emu
        emu.assert_no_spec_violations()


@pytest.fixture
async def bot(world, settings, clock):
    async with bot_on_emulator(settings, world.emulator, clock=clock) as running:
        await running.get_cog("Reminders").runtime.ready.wait()
        yield running


def event_lines(clock: OffsetClock) -> list[str]:
    """A moderator adds an event starting a minute after the next whole minute; the member follows it
    with a one-minute lead: the reminder falls due about two seconds later."""
    starts = clock.align(SOON) + timedelta(minutes=1)
    at_venue = starts.astimezone(ZURICH).strftime("%Y-%m-%d %H:%M")
    return [
        ":as moderator",
        f'/eventadmin add "AI Safety Forum" "{at_venue}" Europe/Zurich key:forum',
        ":as member",
        "/remind subscribe forum 1m",
    ]


async def test_a_reminder_dm_is_printed_when_it_falls_due_through_a_pipe(bot, world, clock):
    announcements = world.emulator.create_text_channel(world.guild, "annonces")
    typed, out = TypedInput(), Transcript()
    console = asyncio.create_task(
        run_console(
            world.emulator,
            world.guild,
            world.general,
            personas(world),
            current="moderator",
            stdin=typed.stream,
            stdout=out,
            color=False,
        )
    )
    try:
        typed.type(f"/eventadmin settings channel:#{announcements.name}")
        await out.until("Announcements channel")
        for line in event_lines(clock):
            typed.type(line)
        await out.until("You follow AI Safety Forum")
        answered = len(out.getvalue())
        printed = await out.until("📬 DM from summit-bot\n")
        # Nothing was typed after the subscription: the reminder came by itself.
        arrival = printed[answered:]
        assert arrival.startswith("📬 DM from summit-bot\n")
        assert "⏰ AI Safety Forum" in arrival and "| Starts in a minute" in arrival
        assert "<t:" not in arrival and "**" not in arrival
        # The announcement of the new event, posted in another channel, was printed as it came too.
        assert "— new in #annonces\n" in printed[:answered]
        typed.type(":quit")
        await asyncio.wait_for(console, 10)
    finally:
        typed.close()
        typed.stream.close()
        console.cancel()


async def test_a_reminder_dm_is_printed_above_the_prompt_on_a_terminal(bot, world, clock):
    out = Transcript()
    with create_pipe_input() as keyboard:
        console = asyncio.create_task(
            run_console(
                world.emulator,
                world.guild,
                world.general,
                personas(world),
                current="member",
                stdin=None,  # type: ignore[arg-type] (the prompt reads the keyboard)
                stdout=out,
                color=True,
                prompt=lambda c: prompt_loop(c, input=keyboard, output=DummyOutput()),
            )
        )
        try:
            for line in event_lines(clock):
                keyboard.send_text(line + "\r")
            await out.until("You follow")
            printed = await out.until("📬 DM from summit-bot")
            arrival = printed.split("📬 DM from summit-bot", 1)[1]
            assert "| \x1b[1m⏰ AI Safety Forum\x1b[0m" in arrival and "| Starts in a minute" in arrival
            keyboard.send_text(":quit\r")
            await asyncio.wait_for(console, 10)
        finally:
            console.cancel()


async def test_a_board_edited_in_another_channel_is_printed_again_marked_edited(bot, world):
    world.emulator.create_text_channel(world.guild, "annonces")
    typed, out = TypedInput(), Transcript()
    console = asyncio.create_task(
        run_console(
            world.emulator,
            world.guild,
            world.general,
            personas(world),
            current="moderator",
            stdin=typed.stream,
            stdout=out,
            color=False,
        )
    )
    try:
        typed.type("/eventadmin board annonces")
        placed = await out.until("— new in #annonces\n")
        assert "The events board is in #annonces." in placed, "a channel mention shows the channel's name"
        assert "AI Safety Forum" not in placed
        typed.type('/eventadmin add "AI Safety Forum" "2027-05-04 10:00" Europe/Zurich key:forum')
        edited = (await out.until("— edited in #annonces\n")).split("— edited in #annonces\n", 1)[1]
        assert "| AI Safety Forum\n" in edited and "4 May 2027" in edited
        typed.type(":quit")
        await asyncio.wait_for(console, 10)
    finally:
        typed.close()
        typed.stream.close()
        console.cancel()
