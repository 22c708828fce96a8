"""Reminders with no single owner, with real bot processes on one PostgreSQL store and one emulator: every
process fans out a due reminder (the ledger's primary key splits the members between them). In each
trial one process is SIGKILLed at a random point of a fan-out and started again at once; the others
finish its work within the lease: every member reminded exactly once. At the end every process is
killed in the middle of a last fan-out and all are restarted: nothing lost, nothing doubled.

One cluster serves every trial: the trials' events are in the store before it starts (each process
plans every job at start), due one after the other. TRIALS in `make test`, 100 with SUMMIT_LONG=1."""

from __future__ import annotations

import asyncio
import os
import random
from datetime import timedelta

import pytest

from bot.config import validate_settings
from bot.sandbox import DiscordEmulator, Member
from bot.sandbox.sharding import ShardingLimits
from tests.helpers.cluster import Cluster
from tests.helpers.cluster_reminders import status_report, summit_status
from tests.helpers.fan_out import ledger_states, prepare_fan_out, reminded, wait_reminded

LONG = os.environ.get("SUMMIT_LONG") == "1"
TRIALS = 100 if LONG else 10
MEMBERS = 150  # per trial
# The last fan-out, cut by killing every process, must outlast the kills: at GLOBAL_LIMIT it takes ~1.5 s.
LAST_MEMBERS = 600
PROCESSES = 3
FIRST_DUE = 6.0  # seconds after the store is prepared: about when the cluster is ready
GAP = 3.0  # between two trials' due times: a fan-out, a takeover within the lease
LEASE = {"heartbeat_seconds": 0.25, "lease_seconds": 1}
GLOBAL_LIMIT = 400  # requests per second for the whole cluster (shared on PostgreSQL)

pytestmark = pytest.mark.timeout(90 + TRIALS * 4 * GAP)


def with_cluster_section(cluster: Cluster) -> None:
    """Short leases for the test: a [cluster] section in each process's settings file."""
    for process in cluster.processes:
        with process.config.open("a", encoding="utf-8") as config:
            config.write("[cluster]\n" + "".join(f"{key} = {value}\n" for key, value in LEASE.items()))


async def show_the_takeover(cluster: Cluster, victim: int, victim_pid: int, workdir, store_url: str) -> None:
    """`summit-bot status` while the victim is dead: a survivor takes over only once its lease ended."""
    survivors = [cluster.processes[i] for i in range(PROCESSES) if i != victim]
    waits = [asyncio.create_task(process.wait_for_log("taking over", 15)) for process in survivors]
    done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    done.pop().result()
    report = await status_report(workdir, store_url)
    alive = {entry["pid"]: entry["alive"] for entry in report["processes"]}
    assert alive[victim_pid] is False, report
    assert sorted(alive.values()) == [False, True, True], report
    text = await summit_status(workdir, store_url)
    assert "live processes: 2" in text and "dead processes (lease ended): 1" in text, text


def check_once(emulator: DiscordEmulator, members: list[Member], what: str) -> None:
    counts = reminded(emulator, members)
    assert counts == [1] * len(members), f"{what}: {counts.count(0)} lost, {sum(1 for n in counts if n > 1)} duplicated"


async def test_processes_killed_at_random_points_of_fan_outs_every_member_reminded_exactly_once(tmp_path, postgres_url):
    rng = random.Random(int(os.environ.get("SUMMIT_SEED", "12")))
    settings = validate_settings({"database": {"url": postgres_url}})
    limits = ShardingLimits(max_concurrency=PROCESSES, identify_window=0.0)
    async with DiscordEmulator(sharding=limits, global_rate_limit=None) as emulator:
        guild = emulator.create_guild("Summit Community")
        sizes = [MEMBERS] * TRIALS + [LAST_MEMBERS]
        trials = [[emulator.create_member(guild, f"t{k}m{n:03d}") for n in range(size)] for k, size in enumerate(sizes)]
        for k, members in enumerate(trials):
            await prepare_fan_out(settings, guild.id, [m.id for m in members], key=f"trial-{k}",
                                  due_in=timedelta(seconds=FIRST_DUE + k * GAP))  # fmt: skip
        cluster = Cluster(
            emulator, postgres_url, shard_count=PROCESSES, ranges=[str(i) for i in range(PROCESSES)],
            workdir=tmp_path, discord={"global_rate_limit": GLOBAL_LIMIT},
        )  # fmt: skip
        with_cluster_section(cluster)
        try:
            await cluster.start()
            for k, members in enumerate(trials[:TRIALS]):
                victim, kill_after = k % PROCESSES, rng.randrange(5, MEMBERS - 20)
                await wait_reminded(emulator, members, kill_after, timeout=30)
                victim_pid = cluster.processes[victim].process.pid
                await cluster.kill(victim)
                if k == 0:
                    await show_the_takeover(cluster, victim, victim_pid, tmp_path, postgres_url)
                restarted = asyncio.create_task(cluster.restart(victim))
                await wait_reminded(emulator, members, MEMBERS, timeout=15)
                check_once(emulator, members, f"trial {k} (process {victim} killed after {kill_after})")
                await restarted
            last = trials[TRIALS]
            await wait_reminded(emulator, last, LAST_MEMBERS // 4, timeout=30)
            await asyncio.gather(*(cluster.kill(number) for number in range(PROCESSES)))  # all at once
            assert sum(1 for n in reminded(emulator, last) if n) < LAST_MEMBERS, "all killed after the last fan-out"
            await cluster.start()
            await wait_reminded(emulator, last, LAST_MEMBERS, timeout=15)
            check_once(emulator, last, "every process killed and restarted")
            await cluster.stop()
        finally:
            await cluster.stop()
    assert await ledger_states(settings) == {"sent": MEMBERS * TRIALS + LAST_MEMBERS}
    # A kill in the middle of a fan-out leaves claims in flight: survivors took them over.
    taken = [line for number in range(PROCESSES) for line in cluster.log(number) if "taking over" in line]
    assert taken, "no kill left a claim to take over: the test did not exercise the takeover"
