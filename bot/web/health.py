"""/healthz: 200 when the gateway is connected and the store answers, 503 otherwise; the body says which."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.storage.repositories.health import HealthRepository

log = logging.getLogger(__name__)
STORE_TIMEOUT = 2.0  # seconds: a store that takes longer than this is not answering, for a health check


async def health(bot: discord.Client, store: HealthRepository) -> tuple[bool, dict[str, object]]:
    shards = _shards(bot)
    gateway = "connected" if shards and all(state == "connected" for state in shards.values()) else "disconnected"
    try:
        await asyncio.wait_for(store.ping(), STORE_TIMEOUT)
        answered = "ok"
    except Exception as exc:  # any failure is the answer here; the reason goes to the log, not the body
        log.warning("health check: the store did not answer: %s", type(exc).__name__)
        answered = "unavailable"
    healthy = gateway == "connected" and answered == "ok"
    body: dict[str, object] = {"status": "ok" if healthy else "unavailable", "gateway": gateway, "store": answered}
    if shards:
        body["shards"] = shards
    return healthy, body


def _shards(bot: discord.Client) -> dict[str, str]:
    """Each shard this process runs, "connected" or "disconnected". is_ready() stays true while
    discord.py reconnects, so each shard's own websocket must be open."""
    if not bot.is_ready() or bot.is_closed():
        return {}
    if isinstance(bot, discord.AutoShardedClient):
        return {str(i): "disconnected" if info.is_closed() else "connected" for i, info in bot.shards.items()}
    ws = bot.ws
    open_socket = ws is not None and ws.socket is not None and not ws.socket.closed
    return {"0": "connected" if open_socket else "disconnected"}
