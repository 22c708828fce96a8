"""The events shipped in data/ turned into a server's own copies, and how two versions of an event differ."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from bot.content.models import ShippedEvent
from bot.events.changes import EVENT_FIELDS
from bot.events.models import Event, EventDate, EventKind, Precision
from bot.storage.repositories.events import FieldChange


def shipped_fingerprint(shipped: ShippedEvent) -> str:
    return hashlib.sha256(shipped.model_dump_json().encode()).hexdigest()


def catalogue_fingerprint(shipped: Iterable[ShippedEvent]) -> str:
    digest = hashlib.sha256()
    for event in shipped:
        digest.update(shipped_fingerprint(event).encode())
    return digest.hexdigest()


def from_shipped(shipped: ShippedEvent, guild_id: int, *, event_id: int = 0) -> Event:
    """A server's copy of a shipped event (`event_id` 0 until it is stored)."""
    return Event(
        id=event_id,
        guild_id=guild_id,
        key=shipped.key,
        name_en=shipped.name_en,
        name_fr=shipped.name_fr,
        kind=EventKind(shipped.kind.value),
        venue=shipped.venue,
        city=shipped.city,
        city_fr=shipped.city_fr,
        country=shipped.country,
        date=EventDate(
            precision=Precision(shipped.precision.value),
            timezone=shipped.timezone,
            start=shipped.start,
            end=shipped.end,
        ),
        status=shipped.status,
        description_en=shipped.description_en,
        description_fr=shipped.description_fr,
        source_urls=shipped.source_urls,
        clauses=shipped.clauses,
        shipped=True,
    )


def field_value(event: Event, field: str) -> str | None:
    """A field as the history stores it: text as typed, the date as JSON (read back for display)."""
    if field == "date":
        return event.date.model_dump_json()
    if field == "timezone":
        return event.date.timezone
    value = getattr(event, field)
    if isinstance(value, tuple):
        return "\n".join(str(item) for item in value) or None
    if hasattr(value, "value"):
        return str(value.value)
    return value or None


def differences(before: Event, after: Event) -> list[FieldChange]:
    """The fields that differ, in a stable order."""
    found = []
    for field in EVENT_FIELDS:
        if field == "date":
            # Read in its own zone: a corrected time zone alone is a "timezone" change, not a new date.
            same = before.date.model_dump(exclude={"timezone"}) == after.date.model_dump(exclude={"timezone"})
            if not same:
                found.append(FieldChange(field, field_value(before, field), field_value(after, field)))
            continue
        old, new = field_value(before, field), field_value(after, field)
        if old != new:
            found.append(FieldChange(field, old, new))
    return found
