"""The web server's life with the bot: started only when `web.enabled`, and found by the cogs.

Kept apart from bot/web/server.py so that a bot with the web server off never imports it: aiohttp's
server side and prometheus-client cost about 3.5 MB of resident memory in every process otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import SummitBot
    from bot.web.server import WebServer


@asynccontextmanager
async def serve_web(bot: SummitBot) -> AsyncIterator[WebServer | None]:
    """Run the web server while the bot runs, when `web.enabled`; `bot.web` is it (or None)."""
    settings = bot.settings.web
    if not settings.enabled:
        bot.web = None  # type: ignore[attr-defined]
        yield None
        return
    from bot.web.server import WebServer  # only now: see the module's docstring

    server = WebServer(bot, settings)
    bot.web = server  # type: ignore[attr-defined]
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def web_of(bot: object) -> WebServer | None:
    """The bot's running web server, None when `web.enabled` is off (set by serve_web)."""
    return getattr(bot, "web", None)
