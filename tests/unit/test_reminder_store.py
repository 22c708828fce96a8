"""Reminders in the store: subscriptions and their limits, who is owed a reminder, skipped catch-ups,
moved/cancelled notices read from the history, and forgetting a member everywhere."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.errors import InvalidInputError, NotAllowedError, NotFoundError
from bot.events.models import Precision
from bot.reminders.ledger import DeliveryKey, instant_text
from bot.reminders.planning import Audience, DeliveryKind, ReminderJob, SnoozeMode
from bot.services.events.service import EventDraft, EventPatch
from bot.services.reminders import ALL_EVENTS, ReminderChange
from tests.helpers.reminders import reminder_world

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
GUILD = 111
MODERATOR = 900
ADA, BOB, CLEO = 700000000000000001, 700000000000000002, 700000000000000003
H, D = 3600, 86400


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def world(store_url, clock):
    async with reminder_world(store_url, clock, {"reminders": {"max_subscriptions_per_user": 3}},
                              content=True) as built:  # fmt: skip
        yield built


async def add(world, name="AI Safety Forum", date="2027-03-15 09:00", key=None):
    draft = EventDraft(name_en=name, date=date, timezone="UTC", key=key)
    return (await world.services.events.add(GUILD, MODERATOR, draft)).event


async def test_subscribing_uses_the_defaults_and_a_second_time_updates(world):
    service = world.services.reminders
    forum = await add(world)
    changes = []

    async def listen(change):
        changes.append(change)

    service.add_listener(listen)
    first = await service.subscribe(GUILD, ADA, forum.key, None, "fr")
    assert first.created and first.subscription.leads == (D, H) and first.subscription.locale == "fr"
    assert first.next_at == datetime(2027, 3, 14, 9, 0, tzinfo=UTC)
    second = await service.subscribe(GUILD, ADA, forum.key, "2d, 15m", "en-US")
    assert not second.created and second.subscription.id == first.subscription.id
    assert second.subscription.leads == (2 * D, 900)
    assert changes == [ReminderChange(GUILD, forum.id)] * 2
    everything = await service.subscribe(GUILD, ADA, ALL_EVENTS, "1h", "en-US")
    assert everything.event is None and everything.subscription.all_events
    again = await service.subscribe(GUILD, ADA, "all", "1d", "en-US")
    assert again.subscription.id == everything.subscription.id, "one 'all events' subscription per member"
    assert await world.reminders.count_of_user(ADA) == 2


async def test_a_bad_lead_changes_nothing(world):
    forum = await add(world)
    with pytest.raises(InvalidInputError):
        await world.services.reminders.subscribe(GUILD, ADA, forum.key, "soon", "en-US")
    assert await world.db.fetch_all("SELECT * FROM reminder_subscriptions") == []


async def test_the_per_member_limit(world):
    service = world.services.reminders
    events = [await add(world, name=f"Forum {n}", key=f"forum-{n}") for n in range(4)]
    for event in events[:3]:
        await service.subscribe(GUILD, ADA, event.key, None, "en-US")
    with pytest.raises(NotAllowedError) as refused:
        await service.subscribe(GUILD, ADA, events[3].key, None, "en-US")
    assert refused.value.key == "reminders.errors.limit" and refused.value.params == {"limit": 3}
    await service.subscribe(GUILD, ADA, events[0].key, "1h", "en-US")  # changing one is not a new one
    await service.subscribe(GUILD, BOB, events[3].key, None, "en-US")  # the limit is per member


async def test_cancelled_and_past_events_cannot_be_followed(world, clock):
    service = world.services.reminders
    forum = await add(world)
    await world.services.events.cancel(GUILD, forum.key, MODERATOR)
    with pytest.raises(InvalidInputError) as cancelled:
        await service.subscribe(GUILD, ADA, forum.key, None, "en-US")
    assert cancelled.value.key == "reminders.errors.event_cancelled"
    with pytest.raises(InvalidInputError) as over:
        await service.subscribe(GUILD, ADA, "paris-2025", None, "en-US")
    assert over.value.key == "reminders.errors.event_over"
    with pytest.raises(NotFoundError):
        await service.unsubscribe(GUILD, ADA, forum.key)


async def test_followers_one_per_member_and_only_those_subscribed_before_it_fell_due(world, clock):
    forum = await add(world)
    await world.follow(GUILD, ADA, forum, (H,), at=NOW)
    await world.follow(GUILD, ADA, None, (H, D), at=NOW)  # also follows everything
    await world.follow(GUILD, BOB, None, (H,), at=NOW)
    await world.follow(GUILD, CLEO, forum, (H,), at=datetime(2027, 3, 15, 8, 30, tzinfo=UTC))  # after it fell due
    owed = await world.reminders.followers(GUILD, forum.id, lead=H, subscribed_before=datetime(2027, 3, 15, 8,
                                                                                               tzinfo=UTC))  # fmt: skip
    assert sorted((s.user_id, s.event_id) for s in owed) == [(ADA, forum.id), (BOB, None)]
    assert await world.reminders.dm_leads(GUILD, forum.id) == {H, D}


async def test_an_overdue_job_past_the_grace_window_is_recorded_as_skipped(world, clock):
    forum = await add(world)
    await world.follow(GUILD, ADA, forum, (D,), at=NOW)
    await world.follow(GUILD, BOB, forum, (D,), at=NOW)
    job = ReminderJob(forum.id, GUILD, D, Audience.DM, forum.reminder_instant())
    clock.set(job.due_at + timedelta(hours=5))
    dispatcher = world.dispatcher(sender=None)
    assert await dispatcher.skip_job(job, "bot offline when due (too_late)") == 2
    rows = await world.db.fetch_all("SELECT recipient_id, state, error FROM reminder_deliveries ORDER BY 1")
    assert [tuple(row) for row in rows] == [(ADA, "skipped", "bot offline when due (too_late)"),
                                            (BOB, "skipped", "bot offline when due (too_late)")]  # fmt: skip
    assert await dispatcher.skip_job(job, "again") == 0, "recorded once"
    assert await dispatcher._owed(forum, job) == [], "and never sent later"


async def test_when_an_event_got_its_instant(world, clock):
    forum = await add(world, date="TBA")
    assert forum.date.precision is Precision.TBA
    clock.advance(timedelta(days=2))
    moved = await world.services.events.edit(GUILD, forum.key, MODERATOR, EventPatch(date="2027-03-15 09:00"))
    assert await world.reminders.dated_since(forum.id) == NOW + timedelta(days=2)
    clock.advance(timedelta(days=1))
    await world.services.events.edit(GUILD, forum.key, MODERATOR, EventPatch(venue="Palexpo"))
    assert await world.reminders.dated_since(forum.id) == NOW + timedelta(days=2), "a new venue is not a new date"
    assert moved.event.reminder_instant() == datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


async def test_notices_are_read_from_the_history(world, clock):
    forum = await add(world)
    dispatcher = world.dispatcher(sender=None)
    clock.advance(timedelta(hours=1))
    await world.services.events.edit(GUILD, forum.key, MODERATOR, EventPatch(date="2027-03-16 10:00"), "venue works")
    clock.advance(timedelta(hours=1))
    await world.services.events.edit(GUILD, forum.key, MODERATOR, EventPatch(timezone="Europe/Paris"))
    clock.advance(timedelta(hours=1))
    await world.services.events.edit(GUILD, forum.key, MODERATOR, EventPatch(city="Lyon"))
    clock.advance(timedelta(hours=1))
    await world.services.events.cancel(GUILD, forum.key, MODERATOR, "no funding")
    plans = await dispatcher.plans_since(NOW)
    assert [(p.kind, p.sequence, p.reason) for p in plans] == [
        (DeliveryKind.MOVED, 1, "venue works"),
        (DeliveryKind.MOVED, 2, None),  # a corrected time zone moves the instant too
        (DeliveryKind.CANCELLED, 4, "no funding"),
    ]
    moved, corrected, cancelled = plans
    assert moved.old.canonical() == "2027-03-15 09:00 UTC" and moved.new.canonical() == "2027-03-16 10:00 UTC"
    assert corrected.old.timezone == "UTC" and corrected.new.timezone == "Europe/Paris"
    assert moved.instant == "2027-03-16T10:00:00+00:00" and cancelled.instant == "2027-03-16T09:00:00+00:00"
    assert [p.sequence for p in await dispatcher.plans_since(NOW + timedelta(hours=3, minutes=30))] == [4]


async def test_a_snooze_needs_an_instant_far_enough(world, clock):
    service = world.services.reminders
    forum = await add(world)
    with pytest.raises(NotFoundError):
        await service.snooze(ADA, forum.id, SnoozeMode.JUST_BEFORE, "fr")  # not a follower
    await world.follow(GUILD, ADA, None, (H,))
    snooze = await service.snooze(ADA, forum.id, SnoozeMode.JUST_BEFORE, "fr")
    assert snooze.due_at == datetime(2027, 3, 15, 8, 50, tzinfo=UTC) and snooze.guild_id == GUILD
    clock.set(datetime(2027, 3, 15, 8, 30, tzinfo=UTC))
    with pytest.raises(InvalidInputError):
        await service.snooze(ADA, forum.id, SnoozeMode.HOUR, "fr")


async def all_rows(db) -> list[tuple[str, tuple]]:
    found = []
    for table in await db.table_names():
        for row in await db.fetch_all(f"SELECT * FROM {table}"):
            found.append((table, tuple(row)))
    return found


def mentions(rows, user_id: int) -> list[tuple[str, tuple]]:
    return [(table, row) for table, row in rows if any(str(user_id) in str(value) for value in row)]


async def test_forget_me_leaves_no_row_about_the_member(world, clock):
    service = world.services.reminders
    forum = await add(world)
    for user in (ADA, BOB):
        await service.subscribe(GUILD, user, forum.key, "1d", "en-US")
        await service.subscribe(GUILD, user, ALL_EVENTS, "1h", "en-US")
        await service.subscribe(222, user, ALL_EVENTS, "1h", "en-US")
        await service.snooze(user, forum.id, SnoozeMode.HOUR, "en-US")
        await world.reminders.set_dm_channel(user, user + 5_000_000)
        await world.reminders.add_pending_notice(GUILD, user, forum.id, at=NOW)
        key = DeliveryKey(DeliveryKind.REMINDER, forum.id, instant_text(forum.reminder_instant()), Audience.DM, user, D)
        await world.deliveries.claim(key, guild_id=GUILD, due_at=NOW, late=False, at=NOW)
    assert len(mentions(await all_rows(world.db), ADA)) == 7  # 3 subscriptions, snooze, DM, notice, ledger
    await service.forget(ADA)
    rows = await all_rows(world.db)
    assert mentions(rows, ADA) == []
    assert len(mentions(rows, BOB)) == 7, "only that member is forgotten"


# --- at once (PostgreSQL runs transactions side by side, READ COMMITTED) -------------------------------


async def warm(world, connections: int = 4) -> None:
    """Open the pool's connections first, so that the calls raced below start together rather than one
    finishing while the other connects (SQLite has one connection: its writes take turns)."""
    count = "SELECT count(*) FROM reminder_subscriptions"
    await asyncio.gather(*(world.db.fetch_value(count) for _ in range(connections)))


@pytest.mark.parametrize("follows", ["one event", "all events"])
async def test_two_saves_at_once_make_one_subscription_with_one_saves_lead_times(world, follows):
    """A double click answered on two connections: one subscription, created once, with the locale and lead
    times of one of the two saves, whole (not a mix, not a broken unique index)."""
    event_id = (await add(world)).id if follows == "one event" else None
    await warm(world)
    saved = await asyncio.gather(
        world.reminders.save(GUILD, ADA, event_id, locale="fr", leads=(D, H), at=NOW),
        world.reminders.save(GUILD, ADA, event_id, locale="en-US", leads=(2 * D,), at=NOW),
    )
    assert sorted(created for _, created in saved) == [False, True]
    assert await world.db.fetch_value("SELECT count(*) FROM reminder_subscriptions WHERE user_id = ?", (ADA,)) == 1
    stored = await world.reminders.subscription(saved[0][0].id)
    assert (stored.locale, stored.leads) in {("fr", (D, H)), ("en-US", (2 * D,))}
    leads = await world.db.fetch_value(
        "SELECT count(*) FROM reminder_subscription_leads WHERE subscription_id = ?", (stored.id,)
    )
    assert leads == len(stored.leads)


async def test_pending_notices_taken_twice_at_once_are_given_once(world):
    forum = await add(world)
    await world.reminders.add_pending_notice(GUILD, ADA, forum.id, at=NOW)
    await warm(world)
    one, two = await asyncio.gather(
        world.reminders.take_pending_notices(GUILD, ADA), world.reminders.take_pending_notices(GUILD, ADA)
    )
    assert [notice.event_id for notice in one + two] == [forum.id]
    assert await world.reminders.take_pending_notices(GUILD, ADA) == []
