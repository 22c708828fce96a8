"""The delivery ledger (reminder_deliveries): claim a message before sending it, mark it after."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.reminders.ledger import DeliveryKey, DeliveryState
from bot.reminders.planning import Audience, DeliveryKind
from bot.storage.database import Database, Row

_KEY = "kind = ? AND event_id = ? AND instant = ? AND audience = ? AND recipient_id = ? AND lead_seconds = ?"
_COLUMNS = (
    "kind, event_id, instant, audience, recipient_id, lead_seconds, guild_id, due_at, state, nonce, claimed_at,"
    " sent_at, message_id, channel_id, late, error"
)
_READ = _COLUMNS + ", claimed_by"

# Claims whose holder is dead: no live row in bot_processes (gone, or its lease ended before ?), or no holder
# recorded (claimed before schema version 8). PostgreSQL locks the rows it picks and skips those another
# process is taking over at the same moment; SQLite has one writer, the UPDATE is atomic by itself.
_ORPHANED = (
    "SELECT kind AS p_kind, event_id AS p_event_id, instant AS p_instant, audience AS p_audience,"
    " recipient_id AS p_recipient_id, lead_seconds AS p_lead, claimed_by AS p_holder FROM reminder_deliveries d"
    " WHERE d.state = 'claimed' AND (d.claimed_by IS NULL OR d.claimed_by <> ?) AND NOT EXISTS"
    " (SELECT 1 FROM bot_processes p WHERE p.id = d.claimed_by AND p.lease_until > ?) ORDER BY d.claimed_at LIMIT ?"
)
_SQL = {
    "sqlite": {"orphaned": _ORPHANED},
    "postgresql": {"orphaned": _ORPHANED + " FOR UPDATE OF d SKIP LOCKED"},
}
# A row is taken only if its holder is still the dead one that was picked. On PostgreSQL, under READ
# COMMITTED, a competitor whose pick ran before another's takeover committed waits for that commit, then
# re-checks the row as it is now: its holder is the winner, so it is left alone (a check on the picked
# set alone, or through a join to bot_processes, would take it once more).
_TAKE_OVER = (
    "WITH picked AS ({orphaned}) UPDATE reminder_deliveries SET claimed_by = ? FROM picked"  # noqa: S608
    " WHERE kind = p_kind AND event_id = p_event_id AND instant = p_instant AND audience = p_audience"
    " AND recipient_id = p_recipient_id AND lead_seconds = p_lead AND state = 'claimed'"
    " AND claimed_by IS NOT DISTINCT FROM p_holder"
    f" RETURNING {_READ}"
)


def iso(moment: datetime) -> str:
    """Every time in the reminder tables: UTC, to the microsecond, so they compare as text."""
    return moment.isoformat(timespec="microseconds")


def _key_params(key: DeliveryKey) -> tuple[object, ...]:
    return (key.kind.value, key.event_id, key.instant, key.audience.value, key.recipient_id, key.lead)


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@dataclass(frozen=True)
class Delivery:
    key: DeliveryKey
    guild_id: int
    due_at: datetime
    state: DeliveryState
    nonce: str
    claimed_at: datetime | None
    sent_at: datetime | None
    message_id: int | None
    channel_id: int | None
    late: bool
    error: str | None
    claimed_by: str | None = None  # the process holding a 'claimed' row (bot/cluster)


@dataclass(frozen=True)
class Skip:
    """A message owed but not sent, recorded so it is never sent later."""

    key: DeliveryKey
    guild_id: int
    due_at: datetime
    reason: str


def _delivery(row: Row) -> Delivery:
    key = DeliveryKey(
        DeliveryKind(row["kind"]),
        row["event_id"],
        row["instant"],
        Audience(row["audience"]),
        row["recipient_id"],
        row["lead_seconds"],
    )
    return Delivery(
        key=key,
        guild_id=row["guild_id"],
        due_at=datetime.fromisoformat(row["due_at"]),
        state=DeliveryState(row["state"]),
        nonce=row["nonce"],
        claimed_at=_moment(row["claimed_at"]),
        sent_at=_moment(row["sent_at"]),
        message_id=row["message_id"],
        channel_id=row["channel_id"],
        late=bool(row["late"]),
        error=row["error"],
        claimed_by=row["claimed_by"],
    )


class DeliveryRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._take_over = _TAKE_OVER.format(**_SQL[database.dialect.name])

    async def claim(
        self, key: DeliveryKey, *, guild_id: int, due_at: datetime, late: bool, at: datetime, by: str | None = None
    ) -> bool:
        """Take the message for sending (`by`: this process's id); False when the ledger already has it (sent,
        skipped, or claimed)."""
        async with self._db.transaction() as tx:
            claimed = await tx.execute(
                f"INSERT INTO reminder_deliveries ({_COLUMNS}, claimed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'claimed',"  # noqa: S608
                " ?, ?, NULL, NULL, NULL, ?, NULL, ?) ON CONFLICT DO NOTHING",
                (*_key_params(key), guild_id, iso(due_at), key.nonce, iso(at), int(late), by),
            )
            return claimed == 1

    async def take_over(self, me: str, *, now: datetime, limit: int = 500) -> list[Delivery]:
        """Claims held by dead processes (lease ended at `now`, or row gone) become `me`'s, atomically: two
        processes taking over at once get disjoint rows. The caller settles them (nonce recovery)."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(self._take_over, (me, iso(now), limit, me))
        return sorted((_delivery(row) for row in rows), key=lambda d: d.claimed_at or d.due_at)

    async def claims_by_holder(self) -> dict[str | None, int]:
        """How many 'claimed' rows each process holds (None: no holder recorded)."""
        rows = await self._db.fetch_all(
            "SELECT claimed_by, count(*) AS n FROM reminder_deliveries WHERE state = 'claimed' GROUP BY claimed_by"
        )
        return {row["claimed_by"]: row["n"] for row in rows}

    async def get(self, key: DeliveryKey) -> Delivery | None:
        row = await self._db.fetch_one(
            f"SELECT {_READ} FROM reminder_deliveries WHERE {_KEY}",  # noqa: S608
            _key_params(key),
        )
        return None if row is None else _delivery(row)

    async def mark_sent(self, key: DeliveryKey, *, message_id: int, channel_id: int, at: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                f"UPDATE reminder_deliveries SET state = 'sent', sent_at = ?, message_id = ?, channel_id = ?,"  # noqa: S608
                f" error = NULL WHERE {_KEY}",
                (iso(at), message_id, channel_id, *_key_params(key)),
            )

    async def mark(self, key: DeliveryKey, state: DeliveryState, *, error: str | None = None) -> None:
        """Settle a claimed message that was not sent (closed DM, refused, no longer wanted)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                f"UPDATE reminder_deliveries SET state = ?, error = ? WHERE {_KEY}",  # noqa: S608
                (state.value, error, *_key_params(key)),
            )

    async def record_skipped(self, skips: Sequence[Skip], *, at: datetime) -> int:
        """Write 'skipped' rows for messages nobody claimed; returns how many were new."""
        if not skips:
            return 0
        async with self._db.transaction() as tx:
            # One statement per row: its count says whether it was new, on both stores.
            added = 0
            for s in skips:
                added += await tx.execute(
                    f"INSERT INTO reminder_deliveries ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'skipped', ?, ?,"  # noqa: S608
                    " NULL, NULL, NULL, 0, ?) ON CONFLICT DO NOTHING",
                    (*_key_params(s.key), s.guild_id, iso(s.due_at), s.key.nonce, iso(at), s.reason),
                )
            return added

    async def unconfirmed(self, *, claimed_by: str | None = None) -> list[Delivery]:
        """Claimed and never settled (all, or one process's): sent or not, only recovery can tell."""
        if claimed_by is None:
            rows = await self._db.fetch_all(
                f"SELECT {_READ} FROM reminder_deliveries WHERE state = 'claimed' ORDER BY claimed_at"  # noqa: S608
            )
        else:
            rows = await self._db.fetch_all(
                f"SELECT {_READ} FROM reminder_deliveries WHERE state = 'claimed' AND claimed_by = ?"  # noqa: S608
                " ORDER BY claimed_at",
                (claimed_by,),
            )
        return [_delivery(row) for row in rows]

    async def recipients_with_rows(
        self, kind: DeliveryKind, event_id: int, instant: str, audience: Audience, lead: int
    ) -> set[int]:
        rows = await self._db.fetch_all(
            "SELECT recipient_id FROM reminder_deliveries WHERE kind = ? AND event_id = ? AND instant = ?"
            " AND audience = ? AND lead_seconds = ?",
            (kind.value, event_id, instant, audience.value, lead),
        )
        return {row["recipient_id"] for row in rows}

    async def latest_dm(self, guild_id: int, user_id: int) -> Delivery | None:
        """The member's most recent DM from this server's reminders (to tell them their DMs are closed)."""
        row = await self._db.fetch_one(
            f"SELECT {_READ} FROM reminder_deliveries WHERE audience = 'dm' AND recipient_id = ?"  # noqa: S608
            " AND guild_id = ? AND state IN ('sent', 'closed_dm') ORDER BY claimed_at DESC LIMIT 1",
            (user_id, guild_id),
        )
        return None if row is None else _delivery(row)

    async def for_recipient(self, audience: Audience, recipient_ids: Iterable[int]) -> list[Delivery]:
        ids = list(recipient_ids)
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        rows = await self._db.fetch_all(
            f"SELECT {_READ} FROM reminder_deliveries WHERE audience = ? AND recipient_id IN ({marks})"  # noqa: S608
            " ORDER BY claimed_at",
            (audience.value, *ids),
        )
        return [_delivery(row) for row in rows]
