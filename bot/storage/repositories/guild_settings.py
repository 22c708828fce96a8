"""Per-server settings: where announcements go, which role they ping, whether events are mirrored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Database


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    announcements_channel_id: int | None = None
    ping_role_id: int | None = None
    mirroring: bool = False
    mirror_problem_reported: bool = False
    seeded_hash: str | None = None


# Sentinel for "leave this setting as it is" (None means "clear it").
KEEP: object = object()


class GuildSettingsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, guild_id: int) -> GuildSettings:
        row = await self._db.fetch_one(
            "SELECT announcements_channel_id, ping_role_id, mirroring, mirror_problem_reported, seeded_hash"
            " FROM guild_settings WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return GuildSettings(guild_id)
        return GuildSettings(
            guild_id=guild_id,
            announcements_channel_id=row["announcements_channel_id"],
            ping_role_id=row["ping_role_id"],
            mirroring=bool(row["mirroring"]),
            mirror_problem_reported=bool(row["mirror_problem_reported"]),
            seeded_hash=row["seeded_hash"],
        )

    async def update(
        self,
        guild_id: int,
        *,
        at: datetime,
        announcements_channel_id: int | object | None = KEEP,
        ping_role_id: int | object | None = KEEP,
        mirroring: bool | object = KEEP,
        mirror_problem_reported: bool | object = KEEP,
        seeded_hash: str | object = KEEP,
    ) -> GuildSettings:
        """Change the given settings (None clears a channel or role); the others stay."""
        given = {
            "announcements_channel_id": announcements_channel_id,
            "ping_role_id": ping_role_id,
            "mirroring": mirroring,
            "mirror_problem_reported": mirror_problem_reported,
            "seeded_hash": seeded_hash,
        }
        changes = {
            column: int(value) if isinstance(value, bool) else value
            for column, value in given.items()
            if value is not KEEP
        }
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?) ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, at.isoformat()),
            )
            if changes:
                assignments = ", ".join(f"{column} = ?" for column in changes)
                await tx.execute(
                    f"UPDATE guild_settings SET {assignments}, updated_at = ? WHERE guild_id = ?",  # noqa: S608
                    (*changes.values(), at.isoformat(), guild_id),
                )
        return await self.get(guild_id)
