"""Fixtures of the reliability suite: `fresh_store`, a factory of fresh stores of one kind per test
(parametrized over SQLite and PostgreSQL), for tests that need several stores (one per trial)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.storage.dialect import StoreURL
from tests.helpers.stores import PostgresServer

StoreFactory = Callable[[Path], Awaitable[str]]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_server(request: pytest.FixtureRequest) -> PostgresServer | None:
    """None for SQLite, else the session's PostgreSQL server (a sync fixture: it may start the server)."""
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_server")


@pytest.fixture
async def fresh_store(store_server: PostgresServer | None) -> AsyncIterator[StoreFactory]:
    """`await fresh_store(scratch)`: the URL of a new store (a SQLite file in `scratch`, or a new migrated
    PostgreSQL database on the session's server, dropped at the end of the test)."""
    if store_server is None:

        async def sqlite_store(scratch: Path) -> str:
            return StoreURL.for_sqlite_path(scratch / "bot.sqlite3").url

        yield sqlite_store
        return
    server = store_server
    created: list[str] = []

    async def postgres_store(scratch: Path) -> str:
        created.append(await server.create_database())
        return server.url_of(created[-1])

    try:
        yield postgres_store
    finally:
        for name in created:
            await server.drop_database(name)
