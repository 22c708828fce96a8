"""The gateway drops in the middle of a reminder fan-out: every follower reminded once, commands still answered.

Reminders go out over REST, so a drop must not stop, restart or repeat the run in flight; the bot
RESUMEs (or, its session lost, identifies again) while it keeps sending, and answers the command a
member sent during the outage. The bot runs as its own process, as operators start it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import validate_settings
from bot.sandbox import DiscordEmulator
from tests.helpers.bot_process import BotProcess, write_config
from tests.helpers.fan_out import ledger_states, prepare_fan_out, reminded, wait_reminded

MEMBERS = 240
DROP_AFTER = 60
GLOBAL_LIMIT = 60  # requests per second: paced at 59/s, the fan-out takes about 4 s
FINISHED = r"run remind:\d+:\d+:dm finished"

pytestmark = pytest.mark.timeout(90)


@pytest.mark.parametrize("resumable", [True, False], ids=["resumed", "session-lost"])
async def test_a_gateway_drop_mid_fan_out_loses_and_repeats_no_reminder(tmp_path, resumable):
    async with DiscordEmulator(global_rate_limit=GLOBAL_LIMIT) as emulator:
        guild = emulator.create_guild("Summit Community")
        general = emulator.create_text_channel(guild, "general")
        members = [emulator.create_member(guild, f"member{number:03d}") for number in range(MEMBERS)]
        database = tmp_path / "bot.sqlite3"
        config = write_config(tmp_path / "bot.toml", emulator, database, global_rate_limit=GLOBAL_LIMIT)
        settings = validate_settings({"database": {"path": str(database)}})
        await prepare_fan_out(settings, guild.id, [member.id for member in members], due_in=timedelta(seconds=3))

        async with BotProcess(config, emulator.token) as bot:
            await wait_reminded(emulator, members, DROP_AFTER, timeout=30)
            await emulator.drop_gateway(resumable=resumable)
            at_drop = sum(1 for count in reminded(emulator, members) if count)
            assert at_drop < MEMBERS, "the drop landed after the fan-out"

            if resumable:  # sent while the bot is cut off: replayed to it on RESUME
                answer = await emulator.slash(members[0], general, "clause", {"ref": "4"}, timeout=20)
                await emulator.wait_for_resumed(timeout=20)
            else:  # a lost session's events are gone, on Discord too: the member asks once it is back
                await emulator.wait_for_ready(timeout=20)
                answer = await emulator.slash(members[0], general, "clause", {"ref": "4"})
            assert answer.embeds and not answer.ephemeral

            await wait_reminded(emulator, members, MEMBERS, timeout=30)
            await bot.wait_for_log(FINISHED)
            assert await bot.stop() == 0
            assert bot.runs == 1, "the same process went on sending"
            assert not [line for line in bot.lines if " ERROR " in line or "Traceback" in line]

        counts = reminded(emulator, members)
        assert counts == [1] * MEMBERS, f"{counts.count(0)} lost, {sum(1 for n in counts if n > 1)} duplicated"
        assert await ledger_states(settings) == {"sent": MEMBERS}
        assert emulator.stats.rate_limited == 0
