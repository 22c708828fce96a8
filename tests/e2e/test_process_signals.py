"""Stopping the bot as operators do: Ctrl-C, or SIGTERM from systemd or `docker stop`.

A clean close stops the reminder runs with their ledger writes finished and closes the store: SQLite
folds its write-ahead log back into the file and removes it, which a killed process leaves behind.
"""

from __future__ import annotations

import signal
import socket
from datetime import timedelta

import pytest

from bot.config import validate_settings
from bot.sandbox import DiscordEmulator
from tests.helpers.bot_process import BotProcess, write_config
from tests.helpers.fan_out import ledger_states, prepare_fan_out, reminded, wait_reminded

pytestmark = pytest.mark.timeout(60)

STARTED = r"reminders started"


# SQLite only: a closed store is seen as its file without a -wal beside it.
@pytest.mark.parametrize(
    ("sent", "interrupts_ignored"),
    [
        (signal.SIGTERM, False),
        (signal.SIGINT, False),
        (signal.SIGINT, True),  # started by `nohup summit-bot run &` in a script: SIGINT inherited as ignored
    ],
    ids=["sigterm", "ctrl-c", "ctrl-c-started-with-interrupts-ignored"],
)
async def test_a_stop_signal_closes_the_session_and_the_store(tmp_path, sent, interrupts_ignored):
    async with DiscordEmulator() as emulator:
        emulator.create_guild("Summit Community")
        database = tmp_path / "bot.sqlite3"
        bot = BotProcess(write_config(tmp_path / "bot.toml", emulator, database), emulator.token)
        try:
            await bot.start(interrupts_ignored=interrupts_ignored)
            await bot.wait_for_log(STARTED)

            assert await bot.stop(sent=sent) == 0

            assert any(f"{sent.name} received: closing" in line for line in bot.log)
            assert database.exists() and not database.with_name("bot.sqlite3-wal").exists()
            assert not [line for line in bot.lines if " ERROR " in line or "Traceback" in line]
        finally:
            if bot.running:
                await bot.kill()


async def test_sigterm_while_discord_is_unreachable_at_start_stops_at_once(tmp_path):
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with DiscordEmulator() as emulator:
        database = tmp_path / "bot.sqlite3"
        unreachable = {
            "api_base_url": f"http://127.0.0.1:{port}/api/v10",
            "gateway_url": f"ws://127.0.0.1:{port}/gateway",
            "start_retry_first_seconds": 30,  # the bot would wait this long before its next attempt
        }
        bot = BotProcess(write_config(tmp_path / "bot.toml", emulator, database, discord=unreachable), emulator.token)
        try:
            await bot.start()
            await bot.wait_for_log(r"Discord unreachable at .*; retrying in \d+ s")

            # Within 10 s of a 30 s wait (else stop() SIGKILLs it, and the exit code is -9).
            assert await bot.stop(sent=signal.SIGTERM, timeout=10) == 0

            assert any("SIGTERM received: closing" in line for line in bot.log)
            assert not [line for line in bot.lines if " ERROR " in line or "Traceback" in line]
            assert not database.exists()  # the store is opened only once Discord answers
        finally:
            if bot.running:
                await bot.kill()


async def test_sigterm_mid_fan_out_leaves_no_claim_unconfirmed_and_a_start_finishes_it_once(tmp_path):
    """The messages under way when SIGTERM comes get Discord's answer and their ledger row; the rest wait
    for the next start, which sends each once."""
    members_count, limit = 200, 100  # requests/s: the fan-out takes ~3 s, 16 sends under way at any moment
    async with DiscordEmulator(global_rate_limit=limit) as emulator:
        guild = emulator.create_guild("Summit Community")
        members = [emulator.create_member(guild, f"member{n:03d}") for n in range(members_count)]
        database = tmp_path / "bot.sqlite3"
        settings = validate_settings({"database": {"path": str(database)}})
        await prepare_fan_out(settings, guild.id, [m.id for m in members], due_in=timedelta(seconds=1))
        config = write_config(tmp_path / "bot.toml", emulator, database, global_rate_limit=limit)
        bot = BotProcess(config, emulator.token)
        try:
            await bot.start()
            await wait_reminded(emulator, members, members_count // 4, timeout=30)
            assert await bot.stop(sent=signal.SIGTERM) == 0
            reached = sum(1 for n in reminded(emulator, members) if n)
            assert reached < members_count, "the stop came after the fan-out"
            assert await ledger_states(settings) == {"sent": reached}, "a message under way was left unconfirmed"

            await bot.start()
            await wait_reminded(emulator, members, members_count, timeout=30)
            await bot.wait_for_log(r"run remind:\d+:\d+:dm finished")
            assert await bot.stop(sent=signal.SIGTERM) == 0
        finally:
            if bot.running:
                await bot.kill()
    assert reminded(emulator, members) == [1] * members_count
    assert await ledger_states(settings) == {"sent": members_count}
