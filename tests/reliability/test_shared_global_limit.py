"""One global limit for all processes: three pacers on one PostgreSQL store, each with its own pool, send
as fast as they can against the emulator's 50/s global limit: no 429, and together they use ≥ 95 % of it.

Each pacer is the bot's own (bot/pacing.py with the shared budget of bot/cluster/rate_budget.py) in the
aiohttp trace discord.py uses; only the processes are stood for by three sessions in this test process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest

from bench.fanout import sustained_rate
from bot.cluster.rate_budget import shared_rate_budget
from bot.pacing import global_limit_pacer, paced_trace
from bot.sandbox import DiscordEmulator
from bot.storage.database import open_database
from bot.storage.repositories.rate_budget import RateBudgetRepository

LIMIT = 50
PROCESSES = 3
SECONDS = 3.5
IN_FLIGHT = 30  # requests each process keeps waiting at once: far more than its share


@contextlib.asynccontextmanager
async def _api_base(url: str) -> AsyncIterator[None]:
    # The pacer recognises Discord's REST calls by discord.py's base URL: the emulator's here.
    before = discord.http.Route.BASE
    discord.http.Route.BASE = url
    try:
        yield
    finally:
        discord.http.Route.BASE = before


async def _flood(emulator: DiscordEmulator, store_url: str, until: float) -> int:
    """One process: its own store pool and pacer, sending GET /users/@me until `until` (loop time)."""
    database = await open_database(store_url, migrate=False)
    try:
        pacer = global_limit_pacer(LIMIT, shared=shared_rate_budget(database, LIMIT))
        headers = {"Authorization": f"Bot {emulator.token}"}
        sent = 0
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession(trace_configs=[paced_trace(pacer)]) as http:

            async def worker() -> None:
                nonlocal sent
                while loop.time() < until:
                    async with http.get(f"{emulator.api_base_url}/users/@me", headers=headers) as response:
                        await response.read()
                        sent += 1

            await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
        return sent
    finally:
        await database.close()


@pytest.mark.timeout(60)
async def test_three_processes_share_one_global_limit(postgres_url: str) -> None:
    async with DiscordEmulator(global_rate_limit=LIMIT) as emulator, _api_base(emulator.api_base_url):
        until = asyncio.get_running_loop().time() + SECONDS
        sent = await asyncio.gather(*(_flood(emulator, postgres_url, until) for _ in range(PROCESSES)))

        assert emulator.stats.rate_limited == 0, "the processes together went over the global limit"
        assert all(count > 0 for count in sent), sent  # each process had its turn
        times = [record.time for record in emulator.requests if record.path.endswith("/users/@me")]
        assert len(times) == sum(sent)
        share = sustained_rate(times) / LIMIT
        assert share >= 0.95, f"{share:.1%} of the limit used"
        emulator.assert_no_spec_violations()


async def test_budget_refuses_the_request_over_the_limit_and_says_how_long_to_wait(postgres_url: str) -> None:
    database = await open_database(postgres_url, migrate=False)
    try:
        budget = RateBudgetRepository(database)
        places = [await budget.try_start(limit=3, span=5.0) for _ in range(3)]
        assert all(place is not None and wait == 0.0 for place, wait in places)
        assert await budget.try_start(limit=3, span=5.0) == (None, 5.0)  # none answered: a window at least
        await budget.answered(places[0][0])
        place, wait = await budget.try_start(limit=3, span=5.0)
        assert place is None and 4.0 < wait <= 5.0  # until the answered one leaves the span
        assert await budget.held(5.0) == 3, "the refused ones are not recorded"
        assert (await budget.try_start(limit=4, span=5.0))[0] is not None
    finally:
        await database.close()
