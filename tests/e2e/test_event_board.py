"""The live events board through the real bot and the emulator: one message, edited in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.sandbox_session import bot_on_emulator

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FORUM = {"name": "AI Safety Forum", "date": "2027-03-15 09:00", "end": "2027-03-15 17:00",
         "timezone": "Europe/Zurich", "city": "Geneva", "country": "CH"}  # fmt: skip
KEY = "ai-safety-forum-2027"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def bot(world, settings, clock):
    async with bot_on_emulator(settings, world.emulator, clock=clock) as running:
        yield running


@pytest.fixture
def board_channel(world):
    return world.emulator.create_text_channel(world.guild, "events-board")


async def admin(world, command: str, options: dict | None = None, locale: str | None = None):
    return await world.emulator.slash(world.moderator, world.general, f"eventadmin {command}", options or {},
                                      locale=locale)  # fmt: skip


def boards(world, channel) -> list:
    return [m for m in world.emulator.channel_messages(channel) if m.get("embeds")]


async def edited(world, message, version: int) -> None:
    await world.emulator.messages_signal.wait_for(lambda: message.version > version or None, 5)


async def test_one_message_edited_in_place_after_every_change(bot, world, board_channel):
    placed = await admin(world, "board", {"channel": board_channel.id})
    assert placed.ephemeral and placed.content.startswith(f"The events board is in <#{board_channel.id}>.")
    (board,) = boards(world, board_channel)
    assert board["embeds"][0]["title"] == "Coming up"
    assert "AI Safety Forum" not in board["embeds"][0]["description"]

    await admin(world, "add", FORUM)
    assert "AI Safety Forum" in board["embeds"][0]["description"] and board.version == 1
    await admin(world, "postpone", {"event": KEY, "date": "2027-04-20 10:00"})
    assert board.version == 2 and "20 April 2027" in board["embeds"][0]["description"]
    await admin(world, "cancel", {"event": KEY})
    assert board.version == 3 and "cancelled" in board["embeds"][0]["description"]
    assert boards(world, board_channel) == [board], "never posted again"


async def test_the_board_survives_a_restart_and_is_edited_not_reposted(world, settings, clock, board_channel):
    async with bot_on_emulator(settings, world.emulator, clock=clock):
        await admin(world, "board", {"channel": board_channel.id})
    (board,) = boards(world, board_channel)
    version = board.version
    clock.advance(timedelta(days=1))
    async with bot_on_emulator(settings, world.emulator, clock=clock):
        await edited(world, board, version)
        assert board["embeds"][0]["timestamp"].startswith("2026-11-25")
        await admin(world, "add", FORUM)
        assert "AI Safety Forum" in board["embeds"][0]["description"]
    assert boards(world, board_channel) == [board]


async def test_a_deleted_board_is_posted_once_more_and_moderators_are_told(bot, world, board_channel):
    announcements = world.emulator.create_text_channel(world.guild, "announcements")
    await admin(world, "settings", {"channel": announcements.id})
    await admin(world, "board", {"channel": board_channel.id})
    (board,) = boards(world, board_channel)
    world.emulator.delete_message(board)
    await admin(world, "add", FORUM)
    (again,) = boards(world, board_channel)
    assert again.id != board.id and "AI Safety Forum" in again["embeds"][0]["description"]
    told = [m["content"] for m in world.emulator.channel_messages(announcements)]
    assert f"The events board in <#{board_channel.id}> was deleted: it has been posted again. " \
           "To move it, use /eventadmin board." in told
    await admin(world, "postpone", {"event": KEY, "date": "2027-05-01"})
    assert boards(world, board_channel) == [again] and again.version == 1


async def test_a_channel_the_bot_cannot_write_to_is_reported_once_not_retried(bot, world, board_channel):
    await admin(world, "board", {"channel": board_channel.id})
    (board,) = boards(world, board_channel)
    # Deleted, and the bot may no longer post there: the board cannot come back until that is fixed.
    world.emulator.delete_message(board)
    world.emulator.set_missing_permission(world.guild, "send_messages")
    tries_before = len(attempts(world, board_channel))
    await admin(world, "add", FORUM)
    await admin(world, "postpone", {"event": KEY, "date": "2027-05-01"})
    await admin(world, "edit", {"event": KEY, "city": "Lausanne"})
    # One attempt (the edit finds the message gone, the repost is refused), then it waits for the moderators.
    assert len(attempts(world, board_channel)) == tries_before + 2
    assert await bot.database.fetch_value("SELECT problem_reported FROM event_boards") == 1

    world.emulator.set_missing_permission(world.guild, "send_messages", missing=False)
    again = await admin(world, "board", {"channel": board_channel.id})
    assert again.content.startswith("The events board is in")
    (board,) = boards(world, board_channel)
    assert "Lausanne" in board["embeds"][0]["description"]
    assert await bot.database.fetch_value("SELECT problem_reported FROM event_boards") == 0


async def test_placing_the_board_where_the_bot_cannot_post_is_refused_and_changes_nothing(bot, world, board_channel):
    world.emulator.set_missing_permission(world.guild, "send_messages")
    for locale, expected in (("en-US", "Nothing changed."), ("fr", "Rien n'a changé.")):
        refused = await admin(world, "board", {"channel": board_channel.id}, locale=locale)
        assert refused.ephemeral and refused.content.endswith(expected)
        assert f"<#{board_channel.id}>" in refused.content
    assert await bot.database.fetch_all("SELECT * FROM event_boards") == []


async def test_the_next_start_or_end_is_scheduled_to_edit_the_board(bot, world, board_channel, clock):
    await admin(world, "add", FORUM)
    await admin(world, "board", {"channel": board_channel.id})
    (board,) = boards(world, board_channel)
    job = bot.scheduler.get_job(f"event-board:{world.guild.id}")
    assert job.next_run_time == datetime(2027, 3, 15, 8, 0, tzinfo=UTC)  # 09:00 in Zurich
    # What the scheduler runs at that moment (it cannot be waited for: the bot's clock is a manual one).
    clock.set(datetime(2027, 3, 15, 8, 0, 1, tzinfo=UTC))
    await job.func(*job.args)
    assert board.version == 1 and "AI Safety Forum" in board["embeds"][0]["description"], "on until 17:00"
    job = bot.scheduler.get_job(f"event-board:{world.guild.id}")
    assert job.next_run_time == datetime(2027, 3, 15, 16, 0, tzinfo=UTC)  # its end, 17:00 in Zurich
    clock.set(datetime(2027, 3, 15, 16, 0, 1, tzinfo=UTC))
    await job.func(*job.args)
    assert board.version == 2 and "AI Safety Forum" not in board["embeds"][0]["description"], "over: off the board"
    assert boards(world, board_channel) == [board]


async def test_members_cannot_place_the_board(bot, world, board_channel):
    refused = await world.emulator.slash(world.member_en, world.general, "eventadmin board",
                                         {"channel": board_channel.id})  # fmt: skip
    assert refused.ephemeral and "Only moderators" in refused.content
    assert boards(world, board_channel) == []


def attempts(world, channel) -> list:
    return [r for r in world.emulator.requests if f"/channels/{channel.id}/messages" in r.path]
