"""/healthz: 200 when the gateway is connected and the store answers, 503 otherwise; the body says which."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.storage.repositories.health import HealthRepository

log = logging.getLogger(__name__)
STORE_TIMEOUT = 2.0  # seconds: a store that takes longer than this is not answering, for a health check


async def health(bot: discord.Client, store: HealthRepository) -> tuple[bool, dict[str, str]]:
    # is_ready() stays true while discord.py reconnects: the websocket itself must be open.
    ws = bot.ws
    open_socket = ws is not None and ws.socket is not None and not ws.socket.closed
    gateway = "connected" if bot.is_ready() and not bot.is_closed() and open_socket else "disconnected"
    try:
        await asyncio.wait_for(store.ping(), STORE_TIMEOUT)
        answered = "ok"
    except Exception as exc:  # any failure is the answer here; the reason goes to the log, not the body
        log.warning("health check: the store did not answer: %s", type(exc).__name__)
        answered = "unavailable"
    healthy = gateway == "connected" and answered == "ok"
    return healthy, {"status": "ok" if healthy else "unavailable", "gateway": gateway, "store": answered}
