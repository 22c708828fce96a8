"""Stopping the bot as operators do: Ctrl-C, or SIGTERM from systemd or `docker stop`.

A clean close stops the reminder runs with their ledger writes finished and closes the store: SQLite
folds its write-ahead log back into the file and removes it, which a killed process leaves behind.
"""

from __future__ import annotations

import signal
import socket

import pytest

from bot.sandbox import DiscordEmulator
from tests.helpers.bot_process import BotProcess, write_config

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
