"""/events (what is next, what is past) and /event (one event, with calendar and source buttons).

Also copies the shipped events into each server the bot joins or finds at start.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import SummitBot
from bot.i18n import language_for, text
from bot.rendering.events import autocomplete_label, event_embed, listing_pages
from bot.replies import reply
from bot.services.events.service import When
from bot.views.events import PastEventsButton, event_action_items
from bot.views.pagination import send_pages
from bot.web.discord_side import add_subscribe_field
from bot.web.lifecycle import web_of

WHEN_CHOICES = [
    app_commands.Choice(name=text(f"commands.events.choices.{when.value}"), value=when.value) for when in When
]


async def event_choices(interaction: discord.Interaction[SummitBot], current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete over the server's events, named in the reader's language; the value is the event's key."""
    if interaction.guild_id is None:
        return []
    lang = language_for(interaction.locale)
    events = await interaction.client.services.events.suggestions(interaction.guild_id, current)
    return [app_commands.Choice(name=autocomplete_label(event, lang), value=event.key) for event in events]


class Events(commands.Cog):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.bot.services.events.seed_guild(guild.id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.bot.services.events.seed_guild(guild.id)

    @app_commands.command(name=text("commands.events.name"), description=text("commands.events.description"))
    @app_commands.guild_only()
    @app_commands.rename(when=text("commands.events.options.when.name"))
    @app_commands.describe(when=text("commands.events.options.when.description"))
    @app_commands.choices(when=WHEN_CHOICES)
    async def events(
        self, interaction: discord.Interaction[SummitBot], when: app_commands.Choice[str] | None = None
    ) -> None:
        chosen = When(when.value) if when else When.UPCOMING
        listing = await self.bot.services.events.listing(interaction.guild_id or 0, chosen)
        pages = listing_pages(listing, self.bot.clock.now(), interaction.locale)
        await add_subscribe_field(pages, web_of(self.bot), interaction.guild_id or 0, interaction.locale)
        extra = None
        if chosen is When.UPCOMING and listing.dated_upcoming == 0 and listing.past:
            # Nothing dated ahead: offer the past ones.
            def extra() -> list[discord.ui.Item]:
                return [PastEventsButton(locale=interaction.locale, count=listing.past)]

        await send_pages(interaction, pages, extra_items=extra)

    @app_commands.command(name=text("commands.event.name"), description=text("commands.event.description"))
    @app_commands.guild_only()
    @app_commands.rename(name=text("commands.event.options.name.name"))
    @app_commands.describe(name=text("commands.event.options.name.description"))
    @app_commands.autocomplete(name=event_choices)
    async def event(self, interaction: discord.Interaction[SummitBot], name: str) -> None:
        found = await self.bot.services.events.find(interaction.guild_id or 0, name)
        view = discord.ui.View(timeout=None)
        for item in event_action_items(found, interaction.locale):
            view.add_item(item)
        embed = event_embed(found, self.bot.clock.now(), interaction.locale)
        await add_subscribe_field([embed], web_of(self.bot), interaction.guild_id or 0, interaction.locale)
        await reply(interaction, embed=embed, view=view)


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Events(bot))
