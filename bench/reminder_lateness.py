"""Reminder lateness: (time the DM reached the emulator − its due time), p50/p99/max, for 1,000 reminders
due within one minute and 1,000 spread over ten minutes, against a bare scheduler on the same emulator.

summit-bot runs in this process, on an injected clock that the emulator shares, with its settings as
shipped (global limit 50/s, paced at 49 a second: bot/pacing.py) and the emulator enforcing Discord's
50 requests/s. Each member follows one event; due times fall on whole seconds, spread evenly
(about 17 per second within the minute, 1 or 2 per second over ten minutes). Every member's DM channel
is already known, so each reminder is one request.

Ten minutes without waiting ten minutes: once everything due so far has reached the emulator, the
harness moves the clock forward to just before the next due second (`WarpClock.jump_to`) and tells
the runtime, as a subscription change would (`on_reminder_change`), so it re-plans that event's jobs
on the moved clock; real time then runs through the due second. Nothing is measured across a jump.

The baseline is a bare scheduler: one `loop.call_at` timer per reminder, each posting the same DM
(rendered the same way) through discord.py's `send()` — no store, no ledger, no pacing — moved the same
way at each jump.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.sandbox import DiscordEmulator

from .reminder_rig import (
    HOUR,
    BareScheduler,
    Schedule,
    WarpClock,
    bare_client,
    bot_settings,
    delivered,
    emulator_for,
    lateness_ms,
    members_with_open_dms,
    replan,
    runtime_of,
    spread,
    store_events,
    summit_bot,
)
from .results import Figure, percentile

NAME = "reminder_lateness"
TARGET_MS = 250.0
GLOBAL_LIMIT = 50  # Discord's global limit for a bot, requests per second
LEAD_IN = timedelta(milliseconds=500)  # the clock starts this long before the first due time
# After a jump the next due time is this far ahead: re-planning one event's jobs takes ~3 ms.
MARGIN = timedelta(milliseconds=50)


@dataclass(frozen=True)
class Case:
    count: int
    seconds: int
    warp: bool

    @property
    def label(self) -> str:
        span = f"{self.seconds // 60} min" if self.seconds >= 60 and not self.seconds % 60 else f"{self.seconds} s"
        return f"{self.count:,} due over {span}"


FULL = (Case(1000, 60, warp=False), Case(1000, 600, warp=True))
QUICK = (Case(34, 2, warp=False), Case(20, 60, warp=True))  # 17 a second, as 1,000 a minute


async def run(*, quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    for case in QUICK if quick else FULL:
        ours, theirs = await _measure(case)
        for label, fraction in (("p50", 0.50), ("p99", 0.99), ("max", 1.0)):
            value, base = percentile(ours, fraction), percentile(theirs, fraction)
            target, met = (f"≤ {TARGET_MS:g} ms", value <= TARGET_MS) if label == "p99" else ("", None)
            figures.append(Figure(NAME, f"{case.label}: lateness {label}", value, "ms", base, target, met))
    return figures


async def _measure(case: Case) -> tuple[list[float], list[float]]:
    clock = WarpClock()
    async with emulator_for(clock, global_rate_limit=GLOBAL_LIMIT) as emulator:
        guild = emulator.create_guild("Summit Community")
        ours_members = members_with_open_dms(emulator, guild, case.count, "ours")
        base_members = members_with_open_dms(emulator, guild, case.count, "bare")
        with tempfile.TemporaryDirectory(prefix="summit-bench-") as scratch_dir:
            scratch = Path(scratch_dir)
            settings = bot_settings(emulator, scratch / "bot.sqlite3", global_rate_limit=GLOBAL_LIMIT)
            start = clock.next_minute(HOUR)  # far enough that every job is in the future at start-up
            ours = spread(ours_members, start, case.seconds)
            await store_events(settings, clock, emulator, guild, ours, start)
            async with summit_bot(settings, emulator, clock) as bot:
                await _play(ours, clock, emulator, case, lambda group: replan(bot, guild, ours.events[group]))
                await runtime_of(bot).idle()  # the last ledger marks, before the store closes
            ours_ms = lateness_ms(emulator, ours)

            base_settings = bot_settings(emulator, scratch / "baseline-events.sqlite3")
            start = clock.next_minute(HOUR)
            theirs = spread(base_members, start, case.seconds)
            await store_events(base_settings, clock, emulator, guild, theirs, start, followers=False)
            async with bare_client(emulator) as client:
                scheduler = BareScheduler(client, emulator, clock, guild)

                async def rearm(group: int) -> None:
                    scheduler.plan(theirs, group)

                await _play(theirs, clock, emulator, case, rearm)
                await scheduler.idle()
            theirs_ms = lateness_ms(emulator, theirs)
    return ours_ms, theirs_ms


async def _play(schedule: Schedule, clock: WarpClock, emulator: DiscordEmulator, case: Case,
                plan: Callable[[int], Awaitable[None]]) -> None:  # fmt: skip
    """Run the schedule through: jump to just before it, then (with warps) skip each idle stretch."""
    instants = schedule.instants
    before = emulator.stats.messages
    jumps = 0
    planned_at: dict[int, int] = {}  # group → the jump count when it was last planned

    async def plan_for(due: datetime) -> None:
        group = schedule.group_at(due)
        if planned_at.get(group) != jumps:
            planned_at[group] = jumps
            await plan(group)

    clock.jump_to(instants[0] - LEAD_IN)
    await plan_for(instants[0])
    if not case.warp:
        await delivered(emulator, before + len(schedule.reminders), timeout=case.seconds + 120)
        return
    for number, due in enumerate(instants):
        await delivered(emulator, before + schedule.count_until(due), timeout=60)
        if number + 1 < len(instants):
            following = instants[number + 1]
            if following - clock.now() > MARGIN:
                clock.jump_to(following - MARGIN)
                jumps += 1
            await plan_for(following)
