"""The .ics export read back with the icalendar library: same instants and days, stable UID, SEQUENCE, status."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.events.calendar import NotDatedError, calendar_filename, event_calendar, event_uid
from bot.events.dates import parse_event_date
from bot.events.models import Event, EventKind, EventStatus

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def make_event(typed: str, end: str | None = None, zone: str = "Europe/Zurich", **overrides) -> Event:
    values = {
        "id": 7,
        "guild_id": 123456789012345678,
        "key": "ai-safety-forum-2027",
        "name_en": "AI Safety Forum",
        "name_fr": "Forum sur la sûreté de l'IA",
        "kind": EventKind.FORUM,
        "venue": "Palexpo",
        "city": "Geneva",
        "country": "CH",
        "date": parse_event_date(typed, zone, end),
        "description_en": "Talks; panels, and more: all day.",
        "description_fr": "Conférences ; tables rondes.",
        "source_urls": ("https://example.org/forum",),
        "sequence": 3,
        "updated_at": NOW,
    }
    values.update(overrides)
    return Event(**values)


def read_back(data: bytes) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(data)
    (vevent,) = calendar.walk("VEVENT")
    return vevent


def test_an_exact_time_keeps_its_zone_and_instant():
    event = make_event("2027-03-15 09:00", "2027-03-15 17:30")
    data = event_calendar(event, lang="en", now=NOW)
    vevent = read_back(data)
    start, end = vevent.decoded("dtstart"), vevent.decoded("dtend")
    assert start == datetime(2027, 3, 15, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))
    assert start.astimezone(UTC) == event.date.starts_at()
    assert end.astimezone(UTC) == event.date.ends_at()
    assert b"DTSTART;TZID=Europe/Zurich:20270315T090000" in data
    calendar = icalendar.Calendar.from_ical(data)
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Zurich"


def test_the_instant_survives_a_daylight_saving_change_in_between():
    # A Kolkata evening seen from Zurich's summer time: the instant must not move.
    event = make_event("2027-07-01 19:00", zone="Asia/Kolkata")
    vevent = read_back(event_calendar(event, lang="en", now=NOW))
    assert vevent.decoded("dtstart").astimezone(UTC) == datetime(2027, 7, 1, 13, 30, tzinfo=UTC)


def test_a_day_precise_event_uses_all_day_dates_with_an_exclusive_end():
    event = make_event("2027-03-15", "2027-03-17")
    data = event_calendar(event, lang="en", now=NOW)
    vevent = read_back(data)
    assert vevent.decoded("dtstart") == date(2027, 3, 15)
    assert vevent.decoded("dtend") == date(2027, 3, 18)
    assert not isinstance(vevent.decoded("dtstart"), datetime)
    assert b"DTSTART;VALUE=DATE:20270315" in data
    assert b"VTIMEZONE" not in data


def test_the_uid_is_stable_and_the_sequence_follows_changes():
    first = make_event("2027-03-15 09:00")
    moved = make_event("2027-04-02 10:00", sequence=4, updated_at=datetime(2026, 12, 1, tzinfo=UTC))
    one, two = (
        read_back(event_calendar(first, lang="en", now=NOW)),
        read_back(event_calendar(moved, lang="fr", now=NOW)),
    )
    assert (
        str(one["UID"]) == str(two["UID"]) == event_uid(first) == "ai-safety-forum-2027.123456789012345678@summit-bot"
    )
    assert (one.decoded("sequence"), two.decoded("sequence")) == (3, 4)
    other_server = make_event("2027-03-15 09:00", guild_id=42)
    assert event_uid(other_server) != event_uid(first)


def test_text_is_in_the_readers_language_and_escaped_properly():
    vevent = read_back(event_calendar(make_event("2027-03-15"), lang="fr", now=NOW))
    assert str(vevent["SUMMARY"]) == "Forum sur la sûreté de l'IA"
    assert str(vevent["DESCRIPTION"]).startswith("Conférences ; tables rondes.")
    assert "https://example.org/forum" in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == "Palexpo, Geneva, Suisse"
    english = read_back(event_calendar(make_event("2027-03-15"), lang="en", now=NOW))
    assert str(english["DESCRIPTION"]).startswith("Talks; panels, and more: all day.")
    assert str(english["URL"]) == "https://example.org/forum"
    assert english.decoded("dtstamp") == NOW


def test_status_confirmed_or_cancelled():
    scheduled = read_back(event_calendar(make_event("2027-03-15"), lang="en", now=NOW))
    cancelled = read_back(event_calendar(make_event("2027-03-15", status=EventStatus.CANCELLED), lang="en", now=NOW))
    assert (str(scheduled["STATUS"]), str(cancelled["STATUS"])) == ("CONFIRMED", "CANCELLED")
    assert str(scheduled["UID"]) == str(cancelled["UID"])


@pytest.mark.parametrize("typed", ["TBA", "2027-H1", "March 2027", "2028", "2027-Q2"])
def test_an_event_without_a_day_cannot_be_exported(typed):
    with pytest.raises(NotDatedError):
        event_calendar(make_event(typed), lang="en", now=NOW)


def test_the_file_is_named_after_the_event():
    assert calendar_filename(make_event("2027-03-15")) == "ai-safety-forum-2027.ics"


def test_an_open_ended_exact_time_ends_with_its_day():
    vevent = read_back(event_calendar(make_event("2027-03-15 09:00"), lang="en", now=NOW))
    end = vevent.decoded("dtend")
    assert (end.date(), end.time()) == (date(2027, 3, 16), time(0, 0))
