"""Dates as moderators type them: every accepted form, every refusal, zones and daylight-saving changes."""

from datetime import UTC, date, datetime, time

import pytest

from bot.errors import InvalidInputError
from bot.events.dates import fold, parse_event_date, resolve_zone, zone_suggestions
from bot.events.models import EventDate, Precision

ZURICH = "Europe/Zurich"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- accepted forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "precision", "start", "end", "at"),
    [
        ("2027-03-15", Precision.DAY, date(2027, 3, 15), date(2027, 3, 15), None),
        ("  2027-3-5 ", Precision.DAY, date(2027, 3, 5), date(2027, 3, 5), None),
        ("15/03/2027", Precision.DAY, date(2027, 3, 15), date(2027, 3, 15), None),
        ("15.03.2027", Precision.DAY, date(2027, 3, 15), date(2027, 3, 15), None),
        ("2027-03-15 09:00", Precision.EXACT, date(2027, 3, 15), date(2027, 3, 15), time(9, 0)),
        ("2027-03-15T09:30", Precision.EXACT, date(2027, 3, 15), date(2027, 3, 15), time(9, 30)),
        ("2027-03-15 9h", Precision.EXACT, date(2027, 3, 15), date(2027, 3, 15), time(9, 0)),
        ("2027-03-15 à 14h30", Precision.EXACT, date(2027, 3, 15), date(2027, 3, 15), time(14, 30)),
        ("15/03/2027 18:45", Precision.EXACT, date(2027, 3, 15), date(2027, 3, 15), time(18, 45)),
        ("March 2027", Precision.MONTH, date(2027, 3, 1), date(2027, 3, 31), None),
        ("mars 2027", Precision.MONTH, date(2027, 3, 1), date(2027, 3, 31), None),
        ("Février 2028", Precision.MONTH, date(2028, 2, 1), date(2028, 2, 29), None),
        ("Sept. 2027", Precision.MONTH, date(2027, 9, 1), date(2027, 9, 30), None),
        ("août 2027", Precision.MONTH, date(2027, 8, 1), date(2027, 8, 31), None),
        ("2027-12", Precision.MONTH, date(2027, 12, 1), date(2027, 12, 31), None),
        ("03/2027", Precision.MONTH, date(2027, 3, 1), date(2027, 3, 31), None),
        ("2027-Q2", Precision.QUARTER, date(2027, 4, 1), date(2027, 6, 30), None),
        ("Q4 2027", Precision.QUARTER, date(2027, 10, 1), date(2027, 12, 31), None),
        ("2027-T1", Precision.QUARTER, date(2027, 1, 1), date(2027, 3, 31), None),
        ("2027-H1", Precision.HALF_YEAR, date(2027, 1, 1), date(2027, 6, 30), None),
        ("H2 2027", Precision.HALF_YEAR, date(2027, 7, 1), date(2027, 12, 31), None),
        ("2027-S2", Precision.HALF_YEAR, date(2027, 7, 1), date(2027, 12, 31), None),
        ("first half of 2027", Precision.HALF_YEAR, date(2027, 1, 1), date(2027, 6, 30), None),
        ("premier semestre 2027", Precision.HALF_YEAR, date(2027, 1, 1), date(2027, 6, 30), None),
        ("second semestre 2027", Precision.HALF_YEAR, date(2027, 7, 1), date(2027, 12, 31), None),
        ("2028", Precision.YEAR, date(2028, 1, 1), date(2028, 12, 31), None),
    ],
)
def test_accepted_forms(typed, precision, start, end, at):
    parsed = parse_event_date(typed, ZURICH)
    assert (parsed.precision, parsed.start, parsed.end, parsed.start_time) == (precision, start, end, at)
    assert parsed.timezone == ZURICH


@pytest.mark.parametrize(
    "typed", ["TBA", "tbd", "TBC", "à confirmer", "A CONFIRMER", "date à confirmer", "to be announced"]
)
def test_to_be_announced(typed):
    parsed = parse_event_date(typed, ZURICH)
    assert parsed == EventDate.tba(ZURICH)
    assert parsed.starts_at() is None and parsed.ends_at() is None and parsed.reminder_instant() is None


def test_a_range_of_days_and_a_range_of_times():
    days = parse_event_date("2027-03-15", ZURICH, "17/03/2027")
    assert (days.precision, days.start, days.end) == (Precision.DAY, date(2027, 3, 15), date(2027, 3, 17))
    # A day lasts from local midnight to the next local midnight (Zurich is UTC+1 in March before the 28th).
    assert days.starts_at() == utc(2027, 3, 14, 23)
    assert days.ends_at() == utc(2027, 3, 17, 23)

    times = parse_event_date("2027-03-15 09:00", ZURICH, "2027-03-15 17:30")
    assert (times.start_time, times.end_time) == (time(9), time(17, 30))
    assert times.starts_at() == utc(2027, 3, 15, 8)
    assert times.ends_at() == utc(2027, 3, 15, 16, 30)

    open_ended = parse_event_date("2027-03-15 09:00", ZURICH)
    assert open_ended.ends_at() == utc(2027, 3, 15, 23), "without an end time it lasts until the day is over"

    to_a_day = parse_event_date("2027-03-15 09:00", ZURICH, "2027-03-16")
    assert (to_a_day.end, to_a_day.end_time) == (date(2027, 3, 16), None)


def test_the_zone_decides_the_instant():
    kolkata = parse_event_date("2026-02-16 10:00", "Asia/Kolkata")
    assert kolkata.starts_at() == utc(2026, 2, 16, 4, 30)
    assert kolkata.reminder_instant() == kolkata.starts_at()
    paris = parse_event_date("2026-02-16 10:00", "europe/paris")  # the zone's case does not matter
    assert paris.timezone == "Europe/Paris"
    assert paris.starts_at() == utc(2026, 2, 16, 9)


def test_daylight_saving_time_is_applied_on_the_day_itself():
    # Zurich moves from UTC+1 to UTC+2 on 28 March 2027 at 02:00.
    before = parse_event_date("2027-03-27 12:00", ZURICH)
    after = parse_event_date("2027-03-28 12:00", ZURICH)
    assert before.starts_at() == utc(2027, 3, 27, 11)
    assert after.starts_at() == utc(2027, 3, 28, 10)
    the_short_day = parse_event_date("2027-03-28", ZURICH)
    hours = (the_short_day.ends_at() - the_short_day.starts_at()).total_seconds() / 3600
    assert hours == 23


def test_a_time_skipped_by_daylight_saving_is_refused():
    with pytest.raises(InvalidInputError) as refused:
        parse_event_date("2027-03-28 02:30", ZURICH)
    assert refused.value.key == "events.errors.time_does_not_exist"
    assert refused.value.params == {"day": "2027-03-28", "time": "02:30", "zone": ZURICH}


def test_a_repeated_hour_in_autumn_is_its_first_occurrence():
    # 31 October 2027, 02:30 happens twice in Zurich: first at UTC+2.
    ambiguous = parse_event_date("2027-10-31 02:30", ZURICH)
    assert ambiguous.starts_at() == utc(2027, 10, 31, 0, 30)


def test_imprecise_dates_have_period_bounds_but_no_reminder_instant():
    half = parse_event_date("2027-H1", ZURICH)
    assert half.starts_at() == utc(2026, 12, 31, 23)
    assert half.ends_at() == utc(2027, 6, 30, 22)
    assert half.reminder_instant() is None
    assert not half.is_over(utc(2027, 6, 30, 21)) and half.is_over(utc(2027, 6, 30, 22))


# --- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "soon",
        "next spring",
        "2027/03/15",
        "15-03",
        "2027-02-30",
        "31/04/2027",
        "2027-03-15 25:00",
        "2027-03-15 09:75",
        "2027-13",
        "Smarch 2027",
        "2027-Q5",
        "2027-H3",
        "27",
        "2027-03-15 09:00 10:00",
        "@everyone 2027",
    ],
)
def test_anything_else_is_refused_with_the_accepted_forms(typed):
    with pytest.raises(InvalidInputError) as refused:
        parse_event_date(typed, ZURICH)
    assert refused.value.key == "events.errors.bad_date"
    assert refused.value.params == {"typed": " ".join(typed.split())}


def test_backticks_cannot_break_the_quoted_echo():
    with pytest.raises(InvalidInputError) as refused:
        parse_event_date("`oops`", ZURICH)
    assert "`" not in refused.value.params["typed"]


@pytest.mark.parametrize("typed", ["1999-12-31", "2101", "March 1850", "2101-H1", "01/01/2200"])
def test_years_outside_2000_to_2100_are_refused(typed):
    with pytest.raises(InvalidInputError) as refused:
        parse_event_date(typed, ZURICH)
    assert refused.value.key == "events.errors.year_out_of_range"


def test_the_edges_of_the_year_range_are_accepted():
    assert parse_event_date("2000-01-01", ZURICH).start == date(2000, 1, 1)
    assert parse_event_date("2100", ZURICH).end == date(2100, 12, 31)


@pytest.mark.parametrize(
    ("start", "end"),
    [("2027-03-15", "2027-03-14"), ("2027-03-15 10:00", "2027-03-15 09:00"), ("2027-03-15 10:00", "2027-03-15 10:00")],
)
def test_an_end_before_the_start_is_refused(start, end):
    with pytest.raises(InvalidInputError) as refused:
        parse_event_date(start, ZURICH, end)
    assert refused.value.key == "events.errors.end_before_start"


@pytest.mark.parametrize(
    ("start", "end"), [("March 2027", "2027-03-20"), ("TBA", "2027-03-20"), ("2027-03-15", "2027-H1")]
)
def test_an_end_needs_a_start_given_to_the_day(start, end):
    with pytest.raises(InvalidInputError) as refused:
        parse_event_date(start, ZURICH, end)
    assert refused.value.key == "events.errors.end_needs_day"


def test_an_end_time_needs_a_start_time():
    with pytest.raises(InvalidInputError) as refused:
        parse_event_date("2027-03-15", ZURICH, "2027-03-16 10:00")
    assert refused.value.key == "events.errors.end_time_needs_start_time"


def test_a_malformed_end_is_refused_like_a_malformed_start():
    with pytest.raises(InvalidInputError) as refused:
        parse_event_date("2027-03-15", ZURICH, "the day after")
    assert refused.value.key == "events.errors.bad_date"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "CEST", "Europe/Pariss", "", "../../etc/passwd"])
def test_an_unknown_time_zone_is_refused(zone):
    with pytest.raises(InvalidInputError) as refused:
        parse_event_date("2027-03-15", zone)
    assert refused.value.key == "events.errors.bad_timezone"


# --- helpers ----------------------------------------------------------------------------------------


def test_zone_names_are_resolved_and_suggested():
    assert resolve_zone(" asia/kolkata ") == "Asia/Kolkata"
    assert resolve_zone("America/New York") == "America/New_York"
    suggestions = zone_suggestions("zur")
    assert suggestions[0] == "Europe/Zurich"
    assert len(zone_suggestions("a")) == 25
    assert zone_suggestions("") and all(resolve_zone(name) for name in zone_suggestions(""))


def test_fold():
    assert fold("  À   Confirmer ") == "a confirmer"
    assert fold("Août, 2027") == "aout 2027"


# --- how dates read ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "end", "english", "french"),
    [
        ("2025-02-10", "2025-02-11", "10–11 February 2025", "10–11 février 2025"),
        ("2025-06-30", "2025-07-02", "30 June – 2 July 2025", "30 juin – 2 juillet 2025"),
        ("2025-12-30", "2026-01-01", "30 December 2025 – 1 January 2026", "30 décembre 2025 – 1er janvier 2026"),
        ("2027-03-01", None, "1 March 2027", "1er mars 2027"),
        ("2027-03-15 09:00", None, "15 March 2027, 09:00", "15 mars 2027, 9\u00a0h\u00a000"),
        (
            "2027-03-15 09:00",
            "2027-03-15 17:30",
            "15 March 2027, 09:00–17:30",
            "15 mars 2027, 9\u00a0h\u00a000–17\u00a0h\u00a030",
        ),
        (
            "2027-03-15 09:00",
            "2027-03-17 12:00",
            "15 March 2027, 09:00 – 17 March 2027, 12:00",
            "15 mars 2027, 9\u00a0h\u00a000 – 17 mars 2027, 12\u00a0h\u00a000",
        ),
        ("March 2027", None, "March 2027 — date to be announced", "mars 2027 — date à confirmer"),
        (
            "2027-Q2",
            None,
            "second quarter of 2027 — date to be announced",
            "deuxième trimestre 2027 — date à confirmer",
        ),
        ("2027-H1", None, "first half of 2027 — date to be announced", "premier semestre 2027 — date à confirmer"),
        ("2027-H2", None, "second half of 2027 — date to be announced", "second semestre 2027 — date à confirmer"),
        ("2028", None, "2028 — date to be announced", "2028 — date à confirmer"),
        ("TBA", None, "date to be announced", "date à confirmer"),
    ],
)
def test_dates_read_in_both_languages(typed, end, english, french):
    parsed = parse_event_date(typed, ZURICH, end)
    assert parsed.describe("en") == english
    assert parsed.describe("fr") == french


def test_a_date_is_validated_when_built():
    with pytest.raises(ValueError, match="whole period"):
        EventDate(precision=Precision.MONTH, timezone=ZURICH, start=date(2027, 3, 2), end=date(2027, 3, 31))
    with pytest.raises(ValueError, match="TBA"):
        EventDate(precision=Precision.TBA, timezone=ZURICH, start=date(2027, 3, 1))
    with pytest.raises(ValueError):
        EventDate(precision=Precision.DAY, timezone="Nowhere/Land", start=date(2027, 3, 1), end=date(2027, 3, 1))
