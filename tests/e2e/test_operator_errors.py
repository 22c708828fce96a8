"""An operator's first mistakes, through `summit-bot run` as a process against the emulator: a refused
token, Discord unreachable at start, and a second bot started on the same SQLite store.

Each ends in a short message on the terminal, never a traceback, and never shows the token."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import DiscordEmulator
from tests.helpers.bot_process import REPOSITORY, BotProcess, write_config

pytestmark = pytest.mark.timeout(90)

ENTRY_POINT = Path(sys.executable).parent / "summit-bot"
# Shaped like a real one (base64 id, timestamp, HMAC), so that its last 4 characters are shown.
WRONG_TOKEN = "MTE4NDM5NzIwNTcwMTcwNTg4OA.GhQz3k.wrongwrongwrongwrongwrongwrong-Ab9Z"


def closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def endpoints_at(port: int) -> dict[str, str]:
    return {"api_base_url": f"http://127.0.0.1:{port}/api/v10", "gateway_url": f"ws://127.0.0.1:{port}/gateway"}


@contextlib.asynccontextmanager
async def network_back(port: int, emulator: DiscordEmulator) -> AsyncIterator[None]:
    """The network comes back: `port` now leads to the emulator (every TCP connection forwarded as is)."""
    target_port = int(emulator.api_base_url.split(":")[2].split("/")[0])
    writers: list[asyncio.StreamWriter] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def forward(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        writers.extend((client_writer, server_writer))
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    server = await asyncio.start_server(forward, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()
        for writer in writers:
            writer.close()
        await server.wait_closed()


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


async def test_sync_registers_the_commands_and_a_refused_token_is_one_line_there_too(tmp_path):
    async with DiscordEmulator() as emulator:
        config = write_config(tmp_path / "bot.toml", emulator, tmp_path / "bot.sqlite3")

        code, out, err = await summit_bot("sync", "--config", str(config), token=WRONG_TOKEN, cwd=tmp_path)
        assert (code, out) == (2, "")
        (line,) = err.splitlines()
        assert line.startswith("Discord refused the token from DISCORD_TOKEN (ends with …Ab9Z): ")
        assert emulator.commands.sync_count == 0

        code, out, err = await summit_bot("sync", "--config", str(config), token=emulator.token, cwd=tmp_path)
        assert (code, out.strip()) == (0, "slash commands synced."), err
        assert emulator.commands.sync_count == 1


# SQLite only: the store lock guards a SQLite file (one process per file); PostgreSQL serves several.
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
            # `sync` and the sandbox may not share a running bot's store either; reading the settings still works.
            code, _, err = await summit_bot("sync", "--config", str(config), token=emulator.token, cwd=REPOSITORY)
            assert code == 1 and f"(pid {pid} on " in err
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


async def test_discord_unreachable_at_start_is_retried_until_it_answers(tmp_path):
    async with DiscordEmulator() as emulator:
        guild = emulator.create_guild("Summit Community")
        general = emulator.create_text_channel(guild, "general")
        member = emulator.create_member(guild, "ada", locale="en-US")
        port = closed_port()
        retries = {"start_retry_first_seconds": 0.2, "start_retry_max_seconds": 0.4, **endpoints_at(port)}
        config = write_config(tmp_path / "bot.toml", emulator, tmp_path / "bot.sqlite3", discord=retries)
        async with BotProcess(config, emulator.token) as bot:
            attempt = rf"Discord unreachable at http://127\.0\.0\.1:{port}/api/v10: Connection refused; retrying in "
            first = await bot.wait_for_log(attempt)
            await bot.wait_for_log(attempt, nth=2)
            assert re.search(r" WARNING .*retrying in 0\.[1-9] s$", first), first

            async with network_back(port, emulator):
                await bot.wait_for_log(r"reminders started", timeout=30)  # connected, commands registered
                result = await emulator.slash(member, general, "about")
                assert result.embeds[0]["title"] == "summit-bot"
                # Killed: the emulator has the answer, but its HTTP reply may still be on the way back to the
                # bot, and a clean stop now would cut it. Stopping cleanly is test_process_signals' subject.
                await bot.kill()
        assert not [line for line in bot.lines if " ERROR " in line or "Traceback" in line]


# SQLite only: the store lock; on PostgreSQL processes starting together migrate once (an advisory lock),
# tested with the store layer.
async def test_two_bots_started_together_on_one_store_one_runs_and_the_other_refuses(tmp_path):
    async with DiscordEmulator() as emulator:
        emulator.create_guild("Summit Community")
        database = tmp_path / "bot.sqlite3"  # new: both would have migrated it at the same time
        config = write_config(tmp_path / "bot.toml", emulator, database)
        bots = [BotProcess(config, emulator.token), BotProcess(config, emulator.token)]
        try:
            await asyncio.gather(*(bot.start() for bot in bots))
            refusal = r"^summit-bot: the store .* is in use by another summit-bot \(pid \d+ "
            waits = {asyncio.ensure_future(bot.wait_for_log(refusal, timeout=30)): bot for bot in bots}
            done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            first = done.pop()
            first.result()  # a bot that exited without the refusal fails here, with its last lines
            refused = waits[first]
            (running,) = [bot for bot in bots if bot is not refused]
            assert running.process is not None and f"(pid {running.process.pid} " in refused.log[0]
            assert refused.process is not None and await asyncio.wait_for(refused.process.wait(), 10) == 1
            await running.wait_for_log(r"reminders started")
            assert await running.stop() == 0
            assert not [line for bot in bots for line in bot.lines if " ERROR " in line or "Traceback" in line]
        finally:
            for bot in bots:
                if bot.running:
                    await bot.kill()
