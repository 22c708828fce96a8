"""Small key/value facts about the store itself (content hash, command tree hash)."""

from __future__ import annotations

from bot.storage.database import Database

CONTENT_HASH = "content_hash"
COMMAND_TREE_HASH = "command_tree_hash"


class MetaRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, key: str) -> str | None:
        value = await self._db.fetch_value("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
