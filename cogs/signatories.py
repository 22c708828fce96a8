"""/signatory (did this country sign?) and /signatories (the list, filtered)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import SummitBot
from bot.i18n import language_for, text
from bot.rendering.signatories import country_choices, listing_pages, lookup_embed
from bot.replies import reply
from bot.services.signatories import SignatoryFilter
from bot.views.pagination import send_pages

FILTER_CHOICES = [
    app_commands.Choice(name=text(f"commands.signatories.choices.{selection.value}"), value=selection.value)
    for selection in SignatoryFilter
]


class Signatories(commands.Cog):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        # Autocomplete answers within 3 s; the directory is built now, not on the first keystroke.
        await self.bot.services.signatories.load()

    @app_commands.command(name=text("commands.signatory.name"), description=text("commands.signatory.description"))
    @app_commands.rename(country=text("commands.signatory.options.country.name"))
    @app_commands.describe(country=text("commands.signatory.options.country.description"))
    async def signatory(self, interaction: discord.Interaction, country: str) -> None:
        result = await self.bot.services.signatories.lookup(country, lang=language_for(interaction.locale))
        await reply(interaction, embed=lookup_embed(result, interaction.locale))

    @signatory.autocomplete("country")
    async def country_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        lang = language_for(interaction.locale)
        return country_choices(await self.bot.services.signatories.autocomplete(current, lang=lang), lang)

    @app_commands.command(name=text("commands.signatories.name"), description=text("commands.signatories.description"))
    @app_commands.rename(selection=text("commands.signatories.options.filter.name"))
    @app_commands.describe(selection=text("commands.signatories.options.filter.description"))
    @app_commands.choices(selection=FILTER_CHOICES)
    async def signatories(
        self, interaction: discord.Interaction[SummitBot], selection: app_commands.Choice[str] | None = None
    ) -> None:
        chosen = SignatoryFilter(selection.value) if selection else SignatoryFilter.ALL
        listing = await self.bot.services.signatories.listing(chosen)
        await send_pages(interaction, listing_pages(listing, interaction.locale))


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Signatories(bot))
