"""Footprint: resident memory with 1,000 guilds, and the time from process start to the first answer.

Measured on a first start (empty store: migrations, content, every guild's events copied) and on
restarts (the usual case: same store, commands already registered), and for the bare baseline bot.
Memory is read once start-up work is over (the process stays idle) and after a burst of commands in
many guilds, so caches are warm. RSS varies by a few MB from one start to the next (how the start-up
work interleaves decides how fragmented the heap ends up): restarts are repeated and the median is the
figure, the worst one is shown beside it.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from .driver import Command, Driver, World, open_world
from .processes import BotProcess, running, start_baseline, start_summit_bot
from .results import Figure

NAME = "footprint"
RSS_TARGET_MB = 80.0
START_TARGET_S = 1.5
FIRST_COMMAND = Command("clause", {"ref": "1"})
BURST = [Command("clause", {"ref": "3"}), Command("events", {}), Command("signatory", {"country": "Kenya"})]
BASELINE_COMMAND = Command("constant")


async def run(*, quick: bool) -> list[Figure]:
    guilds = 50 if quick else 1000
    burst_guilds = 10 if quick else 100
    restarts = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="summit-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        database = scratch / "bot.sqlite3"
        world = await open_world(guilds)
        base_world = await open_world(guilds)
        try:
            async with running(start_summit_bot(world.emulator, scratch, database=database, name="first")) as first:
                cold_start = await _first_answer(first, world, FIRST_COMMAND)
                await first.settle()
            starts, rss = [], []
            for number in range(restarts):
                name = f"restart-{number}"
                async with running(start_summit_bot(world.emulator, scratch, database=database, name=name)) as bot:
                    starts.append(await _first_answer(bot, world, FIRST_COMMAND))
                    rss.append(await _settled_rss(bot, world, BURST, burst_guilds))
            base_starts, base_rss = [], []
            for number in range(restarts):
                async with running(start_baseline(base_world.emulator, scratch, name=f"baseline-{number}")) as base:
                    base_starts.append(await _first_answer(base, base_world, BASELINE_COMMAND))
                    base_rss.append(await _settled_rss(base, base_world, [BASELINE_COMMAND], burst_guilds))
        finally:
            await world.emulator.stop()
            await base_world.emulator.stop()
    where = f"{guilds} guilds"
    rss_median, start_median = statistics.median(rss), statistics.median(starts)
    base_start = statistics.median(base_starts)
    return [
        Figure(NAME, f"RSS, {where} (median of {restarts})", rss_median, "MB", statistics.median(base_rss),
               f"≤ {RSS_TARGET_MB:.0f} MB", rss_median <= RSS_TARGET_MB),
        Figure(NAME, f"RSS, {where} (worst of {restarts})", max(rss), "MB", max(base_rss)),
        Figure(NAME, f"start → first answer (restart), {where}", start_median, "s", base_start,
               f"≤ {START_TARGET_S} s", start_median <= START_TARGET_S),
        Figure(NAME, f"start → first answer (first start, empty store), {where}", cold_start, "s", base_start,
               f"≤ {START_TARGET_S} s", cold_start <= START_TARGET_S),
    ]  # fmt: skip


async def _first_answer(bot: BotProcess, world: World, command: Command) -> float:
    """Seconds from spawning the process to its first answered command (sent as soon as it is connected)."""
    emulator = world.emulator
    await emulator.wait_for_ready(timeout=60)
    await emulator.wait_for_commands(timeout=60)
    bot.check_alive()
    driver = Driver(world)
    await driver.send(driver.prepare(command))
    return time.perf_counter() - bot.spawned_at


async def _settled_rss(bot: BotProcess, world: World, commands: list[Command], guild_count: int) -> float:
    """RSS once start-up work is over and after a burst of commands across `guild_count` guilds."""
    await bot.settle()
    for index in range(min(guild_count, len(world.guilds))):
        driver = Driver(world, index)
        for command in commands:
            await driver.send(driver.prepare(command))
    await bot.settle()
    bot.check_alive()
    return bot.rss_mb()
