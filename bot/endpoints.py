"""Where discord.py sends its REST calls and opens its gateway.

discord.py has no per-client setting for either, only these class attributes, so they are set
once per process before the client logs in. This is what lets an operator put a proxy in front
and what points the real client at the offline emulator.
"""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl


def use_discord_endpoints(api_base_url: str, gateway_url: str) -> None:
    discord.http.Route.BASE = api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
