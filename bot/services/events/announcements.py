"""The announcements channel hears about each change: one post, pinging only the configured role."""

from __future__ import annotations

import logging

import discord

from bot.events.changes import EventChange, Notice
from bot.i18n import language_for
from bot.rendering.events import announcement
from bot.services.events.service import EventService
from bot.snowflake_strings import SnowflakeRef

log = logging.getLogger(__name__)


def guild_language(client: discord.Client, guild_id: int) -> str:
    """The language of a server's own posts: its preferred locale (French for fr, English otherwise)."""
    guild = client.get_guild(guild_id)
    return language_for(guild.preferred_locale if guild else None)


def announcement_mentions(role_id: int | None) -> discord.AllowedMentions:
    """Only the configured role may ping: never @everyone, users, or a role typed into an event's text."""
    roles = [SnowflakeRef(role_id)] if role_id else False  # a string id, as Discord's schema types it
    return discord.AllowedMentions(everyone=False, users=False, roles=roles, replied_user=False)


class Announcer:
    def __init__(self, client: discord.Client, service: EventService) -> None:
        self._client = client
        self._service = service

    async def on_change(self, change: EventChange) -> Notice | None:
        settings = await self._service.guild_settings(change.guild_id)
        channel_id = settings.announcements_channel_id
        if channel_id is None:
            return None
        text = announcement(change, guild_language(self._client, change.guild_id))
        if text is None:
            return None
        if settings.ping_role_id:
            text = f"<@&{settings.ping_role_id}> {text}"
        channel = self._client.get_partial_messageable(channel_id, guild_id=change.guild_id)
        try:
            await channel.send(text, allowed_mentions=announcement_mentions(settings.ping_role_id))
        except discord.HTTPException as exc:
            log.warning("guild %s: could not announce in channel %s: %s", change.guild_id, channel_id, exc)
            return Notice("events.announce.failed", {"channel": f"<#{channel_id}>"})
        return None

    async def post(self, guild_id: int, text: str) -> bool:
        """A plain post (no ping) in the announcements channel; whether it was posted."""
        settings = await self._service.guild_settings(guild_id)
        if settings.announcements_channel_id is None:
            return False
        channel = self._client.get_partial_messageable(settings.announcements_channel_id, guild_id=guild_id)
        try:
            await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("guild %s: could not post in the announcements channel: %s", guild_id, exc)
            return False
        return True
