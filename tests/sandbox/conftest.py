"""A bare discord.py bot connected to the emulator, through discord.py's own class attributes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import discord
import pytest
import yarl
from discord.ext import commands

from bot.sandbox import Channel, DiscordEmulator, Guild, Member, Role
from tests.sandbox.bare_bot import build_bot

MANAGE_EVENTS = 1 << 33


@dataclass
class Sandbox:
    emu: DiscordEmulator
    bot: commands.Bot
    guild: Guild
    general: Channel
    mods: Role
    alice: Member
    bob: Member


@contextlib.contextmanager
def pointed_at(emu: DiscordEmulator):
    """discord.py has no per-client endpoint setting: set the class attributes, restore them after."""
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = emu.api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@contextlib.asynccontextmanager
async def bot_running(emu: DiscordEmulator, bot: commands.Bot | None = None) -> AsyncIterator[commands.Bot]:
    bot = bot or build_bot()
    with pointed_at(emu):
        runner = asyncio.create_task(bot.start(emu.token))
        try:
            ready = asyncio.ensure_future(emu.wait_for_ready())
            done, _ = await asyncio.wait({runner, ready}, return_when=asyncio.FIRST_COMPLETED, timeout=10)
            if runner in done:
                ready.cancel()
                runner.result()
                raise RuntimeError("the bot stopped before it was ready")
            await ready
            await emu.wait_for_commands()
            await bot.wait_until_ready()  # discord.py's own READY handling (guild_ready_timeout) is done
            yield bot
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError, discord.ConnectionClosed):
                await runner


@contextlib.asynccontextmanager
async def sandbox_running(**options: Any) -> AsyncIterator[Sandbox]:
    async with DiscordEmulator(**options) as emu:
        guild = emu.create_guild("Summit Community", locale="en-US")
        general = emu.create_text_channel(guild, "general")
        mods = emu.create_role(guild, "Moderators", permissions=MANAGE_EVENTS)
        alice = emu.create_member(guild, "alice", locale="fr")
        bob = emu.create_member(guild, "bob", roles=[mods])
        async with bot_running(emu) as bot:
            yield Sandbox(emu, bot, guild, general, mods, alice, bob)
        assert not emu.internal_errors, emu.internal_errors


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with sandbox_running() as running:
        yield running
        running.emu.assert_no_spec_violations()
