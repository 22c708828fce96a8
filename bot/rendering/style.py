"""Shared look of the bot's embeds."""

from __future__ import annotations

import math
from datetime import datetime

import discord

BRAND_COLOUR = discord.Colour(0x1F4E9C)


def discord_timestamp(moment: datetime, style: str = "F") -> str:
    """`<t:…:style>`: every reader sees it in their own time zone and language."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def latency_ms(latency: float) -> int | None:
    """discord.py reports inf/nan until the first heartbeat is acknowledged."""
    return None if math.isinf(latency) or math.isnan(latency) else round(latency * 1000)
