"""The shared global limit (bot/cluster/rate_budget.py) on a real PostgreSQL store, and the pacer's use of it."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.cluster.rate_budget import SharedRateBudget, shared_rate_budget
from bot.pacing import Pacer
from bot.storage.database import open_database


async def test_two_budgets_on_one_store_share_the_limit_and_wait_for_the_oldest_to_leave(postgres_url: str) -> None:
    first, second = await open_database(postgres_url, migrate=False), await open_database(postgres_url, migrate=False)
    try:
        a = SharedRateBudget(first, 3, window=0.4, slack=0.0)
        b = SharedRateBudget(second, 3, window=0.4, slack=0.0)
        loop = asyncio.get_running_loop()
        began = loop.time()
        await a.take()
        await b.take()
        await a.take()
        assert loop.time() - began < 0.4, "three fit in the span"
        await b.take()  # the fourth, from either process, waits for the first to leave the span
        assert loop.time() - began >= 0.4 - 0.02  # the store's clock, not this machine's
    finally:
        await first.close()
        await second.close()


async def test_an_unreachable_store_lets_the_request_go_and_says_so_once(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    database = await open_database(postgres_url, migrate=False)
    budget = SharedRateBudget(database, 1, window=60.0)
    await budget.take()
    await database.close()  # as if PostgreSQL went away: the process goes on under its own pacer
    with caplog.at_level(logging.WARNING, logger="bot.cluster.rate_budget"):
        await asyncio.wait_for(budget.take(), 5)
        await asyncio.wait_for(budget.take(), 5)
    assert [r.getMessage() for r in caplog.records].count(caplog.records[0].getMessage()) == 1
    assert "pacing this process alone" in caplog.records[0].getMessage()


async def test_on_sqlite_there_is_no_shared_budget(tmp_path: Path) -> None:
    database = await open_database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    try:
        assert shared_rate_budget(database, 50.0) is None
    finally:
        await database.close()


async def test_the_pacer_asks_the_shared_limit_once_per_request_after_its_own_rule() -> None:
    asked: list[int] = []
    pacer: Pacer

    class Recording:
        async def take(self) -> None:
            asked.append(pacer.granted)

    pacer = Pacer(2, 0.05, shared=Recording())
    for _ in range(3):
        (await pacer.acquire()).finish()
    assert asked == [0, 1, 2]  # each asked before it was granted, in order
