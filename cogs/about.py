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
            info,
            locale=interaction.locale,
            started_at=self.bot.started_at,
            latency=self.bot.latency,
            shard=(answering_shard(interaction, self.bot.shard_count or 1), self.bot.shard_count or 1),
        )
        await reply(interaction, embed=embed)


def answering_shard(interaction: discord.Interaction, shard_count: int) -> int:
    """The shard whose gateway brought this interaction: its server's (as discord.py's Guild.shard_id
    computes it); DMs come on shard 0."""
    if interaction.guild_id is None:
        return 0
    return (interaction.guild_id >> 22) % shard_count


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(About(bot))
