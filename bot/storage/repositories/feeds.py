"""Calendar feed addresses: one per server (when its moderators turned it on) and one per member and server."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Database, Row

GUILD = "guild"
MEMBER = "member"


@dataclass(frozen=True)
class Feed:
    token: str
    kind: str  # GUILD or MEMBER
    guild_id: int
    user_id: int | None
    locale: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _feed(row: Row) -> Feed:
    return Feed(row["token"], row["kind"], row["guild_id"], row["user_id"], row["locale"])


class FeedRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def by_token(self, token: str) -> Feed | None:
        """The feed this token opens, or None; the stored token is compared in constant time."""
        row = await self._db.fetch_one(
            "SELECT token, kind, guild_id, user_id, locale FROM calendar_feeds WHERE token_sha256 = ?",
            (token_digest(token),),
        )
        if row is None or not hmac.compare_digest(row["token"].encode("utf-8"), token.encode("utf-8")):
            return None
        return _feed(row)

    async def of_guild(self, guild_id: int) -> Feed | None:
        row = await self._db.fetch_one(
            "SELECT token, kind, guild_id, user_id, locale FROM calendar_feeds WHERE kind = 'guild' AND guild_id = ?",
            (guild_id,),
        )
        return None if row is None else _feed(row)

    async def of_member(self, guild_id: int, user_id: int) -> Feed | None:
        row = await self._db.fetch_one(
            "SELECT token, kind, guild_id, user_id, locale FROM calendar_feeds"
            " WHERE kind = 'member' AND guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return None if row is None else _feed(row)

    async def replace(
        self, token: str, *, guild_id: int, user_id: int | None, locale: str, at: datetime
    ) -> Feed:
        """Store `token` as the server's (user_id None) or the member's feed; a previous address stops working."""
        kind = GUILD if user_id is None else MEMBER
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM calendar_feeds WHERE kind = ? AND guild_id = ? AND user_id IS NOT DISTINCT FROM ?",
                (kind, guild_id, user_id),
            )
            await tx.execute(
                "INSERT INTO calendar_feeds (token_sha256, token, kind, guild_id, user_id, locale, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (token_digest(token), token, kind, guild_id, user_id, locale, at.isoformat()),
            )
        return Feed(token, kind, guild_id, user_id, locale)

    async def delete_guild_feed(self, guild_id: int) -> bool:
        async with self._db.transaction() as tx:
            return await tx.execute("DELETE FROM calendar_feeds WHERE kind = 'guild' AND guild_id = ?", (guild_id,)) > 0

    async def forget_user(self, user_id: int) -> int:
        """Every feed address of this member, in every server, stops working."""
        async with self._db.transaction() as tx:
            return await tx.execute("DELETE FROM calendar_feeds WHERE kind = 'member' AND user_id = ?", (user_id,))
