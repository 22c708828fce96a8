"""Assemble the bot from its parts: settings → endpoints, store, content, services, scheduler."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.client import EXTENSIONS, SummitBot
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.content.loader import DEFAULT_DATA_DIR, content_hash, load_content
from bot.endpoints import use_discord_endpoints
from bot.services import build_services
from bot.storage.database import Database
from bot.storage.repositories.content import ContentRepository

log = logging.getLogger(__name__)


async def open_database(settings: Settings, data_dir: Path = DEFAULT_DATA_DIR) -> Database:
    """Open (and migrate) the store, then bring its content up to date with data/."""
    database = await Database.open(settings.database.path, busy_timeout_ms=settings.database.busy_timeout_ms)
    try:
        await ContentRepository(database).seed(load_content(data_dir), content_hash(data_dir))
    except BaseException:
        await database.close()
        raise
    return database


@asynccontextmanager
async def assemble_bot(
    settings: Settings,
    *,
    clock: Clock | None = None,
    data_dir: Path = DEFAULT_DATA_DIR,
    extensions: Sequence[str] = EXTENSIONS,
    sync_commands: bool = True,
    guild_ready_timeout: float = 2.0,
) -> AsyncIterator[SummitBot]:
    """Yield a ready-to-start bot; close it and its store on the way out."""
    clock = clock or SystemClock()
    use_discord_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
    database = await open_database(settings, data_dir)
    try:
        bot = SummitBot(
            settings=settings,
            database=database,
            services=build_services(database, settings, clock),
            scheduler=AsyncIOScheduler(timezone=UTC),
            clock=clock,
            extensions=extensions,
            sync_commands=sync_commands,
            guild_ready_timeout=guild_ready_timeout,
        )
        try:
            yield bot
        finally:
            if not bot.is_closed():
                await bot.close()
    finally:
        await database.close()


async def run_bot(settings: Settings) -> None:
    token = settings.token
    if not token:
        raise ValueError("no Discord token configured")
    async with assemble_bot(settings) as bot:
        close_on_signals(bot)
        # What start-up built (modules, content, services) lives as long as the process: moved out
        # of the collector's reach, a full collection no longer walks it in the middle of a command.
        gc.collect()
        gc.freeze()
        await bot.start(token)


def close_on_signals(bot: SummitBot, signals: Sequence[signal.Signals] = (signal.SIGINT, signal.SIGTERM)) -> None:
    """Close cleanly on Ctrl-C and on SIGTERM (systemd, `docker stop`): runs in flight are stopped with
    their ledger writes finished, the gateway connection and the store are closed. A handler of our own
    also works when the bot was started with SIGINT ignored, as `nohup … &` in a script does. A second
    signal gets the default behaviour back, so a close that hangs can still be interrupted."""
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []  # keeps the task referenced until it is done

    def close(received: signal.Signals) -> None:
        for handled in signals:
            loop.remove_signal_handler(handled)
        log.info("%s received: closing", received.name)
        closing.append(loop.create_task(bot.close()))

    for received in signals:
        loop.add_signal_handler(received, close, received)
