"""Processes and their leases (bot/cluster/membership.py) and the takeover of a dead process's ledger claims,
on both stores: what the store holds is what `summit-bot status` and the other processes see."""

from __future__ import annotations

import asyncio
import socket
import sys
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.cluster.membership import Membership
from bot.config import ClusterSettings, ConfigError, validate_settings
from bot.reminders.ledger import DeliveryKey, instant_text
from bot.reminders.planning import Audience, DeliveryKind
from bot.storage.database import open_database
from bot.storage.repositories.deliveries import DeliveryRepository
from bot.storage.repositories.processes import ProcessRepository, ProcessRow

NOW = datetime(2027, 3, 15, 8, 0, tzinfo=UTC)
LEASE = ClusterSettings(heartbeat_seconds=1, lease_seconds=3)
CLAIMS = 60


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def db(store_url):
    database = await open_database(store_url)
    try:
        yield database
    finally:
        await database.close()


def member(db, clock, *, single: bool = False, shards=((0, 1), 4)) -> Membership:
    return Membership(ProcessRepository(db), clock, LEASE, single_process=single, shards=lambda: shards,
                      latency=lambda: 42)  # fmt: skip


def key_for(recipient: int) -> DeliveryKey:
    return DeliveryKey(DeliveryKind.REMINDER, 1, instant_text(NOW + timedelta(hours=1)), Audience.DM, recipient, 3600)


async def claim_many(deliveries: DeliveryRepository, clock: ManualClock, by: str, count: int = CLAIMS) -> None:
    for recipient in range(1000, 1000 + count):
        assert await deliveries.claim(key_for(recipient), guild_id=7, due_at=NOW, late=False, at=clock.now(), by=by)


async def test_a_process_is_listed_with_its_shards_and_lease_renewed_by_its_heartbeat(db, clock):
    process = member(db, clock)
    await process.start()
    try:
        [row] = await ProcessRepository(db).all()
        assert (row.id, row.shard_ids, row.shard_count, row.latency_ms) == (process.process_id, (0, 1), 4, 42)
        assert row.lease_until == NOW + timedelta(seconds=3)
        clock.advance(timedelta(seconds=2))
        await process.beat()
        [row] = await ProcessRepository(db).all()
        assert (row.heartbeat_at, row.lease_until) == (NOW + timedelta(seconds=2), NOW + timedelta(seconds=5))
    finally:
        await process.stop()


async def test_a_clean_stop_deletes_the_row_and_releases_its_claims_at_once(db, clock):
    deliveries = DeliveryRepository(db)
    stopping, survivor = member(db, clock), member(db, clock)
    await stopping.start()
    await survivor.start()
    await claim_many(deliveries, clock, stopping.process_id, 5)
    assert await deliveries.take_over(survivor.process_id, now=clock.now()) == []  # its holder is alive
    await stopping.stop()
    assert [row.id for row in await ProcessRepository(db).all()] == [survivor.process_id]
    taken = await deliveries.take_over(survivor.process_id, now=clock.now())  # no wait for the lease
    assert len(taken) == 5 and {d.claimed_by for d in taken} == {survivor.process_id}
    await survivor.stop()


async def test_claims_of_a_process_whose_lease_ended_go_once_to_one_of_two_competitors(db, clock):
    deliveries = DeliveryRepository(db)
    dead, first, second = member(db, clock), member(db, clock), member(db, clock)
    for process in (dead, first, second):
        await process.start()
    await claim_many(deliveries, clock, dead.process_id)
    clock.advance(timedelta(seconds=2))
    await first.beat()
    await second.beat()
    assert await deliveries.take_over(first.process_id, now=clock.now()) == []  # lease not over yet

    clock.advance(timedelta(seconds=2))  # dead's lease ended; the two others' run to +5 s
    batches = await asyncio.gather(
        *(deliveries.take_over(process.process_id, now=clock.now(), limit=7) for process in (first, second) * 10)
    )
    taken = [(d.key.recipient_id, d.claimed_by) for batch in batches for d in batch]
    assert sorted(recipient for recipient, _ in taken) == list(range(1000, 1000 + CLAIMS))  # each exactly once
    rows = await deliveries.unconfirmed()
    assert {d.key.recipient_id: d.claimed_by for d in rows} == dict(taken)  # the store says who holds it
    assert await deliveries.take_over(first.process_id, now=clock.now()) == []  # nothing left over
    held = await deliveries.claims_by_holder()
    assert set(held) <= {first.process_id, second.process_id} and sum(held.values()) == CLAIMS
    for process in (first, second):
        await process.stop()


async def test_a_live_process_never_takes_its_own_claims_nor_a_live_ones(db, clock):
    deliveries = DeliveryRepository(db)
    one, other = member(db, clock), member(db, clock)
    await one.start()
    await other.start()
    await claim_many(deliveries, clock, one.process_id, 3)
    assert await deliveries.take_over(one.process_id, now=clock.now()) == []
    assert await deliveries.take_over(other.process_id, now=clock.now()) == []
    assert {d.claimed_by for d in await deliveries.unconfirmed()} == {one.process_id}
    await one.stop()
    await other.stop()


async def test_a_process_declared_dead_that_beats_again_registers_again(db, clock):
    process = member(db, clock)
    await process.start()
    await ProcessRepository(db).remove(process.process_id)  # as if another process had cleared it
    await process.beat()
    assert [row.id for row in await ProcessRepository(db).all()] == [process.process_id]
    await process.stop()


async def test_on_sqlite_a_start_drops_the_rows_of_processes_that_held_the_store_before(tmp_path, clock):
    database = await open_database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    try:
        killed = member(database, clock)
        await killed.start()
        await claim_many(DeliveryRepository(database), clock, killed.process_id, 2)
        killed._task.cancel()  # SIGKILL: no clean stop, the row stays with its lease running
        restarted = member(database, clock, single=True)
        await restarted.start()
        assert [row.id for row in await ProcessRepository(database).all()] == [restarted.process_id]
        taken = await DeliveryRepository(database).take_over(restarted.process_id, now=clock.now())
        assert len(taken) == 2  # at once, not after the killed one's lease
        await restarted.stop()
    finally:
        await database.close()


def test_a_lease_shorter_than_two_heartbeats_is_refused():
    with pytest.raises(ConfigError, match="cluster"):
        validate_settings({"cluster": {"heartbeat_seconds": 5, "lease_seconds": 8}})
    assert validate_settings({"cluster": {"lease_seconds": 10, "heartbeat_seconds": 5}}).cluster.lease_seconds == 10


async def test_a_start_drops_at_once_a_row_of_this_host_whose_process_no_longer_runs(db, clock):
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await child.wait()
    gone_pid = child.pid
    processes = ProcessRepository(db)
    lease_until = NOW + timedelta(seconds=30)
    for process_id, host, pid in (("killed", socket.gethostname(), gone_pid), ("elsewhere", "other-host", gone_pid)):
        await processes.register(ProcessRow(process_id, host, pid, (0,), 1, NOW, NOW, lease_until, None, False))
    restarted = member(db, clock)
    await restarted.start()
    try:
        # The other host's row may be a live process there: its lease decides.
        assert {row.id for row in await processes.all()} == {"elsewhere", restarted.process_id}
    finally:
        await restarted.stop()


async def test_a_dead_process_is_forgotten_only_once_its_claims_are_taken_over_and_it_is_long_gone(db, clock):
    deliveries, processes = DeliveryRepository(db), ProcessRepository(db)
    dead, survivor = member(db, clock), member(db, clock)
    await dead.start()
    await claim_many(deliveries, clock, dead.process_id, 2)
    clock.advance(timedelta(minutes=20))
    await survivor.start()
    assert await survivor.forget_dead() == 0  # it still holds claims: status must show it
    assert len(await deliveries.take_over(survivor.process_id, now=clock.now())) == 2
    assert await survivor.forget_dead() == 1
    assert [row.id for row in await processes.all()] == [survivor.process_id]
    await survivor.stop()
