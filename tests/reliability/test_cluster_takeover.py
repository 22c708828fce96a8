"""Reminders with no single owner, with real bot processes on one PostgreSQL store and one emulator: every
process fans out the due reminder (the ledger's primary key splits the members), one is SIGKILLed at a
random point, and the others finish its work within the lease: every member reminded exactly once. Then
every process is killed and restarted: nothing lost, nothing doubled.

Trials: TRIALS in `make test`, 100 with SUMMIT_LONG=1. Each trial is a new event's fan-out on the same
database; the processes are started for it (they plan the store's jobs at start)."""

from __future__ import annotations

import os
import random
from datetime import timedelta

import pytest

from bot.config import validate_settings
from bot.sandbox import DiscordEmulator
from bot.sandbox.sharding import ShardingLimits
from tests.helpers.cluster import Cluster
from tests.helpers.fan_out import ledger_states, prepare_fan_out, reminded, wait_reminded

LONG = os.environ.get("SUMMIT_LONG") == "1"
TRIALS = 100 if LONG else 2
MEMBERS = 300
PROCESSES = 3
LEASE = {"heartbeat_seconds": 0.5, "lease_seconds": 2}
PER_PROCESS_LIMIT = 150  # requests per second each process paces itself to: a fan-out of a few seconds

pytestmark = pytest.mark.timeout(60 + TRIALS * 40)


def with_cluster_section(cluster: Cluster) -> None:
    """Short leases for the test: a [cluster] section in each process's settings file."""
    for process in cluster.processes:
        with process.config.open("a", encoding="utf-8") as config:
            config.write("[cluster]\n" + "".join(f"{key} = {value}\n" for key, value in LEASE.items()))


async def test_sigkill_one_of_three_processes_mid_fan_out_every_member_reminded_exactly_once(tmp_path, postgres_url):
    rng = random.Random(int(os.environ.get("SUMMIT_SEED", "12")))
    settings = validate_settings({"database": {"url": postgres_url}})
    limits = ShardingLimits(max_concurrency=PROCESSES, identify_window=0.0)
    async with DiscordEmulator(sharding=limits, global_rate_limit=None) as emulator:
        guild = emulator.create_guild("Summit Community")
        cluster = Cluster(
            emulator, postgres_url, shard_count=PROCESSES, ranges=[str(i) for i in range(PROCESSES)],
            workdir=tmp_path, discord={"global_rate_limit": PER_PROCESS_LIMIT},
        )  # fmt: skip
        with_cluster_section(cluster)
        try:
            for trial in range(TRIALS):
                members = [emulator.create_member(guild, f"t{trial}m{n:03d}") for n in range(MEMBERS)]
                await prepare_fan_out(settings, guild.id, [m.id for m in members], due_in=timedelta(seconds=2),
                                      key=f"trial-{trial}")  # fmt: skip
                await cluster.start()
                victim, kill_after = rng.randrange(PROCESSES), rng.randrange(10, MEMBERS - 50)
                await wait_reminded(emulator, members, kill_after, timeout=30)
                await cluster.kill(victim)
                # The survivors finish, the victim's claims within its lease and the sweep (lease / 2).
                await wait_reminded(emulator, members, MEMBERS, timeout=20)
                counts = reminded(emulator, members)
                assert counts == [1] * MEMBERS, (
                    f"trial {trial} (process {victim} killed after {kill_after}): {counts.count(0)} lost,"
                    f" {sum(1 for n in counts if n > 1)} duplicated"
                )
                await cluster.stop()
                senders = {number for number in range(PROCESSES) if _sent_any(cluster.log(number))}
                assert len(senders) >= 2, f"trial {trial}: the fan-out was not shared ({senders})"
        finally:
            await cluster.stop()
    states = await _states(settings)
    assert states == {"sent": MEMBERS * TRIALS}, states
    # A kill in the middle of a fan-out leaves claims in flight (16 at a time): a survivor took them over.
    taken = [line for number in range(PROCESSES) for line in cluster.log(number) if "taking over" in line]
    assert taken, "no kill left a claim to take over: the test did not exercise the takeover"


async def test_every_process_killed_mid_fan_out_and_restarted_nothing_lost_nothing_doubled(tmp_path, postgres_url):
    settings = validate_settings({"database": {"url": postgres_url}})
    limits = ShardingLimits(max_concurrency=PROCESSES, identify_window=0.0)
    async with DiscordEmulator(sharding=limits, global_rate_limit=None) as emulator:
        guild = emulator.create_guild("Summit Community")
        members = [emulator.create_member(guild, f"member{n:03d}") for n in range(MEMBERS)]
        cluster = Cluster(
            emulator, postgres_url, shard_count=PROCESSES, ranges=[str(i) for i in range(PROCESSES)],
            workdir=tmp_path, discord={"global_rate_limit": PER_PROCESS_LIMIT},
        )  # fmt: skip
        with_cluster_section(cluster)
        await prepare_fan_out(settings, guild.id, [m.id for m in members], due_in=timedelta(seconds=2))
        try:
            await cluster.start()
            await wait_reminded(emulator, members, MEMBERS // 3, timeout=30)
            for number in range(PROCESSES):
                await cluster.kill(number)
            at_kill = sum(1 for n in reminded(emulator, members) if n)
            assert at_kill < MEMBERS, "killed after the fan-out: not in its middle"
            await cluster.start()  # on this host: the killed pids are gone, their claims taken over at once
            await wait_reminded(emulator, members, MEMBERS, timeout=30)
            await cluster.stop()
        finally:
            await cluster.stop()
    assert reminded(emulator, members) == [1] * MEMBERS
    assert await _states(settings) == {"sent": MEMBERS}


def _sent_any(lines: list[str]) -> bool:
    return any("finished" in line and "sent=" in line and "sent=0 " not in line for line in lines)


async def _states(settings) -> dict[str, int]:
    return await ledger_states(settings)
