"""The one error path for slash commands and buttons alike."""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.errors import UserFacingError
from bot.i18n import t
from bot.replies import reply
from bot.storage.database import StoreUnavailableError

log = logging.getLogger("bot.errors")


async def handle_interaction_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Domain errors become a short translated ephemeral answer; anything else is logged and apologised for."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    locale = interaction.locale
    if isinstance(original, UserFacingError):
        message = t(original.key, locale, **original.params)
    elif isinstance(original, app_commands.CommandOnCooldown):
        message = t("errors.cooldown", locale, seconds=max(1, round(original.retry_after)))
    elif isinstance(original, app_commands.MissingPermissions | app_commands.MissingAnyRole):
        message = t("errors.not_allowed", locale)
    elif isinstance(original, app_commands.NoPrivateMessage):
        message = t("errors.guild_only", locale)
    elif isinstance(original, app_commands.TransformerError):
        message = t("errors.bad_value", locale)
    elif isinstance(original, app_commands.CheckFailure):
        message = t("errors.not_allowed", locale)
    elif _database_busy(original):
        # Another process (a backup, a second bot) held the write lock past busy_timeout: the write was
        # rolled back, so trying again later is all the member can and need do.
        command = interaction.command.qualified_name if interaction.command else None
        log.warning("database busy: command=%s user=%s", command, interaction.user.id)
        message = t("errors.busy", locale)
    else:
        command = interaction.command.qualified_name if interaction.command else None
        custom_id = (interaction.data or {}).get("custom_id") if interaction.data else None
        log.error(
            "interaction failed: command=%s custom_id=%s guild=%s channel=%s user=%s",
            command,
            custom_id,
            interaction.guild_id,
            interaction.channel_id,
            interaction.user.id,
            exc_info=original,
        )
        message = t("errors.unexpected", locale)
    await reply(interaction, message, ephemeral=True)


def _database_busy(error: BaseException) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED, whatever the extended code: another connection holds the lock; or the
    store cannot be reached right now (PostgreSQL restarting, connections dropped)."""
    if isinstance(error, StoreUnavailableError):
        return True
    if not isinstance(error, sqlite3.OperationalError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class SummitTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await handle_interaction_error(interaction, error)


def reports_errors(callback: Callable[[Any, discord.Interaction], Awaitable[None]]):
    """Route a button callback's errors through the same path as slash commands.

    discord.py only logs exceptions raised in a DynamicItem callback, leaving the member with
    "This interaction failed"; this gives them the translated answer instead.
    """

    @functools.wraps(callback)
    async def guarded(self: Any, interaction: discord.Interaction) -> None:
        try:
            await callback(self, interaction)
        except Exception as exc:
            await handle_interaction_error(interaction, exc)

    return guarded
