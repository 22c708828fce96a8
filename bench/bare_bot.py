"""The baseline: a plain discord.py `commands.Bot` with one slash command that answers a constant.

Run as `python -m bench.bare_bot API_BASE_URL GATEWAY_URL` with the token in $DISCORD_TOKEN. Nothing of
summit-bot is imported, so its figures are discord.py's own cost on the same emulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys

import discord
import discord.gateway
import discord.http
import yarl
from discord.ext import commands


def build() -> commands.Bot:
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents(guilds=True))

    @bot.tree.command(name="constant", description="Answers a constant")
    async def constant(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("constant")

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def main(api_base_url: str, gateway_url: str, token: str) -> None:
    discord.http.Route.BASE = api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    async with build() as bot:
        await bot.start(token)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(sys.argv[1], sys.argv[2], os.environ["DISCORD_TOKEN"]))
