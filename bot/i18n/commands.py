"""Translation of slash command names, descriptions, option names and choices at sync time."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n.catalog import get_catalog

# Discord's locales that get our French strings; English is the default every other locale sees.
FRENCH = discord.Locale.french


def text(key: str) -> app_commands.locale_str:
    """A command string: English is what Discord stores by default, the key finds the French."""
    return app_commands.locale_str(get_catalog().t(key, "en"), key=key)


class CommandTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        if key is None or locale is not FRENCH:
            return None
        return get_catalog().t(key, "fr")
