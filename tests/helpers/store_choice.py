"""Which store an end-to-end test runs on: both (the `settings` fixtures take `store_url`).

Tests about SQLite itself (its file, its lock, a locked file) build their own settings and say so."""

from __future__ import annotations

from bot.config import Settings


def on_store(settings: Settings, url: str) -> Settings:
    """`settings` pointed at the store `url` (the bot migrates and seeds it at start)."""
    return settings.model_copy(update={"database": settings.database.model_copy(update={"url": url, "path": None})})
