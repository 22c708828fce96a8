"""The live events board of each server: its channel, its one message, whether a problem was reported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Database


@dataclass(frozen=True)
class Board:
    guild_id: int
    channel_id: int
    message_id: int | None
    problem_reported: bool


class BoardRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, guild_id: int) -> Board | None:
        row = await self._db.fetch_one(
            "SELECT channel_id, message_id, problem_reported FROM event_boards WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return None
        return Board(guild_id, row["channel_id"], row["message_id"], bool(row["problem_reported"]))

    async def all_guilds(self) -> list[int]:
        return [row[0] for row in await self._db.fetch_all("SELECT guild_id FROM event_boards ORDER BY guild_id")]

    async def place(self, guild_id: int, channel_id: int, *, at: datetime) -> None:
        """The board now lives in `channel_id`; its message is posted next (problems forgotten)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO event_boards (guild_id, channel_id, message_id, problem_reported, updated_at)"
                " VALUES (?, ?, NULL, 0, ?) ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,"
                " message_id = NULL, problem_reported = 0, updated_at = excluded.updated_at",
                (guild_id, channel_id, at.isoformat()),
            )

    async def set_message(self, guild_id: int, message_id: int, *, at: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE event_boards SET message_id = ?, problem_reported = 0, updated_at = ? WHERE guild_id = ?",
                (message_id, at.isoformat(), guild_id),
            )

    async def set_problem_reported(self, guild_id: int, *, at: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE event_boards SET problem_reported = 1, updated_at = ? WHERE guild_id = ?",
                (at.isoformat(), guild_id),
            )
