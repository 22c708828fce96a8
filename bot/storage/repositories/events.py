"""A server's events, their change history and their Discord scheduled-event mirrors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from bot.cluster.change_feed import ChangeFeed
from bot.events.changes import ChangeKind, HistoryEntry
from bot.events.models import Event, EventDate, EventKind, EventStatus, Precision
from bot.storage.database import Database, Row, Transaction

_COLUMNS = (
    "id, guild_id, key, name_en, name_fr, kind, venue, city, city_fr, country, timezone, precision, start_date,"
    " end_date, start_time, end_time, status, description_en, description_fr, source_urls, clauses, shipped_hash,"
    " edited, sequence, updated_at"
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class StoredKey:
    """What seeding needs to know about a key a server already has."""

    event_id: int
    shipped_hash: str | None
    edited: bool
    deleted: bool


def _event(row: Row) -> Event:
    event_date = EventDate(
        precision=Precision(row["precision"]),
        timezone=row["timezone"],
        start=date.fromisoformat(row["start_date"]) if row["start_date"] else None,
        end=date.fromisoformat(row["end_date"]) if row["end_date"] else None,
        start_time=time.fromisoformat(row["start_time"]) if row["start_time"] else None,
        end_time=time.fromisoformat(row["end_time"]) if row["end_time"] else None,
    )
    return Event(
        id=row["id"],
        guild_id=row["guild_id"],
        key=row["key"],
        name_en=row["name_en"],
        name_fr=row["name_fr"],
        kind=EventKind(row["kind"]),
        venue=row["venue"],
        city=row["city"],
        city_fr=row["city_fr"],
        country=row["country"],
        date=event_date,
        status=EventStatus(row["status"]),
        description_en=row["description_en"],
        description_fr=row["description_fr"],
        source_urls=tuple(json.loads(row["source_urls"])),
        clauses=tuple(json.loads(row["clauses"])),
        shipped=row["shipped_hash"] is not None,
        edited=bool(row["edited"]),
        sequence=row["sequence"],
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _values(event: Event) -> dict[str, object]:
    """The columns an event's content is stored in (identity and bookkeeping apart)."""
    when = event.date
    return {
        "name_en": event.name_en,
        "name_fr": event.name_fr,
        "kind": event.kind.value,
        "venue": event.venue,
        "city": event.city,
        "city_fr": event.city_fr,
        "country": event.country,
        "timezone": when.timezone,
        "precision": when.precision.value,
        "start_date": when.start.isoformat() if when.start else None,
        "end_date": when.end.isoformat() if when.end else None,
        "start_time": when.start_time.strftime("%H:%M") if when.start_time else None,
        "end_time": when.end_time.strftime("%H:%M") if when.end_time else None,
        "starts_at": _iso(when.starts_at()),
        "ends_at": _iso(when.ends_at()),
        "status": event.status.value,
        "description_en": event.description_en,
        "description_fr": event.description_fr,
        "source_urls": json.dumps(list(event.source_urls)),
        "clauses": json.dumps(list(event.clauses)),
    }


EVENTS_TOPIC = "events"  # key: the server id; what EventService keeps of a server's events


class EventRepository:
    def __init__(self, database: Database, feed: ChangeFeed | None = None) -> None:
        self._db = database
        # Each write of a server's events tells every process (this one included) to forget them.
        self.feed = feed or ChangeFeed(database)

    # --- reading ---------------------------------------------------------------------------------

    async def list(self, guild_id: int) -> list[Event]:
        """The server's events (not deleted), by start, TBA last."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM guild_events WHERE guild_id = ? AND deleted_at IS NULL"  # noqa: S608
            " ORDER BY starts_at IS NULL, starts_at, key",
            (guild_id,),
        )
        return [_event(row) for row in rows]

    async def list_deleted(self, guild_id: int) -> list[Event]:
        """The server's deleted events (their history is kept), the latest deleted first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM guild_events WHERE guild_id = ? AND deleted_at IS NOT NULL"  # noqa: S608
            " ORDER BY deleted_at DESC, key",
            (guild_id,),
        )
        return [_event(row) for row in rows]

    async def get(self, guild_id: int, key: str) -> Event | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM guild_events WHERE guild_id = ? AND key = ? AND deleted_at IS NULL",  # noqa: S608
            (guild_id, key),
        )
        return None if row is None else _event(row)

    async def get_by_id(self, event_id: int) -> Event | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM guild_events WHERE id = ? AND deleted_at IS NULL",  # noqa: S608
            (event_id,),
        )
        return None if row is None else _event(row)

    async def stored_keys(self, guild_id: int) -> dict[str, StoredKey]:
        """Every key the server has or had (deleted ones too)."""
        rows = await self._db.fetch_all(
            "SELECT key, id, shipped_hash, edited, deleted_at FROM guild_events WHERE guild_id = ?", (guild_id,)
        )
        return {
            row["key"]: StoredKey(row["id"], row["shipped_hash"], bool(row["edited"]), row["deleted_at"] is not None)
            for row in rows
        }

    async def history(self, event_id: int) -> list[HistoryEntry]:
        rows = await self._db.fetch_all(
            "SELECT sequence, at, actor_id, action, field, old_value, new_value, reason FROM guild_event_changes"
            " WHERE event_id = ? ORDER BY id",
            (event_id,),
        )
        return [
            HistoryEntry(
                sequence=row["sequence"],
                at=datetime.fromisoformat(row["at"]),
                actor_id=row["actor_id"],
                action=ChangeKind(row["action"]),
                field=row["field"],
                old=row["old_value"],
                new=row["new_value"],
                reason=row["reason"],
            )
            for row in rows
        ]

    # --- writing ---------------------------------------------------------------------------------

    async def insert(
        self,
        event: Event,
        *,
        shipped_hash: str | None,
        at: datetime,
        actor_id: int | None,
        changes: Sequence[FieldChange],
        reason: str | None,
    ) -> Event:
        """Store a new event (or bring back a deleted key) and record its addition."""
        values = _values(event)
        async with self.feed.transaction() as tx:
            # A key deleted earlier is taken over: its row (and history) continues with the new content.
            old = await tx.fetch_one(
                "SELECT id, sequence FROM guild_events WHERE guild_id = ? AND key = ?", (event.guild_id, event.key)
            )
            if old is None:
                columns = ", ".join(values)
                marks = ", ".join("?" for _ in values)
                event_id = await tx.fetch_value(
                    f"INSERT INTO guild_events (guild_id, key, {columns}, shipped_hash, edited, sequence,"  # noqa: S608
                    f" created_at, updated_at) VALUES (?, ?, {marks}, ?, ?, 0, ?, ?) RETURNING id",
                    (event.guild_id, event.key, *values.values(), shipped_hash, int(event.edited), _iso(at), _iso(at)),
                )
            else:
                event_id = old["id"]
                assignments = ", ".join(f"{column} = ?" for column in values)
                await tx.execute(
                    f"UPDATE guild_events SET {assignments}, shipped_hash = ?, edited = ?,"  # noqa: S608
                    " sequence = sequence + 1, updated_at = ?, deleted_at = NULL WHERE id = ?",
                    (*values.values(), shipped_hash, int(event.edited), _iso(at), event_id),
                )
            assert event_id is not None
            await self._record(tx, event_id, event.guild_id, at, actor_id, ChangeKind.ADDED, changes, reason)
            await self.feed.publish(tx, EVENTS_TOPIC, event.guild_id)
        stored = await self.get_by_id(event_id)
        assert stored is not None
        return stored

    async def insert_shipped(self, events: Iterable[tuple[Event, str]], *, at: datetime) -> int:
        """Copy shipped events into a server in one transaction (no history: nobody changed anything)."""
        rows = list(events)
        async with self.feed.transaction() as tx:
            for event, shipped_hash in rows:
                values = _values(event)
                columns = ", ".join(values)
                marks = ", ".join("?" for _ in values)
                await tx.execute(
                    f"INSERT INTO guild_events (guild_id, key, {columns}, shipped_hash, edited, sequence,"  # noqa: S608
                    f" created_at, updated_at) VALUES (?, ?, {marks}, ?, 0, 0, ?, ?)"
                    " ON CONFLICT (guild_id, key) DO NOTHING",
                    (event.guild_id, event.key, *values.values(), shipped_hash, _iso(at), _iso(at)),
                )
            for guild_id in {event.guild_id for event, _ in rows}:
                await self.feed.publish(tx, EVENTS_TOPIC, guild_id)
        return len(rows)

    async def update(
        self,
        event: Event,
        *,
        action: ChangeKind,
        at: datetime,
        actor_id: int | None,
        changes: Sequence[FieldChange],
        reason: str | None,
        shipped_hash: str | None = None,
    ) -> Event:
        """Store the event's new content, bump its sequence and record each changed field."""
        values = _values(event)
        assignments = ", ".join(f"{column} = ?" for column in values)
        hash_clause = ", shipped_hash = ?" if shipped_hash is not None else ""
        params: list[object] = [*values.values(), int(event.edited), _iso(at)]
        if shipped_hash is not None:
            params.append(shipped_hash)
        async with self.feed.transaction() as tx:
            await tx.execute(
                f"UPDATE guild_events SET {assignments}, edited = ?, sequence = sequence + 1,"  # noqa: S608
                f" updated_at = ?{hash_clause} WHERE id = ?",
                (*params, event.id),
            )
            await self._record(tx, event.id, event.guild_id, at, actor_id, action, changes, reason)
            await self.feed.publish(tx, EVENTS_TOPIC, event.guild_id)
        stored = await self.get_by_id(event.id)
        assert stored is not None
        return stored

    async def set_shipped_hash(self, event_id: int, shipped_hash: str) -> None:
        """A release changed the shipped record in ways this copy does not hold (notes): follow it silently."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE guild_events SET shipped_hash = ? WHERE id = ?", (shipped_hash, event_id))

    async def mark_deleted(self, event: Event, *, at: datetime, actor_id: int | None, reason: str | None) -> None:
        async with self.feed.transaction() as tx:
            await tx.execute(
                "UPDATE guild_events SET deleted_at = ?, updated_at = ?, sequence = sequence + 1 WHERE id = ?",
                (_iso(at), _iso(at), event.id),
            )
            await self._record(
                tx, event.id, event.guild_id, at, actor_id, ChangeKind.DELETED, [FieldChange("deleted", None, None)],
                reason,
            )  # fmt: skip
            await self.feed.publish(tx, EVENTS_TOPIC, event.guild_id)

    async def _record(
        self,
        tx: Transaction,
        event_id: int,
        guild_id: int,
        at: datetime,
        actor_id: int | None,
        action: ChangeKind,
        changes: Sequence[FieldChange],
        reason: str | None,
    ) -> None:
        entries = changes or [FieldChange("", None, None)]
        await tx.executemany(
            "INSERT INTO guild_event_changes (event_id, guild_id, sequence, at, actor_id, action, field, old_value,"
            " new_value, reason) VALUES (?, ?, (SELECT sequence FROM guild_events WHERE id = ?), ?, ?, ?, ?, ?, ?, ?)",
            [
                (event_id, guild_id, event_id, _iso(at), actor_id, action.value, c.field or None, c.old, c.new, reason)
                for c in entries
            ],
        )

    # --- scheduled-event mirrors -----------------------------------------------------------------

    async def mirror_id(self, event_id: int) -> int | None:
        value = await self._db.fetch_value(
            "SELECT scheduled_event_id FROM guild_event_mirrors WHERE event_id = ?", (event_id,)
        )
        return None if value is None else int(str(value))

    async def mirrors(self, guild_id: int) -> dict[int, int]:
        """event id -> Discord scheduled event id, for one server."""
        rows = await self._db.fetch_all(
            "SELECT event_id, scheduled_event_id FROM guild_event_mirrors WHERE guild_id = ?", (guild_id,)
        )
        return {row["event_id"]: row["scheduled_event_id"] for row in rows}

    async def set_mirror(self, event_id: int, guild_id: int, scheduled_event_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO guild_event_mirrors (event_id, guild_id, scheduled_event_id) VALUES (?, ?, ?)"
                " ON CONFLICT (event_id) DO UPDATE SET scheduled_event_id = excluded.scheduled_event_id",
                (event_id, guild_id, scheduled_event_id),
            )

    async def drop_mirror(self, event_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM guild_event_mirrors WHERE event_id = ?", (event_id,))
