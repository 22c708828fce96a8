"""The ledger's rules hold without SQLite's single writer: on PostgreSQL, concurrent tasks of one process
use different pool connections, so the database (the ledger's primary key, a re-read before recovery),
not the order of writes, must keep each message once. Every test runs on both stores."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot.clock import ManualClock
from bot.reminders.ledger import DeliveryKey, DeliveryState, instant_text
from bot.reminders.planning import Audience, DeliveryKind, ReminderJob
from bot.reminders.sender import Outcome, OutgoingMessage
from bot.sandbox import DiscordEmulator
from tests.helpers.reminders import http_client, port_for, reminder_world

DUE = datetime(2027, 3, 15, 8, 0, tzinfo=UTC)
HOUR = 3600
STARTS = DUE + timedelta(seconds=HOUR)
KEYS = 40
CLAIMERS = 4  # as many as the PostgreSQL pool's connections
MEMBERS = 30


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DUE)


@pytest.fixture
async def world(store_url, clock):
    async with reminder_world(store_url, clock) as built:
        yield built


@pytest.fixture
async def emulator(clock):
    async with DiscordEmulator(clock=clock, global_rate_limit=None) as emu:
        yield emu


def key_for(recipient: int) -> DeliveryKey:
    return DeliveryKey(DeliveryKind.REMINDER, 1, instant_text(STARTS), Audience.DM, recipient, HOUR)


async def test_concurrent_claims_of_one_message_have_exactly_one_winner(world, clock):
    async def claim(key: DeliveryKey) -> bool:
        return await world.deliveries.claim(key, guild_id=7, due_at=DUE, late=False, at=clock.now())

    keys = [key_for(1000 + number) for number in range(KEYS)]
    results = await asyncio.gather(*(claim(key) for key in keys for _ in range(CLAIMERS)))
    winners = [sum(results[index * CLAIMERS : (index + 1) * CLAIMERS]) for index in range(KEYS)]
    assert winners == [1] * KEYS
    rows = await world.db.fetch_all("SELECT state FROM reminder_deliveries")
    assert [row["state"] for row in rows] == ["claimed"] * KEYS


async def test_two_runs_of_one_job_at_once_send_one_dm_each(world, emulator):
    guild = emulator.create_guild("Summit Community")
    members = [emulator.create_member(guild, f"member{number}") for number in range(MEMBERS)]
    event = await world.add_event(guild.id, STARTS, at=DUE - timedelta(days=30))
    for member in members:
        await world.follow(guild.id, member.id, event, (HOUR,), at=DUE - timedelta(days=20))
    job = ReminderJob(event.id, guild.id, HOUR, Audience.DM, STARTS)
    async with http_client(emulator) as http:
        # Two senders: nothing in one process's memory keeps them apart, only the store.
        runs = [world.dispatcher(world.sender(port_for(http)), concurrency=8) for _ in range(2)]
        outcomes = await asyncio.gather(*(run.run_job(job, late=False) for run in runs))
    assert sum(result["sent"] for result in outcomes) == MEMBERS
    assert [len(emulator.dm_messages(member)) for member in members] == [1] * MEMBERS
    rows = await world.db.fetch_all("SELECT state FROM reminder_deliveries")
    assert [row["state"] for row in rows] == ["sent"] * MEMBERS


async def test_recovery_of_a_claim_settled_since_it_was_read_leaves_it_alone(world, emulator, clock):
    guild = emulator.create_guild("Summit Community")
    member = emulator.create_member(guild, "member")
    key = key_for(member.id)
    assert await world.deliveries.claim(key, guild_id=guild.id, due_at=DUE, late=False, at=clock.now())
    [stale] = await world.deliveries.unconfirmed()  # the sweep's read ...
    await world.deliveries.mark_sent(key, message_id=11, channel_id=12, at=clock.now())  # ... then the send ends
    async with http_client(emulator) as http:
        sender = world.sender(port_for(http))
        unwanted = await sender.recover(stale, None)
        wanted = await sender.recover(stale, OutgoingMessage(embed=discord.Embed(description=key.reference)))
    assert (unwanted, wanted) == (Outcome.ALREADY, Outcome.ALREADY)
    settled = await world.deliveries.get(key)
    assert settled is not None and settled.state is DeliveryState.SENT and settled.message_id == 11
    assert emulator.dm_messages(member) == []
