"""What reminders exist and when they are due: pure functions of events, lead times and "now".

A job is one (event, lead time, audience): it falls due `lead` before the event's instant. It carries
the instant it was planned for, and is only worth anything while that is still the event's instant.

A lead that had already passed when the event got its instant (an event added or moved closer) is
not owed to anybody: there is no job for it. At start, a job that fell due while the bot was down is
sent if it is less than `grace` late and the event has not started, marked late unless it is only a
few seconds late; otherwise it is skipped (recorded, never sent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.errors import InvalidInputError
from bot.events.models import Event

# A reminder sent less than this after its due time is on time (a restart, a busy loop), not "late".
ON_TIME_TOLERANCE = timedelta(seconds=30)
SNOOZE_HOUR = timedelta(hours=1)
JUST_BEFORE = timedelta(minutes=10)


class Audience(StrEnum):
    DM = "dm"
    CHANNEL = "channel"


class DeliveryKind(StrEnum):
    REMINDER = "reminder"
    SNOOZE = "snooze"
    MOVED = "moved"
    CANCELLED = "cancelled"


class Timing(StrEnum):
    FUTURE = "future"  # not due yet: schedule it
    ON_TIME = "on_time"  # due now (or a few seconds ago): send
    LATE = "late"  # due a while ago, within the grace window, event not started: send, marked late
    STARTED = "started"  # the event has started: too late for a reminder, skip
    TOO_LATE = "too_late"  # past the grace window: skip


class SnoozeMode(StrEnum):
    HOUR = "1h"
    JUST_BEFORE = "before"


@dataclass(frozen=True)
class ReminderJob:
    """One (event, lead, audience) at the instant it was planned for."""

    event_id: int
    guild_id: int
    lead: int  # seconds
    audience: Audience
    instant: datetime

    @property
    def due_at(self) -> datetime:
        return self.instant - timedelta(seconds=self.lead)

    @property
    def job_id(self) -> str:
        return reminder_job_id(self.event_id, self.lead, self.audience)


def reminder_job_id(event_id: int, lead: int, audience: Audience) -> str:
    return f"remind:{event_id}:{lead}:{audience.value}"


def snooze_job_id(snooze_id: int) -> str:
    return f"snooze:{snooze_id}"


def plan_event(
    event: Event,
    *,
    dm_leads: Iterable[int],
    channel_leads: Iterable[int],
    dated_since: datetime | None,
) -> list[ReminderJob]:
    """The jobs of one event: none without an instant (month, half-year, TBA, cancelled).

    `dated_since` is when the event got its current instant: leads already passed then are not owed.
    """
    instant = event.reminder_instant()
    if instant is None:
        return []
    jobs = []
    for audience, leads in ((Audience.DM, dm_leads), (Audience.CHANNEL, channel_leads)):
        for lead in sorted(set(leads), reverse=True):
            job = ReminderJob(event.id, event.guild_id, lead, audience, instant)
            if dated_since is None or job.due_at > dated_since:
                jobs.append(job)
    return jobs


def timing(due_at: datetime, instant: datetime, now: datetime, grace: timedelta) -> Timing:
    """Whether a job due at `due_at` (for an event at `instant`) is to be scheduled, sent or skipped now."""
    if due_at > now:
        return Timing.FUTURE
    if now >= instant:
        return Timing.STARTED
    lateness = now - due_at
    if lateness <= ON_TIME_TOLERANCE:
        return Timing.ON_TIME
    if lateness <= grace:
        return Timing.LATE
    return Timing.TOO_LATE


def snooze_due(mode: SnoozeMode, instant: datetime | None, now: datetime) -> datetime:
    """When a snoozed reminder rings again; refused when the event has no instant or starts too soon."""
    if instant is None:
        raise InvalidInputError("reminders.errors.snooze_no_date")
    due = now + SNOOZE_HOUR if mode is SnoozeMode.HOUR else instant - JUST_BEFORE
    if due >= instant or due <= now:
        raise InvalidInputError("reminders.errors.snooze_too_late")
    return due


def next_due(instant: datetime | None, leads: Iterable[int], now: datetime) -> datetime | None:
    """The next time one of these leads rings for an event at `instant`, or None."""
    if instant is None:
        return None
    upcoming = [instant - timedelta(seconds=lead) for lead in leads]
    upcoming = [due for due in upcoming if due > now]
    return min(upcoming) if upcoming else None
