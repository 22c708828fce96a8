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
        a = SharedRateBudget(first, 3, window=0.4)
        b = SharedRateBudget(second, 3, window=0.4)
        loop = asyncio.get_running_loop()
        places = [await a.take(), await b.take(), await a.take()]
        assert None not in places, "three places"
        fourth = asyncio.ensure_future(b.take())  # from either process, it waits for a place
        await a.answered(places[0])
        answered = loop.time()
        assert not fourth.done(), "an answer frees its place one window later, not at once"
        assert await asyncio.wait_for(fourth, 5) is not None
        assert loop.time() - answered >= 0.4 - 0.02  # the store's clock, not this machine's
    finally:
        await first.close()
        await second.close()


async def test_an_unreachable_store_lets_the_request_go_and_says_so_once(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    database = await open_database(postgres_url, migrate=False)
    budget = SharedRateBudget(database, 1, window=60.0)
    assert await budget.take() is not None
    await database.close()  # as if PostgreSQL went away: the process goes on under its own pacer
    with caplog.at_level(logging.WARNING, logger="bot.cluster.rate_budget"):
        assert await asyncio.wait_for(budget.take(), 5) is None
        assert await asyncio.wait_for(budget.take(), 5) is None
        await budget.answered(None)
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
    freed: list[object] = []
    pacer: Pacer

    class Recording:
        async def take(self) -> object:
            asked.append(pacer.granted)
            return f"place {pacer.granted}"

        async def answered(self, place: object) -> None:
            freed.append(place)

    pacer = Pacer(2, 0.05, shared=Recording())
    for _ in range(3):
        ticket = await pacer.acquire()
        await pacer.answered(ticket)
        await pacer.answered(ticket)  # told twice (an exception after the end): freed once
    assert asked == [0, 1, 2]  # each asked before it was granted, in order
    assert freed == ["place 0", "place 1", "place 2"]
