"""PostgreSQL stopped under a running bot: members get the polite "busy" answer, and once the server is
back the bot answers again by itself (its pool replaces the dead connections)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.config import validate_settings
from bot.i18n import t
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from bot.storage.database import open_database
from tests.helpers.stores import PostgresServer, start_own_postgres


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    server, reason = start_own_postgres()
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def bot_on_postgres(world, emulator, tmp_path, own_postgres) -> AsyncIterator[object]:
    settings = settings_for_emulator(validate_settings({}), emulator, tmp_path / "unused.sqlite3")
    database = settings.database.model_copy(update={"url": own_postgres.admin_url, "path": None})
    settings = settings.model_copy(update={"database": database})
    async with bot_on_emulator(settings, emulator) as running:
        yield running


async def test_while_postgresql_is_down_members_hear_busy_and_after_its_restart_all_works(
    bot_on_postgres, world, own_postgres
):
    emulator = world.emulator
    before = await emulator.slash(world.member_en, world.general, "remind subscribe", {"event": "all"})
    assert before.content not in (t("errors.busy", "en-US"), t("errors.unexpected", "en-US"))

    own_postgres.halt()
    refused_en = await emulator.slash(world.member_en, world.general, "remind list", {})
    refused_fr = await emulator.slash(world.member_fr, world.general, "remind list", {})
    assert refused_en.ephemeral and refused_en.content == t("errors.busy", "en-US")
    assert refused_fr.ephemeral and refused_fr.content == t("errors.busy", "fr")

    own_postgres.resume()
    listed = await emulator.slash(world.member_en, world.general, "remind list", {})
    assert listed.content != t("errors.busy", "en-US") and listed.content != t("errors.unexpected", "en-US")
    async with await open_database(own_postgres.admin_url) as store:  # what the store holds: one subscription
        assert await store.fetch_value("SELECT count(*) FROM reminder_subscriptions") == 1
