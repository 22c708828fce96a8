"""The /about embed."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.i18n import t
from bot.rendering.style import BRAND_COLOUR, discord_timestamp, latency_ms
from bot.services.about import AboutInfo


def about_embed(
    info: AboutInfo,
    *,
    locale: discord.Locale | str,
    started_at: datetime,
    latency: float,
    shard: tuple[int, int] = (0, 1),
) -> discord.Embed:
    """`shard`: (the shard that answered, how many the bot has)."""
    embed = discord.Embed(
        title=t("about.title", locale),
        description=t("about.description", locale),
        colour=BRAND_COLOUR,
        url=info.source_url,
    )
    embed.add_field(name=t("about.version", locale), value=info.version)
    embed.add_field(
        name=t("about.uptime", locale),
        value=t("about.uptime_value", locale, since=discord_timestamp(started_at, "R")),
    )
    milliseconds = latency_ms(latency)
    embed.add_field(
        name=t("about.latency", locale),
        value=t("about.latency_value", locale, ms=milliseconds) if milliseconds is not None else "—",
    )
    embed.add_field(name=t("about.shard", locale), value=t("about.shard_value", locale, shard=shard[0], count=shard[1]))
    counts = info.counts
    embed.add_field(name=t("about.clauses", locale), value=str(counts.clauses))
    embed.add_field(name=t("about.signatories", locale), value=str(counts.signatories))
    embed.add_field(name=t("about.events", locale), value=str(counts.events))
    embed.add_field(name=t("about.source", locale), value=info.source_url, inline=False)
    embed.set_footer(text=t("about.footer", locale))
    return embed
