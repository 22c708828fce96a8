"""`summit-bot run` when PostgreSQL cannot be reached at start (not started yet, a wrong host or port): one line
naming the store without its password, exit code 1, which deploy/summit-bot@.service restarts (only 2 is
final), never a traceback. docs/deployment.md's newcomer meets it when PostgreSQL is not up yet."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

import pytest

from bot.cli import EXIT_UNAVAILABLE
from bot.sandbox import DiscordEmulator
from tests.helpers.bot_process import write_config

pytestmark = pytest.mark.timeout(60)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_run_with_postgresql_unreachable_says_so_in_one_line_and_exits_1(tmp_path):
    store = f"postgresql://summit:s3cret-pw@127.0.0.1:{closed_port()}/summit"
    async with DiscordEmulator() as emulator:
        config = write_config(tmp_path / "bot.toml", emulator, store)
        env = {**os.environ, "DISCORD_TOKEN": emulator.token}
        for name in ("SUMMIT_BOT_CONFIG", "SUMMIT_DATABASE_URL", "PGPASSWORD"):
            env.pop(name, None)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), "--shards", "0-1", "--shard-count", "4",
            cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 45)
    text = out.decode() + err.decode()
    assert process.returncode == EXIT_UNAVAILABLE == 1, text
    assert "Traceback" not in text
    refusals = [line for line in err.decode().splitlines() if line.startswith("summit-bot:")]
    assert refusals == [
        f"summit-bot: cannot connect to PostgreSQL at {store.replace(':s3cret-pw', ':***')}: "
        f"Connect call failed ('127.0.0.1', {store.split(':')[-1].split('/')[0]})"
    ], text
    assert "s3cret-pw" not in text and emulator.token not in text
