"""What changed about an event, as told to the listeners (announcements, the scheduled-event mirror, reminders)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.events.models import Event, EventDate


class ChangeKind(StrEnum):
    ADDED = "added"
    MOVED = "moved"  # the date changed (status unchanged)
    POSTPONED = "postponed"  # the date changed and the event is now marked postponed
    CANCELLED = "cancelled"
    EDITED = "edited"  # name, place, description … but not the date
    DELETED = "deleted"
    CORRECTED = "corrected"  # a release shipped corrected facts for an event the moderators never edited


# The fields a change can touch, as recorded in the history.
EVENT_FIELDS = (
    "name_en",
    "name_fr",
    "kind",
    "venue",
    "city",
    "city_fr",
    "country",
    "timezone",
    "date",
    "status",
    "description_en",
    "description_fr",
    "source_urls",
    "clauses",
)


@dataclass(frozen=True)
class EventChange:
    """One change, after it is stored. `before` is None when added, `after` is None when deleted."""

    kind: ChangeKind
    guild_id: int
    before: Event | None
    after: Event | None
    fields: tuple[str, ...]
    actor_id: int | None  # None: a release of the bot (shipped facts), not a person
    reason: str | None
    at: datetime

    @property
    def event(self) -> Event:
        event = self.after or self.before
        assert event is not None
        return event

    @property
    def date_moved(self) -> bool:
        """The instants changed: a new date, or the same local date read in a corrected time zone."""
        return "date" in self.fields or "timezone" in self.fields

    @property
    def old_date(self) -> EventDate | None:
        return self.before.date if self.before else None

    @property
    def new_date(self) -> EventDate | None:
        return self.after.date if self.after else None


@dataclass(frozen=True)
class Notice:
    """Something a listener wants the moderator who made the change to read (a translation key)."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


# A listener may return a Notice for the moderator's reply, or None.
Listener = Callable[[EventChange], Awaitable[Notice | None]]


@dataclass(frozen=True)
class ChangeOutcome:
    """The stored event (None once deleted) and what the listeners want the moderator to know."""

    event: Event | None
    change: EventChange | None
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    """One field of one change, as `/eventadmin history` shows it."""

    sequence: int  # the event's sequence after the change: entries of one change share it
    at: datetime
    actor_id: int | None
    action: ChangeKind
    field: str | None
    old: str | None
    new: str | None
    reason: str | None
