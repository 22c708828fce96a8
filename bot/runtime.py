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

import aiohttp
import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.client import EXTENSIONS, SummitBot
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.content.loader import DEFAULT_DATA_DIR, content_hash, load_content
from bot.discord_probe import Backoff, TokenRefused, wait_for_discord
from bot.endpoints import use_discord_endpoints
from bot.services import build_services
from bot.storage.database import Database
from bot.storage.database import open_database as open_store
from bot.storage.lock import hold_store
from bot.storage.repositories.content import ContentRepository
from bot.web.lifecycle import serve_web

log = logging.getLogger(__name__)


async def open_database(settings: Settings, data_dir: Path = DEFAULT_DATA_DIR) -> Database:
    """Open (and migrate) the store, then bring its content up to date with data/."""
    database = await open_store(settings)
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
            # Other processes' changes drop this one's caches (PostgreSQL; nothing to start on SQLite).
            await bot.services.events.changes.start(settings.database.store.url)
            async with serve_web(bot):  # off unless web.enabled; stopped before the bot closes
                yield bot
        finally:
            try:
                if not bot.is_closed():
                    await bot.close()
            finally:
                await bot.services.events.changes.stop()
    finally:
        await database.close()


class DiscordUnreachable(RuntimeError):
    """Discord went away between the start's first answer and the login; the message is one line."""


async def run_bot(settings: Settings, *, backoff: Backoff | None = None) -> None:
    """Run until a stop signal: hold the store, wait for Discord, open the store, connect.

    Raises StoreInUse when another bot holds the store, TokenRefused when Discord refuses the token."""
    token = settings.token
    if not token:
        raise ValueError("no Discord token configured")
    # Taken before the store is opened (and migrated): a second bot on it must not touch it at all.
    with hold_store(settings.database.store.sqlite_path), StopSignals() as stop:
        reachable = await wait_for_discord(
            settings.discord.api_base_url, token, stopping=stop.requested, backoff=backoff or start_backoff(settings)
        )
        if not reachable:
            return
        async with assemble_bot(settings) as bot:
            if stop.requested.is_set():
                return
            stop.close_on_request(bot)
            # What start-up built (modules, content, services) lives as long as the process: moved out
            # of the collector's reach, a full collection no longer walks it in the middle of a command.
            gc.collect()
            gc.freeze()
            try:
                await bot.start(token)
            except discord.LoginFailure:
                raise TokenRefused from None
            except aiohttp.ClientConnectionError as exc:  # only the login can raise it: connect() retries
                raise DiscordUnreachable(
                    f"Discord unreachable at {settings.discord.api_base_url} while logging in: {exc}"
                ) from None


async def sync_commands_now(settings: Settings, *, backoff: Backoff | None = None) -> bool | None:
    """`summit-bot sync`: register the commands now; whether they changed, or None when stopped first."""
    token = settings.token or ""
    with hold_store(settings.database.store.sqlite_path), StopSignals() as stop:
        reachable = await wait_for_discord(
            settings.discord.api_base_url, token, stopping=stop.requested, backoff=backoff or start_backoff(settings)
        )
        if not reachable:
            return None
        async with assemble_bot(settings, sync_commands=False) as bot:
            try:
                await bot.login(token)
            except discord.LoginFailure:
                raise TokenRefused from None
            return await bot.command_sync.sync_if_changed(force=True)


def start_backoff(settings: Settings) -> Backoff:
    return Backoff(first=settings.discord.start_retry_first_seconds, cap=settings.discord.start_retry_max_seconds)


class StopSignals:
    """Stop cleanly on Ctrl-C and on SIGTERM (systemd, `docker stop`), at any point of the start or the run.

    `requested` is set on the first signal; a bot handed to `close_on_request` is then closed: runs in
    flight are stopped with their ledger writes finished, the gateway connection and the store are
    closed. A handler of our own also works when the bot was started with SIGINT ignored, as
    `nohup … &` in a script does. A second signal gets the default behaviour back, so a close that
    hangs can still be interrupted."""

    def __init__(self, signals: Sequence[signal.Signals] = (signal.SIGINT, signal.SIGTERM)) -> None:
        self.signals = tuple(signals)
        self.requested = asyncio.Event()
        self._bot: SummitBot | None = None
        self._closing: list[asyncio.Task[None]] = []  # keeps the task referenced until it is done
        self._loop: asyncio.AbstractEventLoop | None = None

    def __enter__(self) -> StopSignals:
        self._loop = asyncio.get_running_loop()
        for received in self.signals:
            self._loop.add_signal_handler(received, self._received, received)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._restore_defaults()

    def close_on_request(self, bot: SummitBot) -> None:
        self._bot = bot
        if self.requested.is_set():
            self._close(bot)

    def _received(self, received: signal.Signals) -> None:
        self._restore_defaults()
        log.info("%s received: closing", received.name)
        self.requested.set()
        if self._bot is not None:
            self._close(self._bot)

    def _close(self, bot: SummitBot) -> None:
        assert self._loop is not None
        self._closing.append(self._loop.create_task(bot.close()))

    def _restore_defaults(self) -> None:
        if self._loop is None:
            return
        for handled in self.signals:
            self._loop.remove_signal_handler(handled)
