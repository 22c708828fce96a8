"""Fan-out: 10,000 members following one event, reminded at once, under a global limit of 50 requests/s.

summit-bot runs in this process with its settings as shipped (global limit 50/s, every REST request
paced at 49 a second: bot/pacing.py); the emulator enforces 50 requests/s as Discord does.
Every member's DM channel is already known, so each reminder is one request. Reported: the share of the
limit used (requests accepted per second over the fan-out's whole seconds, over the limit), the
429s the emulator served, and the members who got no reminder (lost) or more than one (duplicated) —
counted in the emulator, member by member. The ledger must end with every row 'sent'.

Beside it, the baseline: a bare discord.py bot sending DMs 16 at a time (as many as summit-bot's sender)
with nothing but discord.py's own 429 handling.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.sandbox import DiscordEmulator, Member

from .reminder_rig import (
    HOUR,
    WarpClock,
    bare_client,
    bot_settings,
    delivered,
    dm_channel_id,
    emulator_for,
    members_with_open_dms,
    replan,
    runtime_of,
    spread,
    store_events,
    summit_bot,
)
from .results import Figure

NAME = "fanout"
GLOBAL_LIMIT = 50  # requests per second, enforced by the emulator
SHARE_TARGET = 95.0  # % of the limit
CONCURRENCY = 16  # summit-bot's reminders.max_concurrency default, given to the bare bot too
LEAD_IN = timedelta(milliseconds=500)


@dataclass(frozen=True)
class Plan:
    members: int
    baseline_members: int


FULL = Plan(members=10_000, baseline_members=2_000)
QUICK = Plan(members=200, baseline_members=200)  # long enough for 3 whole seconds


@dataclass(frozen=True)
class Outcome:
    members: int
    share: float  # % of the global limit
    rate_limited: int
    lost: int
    duplicated: int
    seconds: float


async def run(*, quick: bool) -> list[Figure]:
    plan = QUICK if quick else FULL
    ours = await _summit(plan.members)
    bare = await _bare(plan.baseline_members)
    who = f"{ours.members:,} DMs"
    base = f" (baseline: {bare.members:,})" if bare.members != ours.members else ""
    return [
        Figure(NAME, f"share of the {GLOBAL_LIMIT}/s limit used, {who}{base}", ours.share, "%", bare.share,
               f"≥ {SHARE_TARGET:g} %", ours.share >= SHARE_TARGET),
        Figure(NAME, f"429s received, {who}{base}", ours.rate_limited, "", bare.rate_limited, "0",
               ours.rate_limited == 0),
        Figure(NAME, f"lost, {who}{base}", ours.lost, "", bare.lost, "0", ours.lost == 0),
        Figure(NAME, f"duplicated, {who}{base}", ours.duplicated, "", bare.duplicated, "0", ours.duplicated == 0),
        Figure(NAME, f"fan-out time, {who}", ours.seconds, "s"),
    ]  # fmt: skip


async def _summit(count: int) -> Outcome:
    """summit-bot reminds `count` followers of one event; the emulator enforces the real 50/s."""
    clock = WarpClock()
    async with emulator_for(clock, global_rate_limit=GLOBAL_LIMIT) as emulator:
        guild = emulator.create_guild("Summit Community")
        members = members_with_open_dms(emulator, guild, count, "follower")
        with tempfile.TemporaryDirectory(prefix="summit-bench-") as scratch_dir:
            settings = bot_settings(emulator, Path(scratch_dir) / "bot.sqlite3", global_rate_limit=GLOBAL_LIMIT)
            start = clock.next_minute(HOUR)
            schedule = spread(members, start, 0)  # everyone due at the same instant
            await store_events(settings, clock, emulator, guild, schedule, start)
            async with summit_bot(settings, emulator, clock) as bot:
                before = _counters(emulator)
                clock.jump_to(start - LEAD_IN)
                await replan(bot, guild, schedule.events[0])
                await delivered(emulator, before[1] + count, timeout=count / 30 + 60)
                await runtime_of(bot).idle()
                states = await bot.database.fetch_all("SELECT state, count(*) AS n FROM reminder_deliveries"
                                                      " GROUP BY state")  # fmt: skip
            ledger = {row["state"]: row["n"] for row in states}
            if ledger != {"sent": count}:
                raise RuntimeError(f"the ledger should hold {count} 'sent' rows, not {ledger}")
            return _outcome(emulator, members, before)


async def _bare(count: int) -> Outcome:
    """A bare discord.py bot DMs `count` members, 16 at a time, as fast as discord.py lets it."""
    clock = WarpClock()
    async with emulator_for(clock, global_rate_limit=GLOBAL_LIMIT) as emulator:
        guild = emulator.create_guild("Summit Community")
        members = members_with_open_dms(emulator, guild, count, "bare")
        async with bare_client(emulator) as client:
            before = _counters(emulator)
            gate = asyncio.Semaphore(CONCURRENCY)

            async def one(member: Member) -> None:
                async with gate:
                    await client.get_partial_messageable(dm_channel_id(emulator, member)).send(
                        "⏰ AI Safety Forum starts in 1 hour."
                    )

            await asyncio.gather(*(one(member) for member in members))
        return _outcome(emulator, members, before)


def _counters(emulator: DiscordEmulator) -> tuple[int, int, int]:
    """(requests logged, bot messages, 429s) so far."""
    return len(emulator.requests), emulator.stats.messages, emulator.stats.rate_limited


def _outcome(emulator: DiscordEmulator, members: list[Member], before: tuple[int, int, int]) -> Outcome:
    requests = list(emulator.requests)[before[0] :]
    # Accepted requests only: a 429 is Discord saying no, not throughput.
    times = [record.time for record in requests if record.status != 429]
    if len(times) < 2:
        raise RuntimeError("the fan-out made fewer than two requests")
    counts = [len(emulator.dm_messages(member)) for member in members]
    return Outcome(
        members=len(members),
        share=round(100 * sustained_rate(times) / GLOBAL_LIMIT, 1),
        rate_limited=emulator.stats.rate_limited - before[2],
        lost=counts.count(0),
        duplicated=sum(1 for count in counts if count > 1),
        seconds=(times[-1] - times[0]).total_seconds(),
    )


def sustained_rate(times: list[datetime]) -> float:
    """Requests per second, averaged over the fan-out's whole seconds (counted from its first request),
    leaving out the first (a start-up burst) and the last, partial one; first to last when too short."""
    offsets = [(moment - times[0]).total_seconds() for moment in times]
    whole = int(offsets[-1])
    if whole < 3:
        return (len(offsets) - 1) / offsets[-1] if offsets[-1] > 0 else float("inf")
    per_second = Counter(int(offset) for offset in offsets)
    return sum(per_second[second] for second in range(1, whole)) / (whole - 1)
