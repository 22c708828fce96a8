"""`summit-bot status`, run as an operator runs it (a subprocess on a config file), on both stores: the live
processes with their shards and leases, a dead one still holding claims, then the same after a live process
took them over; the reminders due next with their audience; --json."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.clock import SystemClock
from bot.reminders.ledger import DeliveryKey, instant_text
from bot.reminders.planning import Audience, DeliveryKind
from bot.storage.repositories.processes import ProcessRepository, ProcessRow
from tests.helpers.cluster_reminders import summit_status
from tests.helpers.reminders import reminder_world

GUILD = 4242
DAY = 86400


def line_of(text: str, needle: str) -> str:
    [line] = [line for line in text.splitlines() if needle in line]
    return line


async def test_status_lists_live_and_dead_processes_the_takeover_and_the_reminders_due(tmp_path, store_url):
    now = datetime.now(UTC).replace(microsecond=0)
    starts = (now + timedelta(days=2)).replace(second=0)
    async with reminder_world(store_url, SystemClock()) as world:
        event = await world.add_event(GUILD, starts, key="geneva-2027", at=now - timedelta(days=10))
        for member in range(5):
            await world.follow(GUILD, 100 + member, event, (DAY,), at=now - timedelta(days=5))
        processes = ProcessRepository(world.db)
        live = ProcessRow("live0001", "host-a", 111, (0, 1), 4, now, now, now + timedelta(seconds=30), 42, False)
        dead = ProcessRow("dead0002", "host-b", 222, (2, 3), 4, now, now, now - timedelta(seconds=10), None, False)
        for row in (live, dead):
            await processes.register(row)
        for member in range(3):  # the dead process died in the middle of a fan-out
            key = DeliveryKey(DeliveryKind.REMINDER, event.id, instant_text(starts), Audience.DM, 100 + member, DAY)
            assert await world.deliveries.claim(key, guild_id=GUILD, due_at=now, late=False, at=now, by=dead.id)

        before = await summit_status(tmp_path, store_url)
        assert "live processes: 1" in before and "dead processes (lease ended): 1" in before
        live_line = line_of(before, "live0001")
        assert "host-a pid 111" in live_line and "shards 0,1 of 4" in live_line and "latency 42 ms" in live_line
        assert "claims held 0" in live_line and " left" in live_line
        dead_line = line_of(before, "dead0002")
        assert "lease ended" in dead_line and "claims held 3 (being taken over" in dead_line
        due_line = line_of(before, "event geneva-2027")
        assert due_line.lstrip().startswith((starts - timedelta(days=1)).isoformat())
        assert "1d before" in due_line and "5 member(s) by DM" in due_line

        taken = await world.deliveries.take_over(live.id, now=datetime.now(UTC))  # the live process's sweep
        assert len(taken) == 3
        after = await summit_status(tmp_path, store_url)
        assert "claims held 3" in line_of(after, "live0001")
        assert "claims held 0 (nothing left to take over)" in line_of(after, "dead0002")

        report = json.loads(await summit_status(tmp_path, store_url, "--json", "--next", "1"))
        by_id = {entry["id"]: entry for entry in report["processes"]}
        assert (by_id["live0001"]["alive"], by_id["live0001"]["claims"], by_id["live0001"]["shard_ids"]) == (
            True, 3, [0, 1],
        )  # fmt: skip
        assert (by_id["dead0002"]["alive"], by_id["dead0002"]["claims"]) == (False, 0)
        assert [(due["event_key"], due["recipients"], due["audience"]) for due in report["due"]] == [
            ("geneva-2027", 5, "dm")
        ]


async def test_status_on_an_empty_store_says_nothing_runs(tmp_path, store_url):
    async with reminder_world(store_url, SystemClock()):
        pass
    text = await summit_status(tmp_path, store_url)
    assert "live processes: 0" in text and "reminders due next: 0" in text
