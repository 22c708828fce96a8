"""Starting politely: IDENTIFYs of one bucket taken in turn across processes (PostgreSQL advisory locks),
and a start refused when too few session starts remain.

Three bots in this test process stand for three processes: each has its own store pool and its own
lock connections, and only PostgreSQL stands between them."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client import SummitBot
from bot.config import Settings, validate_settings
from bot.identify_pacing import SessionStartsExhausted
from bot.runtime import assemble_bot
from bot.sandbox import DiscordEmulator
from bot.sandbox.sharding import ShardingLimits
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from bot.storage.dialect import StoreURL
from tests.helpers.bot_process import BotProcess, write_config

WINDOW = 1.0  # the emulator's window between two IDENTIFYs of one bucket (Discord's is 5 s)
PROCESSES = 3


def _bot_settings(emulator: DiscordEmulator, tmp_path: Path, database_url: str, shard_id: int) -> Settings:
    discord = {"shard_count": PROCESSES, "shard_ids": str(shard_id), "identify_window": WINDOW}
    settings = settings_for_emulator(validate_settings({"discord": discord}), emulator, tmp_path / "unused.sqlite3")
    database = settings.database.model_copy(update={"url": StoreURL.parse(database_url).url, "path": None})
    return settings.model_copy(update={"database": database})


@contextlib.asynccontextmanager
async def _running(settings: Settings) -> AsyncIterator[SummitBot]:
    async with assemble_bot(settings, guild_ready_timeout=0.05) as bot:
        runner = asyncio.create_task(bot.start(settings.token or ""))
        try:
            yield bot
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await runner


@pytest.mark.timeout(60)
async def test_processes_identify_one_bucket_in_turn(tmp_path: Path, postgres_url: str) -> None:
    # max_concurrency 1: every shard is in bucket 0, so the three must IDENTIFY a window apart.
    limits = ShardingLimits(max_concurrency=1, identify_window=WINDOW)
    async with DiscordEmulator(sharding=limits) as emulator:
        for n in range(6):
            emulator.create_guild(f"Server {n}")
        admitted: list[float] = []
        gate = emulator.gateway.gate
        admit = gate.admit

        def recording_admit(shard_id: int) -> str | None:
            refused = admit(shard_id)
            if refused is None:
                admitted.append(gate.clock())
            return refused

        gate.admit = recording_admit  # type: ignore[method-assign]
        async with contextlib.AsyncExitStack() as stack:
            for shard_id in range(PROCESSES):  # all three start at once
                await stack.enter_async_context(_running(_bot_settings(emulator, tmp_path, postgres_url, shard_id)))
            await emulator.wait_for_ready(timeout=20, shards=PROCESSES)
            assert emulator.gateway.identifies_refused == 0, "an IDENTIFY came inside its bucket's window"
            assert emulator.gateway.identifies == PROCESSES
            gaps = [later - earlier for earlier, later in itertools.pairwise(admitted)]
            assert len(admitted) == PROCESSES and all(gap >= WINDOW for gap in gaps), gaps
            # ... and no longer than needed: each waited for the previous one only.
            assert all(gap < WINDOW + 1.0 for gap in gaps), gaps
        emulator.assert_no_spec_violations()


@pytest.mark.timeout(30)
async def test_start_refused_when_too_few_session_starts_remain(tmp_path: Path) -> None:
    # 2 left, 1 shard + a margin of 2 needed.
    async with DiscordEmulator(sharding=ShardingLimits(session_start_total=2)) as emulator:
        emulator.create_guild("Server")
        settings = settings_for_emulator(validate_settings({}), emulator, tmp_path / "bot.sqlite3")
        with pytest.raises(SessionStartsExhausted) as refused:
            async with bot_on_emulator(settings, emulator):
                pass
        message = str(refused.value)
        assert message.startswith("only 2 Discord session start(s) remain for 1 shard(s) (and 2 spare)")
        assert "they reset in 24 h 00 min" in message or "they reset in 23 h 59 min" in message
        assert "\n" not in message
        assert emulator.gateway.identifies == 0, "no session start spent"


async def test_start_goes_ahead_with_exactly_enough_session_starts(tmp_path: Path) -> None:
    async with DiscordEmulator(sharding=ShardingLimits(session_start_total=3)) as emulator:
        emulator.create_guild("Server")
        settings = settings_for_emulator(validate_settings({}), emulator, tmp_path / "bot.sqlite3")
        async with bot_on_emulator(settings, emulator):
            assert emulator.gateway.identifies == 1


@pytest.mark.timeout(60)
async def test_summit_bot_run_says_in_one_line_why_it_does_not_start_and_exits_1(tmp_path: Path) -> None:
    async with DiscordEmulator(sharding=ShardingLimits(session_start_total=2)) as emulator:
        emulator.create_guild("Server")
        config = write_config(tmp_path / "bot.toml", emulator, tmp_path / "bot.sqlite3", discord={"shard_count": 2})
        async with BotProcess(config, emulator.token) as bot:
            await bot.wait_for_log(r"^summit-bot: only")
            await bot.process.wait()  # the process ends by itself
            assert bot.returncode == 1
            refusal = [line for line in bot.log if line.startswith("summit-bot:")]
            assert len(refusal) == 1 and "only 2 Discord session start(s) remain for 2 shard(s)" in refusal[0]
            assert not [line for line in bot.log if "Traceback" in line], bot.log
            assert emulator.token not in "\n".join(bot.log)
        assert emulator.gateway.identifies == 0
