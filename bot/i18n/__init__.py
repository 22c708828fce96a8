"""The one translation layer: replies via `t`, command strings via `text` and `CommandTranslator`."""

from bot.i18n.catalog import Catalog, get_catalog, language_for, t
from bot.i18n.commands import CommandTranslator, text

__all__ = ["Catalog", "CommandTranslator", "get_catalog", "language_for", "t", "text"]
