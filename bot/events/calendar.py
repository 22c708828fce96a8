"""An event as an iCalendar file (RFC 5545) for "Add to calendar".

- An exact time is written with its venue's TZID and a matching VTIMEZONE; a day-precise event with
  all-day DATE values (DTEND is the day after the last day, as RFC 5545 wants).
- The UID is stable per server and event, so importing the file again updates the entry instead of
  adding a second one; SEQUENCE is the event's change counter, so calendars take the newer version.
- A cancelled event keeps its UID with STATUS:CANCELLED, which removes it from calendars that had it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot import __version__
from bot.events.models import Event, Precision
from bot.events.places import place

PRODID = f"-//summit-bot//Events {__version__}//EN"
UID_DOMAIN = "summit-bot"


class NotDatedError(ValueError):
    """The event has no day yet (a month, a half-year, TBA …): there is nothing to put in a calendar."""


def event_uid(event: Event) -> str:
    return f"{event.key}.{event.guild_id}@{UID_DOMAIN}"


def event_calendar(event: Event, *, lang: str, now: datetime) -> bytes:
    """The .ics bytes for one event, in `lang`; NotDatedError when its date is not known to the day."""
    when = event.date
    if not when.precision.dated or when.start is None or when.end is None:
        raise NotDatedError(event.key)
    # Imported on the first .ics asked for, not at start: icalendar holds about 3 MB that most processes never use.
    import icalendar

    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", now.astimezone(UTC))
    vevent.add("sequence", event.sequence)
    if event.updated_at is not None:
        vevent.add("last-modified", event.updated_at.astimezone(UTC))
    vevent.add("summary", event.name(lang))
    description = event.description(lang)
    if event.source_urls:
        description = "\n\n".join(part for part in (description, "\n".join(event.source_urls)) if part)
    if description:
        vevent.add("description", description)
    location = place(event, lang)
    if location:
        vevent.add("location", location)
    if event.source_urls:
        vevent.add("url", event.source_urls[0])
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if when.precision is Precision.EXACT:
        vevent.add("dtstart", when.local_start)
        vevent.add("dtend", when.local_end)
    else:
        vevent.add("dtstart", when.start)
        vevent.add("dtend", when.end + timedelta(days=1))
        vevent.add("transp", "TRANSPARENT")  # a multi-day conference does not block a whole agenda
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(vevent)
    if when.precision is Precision.EXACT:
        # Only the transitions around the event: a VTIMEZONE from 1970 would be most of the file.
        calendar.add_missing_timezones(
            first_date=date(when.start.year - 1, 1, 1), last_date=date(when.end.year + 2, 1, 1)
        )
    return calendar.to_ical()


def calendar_filename(event: Event) -> str:
    return f"{event.key}.ics"
