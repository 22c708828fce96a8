"""The bot: a discord.py `commands.AutoShardedBot` that is handed its settings, store, services and scheduler.

It runs the shards `discord.shard_ids` of `discord.shard_count` (all of one by default) in this process.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord.ext import commands

from bot.clock import Clock, SystemClock
from bot.cluster.identify_lock import StoreIdentifyLocks
from bot.cluster.rate_budget import shared_rate_budget
from bot.command_sync import CommandSync
from bot.config import Settings
from bot.i18n import CommandTranslator
from bot.identify_pacing import IdentifyPacer, check_session_starts
from bot.interaction_errors import SummitTree
from bot.pacing import global_limit_pacer, paced_trace
from bot.rendering.clauses import RenderedPassages
from bot.services import Services
from bot.storage.database import Database
from bot.views.clause_navigation import ClauseButton
from bot.views.event_links import OpenEventButton
from bot.views.events import DYNAMIC_ITEMS as EVENT_BUTTONS
from bot.views.pagination import PageButton, Pagination
from bot.views.reminders import DYNAMIC_ITEMS as REMINDER_BUTTONS

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = (
    "cogs.about",
    "cogs.signatories",
    "cogs.declaration",
    "cogs.events",
    "cogs.eventadmin",
    "cogs.reminders",
)


def bot_intents() -> discord.Intents:
    # Slash commands need no privileged intent; guilds is enough to know where we are.
    return discord.Intents(guilds=True)


class SummitBot(commands.AutoShardedBot):
    def __init__(
        self,
        *,
        settings: Settings,
        database: Database,
        services: Services,
        scheduler: AsyncIOScheduler,
        clock: Clock | None = None,
        extensions: Sequence[str] = EXTENSIONS,
        sync_commands: bool = True,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        # The bot never joins voice: discord.py's warnings about missing voice libraries are noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        shard_count = settings.discord.shard_count
        super().__init__(
            # "auto": None, and launch_shards asks Discord (through the configured endpoints).
            shard_count=None if shard_count == "auto" else shard_count,
            shard_ids=settings.discord.shard_id_list,
            # discord.py waits this long after the last GUILD_CREATE before "ready"; the emulator
            # sends them all at once, so the sandbox and tests use a much shorter wait.
            guild_ready_timeout=guild_ready_timeout,
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=SummitTree,
            max_messages=None,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            http_trace=paced_trace(
                global_limit_pacer(
                    settings.discord.global_rate_limit,
                    shared=shared_rate_budget(database, settings.discord.global_rate_limit),
                )
            ),
        )
        self.settings = settings
        self.database = database
        self.services = services
        self.scheduler = scheduler
        self.clock = clock or SystemClock()
        self.started_at: datetime = self.clock.now()
        self.command_sync = CommandSync(self, database)
        self.pagination = Pagination(self.clock.now)
        self.rendered_passages = RenderedPassages()
        self._extensions = tuple(extensions)
        self._sync_commands = sync_commands
        store = settings.database.store
        # On PostgreSQL other processes may run the bot's other shards: their IDENTIFYs queue with ours.
        self.identify_locks = (
            StoreIdentifyLocks(store, window=settings.discord.identify_window) if store.sqlite_path is None else None
        )
        self.identify_pacer = IdentifyPacer(
            self._fetch_max_concurrency, window=settings.discord.identify_window, shared=self.identify_locks
        )

    async def launch_shards(self) -> None:
        # discord.py's "auto" would also take Discord's gateway URL and skip discord.gateway_url (a
        # proxy, the emulator): ask for the count here and let it connect where it is configured.
        count, _url, limits = await self.http.get_bot_gateway()
        self.identify_pacer.know_max_concurrency(limits["max_concurrency"])
        if self.shard_count is None:
            self.shard_count = count
        starting = len(self.shard_ids) if self.shard_ids is not None else self.shard_count
        check_session_starts(limits, starting, margin=self.settings.discord.session_start_margin)
        log.info("starting shard(s) %s of %d", self.shard_ids or f"0-{self.shard_count - 1}", self.shard_count)
        await super().launch_shards()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.identify_pacer.wait(shard_id or 0, initial=initial)

    async def _fetch_max_concurrency(self) -> int:
        return (await self.fetch_session_start_limits()).max_concurrency

    async def setup_hook(self) -> None:
        self.started_at = self.clock.now()
        await self.tree.set_translator(CommandTranslator())
        self.add_dynamic_items(PageButton)
        self.add_dynamic_items(ClauseButton, OpenEventButton)
        self.add_dynamic_items(*EVENT_BUTTONS)
        self.add_dynamic_items(*REMINDER_BUTTONS)
        for extension in self._extensions:
            await self.load_extension(extension)
        if not self.scheduler.running:
            self.scheduler.start()
        if self._sync_commands:
            await self.command_sync.sync_if_changed()

    async def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await super().close()
        if self.identify_locks is not None:
            await self.identify_locks.close()

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d guild(s)", self.user, self.user.id if self.user else "?", len(self.guilds))
