"""Who is due for a big event, read in pages (ReminderRepository.follower_pages), on both stores: the pages
together are exactly the followers one query would give, and changes between two pages are handled as
documented (a member removed before their page is read is left out; nobody is yielded twice)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.reminders.sender import Outcome
from bot.services.events.service import EventDraft
from bot.storage.repositories.deliveries import iso
from tests.helpers.reminders import reminder_world

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
DUE = datetime(2027, 3, 14, 9, 0, tzinfo=UTC)  # the one-day reminder of an event on 15 March, 09:00
GUILD, OTHER_GUILD, MODERATOR = 111, 222, 900
FIRST_USER = 700000000000000000
MEMBERS = 3_000
H, D = 3600, 86400
Row = tuple[int, int, int, int | None, datetime, tuple[int, ...]]  # (id, guild, user, event or None, created, leads)


@pytest.fixture
async def world(store_url):
    async with reminder_world(store_url, ManualClock(NOW), {}) as built:
        yield built


async def add_event(world, name: str) -> int:
    draft = EventDraft(name_en=name, date="2027-03-15 09:00", timezone="UTC")
    return (await world.services.events.add(GUILD, MODERATOR, draft)).event.id


async def store(world, rows: list[Row]) -> None:
    """(id, guild, user, event or None, created, leads) written as they are, in one transaction."""
    async with world.db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO reminder_subscriptions (id, guild_id, user_id, event_id, locale, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(sid, guild, user, event, "fr", iso(created)) for sid, guild, user, event, created, _ in rows],
        )
        await tx.executemany(
            "INSERT INTO reminder_subscription_leads (subscription_id, lead_seconds) VALUES (?, ?)",
            [(sid, lead) for sid, *_, leads in rows for lead in leads],
        )


async def crowd(world) -> tuple[int, dict[int, tuple[int, int | None]], list[Row]]:
    """A few thousand members following one event, "all events", both, or another event, with various
    lead times and dates; and who is owed its one-day reminder, worked out here: user → (id, event)."""
    forum, other = await add_event(world, "AI Safety Forum"), await add_event(world, "Other")
    rng = random.Random(11)
    rows: list[Row] = []
    expected: dict[int, tuple[int, int | None]] = {}

    def qualifies(created: datetime, leads: tuple[int, ...]) -> bool:
        return D in leads and created < DUE

    users = rng.sample(range(FIRST_USER, FIRST_USER + 10**12), MEMBERS)  # in no particular order of creation
    for number, user in enumerate(users):
        mine = []
        for event, share in ((forum, 0.7), (None, 0.15), (other, 0.3)):
            if rng.random() < share:
                created = DUE + timedelta(hours=rng.choice((-48, -1, -1, 1)))  # most before it falls due
                leads = rng.choice(((D,), (H,), (D, H)))
                sid = 10_000 + len(rows)
                rows.append((sid, GUILD, user, event, created, leads))
                mine.append((sid, event, created, leads))
        own = [(sid, event) for sid, event, created, leads in mine if event == forum and qualifies(created, leads)]
        everything = [
            (sid, event) for sid, event, created, leads in mine if event is None and qualifies(created, leads)
        ]
        if own or everything:
            expected[user] = (own or everything)[0]
        if number % 50 == 0:  # the same member in another server follows everything there: never counted here
            rows.append((10_000 + len(rows), OTHER_GUILD, user, None, NOW, (D,)))
    await store(world, rows)
    return forum, expected, rows


def as_owed(subscriptions) -> dict[int, tuple[int, int | None]]:
    owed = {s.user_id: (s.id, s.event_id) for s in subscriptions}
    assert len(owed) == len(subscriptions), "one per member"
    return owed


async def test_the_pages_together_are_exactly_who_is_owed_the_reminder(world):
    forum, expected, _ = await crowd(world)
    assert len(expected) > 1_000 and any(event is None for _, event in expected.values())
    whole = await world.reminders.followers(GUILD, forum, lead=D, subscribed_before=DUE)
    assert as_owed(whole) == expected
    for size in (100, 97, len([1 for _, event in expected.values() if event == forum])):  # the last: one full page
        pages = [page async for page in world.reminders.follower_pages(GUILD, forum, lead=D, subscribed_before=DUE,
                                                                        page_size=size)]  # fmt: skip
        assert all(0 < len(page) <= size for page in pages)
        assert len(pages) >= len(expected) // size
        assert as_owed([s for page in pages for s in page]) == expected


async def test_changes_between_pages_leave_out_who_left_and_never_yield_anybody_twice(world):
    forum, expected, rows = await crowd(world)
    pages = world.reminders.follower_pages(GUILD, forum, lead=D, subscribed_before=DUE, page_size=200)
    first = await anext(pages)
    read = {s.user_id for s in first}
    own_later = sorted(user for user, (_, event) in expected.items() if event == forum and user not in read)
    following_all = {row[2] for row in rows if row[1] == GUILD and row[3] is None}
    own_only = [s.user_id for s in first if s.event_id == forum and s.user_id not in following_all]
    # Between two pages: a member not read yet unsubscribes; one already read drops the event but keeps
    # "all events" (so they would now qualify in the second part); a member subscribes after it fell due.
    gone = own_later[-1]
    async with world.db.transaction() as tx:
        await tx.execute("DELETE FROM reminder_subscriptions WHERE id = ?", (expected[gone][0],))
    moved = own_only[0]
    await store(world, [(90_000, GUILD, moved, None, NOW, (D,))])
    async with world.db.transaction() as tx:
        await tx.execute("DELETE FROM reminder_subscriptions WHERE id = ?", (expected[moved][0],))
    await store(world, [(90_001, GUILD, FIRST_USER + 10**13, forum, DUE + timedelta(minutes=1), (D,))])

    rest = [s for page in [page async for page in pages] for s in page]
    owed = as_owed([*first, *rest])
    assert gone not in owed, "unsubscribed before their page was read: not reminded"
    assert owed[moved] == expected[moved], "read once, with the subscription their page held"
    assert FIRST_USER + 10**13 not in owed, "subscribed after it fell due"
    assert owed == {user: value for user, value in expected.items() if user != gone}


async def test_a_fan_out_reads_the_next_page_only_when_it_needs_it_and_none_once_stopped(world):
    forum, expected, _ = await crowd(world)
    dispatcher = world.dispatcher(sender=None, concurrency=4)
    read: list[int] = []

    async def pages():
        async for page in world.reminders.follower_pages(GUILD, forum, lead=D, subscribed_before=DUE, page_size=100):
            read.append(len(page))
            yield page

    sent: list[int] = []

    async def send(subscription):
        sent.append(subscription.user_id)
        assert len(read) <= len(sent) // 100 + 1, "a page is read only once the ones before it are taken"
        if len(sent) == 150:  # the event changed in the middle of the second page
            dispatcher.stop_runs(forum)
        return Outcome.SENT

    outcomes = await dispatcher._fan_out("remind:test", forum, pages(), send)
    assert len(read) == 2, "no page read once the run was stopped"
    assert outcomes["sent"] == 150 and outcomes["sent"] + outcomes["stopped"] == 200
    assert len(set(sent)) == 150 and set(sent) <= set(expected)
