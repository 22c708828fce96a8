"""Interaction latency and throughput: summit-bot's commands against the bare bot's constant answer.

Each bot runs in its own process on its own emulator (both emulators in this process, so an interaction
reaches only one bot). Rounds alternate between the two so that the machine's drift hits both alike.
Latency is taken one interaction at a time (p50/p99 per command); throughput with a bounded number of
interactions in flight, mixing the four commands.
"""

from __future__ import annotations

import contextlib
import gc
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .driver import Command, Driver, open_world
from .processes import BotProcess, running, start_baseline, start_summit_bot
from .results import Figure, percentile

NAME = "interactions"
COMMANDS = [
    Command("clause", {"ref": "3"}),
    Command("search", {"query": "énergie"}),
    Command("signatory", {"country": "France"}),
    Command("events", {}),
]
BASELINE = Command("constant")
RATIO_TARGET = 1.2
THROUGHPUT_TARGET = 500.0  # interactions per second
THROUGHPUT_P99_TARGET = 0.100  # seconds


@dataclass(frozen=True)
class Plan:
    rounds: int
    per_round: int  # interactions per command per round
    warmup: int
    throughput_count: int
    concurrency: int
    paced_count: int  # interactions sent at THROUGHPUT_TARGET per second


FULL = Plan(rounds=5, per_round=100, warmup=100, throughput_count=4000, concurrency=32, paced_count=3000)
QUICK = Plan(rounds=1, per_round=30, warmup=20, throughput_count=300, concurrency=16, paced_count=250)


async def run(*, quick: bool) -> list[Figure]:
    plan = QUICK if quick else FULL
    with tempfile.TemporaryDirectory(prefix="summit-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        summit_world, baseline_world = await open_world(1), await open_world(1)
        database = scratch / "bot.sqlite3"
        try:
            async with (
                running(start_summit_bot(summit_world.emulator, scratch, database=database, name="summit")) as summit,
                running(start_baseline(baseline_world.emulator, scratch)) as baseline,
            ):
                await _ready(summit, summit_world.emulator)
                await _ready(baseline, baseline_world.emulator)
                ours, theirs = Driver(summit_world), Driver(baseline_world)
                return await _measure(plan, ours, theirs, summit, baseline)
        finally:
            await summit_world.emulator.stop()
            await baseline_world.emulator.stop()


async def _ready(bot: BotProcess, emulator) -> None:  # type: ignore[no-untyped-def]
    await emulator.wait_for_ready(timeout=60)
    await emulator.wait_for_commands(timeout=60)
    bot.check_alive()


async def _measure(plan: Plan, ours: Driver, theirs: Driver, summit: BotProcess, baseline: BotProcess) -> list[Figure]:
    with harness_gc_paused():
        return await _measure_all(plan, ours, theirs, summit, baseline)


@contextlib.contextmanager
def harness_gc_paused() -> Iterator[None]:
    """No garbage-collection pause in this process (the emulator's) while it times the bots.

    The emulator keeps every interaction and message it served; a full collection over that heap stalls
    it for tens of milliseconds, which would land in whichever bot's p99 it happens to interrupt.
    """
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


async def _measure_all(
    plan: Plan, ours: Driver, theirs: Driver, summit: BotProcess, baseline: BotProcess
) -> list[Figure]:
    prepared = [ours.prepare(command) for command in COMMANDS]
    constant = theirs.prepare(BASELINE)
    await ours.sequential(prepared, plan.warmup * len(prepared))
    await theirs.sequential([constant], plan.warmup)

    ours_by_command: dict[str, list[float]] = {command.name: [] for command in COMMANDS}
    baseline_samples: list[float] = []
    for _ in range(plan.rounds):
        for command in prepared:
            ours_by_command[command.command.name] += await ours.sequential([command], plan.per_round)
            baseline_samples += await theirs.sequential([constant], plan.per_round)

    figures: list[Figure] = []
    base_p50, base_p99 = percentile(baseline_samples, 0.50) * 1000, percentile(baseline_samples, 0.99) * 1000
    for name, samples in ours_by_command.items():
        for label, fraction, base in (("p50", 0.50, base_p50), ("p99", 0.99, base_p99)):
            value = percentile(samples, fraction) * 1000
            figures.append(
                Figure(
                    NAME, f"/{name} latency {label}", value, "ms", base,
                    f"≤ {RATIO_TARGET}× baseline", value <= RATIO_TARGET * base,
                )
            )  # fmt: skip

    # Sustained rate: as fast as the bot answers with `concurrency` interactions in flight.
    cpu_before, harness_before = summit.cpu_seconds(), time.process_time()
    latencies, wall = await ours.concurrent(prepared, plan.throughput_count, plan.concurrency)
    cpu_per_interaction = (summit.cpu_seconds() - cpu_before) / plan.throughput_count * 1000
    harness = (time.process_time() - harness_before) / plan.throughput_count * 1000
    base_cpu_before = baseline.cpu_seconds()
    base_latencies, base_wall = await theirs.concurrent([constant], plan.throughput_count, plan.concurrency)
    base_cpu = (baseline.cpu_seconds() - base_cpu_before) / plan.throughput_count * 1000
    # The tail at the target rate: interactions sent every 2 ms whatever the answers (open loop).
    paced = await ours.paced(prepared, plan.paced_count, THROUGHPUT_TARGET)
    base_paced = await theirs.paced([constant], plan.paced_count, THROUGHPUT_TARGET)

    rate, base_rate = plan.throughput_count / wall, plan.throughput_count / base_wall
    p99, base_p99_load = percentile(latencies, 0.99), percentile(base_latencies, 0.99)
    paced_p99, base_paced_p99 = percentile(paced, 0.99), percentile(base_paced, 0.99)
    where = f"{plan.concurrency} in flight"
    at_target = f"at {THROUGHPUT_TARGET:.0f}/s"
    figures += [
        Figure(NAME, f"throughput ({where})", rate, "/s", base_rate, f"≥ {THROUGHPUT_TARGET:.0f}/s",
               rate >= THROUGHPUT_TARGET),
        Figure(NAME, f"latency p99 {at_target}", paced_p99 * 1000, "ms", base_paced_p99 * 1000, "< 100 ms",
               paced_p99 < THROUGHPUT_P99_TARGET),
        Figure(NAME, f"latency p50 {at_target}", percentile(paced, 0.5) * 1000, "ms",
               percentile(base_paced, 0.5) * 1000),
        Figure(NAME, f"latency p99 ({where})", p99 * 1000, "ms", base_p99_load * 1000),
        Figure(NAME, "bot CPU per interaction under load", cpu_per_interaction, "ms", base_cpu),
        Figure(NAME, "emulator CPU per interaction under load", harness, "ms"),
    ]  # fmt: skip
    return figures
