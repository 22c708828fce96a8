"""The reliability suite's snapshot and restore work on both stores: a change is seen table by table, and
restore puts every row back, children of a restored parent included (ON DELETE CASCADE emptied them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from tests.helpers.reminders import reminder_world

from .database_state import differences, restore, snapshot

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
GUILD = 4242


@pytest.fixture
async def world(store_url):
    async with reminder_world(store_url, ManualClock(NOW)) as built:
        yield built


async def test_restore_undoes_a_cascading_delete_and_an_insert_on_either_store(world):
    forum = await world.add_event(GUILD, NOW + timedelta(days=10), key="forum", at=NOW)
    summit = await world.add_event(GUILD, NOW + timedelta(days=20), key="summit", at=NOW)
    await world.follow(GUILD, 1, forum, (3600,), at=NOW)
    baseline = await snapshot(world.db)
    assert len(baseline["guild_events"]) == 2 and len(baseline["reminder_subscriptions"]) == 1

    async with world.db.transaction() as tx:  # the event and, by cascade, its follower go
        await tx.execute("DELETE FROM guild_events WHERE id = ?", (forum.id,))
    await world.follow(GUILD, 2, summit, (7200,), at=NOW)
    changed = differences(baseline, await snapshot(world.db))
    assert any(line.startswith("guild_events: +0 -1") for line in changed), changed
    assert any(line.startswith("reminder_subscriptions: +1 -1") for line in changed), changed

    assert await restore(world.db, baseline) is True
    assert await snapshot(world.db) == baseline
    assert await restore(world.db, baseline) is False, "nothing differs any more"
