"""Cluster takeover: a 10,000-DM fan-out by 3 real bot processes (`python -m bot run`, one shard each) on one
PostgreSQL store under Discord's 50 requests/s, one of them SIGKILLed halfway and not restarted; beside the
same fan-out by one process and no kill, in the same run.

Every process runs the due job and the ledger splits the members, so the survivors go on at once with the
members nobody has claimed; the victim's claims in flight wait until its lease has ended (the default: 30 s,
renewed every 5 s, dead processes swept every 15 s), then a survivor takes them over and settles them by the
nonce (a message that left before the kill is not sent twice). Reported: the share of the limit (bench/
fanout.py's sustained rate of the DMs), the 429s the emulator served, members with no DM (lost) or more than
one (duplicated), counted in the emulator; the time for the whole fan-out; from the kill to the first takeover
a survivor logs (target: the bound docs/reminders.md gives, lease × 1.5 plus a heartbeat), and from the kill
to the last member reminded (baseline: the one process's second half, from its halfway member on).

The processes are tests/helpers/cluster.py's (the harness of the multi-process tests); their DM channels are
known (one request per DM, as bench/cluster_fanout.py). Quick: 600 members and a 1 s lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.config import ClusterSettings, validate_settings
from bot.sandbox import DiscordEmulator
from bot.sandbox.sharding import ShardingLimits
from tests.helpers.bot_process import BotProcess
from tests.helpers.cluster import Cluster
from tests.helpers.dm_tally import DmTally
from tests.helpers.fan_out import prepare_fan_outs

from .fanout import SHARE_TARGET, sustained_rate
from .postgres import bench_database
from .reminder_rig import dm_channel_id, members_with_open_dms
from .results import Figure

NAME = "cluster_takeover"
GLOBAL_LIMIT = 50
PROCESSES = 3
VICTIM = PROCESSES - 1
FULL_MEMBERS = 10_000
QUICK_MEMBERS = 600
QUICK_LEASE = ClusterSettings(heartbeat_seconds=0.25, lease_seconds=1)
DM_ROUTE = "POST /channels/{channel_id}/messages"
PATTERN_TAKEOVER = "taking over"  # bot/reminders/runtime.py's log line


@dataclass(frozen=True)
class Outcome:
    share: float  # % of the limit
    rate_limited: int
    lost: int
    duplicated: int
    seconds: float  # first DM → last member reminded
    second_half: float  # halfway (the kill, if any) → last member reminded
    takeover: float | None = None  # kill → first takeover a survivor logs; None: none within the wait


async def run(*, quick: bool) -> list[Figure]:
    count = QUICK_MEMBERS if quick else FULL_MEMBERS
    lease = QUICK_LEASE if quick else ClusterSettings()
    one = await _fan_out(count, processes=1, lease=lease)
    if isinstance(one, str):
        return [Figure(NAME, f"skipped: {one}", 0.0, "")]
    three = await _fan_out(count, processes=PROCESSES, lease=lease)
    if isinstance(three, str):
        return [Figure(NAME, f"skipped: {three}", 0.0, "")]
    what = f"{count:,} DMs, {PROCESSES} processes, one SIGKILLed halfway (baseline: 1 process, no kill)"
    leases = f"lease {lease.lease_seconds:g} s, heartbeat {lease.heartbeat_seconds:g} s"
    bound = 1.5 * lease.lease_seconds + lease.heartbeat_seconds
    took = math.nan if three.takeover is None else three.takeover
    return [
        Figure(NAME, f"share of the {GLOBAL_LIMIT}/s limit, {what}", three.share, "%", one.share,
               f"≥ {SHARE_TARGET:g} %", three.share >= SHARE_TARGET),
        Figure(NAME, f"429s, {what}", three.rate_limited, "", one.rate_limited, "0", three.rate_limited == 0),
        Figure(NAME, f"lost, {what}", three.lost, "", one.lost, "0", three.lost == 0),
        Figure(NAME, f"duplicated, {what}", three.duplicated, "", one.duplicated, "0", three.duplicated == 0),
        Figure(NAME, f"first DM → last member reminded, {what}", three.seconds, "s", one.seconds),
        Figure(NAME, f"kill → first takeover by a survivor ({leases})", took, "s", None, f"≤ {bound:g} s",
               three.takeover is not None and three.takeover <= bound),
        Figure(NAME, f"kill → last member reminded ({leases}; baseline: 1 process, halfway → last)",
               three.second_half, "s", one.second_half),
    ]  # fmt: skip


async def _fan_out(count: int, *, processes: int, lease: ClusterSettings) -> Outcome | str:
    """One fan-out of `count` DMs by `processes` processes; with more than one, VICTIM is SIGKILLed halfway.
    A database of its own: nothing the other run left (a claim its stop left unconfirmed) is taken over here.
    Why not, when there is no PostgreSQL."""
    async with bench_database() as (url, reason):
        if url is None:
            return reason
        with tempfile.TemporaryDirectory(prefix="summit-bench-") as workdir:  # the processes' settings files
            return await _fan_out_in(Path(workdir), url, count, processes=processes, lease=lease)


async def _fan_out_in(workdir: Path, store_url: str, count: int, *, processes: int, lease: ClusterSettings) -> Outcome:
    limits = ShardingLimits(max_concurrency=processes, identify_window=0.0)
    async with DiscordEmulator(global_rate_limit=GLOBAL_LIMIT, request_log_size=3 * count, sharding=limits) as emulator:
        guild = emulator.create_guild("Summit Community")
        members = members_with_open_dms(emulator, guild, count, "follower")
        # Due once the store is written (~2 ms a member) and the processes are up: they plan it at start. The
        # event starts long after the fan-out's end: a claim taken over once it has started would be skipped.
        due_in = timedelta(seconds=20 + 0.003 * count)
        fan_outs = await prepare_fan_outs(
            validate_settings({"database": {"url": store_url}}), guild.id, [member.id for member in members],
            due_in=[due_in], key=f"takeover-{processes}", starts_after=timedelta(seconds=3 * count / GLOBAL_LIMIT),
            dm_channels={member.id: dm_channel_id(emulator, member) for member in members},
        )  # fmt: skip
        tally = DmTally(emulator, fan_outs, members)
        longest = due_in.total_seconds() + 3 * count / GLOBAL_LIMIT + 120  # a stuck fan-out fails, it does not hang
        cluster = Cluster(
            emulator, store_url, shard_count=processes, ranges=[str(i) for i in range(processes)], workdir=workdir,
            discord={"global_rate_limit": GLOBAL_LIMIT}, cluster=lease.model_dump(), ready_timeout=120, level="INFO",
        )  # fmt: skip
        async with cluster:
            await tally.wait(0, count // 2, timeout=longest)
            halfway = emulator.world.now()
            takeover: float | None = None
            if processes > 1:
                survivors = [cluster.processes[i] for i in range(processes) if i != VICTIM]
                await cluster.kill(VICTIM)
                taken_at = await _next_takeover(emulator, survivors, 3 * lease.lease_seconds + 30)
                takeover = None if taken_at is None else (taken_at - halfway).total_seconds()
            await tally.wait(0, count, timeout=longest)
            first, last = tally.first_at(0), tally.last_at(0)
            assert first is not None and last is not None
        counts = tally.counts(0)  # once every process has stopped: a DM that came late shows too
        times = [r.time for r in emulator.requests if r.route == DM_ROUTE and r.status != 429]
        return Outcome(
            share=round(100 * sustained_rate(times) / GLOBAL_LIMIT, 1),
            rate_limited=emulator.stats.rate_limited,
            lost=counts.count(0),
            duplicated=sum(1 for n in counts if n > 1),
            seconds=round((last - first).total_seconds(), 1),
            second_half=round((last - halfway).total_seconds(), 1),
            takeover=None if takeover is None else round(takeover, 1),
        )


async def _next_takeover(emulator: DiscordEmulator, survivors: list[BotProcess], seconds: float) -> datetime | None:
    """When a survivor next logs a takeover (the emulator's clock: the line is read as it is written); None if
    none does within `seconds`."""

    async def next_line(process: BotProcess) -> None:
        seen = sum(1 for line in process.log if PATTERN_TAKEOVER in line)
        await process.wait_for_log(PATTERN_TAKEOVER, seconds, nth=seen + 1)

    waits = [asyncio.create_task(next_line(process)) for process in survivors]
    try:
        for done in asyncio.as_completed(waits):
            with contextlib.suppress(AssertionError):  # this one logged none in time (or exited)
                await done
                return emulator.world.now()
        return None
    finally:
        for task in waits:
            task.cancel()
        await asyncio.gather(*waits, return_exceptions=True)
