"""What the commands show and do about feeds: the subscribe field, the settings field, a moderator's choice.

Kept here so the cogs stay thin: they call these with the bot's web server (None when it is off).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.errors import InvalidInputError
from bot.i18n import language_for, t

if TYPE_CHECKING:
    from bot.web.server import WebServer

FEED_CHOICES = ("on", "rotate", "off")


def require_web(web: WebServer | None) -> WebServer:
    if web is None:
        raise InvalidInputError("events.feed.web_off")
    return web


async def add_subscribe_field(
    embeds: list[discord.Embed], web: WebServer | None, guild_id: int, locale: discord.Locale | str
) -> None:
    """ "Subscribe in your calendar" under /events and /event, when the server's feed is on."""
    if web is None:
        return
    feed = await web.feeds.guild_feed(guild_id)
    if feed is None:
        return
    lang = language_for(locale)
    links = web.links(feed, lang)
    value = t("events.feed.subscribe_value", lang, webcal=links.webcal, https=links.https, page=links.page)
    for embed in embeds:
        embed.add_field(name=t("events.feed.subscribe", lang), value=value, inline=False)


async def apply_feed_choice(web: WebServer, guild_id: int, choice: str) -> str | None:
    """On, rotate or off; returns the key of a line to tell the moderator, if any."""
    if choice == "rotate":
        await web.feeds.enable_guild_feed(guild_id, rotate=True)
        return "events.settings.feed.rotated"
    if choice == "off":
        await web.feeds.disable_guild_feed(guild_id)
        return "events.settings.feed.stopped"
    await web.feeds.enable_guild_feed(guild_id)
    return None


async def settings_feed_field(
    embed: discord.Embed, web: WebServer | None, guild_id: int, locale: discord.Locale | str
) -> None:
    if web is None:
        return
    lang = language_for(locale)
    feed = await web.feeds.guild_feed(guild_id)
    if feed is None:
        value = t("events.settings.feed.off", lang)
    else:
        links = web.links(feed, lang)
        value = t("events.settings.feed.value", lang, webcal=links.webcal, https=links.https, page=links.page)
    embed.add_field(name=t("events.settings.feed.title", lang), value=value, inline=False)


async def member_feed_lines(
    web: WebServer | None, guild_id: int, user_id: int, locale: str, *, rotate: bool
) -> list[str]:
    """/remind feed: the member's feed address (made on first use; a new one when asked)."""
    if web is None:
        if rotate:
            raise InvalidInputError("events.feed.web_off")
        return []
    lang = language_for(locale)
    feed = await web.feeds.member_feed(guild_id, user_id, locale, rotate=rotate)
    links = web.links(feed)
    lines = [t("reminders.feed.subscribe.rotated", lang)] if rotate else []
    lines.append(t("reminders.feed.subscribe.address", lang, webcal=links.webcal, https=links.https))
    return lines
