"""SIGKILL in the middle of a 500-member fan-out, a restart, and every member reminded exactly once.

The bot runs as its own process against the emulator in this test; the database is prepared beforehand
through the repositories: a server, an event a few minutes ahead, 500 members following it with a lead
time that falls due about 3 s after the bot starts. The emulator's global limit makes the fan-out take
a few seconds, so the kill lands in its middle. It runs on both stores (`store_url`: a SQLite file, or
a fresh PostgreSQL database that the restarted process finds again).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import validate_settings
from bot.sandbox import DiscordEmulator
from tests.helpers.bot_process import BotProcess, write_config
from tests.helpers.fan_out import ledger_states, prepare_fan_out, reminded, wait_reminded

MEMBERS = 500
KILL_AFTER = 150
GLOBAL_LIMIT = 250  # requests per second: the bot paces itself at 80% of it

pytestmark = pytest.mark.timeout(90)


async def test_sigkill_during_the_fan_out_then_restart_reminds_everyone_exactly_once(tmp_path, store_url):
    async with DiscordEmulator(global_rate_limit=GLOBAL_LIMIT) as emulator:
        guild = emulator.create_guild("Summit Community")
        members = [emulator.create_member(guild, f"member{number:03d}") for number in range(MEMBERS)]
        reminder_settings = {"max_concurrency": 16}
        config = write_config(tmp_path / "bot.toml", emulator, store_url, reminders=reminder_settings,
                              global_rate_limit=GLOBAL_LIMIT)
        settings = validate_settings({"database": {"url": store_url}, "reminders": reminder_settings})
        await prepare_fan_out(settings, guild.id, [member.id for member in members], due_in=timedelta(seconds=3))

        async with BotProcess(config, emulator.token) as bot:
            await wait_reminded(emulator, members, KILL_AFTER, timeout=25)
            await bot.kill()
            at_kill = sum(1 for n in reminded(emulator, members) if n)
            assert KILL_AFTER <= at_kill < MEMBERS, f"killed after {at_kill} reminders: not in the middle"
            assert max(reminded(emulator, members)) == 1

            await bot.start()
            await wait_reminded(emulator, members, MEMBERS, timeout=30)
            # The restarted process settled the claims the kill left, then finished the run.
            await bot.wait_for_log(r"reminders started: \d+ unconfirmed claim")
            finished = await bot.wait_for_log(r"run remind:\d+:\d+:dm finished")
            assert await bot.stop() == 0
            assert not [line for line in bot.lines if " ERROR " in line or "Traceback" in line]

        counts = reminded(emulator, members)
        assert counts == [1] * MEMBERS, f"{counts.count(0)} lost, {sum(1 for n in counts if n > 1)} duplicated"
        assert emulator.stats.rate_limited == 0, "the fan-out stayed under the global limit"
        assert "sent=" in finished
        assert await ledger_states(settings) == {"sent": MEMBERS}
