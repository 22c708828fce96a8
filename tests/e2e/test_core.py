"""The bot core end to end: connection, command sync, the error path, the spec check, reconnects."""

import io
import logging

import discord
import pytest

from bot.client import EXTENSIONS
from bot.logs import configure_logging
from bot.sandbox_session import bot_on_emulator


async def test_commands_are_registered_with_french_localizations(bot, world):
    commands = {command["name"]: command for command in world.emulator.registered_commands()}
    about = commands["about"]
    assert about["name_localizations"]["fr"] == "apropos"
    assert about["description_localizations"]["fr"].startswith("Ce qu'est ce bot")


async def test_commands_are_synced_only_when_the_tree_changed(world, settings):
    emulator = world.emulator
    async with bot_on_emulator(settings, emulator):
        pass
    assert emulator.sync_count == 1
    # Same tree, same database: no second sync at start.
    async with bot_on_emulator(settings, emulator):
        result = await emulator.slash(world.member_en, world.general, "about")
        assert result.embeds
    assert emulator.sync_count == 1
    # A different tree (one more extension) is synced.
    async with bot_on_emulator(settings, emulator, extensions=(*EXTENSIONS, "tests.e2e.extensions.broken")):
        pass
    assert emulator.sync_count == 2


async def test_an_unexpected_error_gives_an_apology_and_a_log_line_without_the_token(world, settings):
    stream = io.StringIO()
    handler = configure_logging("INFO", secrets=[settings.token], stream=stream)
    try:
        async with bot_on_emulator(
            settings, world.emulator, extensions=(*EXTENSIONS, "tests.e2e.extensions.broken")
        ):
            english = await world.emulator.slash(world.member_en, world.general, "explode")
            french = await world.emulator.slash(world.member_fr, world.general, "explode")
    finally:
        logging.getLogger().removeHandler(handler)
    assert english.ephemeral
    assert english.content.startswith("Sorry, something went wrong")
    assert french.ephemeral
    assert french.content.startswith("Désolé")
    logged = stream.getvalue()
    assert "interaction failed: command=explode" in logged
    assert f"user={world.member_en.user_id}" in logged
    assert "RuntimeError: exploded while holding [token hidden]" in logged
    assert settings.token not in logged


async def test_a_rest_call_outside_discords_spec_is_caught(bot, world):
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/users/@me/not-a-documented-route"))
    assert world.emulator.spec_violations == ["GET /api/v10/users/@me/not-a-documented-route"]
    with pytest.raises(AssertionError):
        world.emulator.assert_no_spec_violations()
    world.emulator.spec_violations.clear()  # the fixture checks again at teardown


async def test_the_bot_resumes_after_the_gateway_drops(bot, world):
    emulator = world.emulator
    await emulator.drop_gateway()
    await emulator.wait_for_resumed()
    result = await emulator.slash(world.member_en, world.general, "about")
    assert result.embeds[0]["title"] == "summit-bot"
