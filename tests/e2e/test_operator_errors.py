"""An operator's first mistakes, through `summit-bot run` as a process against the emulator: a refused
token, Discord unreachable at start, and a second bot started on the same SQLite store.

Each ends in a short message on the terminal, never a traceback, and never shows the token."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.sandbox import DiscordEmulator
from tests.helpers.bot_process import REPOSITORY, BotProcess, write_config

pytestmark = pytest.mark.timeout(90)

ENTRY_POINT = Path(sys.executable).parent / "summit-bot"
# Shaped like a real one (base64 id, timestamp, HMAC), so that its last 4 characters are shown.
WRONG_TOKEN = "MTE4NDM5NzIwNTcwMTcwNTg4OA.GhQz3k.wrongwrongwrongwrongwrongwrong-Ab9Z"


async def summit_bot(*args: str, token: str, cwd: Path) -> tuple[int, str, str]:
    """The installed `summit-bot` with `args`; its exit code, stdout and stderr."""
    env = {**os.environ, "DISCORD_TOKEN": token}
    env.pop("SUMMIT_BOT_CONFIG", None)
    process = await asyncio.create_subprocess_exec(
        str(ENTRY_POINT), *args, cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_refused_token_is_one_line_naming_it_by_its_last_four_characters(tmp_path):
    async with DiscordEmulator() as emulator:
        database = tmp_path / "bot.sqlite3"
        config = write_config(tmp_path / "bot.toml", emulator, database)

        code, out, err = await summit_bot("run", "--config", str(config), token=WRONG_TOKEN, cwd=tmp_path)

        # The emulator refused it as Discord does: 401 on the login's GET /users/@me.
        assert [(record.template, record.status) for record in emulator.errors_returned] == [("/users/@me", 401)]
    assert code == 2
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith("Discord refused the token from DISCORD_TOKEN (ends with …Ab9Z): ")
    assert "DISCORD_TOKEN or discord.token" in line and "developer portal" in line
    assert WRONG_TOKEN[:-4] not in out + err
    assert not database.exists()  # nothing was opened, let alone migrated


async def test_a_second_bot_on_the_same_store_refuses_to_start_and_names_the_first(tmp_path):
    async with DiscordEmulator() as emulator:
        emulator.create_guild("Summit Community")
        database = tmp_path / "bot.sqlite3"
        config = write_config(tmp_path / "bot.toml", emulator, database)
        first = BotProcess(config, emulator.token)
        second = BotProcess(config, emulator.token)
        try:
            await first.start()
            await first.wait_for_log(r"reminders started")
            assert first.process is not None
            pid = first.process.pid

            await second.start()
            assert second.process is not None
            await asyncio.wait_for(second.process.wait(), 30)
            assert await second.stop() == 1
            (refusal,) = second.log
            assert refusal.startswith(f"summit-bot: the store {database} is in use by another summit-bot (pid {pid} ")
            assert "Traceback" not in "\n".join(second.log)
            # The sandbox may not share a running bot's store either; reading the settings still works.
            code, _, err = await summit_bot("try", "--database", str(database), token="", cwd=REPOSITORY)
            assert code == 1 and f"(pid {pid} on " in err
            code, out, _ = await summit_bot("check-config", "--config", str(config), token="", cwd=REPOSITORY)
            assert code == 0 and "valid" in out

            # A killed bot leaves nothing behind that blocks the next start.
            await first.kill()
            await second.start()
            await second.wait_for_log(r"reminders started")
            assert await second.stop() == 0
        finally:
            for bot in (first, second):
                if bot.running:
                    await bot.kill()
