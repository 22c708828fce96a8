"""/about: what the bot is and how it is doing."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import SummitBot
from bot.i18n import text
from bot.rendering.about import about_embed
from bot.replies import reply


class About(commands.Cog):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    @app_commands.command(name=text("commands.about.name"), description=text("commands.about.description"))
    async def about(self, interaction: discord.Interaction) -> None:
        info = await self.bot.services.about.info()
        embed = about_embed(
            info, locale=interaction.locale, started_at=self.bot.started_at, latency=self.bot.latency
        )
        await reply(interaction, embed=embed)


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(About(bot))
