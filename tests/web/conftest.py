"""The real bot on the emulator with its web server on a free loopback port, and an HTTP client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.clock import ManualClock
from bot.config import Settings, validate_settings
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from tests.helpers.store_choice import on_store

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
WEB = {"enabled": True, "host": "127.0.0.1", "port": 0}


def web_settings(tmp_path, emulator, **web: object) -> Settings:
    return settings_for_emulator(validate_settings({"web": {**WEB, **web}}), emulator, tmp_path / "bot.sqlite3")


@pytest.fixture
def settings(tmp_path, emulator, store_url) -> Settings:
    """On each store in turn, as the root fixture."""
    return on_store(web_settings(tmp_path, emulator), store_url)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def bot(world, settings, clock):
    async with bot_on_emulator(settings, world.emulator, clock=clock) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def admin(world, command: str, options: dict | None = None, who=None, locale=None):
    return await world.emulator.slash(
        who or world.moderator, world.general, f"eventadmin {command}", options or {}, locale=locale
    )


async def remind(world, member, command: str, options: dict | None = None, locale: str | None = None):
    return await world.emulator.slash(member, world.general, f"remind {command}", options or {}, locale=locale)


def field_value(result, name: str) -> str:
    for embed in result.embeds:
        for field in embed.get("fields", []):
            if field["name"] == name:
                return field["value"]
    raise AssertionError(f"no field {name!r} in {result.embeds}")


def https_feed(text: str) -> str:
    (address,) = re.findall(r"https?://\S+?/calendar/[A-Za-z0-9_-]{32}\.ics(?:\?lang=\w+)?", text)
    return address


async def turn_feed_on(world, choice: str = "on") -> str:
    """The moderator turns the server's feed on (or rotates it); the https address shown to them."""
    result = await admin(world, "settings", {"calendar_feed": choice})
    assert result.ephemeral
    return https_feed(field_value(result, "Calendar feed and events page"))
