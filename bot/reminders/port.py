"""The three Discord calls the sender makes, through discord.py's HTTP client (its errors, its retries).

discord.py's `send()` cannot ask for `enforce_nonce`, so messages are created with a raw route.
"""

from __future__ import annotations

from typing import Any, Protocol

import discord
from discord.http import Route


class DiscordPort(Protocol):
    async def open_dm(self, user_id: int) -> int: ...

    async def create_message(self, channel_id: int, payload: dict[str, Any]) -> dict[str, Any]: ...

    async def messages_after(self, channel_id: int, after: int, limit: int = 100) -> list[dict[str, Any]]: ...


class HttpPort:
    def __init__(self, http: discord.http.HTTPClient) -> None:
        self._http = http

    async def open_dm(self, user_id: int) -> int:
        channel = await self._http.request(Route("POST", "/users/@me/channels"), json={"recipient_id": str(user_id)})
        return int(channel["id"])

    async def create_message(self, channel_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        return await self._http.request(
            Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id), json=payload
        )

    async def messages_after(self, channel_id: int, after: int, limit: int = 100) -> list[dict[str, Any]]:
        return await self._http.request(
            Route("GET", "/channels/{channel_id}/messages", channel_id=channel_id),
            params={"after": str(after), "limit": str(limit)},
        )
