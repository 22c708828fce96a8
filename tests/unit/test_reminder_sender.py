"""The sender against the emulator's REST API and discord.py's HTTP client: exactly once under a crash at
each step of claim → send → mark, inside and past the nonce window; closed DMs; pacing; DM channel reuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.pacing import global_limit_pacer
from bot.reminders.ledger import DeliveryKey, DeliveryState, instant_text
from bot.reminders.planning import Audience, DeliveryKind, ReminderJob
from bot.reminders.sender import Outcome
from bot.sandbox import DiscordEmulator
from tests.helpers.reminders import Crash, CrashAt, http_client, port_for, reminder_world

DUE = datetime(2027, 3, 15, 8, 0, tzinfo=UTC)
HOUR = 3600
STARTS = DUE + timedelta(seconds=HOUR)
MEMBERS = 5


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DUE)


@pytest.fixture
async def emulator(clock):
    # The emulator remembers nonces on the same clock, so moving it past the window is real.
    async with DiscordEmulator(clock=clock, global_rate_limit=None) as emu:
        yield emu


@pytest.fixture
def members(emulator):
    guild = emulator.create_guild("Summit Community")
    return guild, [emulator.create_member(guild, f"member{number}") for number in range(MEMBERS)]


@pytest.fixture
async def world(store_url, clock):
    async with reminder_world(store_url, clock) as built:
        yield built


@pytest.fixture
async def http(emulator):
    async with http_client(emulator) as client:
        yield client


async def followed_event(world, guild, members, *, lead: int = HOUR):
    event = await world.add_event(guild.id, STARTS, at=DUE - timedelta(days=30))
    for member in members:
        await world.follow(guild.id, member.id, event, (lead,), at=DUE - timedelta(days=20))
    return event, ReminderJob(event.id, guild.id, lead, Audience.DM, STARTS)


def dm_counts(emulator, members) -> list[int]:
    return [len(emulator.dm_messages(member)) for member in members]


async def ledger_states(world) -> list[str]:
    rows = await world.db.fetch_all("SELECT state FROM reminder_deliveries ORDER BY recipient_id")
    return [row["state"] for row in rows]


async def test_one_run_sends_one_dm_each_and_marks_them_sent(world, emulator, members, http):
    guild, people = members
    _, job = await followed_event(world, guild, people)
    outcomes = await world.dispatcher(world.sender(port_for(http))).run_job(job, late=False)
    assert outcomes == {"sent": MEMBERS}
    assert dm_counts(emulator, people) == [1] * MEMBERS
    assert await ledger_states(world) == ["sent"] * MEMBERS
    again = await world.dispatcher(world.sender(port_for(http))).run_job(job, late=False)
    assert sum(again.values()) == 0, "nobody is owed it any more"
    assert dm_counts(emulator, people) == [1] * MEMBERS
    message = emulator.dm_messages(people[0])[0]
    key = DeliveryKey(DeliveryKind.REMINDER, job.event_id, instant_text(STARTS), Audience.DM, people[0].id, HOUR)
    assert message["nonce"] == key.nonce and len(key.nonce) <= 25
    assert f"ref {key.reference}" in message["embeds"][0]["footer"]["text"]


STEPS = ["before_claim", "claimed", "sent", "marked"]


@pytest.mark.parametrize("past_window", [False, True], ids=["inside-window", "past-window"])
@pytest.mark.parametrize("step", STEPS)
async def test_a_crash_at_any_step_ends_with_exactly_one_dm_each(world, emulator, members, http, clock, step,
                                                                  past_window):  # fmt: skip
    guild, people = members
    _, job = await followed_event(world, guild, people)
    victim = people[2].id
    with pytest.raises(Crash):
        await world.dispatcher(world.sender(port_for(http), checkpoint=CrashAt(step, victim))).run_job(job, late=False)
    victim_row = await world.deliveries.get(
        DeliveryKey(DeliveryKind.REMINDER, job.event_id, instant_text(STARTS), Audience.DM, victim, HOUR)
    )
    expected_state = {"before_claim": None, "claimed": "claimed", "sent": "claimed", "marked": "sent"}[step]
    assert (victim_row.state.value if victim_row else None) == expected_state
    assert len(emulator.dm_messages(people[2])) == (1 if step in ("sent", "marked") else 0)
    if past_window:
        clock.advance(timedelta(minutes=10))  # Discord (the emulator) has forgotten the nonces by now
    # The restarted process: a fresh sender (nothing in flight), recovery first, then the job again.
    port = port_for(http)
    restarted = world.dispatcher(world.sender(port))
    unconfirmed = await world.deliveries.unconfirmed()
    # Which claims had their DM channel stored when the process died depends on how the concurrent sends
    # interleaved (each store orders them its own way); a claim with none was sent nowhere: no history to read.
    with_channel = [d for d in unconfirmed if await world.reminders.dm_channel(d.key.recipient_id) is not None]
    for delivery in unconfirmed:
        assert await restarted.recover(delivery) is Outcome.SENT
    await restarted.run_job(job, late=False)
    assert dm_counts(emulator, people) == [1] * MEMBERS
    assert await ledger_states(world) == ["sent"] * MEMBERS
    sent_ids = {row["message_id"] for row in await world.db.fetch_all("SELECT message_id FROM reminder_deliveries")}
    assert sent_ids == {emulator.dm_messages(member)[0].id for member in people}, "each row names the real message"
    if past_window and step == "sent":
        assert with_channel, "the victim's message went out: its DM channel is stored"
    if past_window and with_channel:
        assert any(kind == "messages_after" for _, kind in port.calls), "past the window, the history is read"


async def test_past_the_window_a_blind_resend_would_duplicate(world, emulator, members, http, clock):
    """The control for the test above: the emulator really forgets nonces, so the history check matters."""
    _, people = members
    channel_id = await port_for(http).open_dm(people[0].id)
    payload = {"content": "hello", "nonce": "same-nonce", "enforce_nonce": True}
    await http.request(_route(channel_id), json=payload)
    await http.request(_route(channel_id), json=payload)
    assert len(emulator.dm_messages(people[0])) == 1, "inside the window Discord dedupes"
    clock.advance(timedelta(minutes=10))
    await http.request(_route(channel_id), json=payload)
    assert len(emulator.dm_messages(people[0])) == 2


def _route(channel_id: int):
    from discord.http import Route

    return Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)


async def test_an_unconfirmed_claim_no_longer_wanted_is_not_sent(world, emulator, members, http):
    guild, people = members
    event, job = await followed_event(world, guild, people[:1])
    with pytest.raises(Crash):
        await world.dispatcher(world.sender(port_for(http), checkpoint=CrashAt("claimed"))).run_job(job, late=False)
    await world.reminders.delete((await world.reminders.find(guild.id, people[0].id, event.id)).id)
    (delivery,) = await world.deliveries.unconfirmed()
    assert await world.dispatcher(world.sender(port_for(http))).recover(delivery) is Outcome.SKIPPED
    assert dm_counts(emulator, people[:1]) == [0]
    assert await ledger_states(world) == ["skipped"]


async def test_a_closed_dm_is_recorded_once_without_retrying(world, emulator, members, http):
    guild, people = members
    _, job = await followed_event(world, guild, people[:2])
    emulator.close_dms(people[0])
    port = port_for(http)
    outcomes = await world.dispatcher(world.sender(port)).run_job(job, late=False)
    assert outcomes == {"closed_dm": 1, "sent": 1}
    assert [kind for _, kind in port.calls].count("create_message") == 2, "one attempt each, no retry"
    row = await world.deliveries.get(
        DeliveryKey(DeliveryKind.REMINDER, job.event_id, instant_text(STARTS), Audience.DM, people[0].id, HOUR)
    )
    assert row.state is DeliveryState.CLOSED_DM
    assert (guild.id, people[0].id) in await world.reminders.members_with_pending_notices()
    again = await world.dispatcher(world.sender(port)).run_job(job, late=False)
    assert sum(again.values()) == 0
    assert [kind for _, kind in port.calls].count("create_message") == 2


async def test_fan_out_is_paced_under_the_global_limit_and_reuses_dm_channels(store_url, clock):
    """45 requests under a global limit of 20/s: paced as the bot paces them, none meets a 429 (the next
    test is the control: the same fan-out unpaced does)."""
    async with DiscordEmulator(clock=clock, global_rate_limit=20) as emulator:
        guild = emulator.create_guild("Busy")
        people = [emulator.create_member(guild, f"m{number}") for number in range(15)]
        paced = http_client(emulator, pacer=global_limit_pacer(20))
        async with reminder_world(store_url, clock) as world, paced as http:
            event = await world.add_event(guild.id, STARTS, at=DUE - timedelta(days=30))
            for member in people:
                await world.follow(guild.id, member.id, event, (HOUR, 2 * HOUR), at=DUE - timedelta(days=20))
            port = port_for(http)
            dispatcher = world.dispatcher(world.sender(port), concurrency=16)
            for lead in (2 * HOUR, HOUR):
                job = ReminderJob(event.id, guild.id, lead, Audience.DM, STARTS)
                assert await dispatcher.run_job(job, late=False) == {"sent": 15}
        kinds = [kind for _, kind in port.calls]
        assert kinds.count("open_dm") == 15, "each DM channel opened once, then reused"
        assert kinds.count("create_message") == 30
        assert emulator.stats.rate_limited == 0
        assert [len(emulator.dm_messages(member)) for member in people] == [2] * 15


async def test_unpaced_a_fan_out_hits_429s(store_url, clock):
    """The control for the pacing test: the emulator's limit is real, so pacing is what avoids 429s."""
    async with DiscordEmulator(clock=clock, global_rate_limit=20) as emulator:
        guild = emulator.create_guild("Busy")
        people = [emulator.create_member(guild, f"m{number}") for number in range(15)]
        async with reminder_world(store_url, clock) as world, http_client(emulator) as http:
            event = await world.add_event(guild.id, STARTS, at=DUE - timedelta(days=30))
            for member in people:
                await world.follow(guild.id, member.id, event, (HOUR,), at=DUE - timedelta(days=20))
            dispatcher = world.dispatcher(world.sender(port_for(http)), concurrency=16)
            await dispatcher.run_job(ReminderJob(event.id, guild.id, HOUR, Audience.DM, STARTS), late=False)
        assert emulator.stats.rate_limited > 0
        assert [len(emulator.dm_messages(member)) for member in people] == [1] * 15, "discord.py retried them"


async def test_an_unconfirmed_claim_found_past_the_grace_window_is_skipped(world, emulator, members, http, clock):
    guild, people = members
    _, job = await followed_event(world, guild, people[:1], lead=HOUR)
    with pytest.raises(Crash):
        await world.dispatcher(world.sender(port_for(http), checkpoint=CrashAt("claimed"))).run_job(job, late=False)
    clock.advance(timedelta(minutes=90))  # back after the grace window (60 min): the event has started
    (delivery,) = await world.deliveries.unconfirmed()
    port = port_for(http)
    assert await world.dispatcher(world.sender(port)).recover(delivery) is Outcome.SKIPPED
    assert [kind for _, kind in port.calls] == [], "never opened nor sent: no DM channel was stored before"
    assert dm_counts(emulator, people[:1]) == [0]
    assert await ledger_states(world) == ["skipped"]


async def test_recovered_late_within_grace_says_it_is_late(world, emulator, members, http, clock):
    guild, people = members
    _, job = await followed_event(world, guild, people[:1], lead=HOUR)
    with pytest.raises(Crash):
        await world.dispatcher(world.sender(port_for(http), checkpoint=CrashAt("claimed"))).run_job(job, late=False)
    clock.advance(timedelta(minutes=20))
    (delivery,) = await world.deliveries.unconfirmed()
    assert await world.dispatcher(world.sender(port_for(http))).recover(delivery) is Outcome.SENT
    (message,) = emulator.dm_messages(people[0])
    assert message["embeds"][0]["description"].startswith(f"⚠️ Late: this reminder was due <t:{int(DUE.timestamp())}:R>")
