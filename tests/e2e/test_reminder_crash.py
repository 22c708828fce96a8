"""SIGKILL in the middle of a 500-member fan-out, a restart, and every member reminded exactly once.

The bot runs as its own process against the emulator in this test; the database is prepared beforehand
through the repositories: a server, an event a few minutes ahead, 500 members following it with a lead
time that falls due about 3 s after the bot starts. The emulator's global limit makes the fan-out take
a few seconds, so the kill lands in its middle.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import SystemClock
from bot.config import validate_settings
from bot.runtime import open_database
from bot.sandbox import DiscordEmulator
from bot.services import build_services
from tests.helpers.bot_process import BotProcess, write_config
from tests.helpers.reminders import dated_event

MEMBERS = 500
KILL_AFTER = 150
GLOBAL_LIMIT = 250  # requests per second: the bot paces itself at 80% of it

pytestmark = pytest.mark.timeout(90)


async def prepare(settings, guild_id: int, member_ids: list[int]) -> None:
    """The store before the first start: the event and its 500 followers."""
    clock = SystemClock()
    database = await open_database(settings)
    try:
        services = build_services(database, settings, clock)
        await services.events.seed_guild(guild_id)
        now = clock.now()
        starts = (now + timedelta(minutes=4)).replace(second=0, microsecond=0)
        event = await services.events.repository.insert(
            dated_event(0, guild_id, starts, key="crash-forum"), shipped_hash=None, at=now, actor_id=None,
            changes=[], reason=None,
        )  # fmt: skip
        due = now + timedelta(seconds=3)
        lead = int((starts - due).total_seconds())
        for member_id in member_ids:
            await services.reminders.repository.save(guild_id, member_id, event.id, locale="en-US", leads=(lead,),
                                                     at=now - timedelta(hours=1))  # fmt: skip
    finally:
        await database.close()


def reminded(emulator: DiscordEmulator, members) -> list[int]:
    return [len(emulator.dm_messages(member)) for member in members]


async def test_sigkill_during_the_fan_out_then_restart_reminds_everyone_exactly_once(tmp_path):
    async with DiscordEmulator(global_rate_limit=GLOBAL_LIMIT) as emulator:
        guild = emulator.create_guild("Summit Community")
        members = [emulator.create_member(guild, f"member{number:03d}") for number in range(MEMBERS)]
        database = tmp_path / "bot.sqlite3"
        reminder_settings = {"global_rate_limit": GLOBAL_LIMIT, "max_concurrency": 16}
        config = write_config(tmp_path / "bot.toml", emulator, database, reminders=reminder_settings)
        settings = validate_settings({"database": {"path": str(database)}, "reminders": reminder_settings})
        await prepare(settings, guild.id, [member.id for member in members])

        async def at_least(count: int, timeout: float) -> None:  # noqa: ASYNC109
            def enough() -> bool | None:
                return True if sum(1 for n in reminded(emulator, members) if n) >= count else None

            await emulator.messages_signal.wait_for(enough, timeout)

        async with BotProcess(config, emulator.token) as bot:
            await at_least(KILL_AFTER, timeout=25)
            await bot.kill()
            at_kill = sum(1 for n in reminded(emulator, members) if n)
            assert KILL_AFTER <= at_kill < MEMBERS, f"killed after {at_kill} reminders: not in the middle"
            assert max(reminded(emulator, members)) == 1

            await bot.start()
            await at_least(MEMBERS, timeout=30)
            # The restarted process settled the claims the kill left, then finished the run.
            await bot.wait_for_log(r"reminders started: \d+ unconfirmed claim")
            finished = await bot.wait_for_log(r"run remind:\d+:\d+:dm finished")
            assert await bot.stop() == 0
            assert not [line for line in bot.lines if " ERROR " in line or "Traceback" in line]

        counts = reminded(emulator, members)
        assert counts == [1] * MEMBERS, f"{counts.count(0)} lost, {sum(1 for n in counts if n > 1)} duplicated"
        assert emulator.stats.rate_limited == 0, "the fan-out stayed under the global limit"
        assert "sent=" in finished
        check = await open_database(settings)
        try:
            rows = await check.fetch_all("SELECT state, count(*) AS n FROM reminder_deliveries GROUP BY state")
        finally:
            await check.close()
        assert {row["state"]: row["n"] for row in rows} == {"sent": MEMBERS}
