"""Which reminder jobs exist and when they are due, with "now" injected: leads, moves, TBA → dated,
cancellation, catch-up after downtime with and without a grace window, snoozes."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.clock import ManualClock
from bot.errors import InvalidInputError
from bot.events.models import EventDate, EventStatus, Precision
from bot.reminders.planning import (
    Audience,
    SnoozeMode,
    Timing,
    next_due,
    plan_event,
    snooze_due,
    timing,
)
from tests.helpers.reminders import dated_event

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
STARTS = datetime(2027, 3, 15, 8, 0, tzinfo=UTC)
H, D, W = 3600, 86400, 604800
GRACE = timedelta(minutes=60)


def event(**changes):
    return dated_event(7, 99, STARTS).model_copy(update=changes)


def test_each_lead_falls_due_that_long_before_the_start():
    jobs = plan_event(event(), dm_leads=[H, D, W], channel_leads=[D], dated_since=NOW - timedelta(days=30))
    assert [(job.audience, job.lead, job.due_at) for job in jobs] == [
        (Audience.DM, W, STARTS - timedelta(weeks=1)),
        (Audience.DM, D, STARTS - timedelta(days=1)),
        (Audience.DM, H, STARTS - timedelta(hours=1)),
        (Audience.CHANNEL, D, STARTS - timedelta(days=1)),
    ]
    assert [job.job_id for job in jobs] == ["remind:7:604800:dm", "remind:7:86400:dm", "remind:7:3600:dm",
                                            "remind:7:86400:channel"]  # fmt: skip
    assert all(job.instant == STARTS for job in jobs)


def test_a_day_precise_event_counts_from_midnight_at_the_venue():
    day = EventDate(precision=Precision.DAY, timezone="Asia/Kolkata", start=date(2027, 2, 19), end=date(2027, 2, 20))
    (job,) = plan_event(event(date=day), dm_leads=[D], channel_leads=[], dated_since=None)
    assert job.instant == datetime(2027, 2, 18, 18, 30, tzinfo=UTC)  # 00:00 in Kolkata
    assert job.due_at == datetime(2027, 2, 17, 18, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "when",
    [
        EventDate.tba("Europe/Zurich"),
        EventDate(precision=Precision.MONTH, timezone="UTC", start=date(2027, 3, 1), end=date(2027, 3, 31)),
        EventDate(precision=Precision.HALF_YEAR, timezone="UTC", start=date(2027, 1, 1), end=date(2027, 6, 30)),
    ],
    ids=["tba", "month", "half-year"],
)
def test_no_job_without_a_date_to_the_day(when):
    assert plan_event(event(date=when), dm_leads=[H], channel_leads=[H], dated_since=None) == []


def test_a_cancelled_event_has_no_job():
    assert plan_event(event(status=EventStatus.CANCELLED), dm_leads=[H], channel_leads=[H], dated_since=None) == []


def test_tba_then_dated_gets_jobs_but_not_for_leads_already_past_when_dated():
    tba = event(date=EventDate.tba("UTC"))
    assert plan_event(tba, dm_leads=[W, D, H], channel_leads=[], dated_since=None) == []
    dated_at = STARTS - timedelta(days=3)  # announced three days before: the week's reminder is not owed
    jobs = plan_event(event(), dm_leads=[W, D, H], channel_leads=[], dated_since=dated_at)
    assert [job.lead for job in jobs] == [D, H]


def test_a_move_moves_every_job_and_keeps_their_ids():
    before = plan_event(event(), dm_leads=[D, H], channel_leads=[H], dated_since=NOW - timedelta(days=30))
    later = STARTS + timedelta(days=2, hours=1)
    moved_date = EventDate(precision=Precision.EXACT, timezone="UTC", start=later.date(), end=later.date(),
                           start_time=time(9, 0))  # fmt: skip
    after = plan_event(event(date=moved_date), dm_leads=[D, H], channel_leads=[H], dated_since=NOW)
    assert [job.job_id for job in after] == [job.job_id for job in before]
    assert [job.due_at - old.due_at for job, old in zip(after, before, strict=True)] == [timedelta(days=2, hours=1)] * 3
    assert {job.instant for job in after} == {later}


@pytest.mark.parametrize(
    ("now", "grace", "expected"),
    [
        (STARTS - timedelta(hours=2), GRACE, Timing.FUTURE),
        (STARTS - timedelta(hours=1), GRACE, Timing.ON_TIME),
        (STARTS - timedelta(minutes=59, seconds=35), GRACE, Timing.ON_TIME),  # a few seconds: not "late"
        (STARTS - timedelta(minutes=50), GRACE, Timing.LATE),  # ten minutes late, within the grace window
        (STARTS - timedelta(minutes=1), GRACE, Timing.LATE),
        (STARTS - timedelta(minutes=50), timedelta(0), Timing.TOO_LATE),  # no grace: skipped
        (STARTS - timedelta(minutes=50), timedelta(minutes=5), Timing.TOO_LATE),
        (STARTS, GRACE, Timing.STARTED),  # however short the delay, never after the start
        (STARTS + timedelta(hours=3), timedelta(days=1), Timing.STARTED),
    ],
)
def test_catch_up_after_downtime(now, grace, expected):
    clock = ManualClock(now)
    assert timing(STARTS - timedelta(hours=1), STARTS, clock.now(), grace) is expected


def test_a_day_lead_long_overdue_is_skipped_even_with_the_event_ahead():
    clock = ManualClock(STARTS - timedelta(hours=5))
    assert timing(STARTS - timedelta(days=1), STARTS, clock.now(), GRACE) is Timing.TOO_LATE
    assert timing(STARTS - timedelta(days=1), STARTS, clock.now(), timedelta(days=1)) is Timing.LATE


def test_snoozes():
    clock = ManualClock(STARTS - timedelta(hours=3))
    assert snooze_due(SnoozeMode.HOUR, STARTS, clock.now()) == STARTS - timedelta(hours=2)
    assert snooze_due(SnoozeMode.JUST_BEFORE, STARTS, clock.now()) == STARTS - timedelta(minutes=10)
    clock.set(STARTS - timedelta(minutes=30))
    with pytest.raises(InvalidInputError) as refused:
        snooze_due(SnoozeMode.HOUR, STARTS, clock.now())
    assert refused.value.key == "reminders.errors.snooze_too_late"
    clock.set(STARTS - timedelta(minutes=10, seconds=30))
    assert snooze_due(SnoozeMode.JUST_BEFORE, STARTS, clock.now()) == STARTS - timedelta(minutes=10)
    clock.set(STARTS - timedelta(minutes=9))
    with pytest.raises(InvalidInputError):
        snooze_due(SnoozeMode.JUST_BEFORE, STARTS, clock.now())
    with pytest.raises(InvalidInputError) as undated:
        snooze_due(SnoozeMode.HOUR, None, clock.now())
    assert undated.value.key == "reminders.errors.snooze_no_date"


def test_the_next_reminder_of_a_subscription():
    assert next_due(STARTS, [D, H], STARTS - timedelta(days=2)) == STARTS - timedelta(days=1)
    assert next_due(STARTS, [D, H], STARTS - timedelta(hours=5)) == STARTS - timedelta(hours=1)
    assert next_due(STARTS, [D, H], STARTS - timedelta(minutes=5)) is None
    assert next_due(None, [D], NOW) is None
