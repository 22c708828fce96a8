"""Fixtures shared by every test: an emulated Discord server and the real bot connected to it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import discord
import pytest

from bot.client import SummitBot
from bot.config import Settings, validate_settings
from bot.sandbox import DiscordEmulator
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from tests.helpers.database_stock import DatabaseStock
from tests.helpers.store_choice import on_store
from tests.helpers.stores import PostgresServer, find_postgres

MODERATOR_PERMISSIONS = discord.Permissions(manage_events=True).value


@dataclass
class World:
    """A server as a test sees it: who is there and where they talk."""

    emulator: DiscordEmulator
    guild: object
    general: object
    moderators: object
    member_en: object
    member_fr: object
    moderator: object


@pytest.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emu:
        yield emu
        # Every request the bot sent must be an operation Discord documents.
        emu.assert_no_spec_violations()


@pytest.fixture
def world(emulator: DiscordEmulator) -> World:
    guild = emulator.create_guild("Summit Community", locale="en-US")
    general = emulator.create_text_channel(guild, "general")
    moderators = emulator.create_role(guild, "Moderators", permissions=MODERATOR_PERMISSIONS)
    return World(
        emulator=emulator,
        guild=guild,
        general=general,
        moderators=moderators,
        member_en=emulator.create_member(guild, "ada", locale="en-US"),
        member_fr=emulator.create_member(guild, "camille", locale="fr"),
        moderator=emulator.create_member(guild, "modo", locale="en-GB", roles=[moderators]),
    )


@pytest.fixture
def settings(tmp_path, emulator: DiscordEmulator, store_url: str) -> Settings:
    """On each store in turn (ids [sqlite] / [postgresql]); the SQLite one is tmp_path / "bot.sqlite3".
    A bot started again with the same settings finds the same store."""
    return on_store(settings_for_emulator(validate_settings({}), emulator, tmp_path / "bot.sqlite3"), store_url)


@pytest.fixture
async def bot(world: World, settings: Settings) -> AsyncIterator[SummitBot]:
    async with bot_on_emulator(settings, world.emulator) as running:
        yield running


# --- the two stores (tests/helpers/stores.py) -----------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session with a migrated template database; skips (fails under CI) without."""
    server, reason = find_postgres()
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but no PostgreSQL: {reason}")
        pytest.skip(reason)
    try:
        asyncio.run(server.create_template())
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def database_stock(postgres_server: PostgresServer) -> Iterator[DatabaseStock]:
    stock = DatabaseStock(postgres_server)
    try:
        yield stock
    finally:
        stock.close()


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer, database_stock: DatabaseStock) -> AsyncIterator[str]:
    """A fresh PostgreSQL database, migrated (copied from the template), dropped after the test."""
    name = await database_stock.take()
    try:
        yield postgres_server.url_of(name)
    finally:
        database_stock.give_back(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, migrated store of each kind: the contract tests run once per store."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def empty_postgres_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A fresh PostgreSQL database with nothing in it (not migrated), dropped after the test."""
    name = await postgres_server.create_database(template=None)
    try:
        yield postgres_server.url_of(name)
    finally:
        await postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store of each kind (nothing migrated yet): for migration tests and copies."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    return request.getfixturevalue("empty_postgres_url")
