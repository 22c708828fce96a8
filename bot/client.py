"""The bot: a discord.py `commands.Bot` that is handed its settings, store, services and scheduler."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord.ext import commands

from bot.clock import Clock, SystemClock
from bot.command_sync import CommandSync
from bot.config import Settings
from bot.i18n import CommandTranslator
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


class SummitBot(commands.Bot):
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
        super().__init__(
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
            http_trace=paced_trace(global_limit_pacer(settings.discord.global_rate_limit)),
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

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d guild(s)", self.user, self.user.id if self.user else "?", len(self.guilds))
