"""/remind feed: one .ics with every event a member follows, built from the single-event export."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from bot.events.calendar import PRODID, NotDatedError, event_calendar
from bot.events.models import Event, Precision

FEED_FILENAME = "summit-events.ics"


def feed_calendar(events: Iterable[Event], *, lang: str, now: datetime) -> tuple[bytes, list[Event]]:
    """The calendar of the dated events (same UIDs as "Add to calendar"), and the events left out (no date)."""
    import icalendar  # on the first feed asked for, not at start (about 3 MB; see bot/events/calendar.py)

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    undated: list[Event] = []
    years: list[int] = []
    exact = False
    for event in events:
        try:
            single = icalendar.Calendar.from_ical(event_calendar(event, lang=lang, now=now))
        except NotDatedError:
            undated.append(event)
            continue
        for component in single.walk("VEVENT"):
            calendar.add_component(component)
        assert event.date.start is not None and event.date.end is not None
        years.extend((event.date.start.year, event.date.end.year))
        exact = exact or event.date.precision is Precision.EXACT
    if exact:
        # One VTIMEZONE per zone, covering every event of the feed (not only the first one's years).
        calendar.add_missing_timezones(first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1))
    return calendar.to_ical(), undated
