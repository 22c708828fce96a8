"""Several processes: resident memory per process with 1,000 servers per shard, and the time from start to
every shard ready with 8 shards, each beside the one-process figure measured in the same run.

- RSS: one process with one shard of 1,000 servers (the baseline); one process with 2 shards of 1,000
  (2,000 servers); the same 2 shards split over 2 processes (the larger of the two is the figure). Read
  once start-up work is over and after a burst of /clause in 50 servers (caches warm), as bench/footprint.
- Start: 8 shards in one process (the baseline), then over 2 and over 4 processes, all spawned at once;
  the clock stops when the emulator has sent READY and every GUILD_CREATE on all 8. The emulator keeps
  Discord's IDENTIFY window (5 s per bucket) and max_concurrency 1, what Discord gives a bot under 150,000
  servers: processes take turns through the store (one advisory lock per bucket), so splitting does not
  start 8 shards faster; only a larger max_concurrency does.

Every process is `python -m bot run` on one PostgreSQL database (a partial shard range needs it), from
SUMMIT_BENCH_POSTGRES_URL or a throwaway server; without PostgreSQL the benchmark says why and gives none.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from bot.sandbox import DiscordEmulator
from bot.sandbox.sharding import ShardingLimits

from .driver import Command, Driver, World
from .postgres import bench_database
from .processes import REPO, BotProcess
from .results import Figure

NAME = "cluster_footprint"
IDENTIFY_WINDOW = 5.0  # Discord's
START_MAX_CONCURRENCY = 1  # Discord's for bots under 150,000 servers
BURST = Command("clause", {"ref": "3"})


async def run(*, quick: bool) -> list[Figure]:
    per_shard = 50 if quick else 1000
    start_shards, start_servers = (2, 10) if quick else (8, 400)
    splits = [2] if quick else [2, 4]
    async with bench_database() as (url, reason):
        if url is None:
            print(f"  {NAME}: skipped, {reason}", file=sys.stderr, flush=True)
            return []
        with tempfile.TemporaryDirectory(prefix="summit-bench-") as scratch_dir:
            scratch = Path(scratch_dir)
            one_shard = await _rss(scratch, url, servers=per_shard, shard_count=1, ranges=["0"], burst=not quick)
            two_shards = await _rss(scratch, url, servers=2 * per_shard, shard_count=2, ranges=["0-1"], burst=not quick)
            split = await _rss(scratch, url, servers=2 * per_shard, shard_count=2, ranges=["0", "1"], burst=not quick)
            started_one = await _start_time(scratch, url, start_shards, start_servers, [f"0-{start_shards - 1}"])
            started_split = {k: await _start_time(scratch, url, start_shards, start_servers, _ranges(start_shards, k))
                             for k in splits}  # fmt: skip
    where = f"{per_shard:,} servers per shard"
    identify = f"IDENTIFY {IDENTIFY_WINDOW:g} s per bucket, max_concurrency {START_MAX_CONCURRENCY}"
    figures = [
        Figure(NAME, f"RSS, one process, 2 shards × {per_shard:,} servers (baseline: 1 shard)", two_shards[0], "MB",
               one_shard[0]),
        Figure(NAME, f"RSS per process (largest), 2 processes × 1 shard, {where} (baseline: 1 process)", max(split),
               "MB", one_shard[0]),
    ]  # fmt: skip
    for processes, seconds in started_split.items():
        figures.append(
            Figure(NAME, f"start → {start_shards} shards ready, {processes} processes ({identify}; baseline: 1)",
                   seconds, "s", started_one)
        )  # fmt: skip
    return figures


def _ranges(shard_count: int, processes: int) -> list[str]:
    bounds = [shard_count * i // processes for i in range(processes + 1)]
    return [f"{bounds[i]}-{bounds[i + 1] - 1}" for i in range(processes)]


async def _rss(
    scratch: Path, url: str, *, servers: int, shard_count: int, ranges: list[str], burst: bool
) -> list[float]:
    """Each process's RSS (MB) once settled and after a burst of commands."""
    limits = ShardingLimits(max_concurrency=shard_count, identify_window=IDENTIFY_WINDOW)
    world = await _open_world(servers, limits)
    try:
        async with _cluster(world.emulator, scratch, url, shard_count, ranges) as bots:
            await world.emulator.wait_for_ready(timeout=300, shards=shard_count)
            await world.emulator.wait_for_commands(timeout=60)
            await asyncio.gather(*(bot.settle(longest=300) for bot in bots))
            for index in range(min(50 if burst else 5, servers)):
                driver = Driver(world, index)
                await driver.send(driver.prepare(BURST))
            await asyncio.gather(*(bot.settle(longest=120) for bot in bots))
            for bot in bots:
                bot.check_alive()
            return [bot.rss_mb() for bot in bots]
    finally:
        await world.emulator.stop()


async def _start_time(scratch: Path, url: str, shard_count: int, servers: int, ranges: list[str]) -> float:
    """Seconds from spawning every process to every shard ready."""
    limits = ShardingLimits(max_concurrency=START_MAX_CONCURRENCY, identify_window=IDENTIFY_WINDOW)
    world = await _open_world(servers, limits)
    try:
        async with _cluster(world.emulator, scratch, url, shard_count, ranges) as bots:
            await world.emulator.wait_for_ready(timeout=300, shards=shard_count)
            for bot in bots:
                bot.check_alive()
            return time.perf_counter() - min(bot.spawned_at for bot in bots)
    finally:
        await world.emulator.stop()


async def _open_world(servers: int, limits: ShardingLimits) -> World:
    emulator = await DiscordEmulator(global_rate_limit=None, request_log_size=1000, sharding=limits).start()
    world = World(emulator)
    for number in range(servers):
        guild = emulator.create_guild(f"Server {number}")
        world.guilds.append(guild)
        world.channels.append(emulator.create_text_channel(guild, "general"))
        world.members.append(emulator.create_member(guild, f"member-{number}"))
    return world


@contextlib.asynccontextmanager
async def _cluster(
    emulator: DiscordEmulator, scratch: Path, url: str, shard_count: int, ranges: Sequence[str]
) -> AsyncIterator[list[BotProcess]]:
    """One `python -m bot run` per shard range, spawned together; all stopped however the block ends."""
    bots: list[BotProcess] = []
    try:
        for number, shard_range in enumerate(ranges):
            bots.append(await _spawn(emulator, scratch, url, shard_count, shard_range, f"{shard_count}-{number}"))
        yield bots
    finally:
        await asyncio.gather(*(bot.stop() for bot in bots))


async def _spawn(
    emulator: DiscordEmulator, scratch: Path, url: str, shard_count: int, shard_range: str, name: str
) -> BotProcess:
    config = scratch / f"{name}.toml"
    config.write_text(
        f'[discord]\napi_base_url = "{emulator.api_base_url}"\ngateway_url = "{emulator.gateway_url}"\n'
        f'shard_count = {shard_count}\nshard_ids = "{shard_range}"\n'
        f'[database]\nurl = "{url}"\n[logging]\nlevel = "WARNING"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "DISCORD_TOKEN": emulator.token, "SUMMIT_BOT_CONFIG": str(config)}
    env.pop("SUMMIT_DATABASE_URL", None)  # the benchmark's database, not an operator's
    log_path = scratch / f"{name}.log"
    with log_path.open("wb") as log:
        spawned_at = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=REPO, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=log,
            stderr=log,
        )  # fmt: skip
    return BotProcess(name, process, spawned_at, log_path)
