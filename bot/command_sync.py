"""Register slash commands with Discord only when the command tree changed (or when asked)."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING

import discord

from bot.storage.database import Database
from bot.storage.repositories.meta import COMMAND_TREE_HASH, MetaRepository

if TYPE_CHECKING:
    from bot.client import SummitBot

log = logging.getLogger(__name__)


class CommandSync:
    def __init__(self, bot: SummitBot, database: Database) -> None:
        self._bot = bot
        self._meta = MetaRepository(database)

    async def payload(self) -> list[dict]:
        """The commands exactly as `tree.sync()` would send them, translations included."""
        tree = self._bot.tree
        translator = tree.translator
        commands = tree.get_commands()
        if translator is None:
            return [command.to_dict(tree) for command in commands]
        return [await command.get_translated_payload(tree, translator) for command in commands]

    async def fingerprint(self) -> str:
        document = {
            "application_id": self._bot.application_id,
            "guilds": sorted(self._bot.settings.discord.dev_guild_ids),
            "commands": await self.payload(),
        }
        return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()

    async def sync_if_changed(self, *, force: bool = False) -> bool:
        """Sync when the tree differs from the last synced one; return whether a sync happened."""
        digest = await self.fingerprint()
        if not force and await self._meta.get(COMMAND_TREE_HASH) == digest:
            log.info("slash commands unchanged since the last sync; not syncing")
            return False
        tree = self._bot.tree
        guild_ids = self._bot.settings.discord.dev_guild_ids
        if guild_ids:
            for guild_id in guild_ids:
                guild = discord.Object(id=guild_id)
                tree.copy_global_to(guild=guild)
                synced = await tree.sync(guild=guild)
                log.info("synced %d slash commands to guild %s", len(synced), guild_id)
        else:
            synced = await tree.sync()
            log.info("synced %d global slash commands", len(synced))
        await self._meta.set(COMMAND_TREE_HASH, digest)
        return True
