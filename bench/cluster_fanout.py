"""Cluster fan-out: 10,000 DMs sent by 3 processes sharing one PostgreSQL store, under one global limit
of 50 requests/s, beside the same fan-out from one process, in the same run.

Each "process" is the bot's own pacer (bot/pacing.py) in the aiohttp trace discord.py uses, with its own
store pool and, for the three, the shared budget (bot/cluster/rate_budget.py); each DMs its third of the
members, 16 at a time (reminders.max_concurrency). Reported for both: the share of the limit used
(bench/fanout.py's sustained rate), the 429s the emulator served, and members with no DM (lost) or more
than one (duplicated), counted in the emulator member by member. Targets: ≥ 95 %, 0, 0, 0.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import discord

from bot.cluster.rate_budget import shared_rate_budget
from bot.pacing import global_limit_pacer, paced_trace
from bot.sandbox import DiscordEmulator, Member
from bot.storage.database import open_database

from .fanout import SHARE_TARGET, sustained_rate
from .postgres import bench_database
from .reminder_rig import dm_channel_id, members_with_open_dms
from .results import Figure

NAME = "cluster_fanout"
GLOBAL_LIMIT = 50
PROCESSES = 3
CONCURRENCY = 16
FULL_MEMBERS = 10_000
QUICK_MEMBERS = 150  # three seconds at 50/s


@dataclass(frozen=True)
class Outcome:
    share: float  # % of the limit
    rate_limited: int
    lost: int
    duplicated: int


async def run(*, quick: bool) -> list[Figure]:
    members = QUICK_MEMBERS if quick else FULL_MEMBERS
    async with bench_database() as (url, reason):
        if url is None:
            return [Figure(NAME, f"skipped: {reason}", 0.0, "")]
        one = await _fan_out(url, members, processes=1)
        three = await _fan_out(url, members, processes=PROCESSES)
    what = f"{members} DMs, {PROCESSES} processes (baseline: 1 process)"
    return [
        Figure(NAME, f"share of the {GLOBAL_LIMIT}/s limit, {what}", three.share, "%", one.share,
               f"≥ {SHARE_TARGET:g} %", three.share >= SHARE_TARGET),
        Figure(NAME, f"429s, {what}", three.rate_limited, "", one.rate_limited, "0", three.rate_limited == 0),
        Figure(NAME, f"lost, {what}", three.lost, "", one.lost, "0", three.lost == 0),
        Figure(NAME, f"duplicated, {what}", three.duplicated, "", one.duplicated, "0", three.duplicated == 0),
    ]  # fmt: skip


@contextlib.asynccontextmanager
async def _api_base(url: str) -> AsyncIterator[None]:
    # The pacer knows Discord's REST calls by discord.py's base URL: the emulator's here.
    before = discord.http.Route.BASE
    discord.http.Route.BASE = url
    try:
        yield
    finally:
        discord.http.Route.BASE = before


async def _fan_out(store_url: str, count: int, *, processes: int) -> Outcome:
    async with DiscordEmulator(global_rate_limit=GLOBAL_LIMIT, request_log_size=2 * count) as emulator:
        guild = emulator.create_guild("Summit Community")
        members = members_with_open_dms(emulator, guild, count, "follower")
        async with _api_base(emulator.api_base_url):
            parts = [members[n::processes] for n in range(processes)]
            await asyncio.gather(*(_process(emulator, store_url, part) for part in parts))
        times = [record.time for record in emulator.requests if record.status != 429]
        counts = [len(emulator.dm_messages(member)) for member in members]
        return Outcome(
            share=round(100 * sustained_rate(times) / GLOBAL_LIMIT, 1),
            rate_limited=emulator.stats.rate_limited,
            lost=counts.count(0),
            duplicated=sum(1 for n in counts if n > 1),
        )


async def _process(emulator: DiscordEmulator, store_url: str, members: list[Member]) -> None:
    """One process: its own pool and pacer (shared budget on PostgreSQL), its members' DMs 16 at a time."""
    database = await open_database(store_url)
    try:
        pacer = global_limit_pacer(GLOBAL_LIMIT, shared=shared_rate_budget(database, GLOBAL_LIMIT))
        headers = {"Authorization": f"Bot {emulator.token}"}
        gate = asyncio.Semaphore(CONCURRENCY)
        async with aiohttp.ClientSession(trace_configs=[paced_trace(pacer)]) as http:

            async def one(member: Member) -> None:
                url = f"{emulator.api_base_url}/channels/{dm_channel_id(emulator, member)}/messages"
                async with gate:
                    # A 429 is retried after the wait it names, as discord.py does.
                    while True:
                        async with http.post(url, headers=headers, json={"content": "⏰ in 1 hour"}) as response:
                            if response.status != 429:
                                response.raise_for_status()
                                return
                            await asyncio.sleep(float((await response.json())["retry_after"]))

            await asyncio.gather(*(one(member) for member in members))
    finally:
        await database.close()
