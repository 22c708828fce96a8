"""A test-only extension whose command fails unexpectedly, to exercise the error path."""

import discord
from discord import app_commands
from discord.ext import commands


class Broken(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="explode", description="Fails on purpose")
    async def explode(self, interaction: discord.Interaction) -> None:
        raise RuntimeError(f"exploded while holding {self.bot.http.token}")


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Broken(bot))
