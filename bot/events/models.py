"""A server's events: what they are, when they happen as precisely as known, and their status."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, model_validator

from bot.content.models import EventStatus

__all__ = ["Event", "EventDate", "EventKind", "EventStatus", "Precision"]


class Precision(StrEnum):
    """How precisely an event's date is known, from an exact time to "to be announced"."""

    EXACT = "exact"  # a start time (and maybe an end time) at the venue
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"
    TBA = "tba"

    @property
    def dated(self) -> bool:
        """Precise enough for a calendar entry, a Discord scheduled event and reminders."""
        return self in (Precision.EXACT, Precision.DAY)


class EventKind(StrEnum):
    SUMMIT = "summit"
    FORUM = "forum"
    CONFERENCE = "conference"
    MEETING = "meeting"
    OTHER = "other"


# Months each imprecise period spans.
PERIOD_MONTHS = {Precision.MONTH: 1, Precision.QUARTER: 3, Precision.HALF_YEAR: 6, Precision.YEAR: 12}


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


class EventDate(BaseModel):
    """A date as precisely as it is known, in local terms at the venue.

    `start` and `end` are local days at the venue, `end` included; for a period (a month, a quarter …)
    they span the whole period. `start_time`/`end_time` are local wall-clock times, only for EXACT.
    An EXACT date without `end_time` lasts until the end of its `end` day. TBA has no days at all.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    precision: Precision
    timezone: str
    start: date | None = None
    end: date | None = None
    start_time: time | None = None
    end_time: time | None = None

    @model_validator(mode="after")
    def _consistent(self) -> EventDate:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{self.timezone!r} is not an IANA time zone") from None
        if self.precision is Precision.TBA:
            if self.start or self.end or self.start_time or self.end_time:
                raise ValueError("a TBA date has no days or times")
            return self
        if self.start is None or self.end is None:
            raise ValueError(f"a {self.precision.value} date needs start and end days")
        if self.precision is not Precision.EXACT and (self.start_time or self.end_time):
            raise ValueError("only an exact date has times")
        if self.precision is Precision.EXACT and self.start_time is None:
            raise ValueError("an exact date needs a start time")
        if self.end < self.start:
            raise ValueError("end is before start")
        months = PERIOD_MONTHS.get(self.precision)
        if months and (self.start.day != 1 or self.end != add_months(self.start, months) - timedelta(days=1)):
            raise ValueError(f"a {self.precision.value} date spans a whole period")
        return self

    @classmethod
    def tba(cls, timezone: str) -> EventDate:
        return cls(precision=Precision.TBA, timezone=timezone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime | None:
        """When it starts at the venue (midnight of the first day unless a time is known)."""
        if self.start is None:
            return None
        return datetime.combine(self.start, self.start_time or time(), tzinfo=self.zone)

    @property
    def local_end(self) -> datetime | None:
        """When it is over at the venue: the end time, else midnight after the last day."""
        if self.end is None:
            return None
        if self.end_time is not None:
            return datetime.combine(self.end, self.end_time, tzinfo=self.zone)
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=self.zone)

    def starts_at(self) -> datetime | None:
        """The UTC instant it starts (the start of its period when imprecise), None when TBA."""
        local = self.local_start
        return None if local is None else local.astimezone(UTC)

    def ends_at(self) -> datetime | None:
        """The UTC instant it is over (the end of its period when imprecise), None when TBA."""
        local = self.local_end
        return None if local is None else local.astimezone(UTC)

    def reminder_instant(self) -> datetime | None:
        """The UTC instant reminders count back from: only for an exact time or a day."""
        return self.starts_at() if self.precision.dated else None

    def is_over(self, now: datetime) -> bool:
        ends = self.ends_at()
        return ends is not None and ends <= now

    def in_zone(self, timezone: str) -> EventDate:
        """The same local days and times read in another zone (a corrected time zone moves the instants)."""
        return self.model_copy(update={"timezone": timezone})

    def canonical(self) -> str:
        """A compact, language-neutral form for history and logs: "2027-03-15 09:00 Europe/Zurich"."""
        if self.precision is Precision.TBA:
            return f"TBA {self.timezone}"
        assert self.start is not None and self.end is not None
        start = self.start.isoformat() + (f" {self.start_time:%H:%M}" if self.start_time else "")
        if self.precision is Precision.EXACT or self.precision is Precision.DAY:
            end = "" if self.end == self.start else self.end.isoformat()
            if self.end_time:
                end = f"{end} {self.end_time:%H:%M}".strip()
            span = f"{start} → {end}" if end else start
        else:
            span = f"{self.precision.value} {self.start.isoformat()}"
        return f"{span} {self.timezone}"

    def describe(self, lang: str, *, with_note: bool = True) -> str:
        """How the date reads for a person: "10–11 February 2025", "first half of 2027 — date to be announced"."""
        from bot.events.wording import describe_date

        return describe_date(self, lang, with_note=with_note)


class Event(BaseModel):
    """One event as a server keeps it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int
    guild_id: int
    key: str
    name_en: str
    name_fr: str
    kind: EventKind
    venue: str | None = None
    city: str | None = None
    city_fr: str | None = None  # the city as French readers read it, where it differs ("Genève")
    country: str | None = None  # ISO 3166-1 alpha-2
    date: EventDate
    status: EventStatus = EventStatus.SCHEDULED
    description_en: str = ""
    description_fr: str = ""
    source_urls: tuple[str, ...] = ()
    clauses: tuple[int, ...] = ()
    shipped: bool = False  # started from the events shipped in data/
    edited: bool = False  # changed by the server's moderators: shipped corrections no longer apply
    sequence: int = 0  # bumped on every change (iCalendar SEQUENCE)
    updated_at: datetime | None = None

    @property
    def timezone(self) -> str:
        return self.date.timezone

    @property
    def cancelled(self) -> bool:
        return self.status is EventStatus.CANCELLED

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" else self.name_en

    def city_in(self, lang: str) -> str | None:
        return (self.city_fr or self.city) if lang == "fr" else self.city

    def description(self, lang: str) -> str:
        return (self.description_fr if lang == "fr" else self.description_en) or self.description_en

    def is_over(self, now: datetime) -> bool:
        return self.date.is_over(now)

    def state(self, now: datetime) -> str:
        """scheduled, postponed, cancelled, or over (computed from the end and now, never stored)."""
        if self.cancelled:
            return EventStatus.CANCELLED.value
        return "over" if self.is_over(now) else self.status.value

    def reminder_instant(self) -> datetime | None:
        """When reminders count back from: None when cancelled or not dated to the day."""
        return None if self.cancelled else self.date.reminder_instant()
