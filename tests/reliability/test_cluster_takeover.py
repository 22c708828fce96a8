"""Reminders with no single owner, with real bot processes on one PostgreSQL store and one emulator: every
process fans out a due reminder (the ledger's primary key splits the members between them). In each
trial, a 1,000-member fan-out, one process is SIGKILLed at a random point and the others finish its work,
taking over its claims once its lease ends: every member reminded exactly once. The victim is started
again once its trial is over (so the takeover is the survivors'). At the end every process is killed in
the middle of one more fan-out and all are restarted: nothing lost, nothing doubled.

One cluster serves every trial: the fan-outs are in the store before it starts (each process plans every
job at start), due GAP apart: one event whose 1,000 followers each have one lead time per trial. TRIALS in
`make test`, 100 with SUMMIT_LONG=1; `pytest -s` prints a summary line (kill → last member reminded)."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from datetime import timedelta

import pytest

from bot.config import Settings, validate_settings
from bot.sandbox import DiscordEmulator
from bot.sandbox.sharding import ShardingLimits
from tests.helpers.cluster import Cluster
from tests.helpers.cluster_reminders import status_report, summit_status
from tests.helpers.dm_tally import DmTally
from tests.helpers.fan_out import ledger_states, prepare_fan_outs

LONG = os.environ.get("SUMMIT_LONG") == "1"
TRIALS = 100 if LONG else 10
MEMBERS = 1000  # per trial, the same members each time (one lead time per trial)
PROCESSES = 3
FIRST_DUE = 6.0  # seconds after the store is prepared: about when the cluster is ready (a late start catches up)
# Between two trials' due times: a fan-out of MEMBERS (~5 s here) and its takeover, on a busy 2-core machine.
# Longer in the long loop: a process started late in it also runs (and finds done) every earlier job.
GAP = 10.0 if LONG else 6.5
STATUS_SLACK = 3.5  # after the first trial, which also runs `summit-bot status` twice
# Before the ending: the last victim is running again (a start takes ~3 s; late in the long loop, ~10 s).
RESTART_SLACK = 12.0 if LONG else 3.5
# The ending (every process killed) uses the first of these spare fan-outs that is not yet a quarter through
# when the test gets there: a busy machine can leave the test behind schedule. The ending and the stop take
# well under ENDING_GAP, so the spares after it never start (and cost nothing).
ENDINGS = 3
ENDING_GAP = 45.0
LEASE = {"heartbeat_seconds": 0.25, "lease_seconds": 1}  # short, for the test
GLOBAL_LIMIT = 1000  # per second for the whole cluster (shared on PostgreSQL): above the ~200 DMs/s 3 processes reach
WAIT = 45.0  # longest wait for a kill point or a fan-out's end: a stuck fan-out fails, it does not hang

pytestmark = pytest.mark.timeout(120 + TRIALS * 3 * GAP + ENDINGS * ENDING_GAP)


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


def check_once(tally: DmTally, k: int, what: str) -> None:
    counts = tally.counts(k)
    assert counts == [1] * MEMBERS, f"{what}: {counts.count(0)} lost, {sum(1 for n in counts if n > 1)} duplicated"


async def settle_left_claims(cluster: Cluster, settings: Settings) -> int:
    """A clean stop lets the sends under way get Discord's answer (bot/reminders/runtime.py, up to 5 s), so
    normally none is left claimed; one left by a send longer than that would be settled by the next start
    (the nonce: no second DM): one process started and stopped again shows it. How many there were."""
    left = (await ledger_states(settings)).get("claimed", 0)
    if left:
        await cluster.restart(0)
        await cluster.processes[0].wait_for_log(r"reminders started: [1-9]\d* unconfirmed claim", WAIT)
        await cluster.stop()
    return left


async def what_went_on(cluster: Cluster, settings: Settings) -> str:
    """For a failure: the ledger's states and each process's latest lines that matter."""
    marks = ("WARNING", "ERROR", "taking over", "finished", "reminders started", "gone")
    lines = [f"ledger: {await ledger_states(settings)}"]
    for i in range(PROCESSES):
        said = [line for line in cluster.log(i) if any(mark in line for mark in marks)]
        lines += [f"process {i} (running: {cluster.processes[i].running}):", *(f"  {line}" for line in said[-12:])]
    return "\n".join(lines)


def took_over(cluster: Cluster, survivors: list[int], marks: dict[int, int]) -> bool:
    """Whether a survivor logged a takeover since `marks` (its log's length at the kill)."""
    return any("taking over" in line for i in survivors for line in cluster.log(i)[marks[i] :])


async def test_processes_killed_at_random_points_of_fan_outs_every_member_reminded_exactly_once(tmp_path, postgres_url):
    began = time.monotonic()
    rng = random.Random(int(os.environ.get("SUMMIT_SEED", "12")))
    settings = validate_settings({"database": {"url": postgres_url}})
    limits = ShardingLimits(max_concurrency=PROCESSES, identify_window=0.0)
    async with DiscordEmulator(sharding=limits, global_rate_limit=None, request_log_size=1000) as emulator:
        guild = emulator.create_guild("Summit Community")
        members = [emulator.create_member(guild, f"follower{n:04d}") for n in range(MEMBERS)]
        dues = [FIRST_DUE + k * GAP + (STATUS_SLACK if k else 0.0) for k in range(TRIALS)]
        dues += [dues[-1] + GAP + RESTART_SLACK + j * ENDING_GAP for j in range(ENDINGS)]
        fan_outs = await prepare_fan_outs(settings, guild.id, [m.id for m in members],
                                          due_in=[timedelta(seconds=due) for due in dues])  # fmt: skip
        tally = DmTally(emulator, fan_outs, members)
        cluster = Cluster(
            emulator, postgres_url, shard_count=PROCESSES, ranges=[str(i) for i in range(PROCESSES)],
            workdir=tmp_path, discord={"global_rate_limit": GLOBAL_LIMIT}, cluster=LEASE,
        )  # fmt: skip
        restarts: dict[int, asyncio.Task[None]] = {}
        takeover_seconds: list[float] = []
        taken_over = settled = 0
        ending = TRIALS
        try:
            await cluster.start()
            for k in range(TRIALS):
                victim, kill_after = k % PROCESSES, rng.randrange(5, MEMBERS - 50)
                if victim in restarts:
                    await restarts.pop(victim)  # killed three trials ago: running again
                await tally.wait(k, kill_after, timeout=WAIT)
                survivors = [i for i in range(PROCESSES) if i != victim]
                marks = {i: len(cluster.log(i)) for i in survivors}
                victim_pid = cluster.processes[victim].process.pid
                killed_at = emulator.world.now()
                assert tally.reached(k) < MEMBERS, f"trial {k}: its fan-out was over before the kill (GAP too short?)"
                await cluster.kill(victim)
                if k == 0:
                    await show_the_takeover(cluster, victim, victim_pid, tmp_path, postgres_url)
                await tally.wait(k, MEMBERS, timeout=WAIT)
                check_once(tally, k, f"trial {k} (process {victim} killed after {kill_after})")
                last_at = tally.last_at(k)
                assert last_at is not None
                takeover_seconds.append((last_at - killed_at).total_seconds())
                taken_over += took_over(cluster, survivors, marks)
                restarts[victim] = asyncio.create_task(cluster.restart(victim))  # awaited before its next kill
            await asyncio.gather(*restarts.values())
            spares = [TRIALS + j for j in range(ENDINGS) if tally.reached(TRIALS + j) < MEMBERS // 4]
            assert spares, f"the test is more than {ENDINGS} spare fan-outs behind its schedule"
            ending = spares[0]
            await tally.wait(ending, MEMBERS // 4, timeout=ENDING_GAP * ENDINGS + WAIT)
            await asyncio.gather(*(cluster.kill(number) for number in range(PROCESSES)))  # all at once
            assert tally.reached(ending) < MEMBERS, "all killed after the ending's fan-out"
            await cluster.start()
            for k in range(TRIALS, ending + 1):  # a spare passed over finishes too
                await tally.wait(k, MEMBERS, timeout=WAIT)
            await cluster.stop()
            settled = await settle_left_claims(cluster, settings)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n{await what_went_on(cluster, settings)}") from None
        finally:
            for task in restarts.values():
                task.cancel()
            await asyncio.gather(*restarts.values(), return_exceptions=True)
            await cluster.stop()
        # Counted again once every process is stopped: a DM that came late would show here.
        begun = [k for k in range(TRIALS + ENDINGS) if tally.reached(k)]
        counts = [tally.counts(k) for k in begun]
    lost = [row.count(0) for row in counts]
    duplicated = [sum(1 for n in row if n > 1) for row in counts]
    print(
        f"\ncluster takeover: {TRIALS} trials + 1 with every process killed (spare {ending - TRIALS}), "
        f"{TRIALS + PROCESSES} SIGKILLs, {MEMBERS:,} members per fan-out ({len(begun) * MEMBERS:,} reminders in "
        f"{len(begun)} fan-outs): {sum(lost)} lost, "
        f"{sum(duplicated)} duplicated; kill → last member reminded min / median / max "
        f"{min(takeover_seconds):.2f} / {statistics.median(takeover_seconds):.2f} / {max(takeover_seconds):.2f} s "
        f"(lease {LEASE['lease_seconds']} s); survivors took over claims in {taken_over} of {TRIALS} trials; "
        f"{settled} claim(s) left unconfirmed by the final clean stop, settled by a start; "
        f"{time.monotonic() - began:.0f} s"
    )
    assert sum(lost) + sum(duplicated) == 0, f"fan-outs {begun}: lost {lost}, duplicated {duplicated}"
    assert begun == list(range(ending + 1)), f"fan-outs begun: {begun} (the spares after the ending must not)"
    assert await ledger_states(settings) == {"sent": len(begun) * MEMBERS}
    # A kill in the middle of a fan-out leaves claims in flight: survivors took them over.
    assert taken_over > TRIALS // 2, f"survivors took over claims in only {taken_over} of {TRIALS} trials"
