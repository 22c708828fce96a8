"""Reading dates the way moderators type them: "2027-03-15 09:00", "15/03/2027", "mars 2027", "2027-H1", "TBA".

Every form is read in the event's time zone (or the one given). Anything else is refused with the
list of accepted forms, and nothing changes. Years must be 2000 to 2100.

A local time that does not exist at the venue (skipped by a daylight-saving change) is refused; one
that happens twice (the hour repeated in autumn) is taken as its first occurrence, as Python does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import InvalidInputError
from bot.events.models import PERIOD_MONTHS, EventDate, Precision, add_months

MIN_YEAR = 2000
MAX_YEAR = 2100

_MONTHS = {
    # English, full and abbreviated
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
    # French without accents (accents are folded before matching), full and abbreviated
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "octobre": 10,
    "novembre": 11, "decembre": 12,
}  # fmt: skip

_TBA = frozenset(
    {
        "tba", "tbd", "tbc", "to be announced", "to be determined", "to be confirmed", "date to be announced",
        "a confirmer", "date a confirmer", "a determiner", "a preciser", "date a preciser",
    }
)  # fmt: skip

_TIME = r"(?:[ t]+(?:a |at )?(?P<hour>\d{1,2})(?::|h)(?P<minute>\d{2})?)?"
_ISO_DAY = re.compile(rf"^(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}}){_TIME}$")
_DMY_DAY = re.compile(rf"^(?P<day>\d{{1,2}})[/.](?P<month>\d{{1,2}})[/.](?P<year>\d{{4}}){_TIME}$")
_ISO_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$")
_MY_MONTH = re.compile(r"^(?P<month>\d{1,2})/(?P<year>\d{4})$")
_NAMED_MONTH = re.compile(r"^(?P<name>[a-z]+)\.? (?:of |de |d )?(?P<year>\d{4})$")
_PERIOD_AFTER = re.compile(r"^(?P<year>\d{4}) ?-? ?(?P<letter>[qths])(?P<number>\d)$")
_PERIOD_BEFORE = re.compile(r"^(?P<letter>[qths])(?P<number>\d) ?-? ?(?P<year>\d{4})$")
_HALF_WORDS = re.compile(
    r"^(?P<which>first|second|1st|2nd|premier|1er|deuxieme|2e|2eme) "
    r"(?:half|semestre)(?: of| de)? (?P<year>\d{4})$"
)
_YEAR = re.compile(r"^(?P<year>\d{4})$")

# How many months each period letter stands for: Q/T(rimestre) quarters, H/S(emestre) halves.
_PERIOD_LETTERS = {"q": Precision.QUARTER, "t": Precision.QUARTER, "h": Precision.HALF_YEAR, "s": Precision.HALF_YEAR}
_FIRST = frozenset({"first", "1st", "premier", "1er"})


@dataclass(frozen=True)
class _Reading:
    """One typed value: the period (or day) it names and, for a day, maybe a time."""

    precision: Precision
    start: date | None = None
    end: date | None = None
    at: time | None = None


def fold(text: str) -> str:
    """Lowercase, no accents, single spaces: "  Mars  2027" -> "mars 2027", "À confirmer" -> "a confirmer"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.replace(",", " ").split())


@cache
def _zone_names() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


def resolve_zone(name: str) -> str:
    """The IANA name as spelt in the tz database ("europe/paris" -> "Europe/Paris"), or a refusal."""
    cleaned = name.strip().replace(" ", "_")
    canonical = _zone_names().get(cleaned.casefold())
    if canonical is None:
        raise InvalidInputError("events.errors.bad_timezone", zone=name.strip()[:100])
    try:
        ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError("events.errors.bad_timezone", zone=name.strip()[:100]) from None
    return canonical


def zone_suggestions(typed: str, limit: int = 25) -> list[str]:
    """Zone names containing what was typed, best first (a name starting with it, then the shortest)."""
    needle = typed.strip().casefold().replace(" ", "_")
    names = sorted(_zone_names().values())
    if not needle:
        preferred = ["UTC", "Europe/Paris", "Europe/Zurich", "Europe/London", "America/New_York", "Asia/Kolkata"]
        return preferred[:limit]
    found = [name for name in names if needle in name.casefold()]
    found.sort(key=lambda name: (not name.casefold().split("/")[-1].startswith(needle), len(name), name))
    return found[:limit]


def parse_event_date(text: str, timezone: str, end_text: str | None = None) -> EventDate:
    """Read a typed date (and optional end) in `timezone`; raise InvalidInputError for anything else."""
    zone = resolve_zone(timezone)
    start = _read(text)
    if start.precision is Precision.TBA:
        if end_text and end_text.strip():
            raise InvalidInputError("events.errors.end_needs_day")
        return EventDate.tba(zone)
    assert start.start is not None and start.end is not None
    end_day, end_at = start.end, None
    if end_text and end_text.strip():
        end = _read(end_text)
        if start.precision not in (Precision.DAY, Precision.EXACT) or end.precision not in (
            Precision.DAY,
            Precision.EXACT,
        ):
            raise InvalidInputError("events.errors.end_needs_day")
        if end.at is not None and start.at is None:
            raise InvalidInputError("events.errors.end_time_needs_start_time")
        assert end.start is not None
        end_day, end_at = end.start, end.at
    if end_day < start.start:
        raise InvalidInputError("events.errors.end_before_start")
    event_date = EventDate(
        precision=start.precision,
        timezone=zone,
        start=start.start,
        end=end_day,
        start_time=start.at,
        end_time=end_at,
    )
    return checked(event_date)


def checked(event_date: EventDate) -> EventDate:
    """Refuse an end not after the start and local times a daylight-saving change skips."""
    if event_date.precision is Precision.EXACT:
        zone = event_date.zone
        assert event_date.start is not None and event_date.end is not None and event_date.start_time is not None
        _exists(event_date.start, event_date.start_time, zone)
        if event_date.end_time is not None:
            _exists(event_date.end, event_date.end_time, zone)
        starts, ends = event_date.starts_at(), event_date.ends_at()
        assert starts is not None and ends is not None
        if ends <= starts:
            raise InvalidInputError("events.errors.end_before_start")
    return event_date


def _exists(day: date, at: time, zone: ZoneInfo) -> None:
    local = datetime.combine(day, at, tzinfo=zone)
    back = local.astimezone(UTC).astimezone(zone)
    if (back.date(), back.time()) != (day, at):
        raise InvalidInputError(
            "events.errors.time_does_not_exist", day=day.isoformat(), time=f"{at:%H:%M}", zone=zone.key
        )


def _read(text: str) -> _Reading:
    typed = fold(text)
    if typed in _TBA:
        return _Reading(Precision.TBA)
    for pattern in (_ISO_DAY, _DMY_DAY):
        match = pattern.match(typed)
        if match:
            return _day(text, match)
    reading = _period(typed)
    if reading is None:
        raise InvalidInputError("events.errors.bad_date", typed=_shown(text))
    return reading


def _day(text: str, match: re.Match[str]) -> _Reading:
    year = _year(match["year"])
    try:
        day = date(year, int(match["month"]), int(match["day"]))
    except ValueError:
        raise InvalidInputError("events.errors.bad_date", typed=_shown(text)) from None
    if match["hour"] is None:
        return _Reading(Precision.DAY, day, day)
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if hour > 23 or minute > 59:
        raise InvalidInputError("events.errors.bad_date", typed=_shown(text))
    return _Reading(Precision.EXACT, day, day, time(hour, minute))


def _period(typed: str) -> _Reading | None:
    match = _YEAR.match(typed)
    if match:
        return _span(Precision.YEAR, _year(match["year"]), 1)
    for pattern in (_ISO_MONTH, _MY_MONTH):
        match = pattern.match(typed)
        if match:
            month = int(match["month"])
            return _span(Precision.MONTH, _year(match["year"]), month) if 1 <= month <= 12 else None
    match = _NAMED_MONTH.match(typed)
    if match and match["name"] in _MONTHS:
        return _span(Precision.MONTH, _year(match["year"]), _MONTHS[match["name"]])
    match = _PERIOD_AFTER.match(typed) or _PERIOD_BEFORE.match(typed)
    if match:
        precision = _PERIOD_LETTERS[match["letter"]]
        count = 12 // PERIOD_MONTHS[precision]
        number = int(match["number"])
        if not 1 <= number <= count:
            return None
        return _span(precision, _year(match["year"]), (number - 1) * PERIOD_MONTHS[precision] + 1)
    match = _HALF_WORDS.match(typed)
    if match:
        return _span(Precision.HALF_YEAR, _year(match["year"]), 1 if match["which"] in _FIRST else 7)
    return None


def _span(precision: Precision, year: int, first_month: int) -> _Reading:
    start = date(year, first_month, 1)
    return _Reading(precision, start, add_months(start, PERIOD_MONTHS[precision]) - timedelta(days=1))


def _year(value: str) -> int:
    year = int(value)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInputError("events.errors.year_out_of_range", year=year, min=MIN_YEAR, max=MAX_YEAR)
    return year


def _shown(text: str) -> str:
    """The typed value as it is echoed back: on one line, without backticks that would break the quoting."""
    return " ".join(text.replace("`", "'").split())[:100]
