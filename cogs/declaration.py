"""/clause, /search and /declaration: reading the declaration (French: /article, /recherche, /declaration)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import SummitBot
from bot.i18n import text
from bot.rendering.clauses import suggestion_label
from bot.rendering.declaration import overview_embed
from bot.rendering.search import search_pages
from bot.replies import reply
from bot.views.clause_navigation import send_passage
from bot.views.pagination import send_pages


class DeclarationCog(commands.Cog):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    @app_commands.command(name=text("commands.clause.name"), description=text("commands.clause.description"))
    @app_commands.rename(ref=text("commands.clause.options.ref.name"))
    @app_commands.describe(ref=text("commands.clause.options.ref.description"))
    async def clause(self, interaction: discord.Interaction[SummitBot], ref: str) -> None:
        passage = await self.bot.services.declaration.passage(ref)
        await send_passage(interaction, passage)

    @clause.autocomplete("ref")
    async def clause_autocomplete(
        self, interaction: discord.Interaction[SummitBot], current: str
    ) -> list[app_commands.Choice[str]]:
        suggestions = await self.bot.services.declaration.suggestions(current)
        return [
            app_commands.Choice(name=suggestion_label(suggestion, interaction.locale), value=suggestion.ref.text)
            for suggestion in suggestions
        ]

    @app_commands.command(name=text("commands.search.name"), description=text("commands.search.description"))
    @app_commands.rename(query=text("commands.search.options.query.name"))
    @app_commands.describe(query=text("commands.search.options.query.description"))
    async def search(self, interaction: discord.Interaction[SummitBot], query: str) -> None:
        results = await self.bot.services.search.search(query)
        await send_pages(interaction, search_pages(results, interaction.locale))

    @app_commands.command(name=text("commands.declaration.name"), description=text("commands.declaration.description"))
    async def declaration(self, interaction: discord.Interaction[SummitBot]) -> None:
        overview = await self.bot.services.declaration.overview()
        await reply(interaction, embed=overview_embed(overview, interaction.locale))


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(DeclarationCog(bot))
