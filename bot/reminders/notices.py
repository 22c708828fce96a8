"""Moved and cancelled notices, read from the events' change history (the database is the truth).

The same reading serves a change as it happens and, after a restart, the changes of the last
`grace` minutes whose notices may not all have left: the ledger keeps either from sending twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.events.models import Event, EventDate, EventStatus
from bot.reminders.ledger import instant_text
from bot.reminders.planning import DeliveryKind
from bot.storage.repositories.reminders import DateChange


@dataclass(frozen=True)
class NoticePlan:
    kind: DeliveryKind  # MOVED or CANCELLED
    event_id: int
    guild_id: int
    sequence: int  # the event's sequence after the change: one notice per change
    at: datetime
    old: EventDate | None
    new: EventDate | None
    reason: str | None

    @property
    def instant(self) -> str:
        """The key's instant: the new one for a move, the event's (unchanged) one for a cancellation."""
        when = self.new if self.new is not None else self.old
        return instant_text(when.reminder_instant() if when is not None else None)


def notice_plans(changes: Sequence[DateChange], events: dict[int, Event]) -> list[NoticePlan]:
    """One plan per change (event, sequence) worth telling followers about, oldest first."""
    groups: dict[tuple[int, int], list[DateChange]] = {}
    for change in changes:
        groups.setdefault((change.event_id, change.sequence), []).append(change)
    plans = []
    for (event_id, sequence), entries in groups.items():
        event = events.get(event_id)
        if event is None:
            continue  # deleted since
        plan = _plan(event, sequence, entries)
        if plan is not None:
            plans.append(plan)
    return plans


def _plan(event: Event, sequence: int, entries: Sequence[DateChange]) -> NoticePlan | None:
    first = entries[0]
    by_field = {entry.field: entry for entry in entries}
    status = by_field.get("status")
    if status is not None and status.new == EventStatus.CANCELLED.value:
        return NoticePlan(DeliveryKind.CANCELLED, event.id, event.guild_id, sequence, first.at, event.date, None,
                          first.reason)  # fmt: skip
    date, zone = by_field.get("date"), by_field.get("timezone")
    if date is not None and date.old and date.new:
        old, new = EventDate.model_validate_json(date.old), EventDate.model_validate_json(date.new)
    elif zone is not None and zone.old and zone.new and event.timezone == zone.new:
        new = event.date
        old = new.in_zone(zone.old)
    else:
        return None
    if old == new:
        return None
    return NoticePlan(DeliveryKind.MOVED, event.id, event.guild_id, sequence, first.at, old, new, first.reason)
