"""A flood of commands while Discord's global rate limit is 10 requests/s: every command answered exactly once.

Interaction callbacks are exempt from the global limit (as on Discord); the announcements and scheduled
events that moderators' changes cause are not. The bot paces them under the limit (bot/pacing.py), so
even a backlog of many seconds loses none; the emulator's limit is set below the bot's configured one in
the first test so that 429s do happen and discord.py must wait and retry without losing or repeating any.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from bot.config import Settings, validate_settings
from bot.sandbox import DiscordEmulator
from bot.sandbox_session import settings_for_emulator

from .answers import callbacks_accepted
from .budget import scaled
from .observation import Observer

GLOBAL_LIMIT = 10  # requests per second
MEMBERS = scaled(20, 60)
# Each change makes two rate-limited calls (an announcement, a scheduled event): 12 changes are 2.4 s of
# backlog at 10/s, 40 changes 9 s at the bot's paced 9/s.
CHANGES = 12
SUSTAINED_CHANGES = 40
FIRST_DAY = date(2031, 3, 1)
READS = [("clause", {"ref": "3"}), ("events", {}), ("signatory", {"country": "France"}), ("search", {"query": "ia"})]


@pytest.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator(global_rate_limit=GLOBAL_LIMIT) as emu:
        yield emu
        emu.assert_no_spec_violations()


@pytest.fixture
def configured_limit() -> float:
    """The global limit the bot is told: Discord's usual 50/s, five times what the emulator enforces (a
    limit lowered for this bot, or another process spending it), so 429s do happen."""
    return 50.0


@pytest.fixture
def settings(tmp_path, emulator: DiscordEmulator, configured_limit: float) -> Settings:
    configured = validate_settings({"discord": {"global_rate_limit": configured_limit}})
    return settings_for_emulator(configured, emulator, tmp_path / "bot.sqlite3")


async def flood(bot, world, *, members: int, changes: int, rate_limited: bool) -> None:
    """Members read while a moderator adds `changes` events; check every answer, post and mirror."""
    emulator = world.emulator
    announcements = emulator.create_text_channel(world.guild, "announcements")
    followers = emulator.create_role(world.guild, "Event followers", mentionable=True)
    readers = [
        emulator.create_member(world.guild, f"member-{n}", locale=("fr", "en-GB")[n % 2]) for n in range(members)
    ]
    configured = await emulator.slash(
        world.moderator, world.general, "eventadmin settings",
        {"channel": announcements, "role": followers, "mirroring": True},
    )  # fmt: skip
    assert configured.content.startswith("Settings saved")
    mirrored_before = len(emulator.scheduled_events(world.guild))

    names = [f"Flood forum {n}" for n in range(changes)]
    runs = [emulator.slash(reader, world.general, *READS[n % len(READS)]) for n, reader in enumerate(readers)]
    runs += [
        emulator.slash(
            world.moderator, world.general, "eventadmin add",
            {"name": name, "date": f"{FIRST_DAY + timedelta(days=n)} 10:00", "timezone": "Europe/Paris"},
        )
        for n, name in enumerate(names)
    ]  # fmt: skip
    with Observer(emulator, bot) as observer:
        mark = observer.mark()
        results = await asyncio.gather(*runs)
        problems = observer.problems(mark, results, ping_roles=frozenset({followers.id}))

    assert not problems, "\n".join(problems)
    if rate_limited:
        assert emulator.stats.rate_limited > 0, "the flood never met the global limit: it proves nothing"
    else:
        assert emulator.stats.rate_limited == 0, "paced under the limit it was told, the bot never meets a 429"
    accepted = callbacks_accepted(emulator)
    assert [accepted[result.id] for result in results] == [1] * len(results)
    assert all(result.content or result.embeds for result in results)
    added = [r.content for r in results[members:]]
    assert all(content.startswith("Added **Flood forum") for content in added), added
    stored = await bot.database.fetch_all("SELECT name_en FROM guild_events WHERE name_en LIKE 'Flood forum %'")
    assert sorted(row[0] for row in stored) == sorted(names)
    # Every change announced once and mirrored once: none lost to a 429, none repeated by a retry.
    posted = [m["content"] for m in emulator.channel_messages(announcements)]
    assert sorted(n for n in names for text in posted if f"**{n}**" in text) == sorted(names)
    mirrored = [e["name"] for e in emulator.scheduled_events(world.guild)][mirrored_before:]
    assert sorted(mirrored) == sorted(names)


@pytest.mark.timeout(scaled(60, 300))
async def test_every_command_is_answered_exactly_once_under_429s(bot, world):
    await flood(bot, world, members=MEMBERS, changes=CHANGES, rate_limited=True)


@pytest.mark.parametrize("configured_limit", [GLOBAL_LIMIT])
@pytest.mark.timeout(120)
async def test_a_sustained_flood_told_the_limit_loses_no_announcement_nor_mirror(bot, world):
    """Unpaced, discord.py gives up on a call after five 429s in a row, and a backlog this long dropped
    announcements and mirrors; paced at 9/s under the 10/s it was told, the bot meets none."""
    await flood(bot, world, members=0, changes=SUSTAINED_CHANGES, rate_limited=False)
