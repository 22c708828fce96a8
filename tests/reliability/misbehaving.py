"""A test-only extension whose commands break each rule the reliability probes check, to prove they can fail."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInputError


class Misbehaving(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="crash", description="Fails unexpectedly")
    async def crash(self, interaction: discord.Interaction) -> None:
        raise RuntimeError("crashed on purpose")

    @app_commands.command(name="refuse-in-public", description="Answers in public, then refuses")
    async def refuse_in_public(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("fine")
        raise InvalidInputError("errors.bad_value")

    @app_commands.command(name="write-then-refuse", description="Changes the store, then refuses")
    async def write_then_refuse(self, interaction: discord.Interaction) -> None:
        async with self.bot.database.transaction() as tx:  # type: ignore[attr-defined]
            await tx.execute(  # an upsert both stores understand
                "INSERT INTO meta VALUES ('misbehaving', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(interaction.id),),
            )
        raise InvalidInputError("errors.bad_value")

    @app_commands.command(name="ping-everyone", description="Pings everyone")
    async def ping_everyone(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "@everyone hello", allowed_mentions=discord.AllowedMentions(everyone=True)
        )

    @app_commands.command(name="too-many-choices", description="Offers 30 choices")
    async def too_many_choices(self, interaction: discord.Interaction, pick: str) -> None:
        await interaction.response.send_message(pick)

    @too_many_choices.autocomplete("pick")
    async def thirty(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"choice {n}", value=str(n)) for n in range(30)]


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Misbehaving(bot))
