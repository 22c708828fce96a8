"""Which store an end-to-end test runs on: both by default (the `settings` fixture takes `store_url`).

A test that is about SQLite itself (its file, its lock, a locked file) says so with `@SQLITE_ONLY`."""

from __future__ import annotations

import pytest

from bot.config import Settings

# Overrides the params of `store_url` (tests/conftest.py) for one test: its fixture still makes the file.
SQLITE_ONLY = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def on_store(settings: Settings, url: str) -> Settings:
    """`settings` pointed at the store `url` (the bot migrates and seeds it at start)."""
    return settings.model_copy(update={"database": settings.database.model_copy(update={"url": url, "path": None})})
