"""A fan-out for the bot process to run: an event, its followers, one lead time falling due soon; and
what a crash test looks at afterwards (DMs per member in the emulator, the ledger's states).

    due = await prepare_fan_out(settings, guild.id, [member.id for member in members], due_in=timedelta(seconds=3))
    async with BotProcess(config, emulator.token) as bot:
        ...
    assert reminded(emulator, members) == [1] * len(members)
    assert await ledger_states(settings) == {"sent": len(members)}

Several fan-outs of the same members, one after the other, need one subscription each (prepare_fan_outs: one
event followed with one lead time per fan-out); tests/helpers/dm_tally.py counts their DMs apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import SystemClock
from bot.config import Settings
from bot.reminders.ledger import DeliveryKey, instant_text
from bot.reminders.planning import Audience, DeliveryKind
from bot.runtime import open_database
from bot.sandbox import DiscordEmulator, Member
from bot.services import build_services
from bot.storage.database import open_database as open_store
from tests.helpers.reminders import dated_event


async def prepare_fan_out(
    settings: Settings, guild_id: int, member_ids: Sequence[int], *, due_in: timedelta, key: str = "crash-forum"
) -> datetime:
    """The store before the first start: an event a few minutes ahead, followed by every member with one
    lead time that falls due `due_in` from now (zero or less: already due, sent as soon as the bot starts).
    Returns the due time."""
    clock = SystemClock()
    database = await open_database(settings)
    try:
        services = build_services(database, settings, clock)
        await services.events.seed_guild(guild_id)
        now = clock.now()
        starts = (now + timedelta(minutes=4)).replace(second=0, microsecond=0)
        # Added before the due time, so its lead time is owed (a lead passed when an event is added is not).
        added = now + min(due_in, timedelta(0)) - timedelta(minutes=1)
        event = await services.events.repository.insert(
            dated_event(0, guild_id, starts, key=key), shipped_hash=None, at=added, actor_id=None, changes=[],
            reason=None,
        )  # fmt: skip
        due = now + due_in
        lead = int((starts - due).total_seconds())
        for member_id in member_ids:
            await services.reminders.repository.save(guild_id, member_id, event.id, locale="en-US", leads=(lead,),
                                                     at=now - timedelta(hours=1))  # fmt: skip
    finally:
        await database.close()
    return starts - timedelta(seconds=lead)


@dataclass(frozen=True)
class FanOuts:
    """One event whose followers have one lead time per fan-out: fan-out k is the job of `leads[k]`."""

    event_id: int
    instant: datetime
    leads: tuple[int, ...]
    dues: tuple[datetime, ...]

    def nonce(self, k: int, member_id: int) -> str:
        """The nonce of a member's DM in fan-out k (bot/reminders/ledger.py): how its message is told apart."""
        key = DeliveryKey(DeliveryKind.REMINDER, self.event_id, instant_text(self.instant), Audience.DM, member_id,
                          self.leads[k])  # fmt: skip
        return key.nonce


async def prepare_fan_outs(
    settings: Settings, guild_id: int, member_ids: Sequence[int], *, due_in: Sequence[timedelta], key: str = "fan-outs",
    dm_channels: Mapping[int, int] | None = None, starts_after: timedelta = timedelta(minutes=2),
) -> FanOuts:  # fmt: skip
    """The store before the first start: one event, followed by every member with one lead time per entry of
    `due_in` (all ahead, increasing), lead k falling due `due_in[k]` from now. One subscription per member
    however many fan-outs (1,000 members × 100 fan-outs is 1,000 saves, not 100,000). `dm_channels` (member →
    channel id) are stored as the bot stores them after a first DM: a reminder then costs one request. The event
    starts at least `starts_after` after the last due time: a claim settled once the event has started is
    skipped (too late to be of use), so a long fan-out needs an event further ahead."""
    clock = SystemClock()
    database = await open_database(settings)
    try:
        services = build_services(database, settings, clock)
        await services.events.seed_guild(guild_id)
        now = clock.now()
        starts = (now + max(due_in) + starts_after + timedelta(minutes=1)).replace(second=0, microsecond=0)
        event = await services.events.repository.insert(
            dated_event(0, guild_id, starts, key=key), shipped_hash=None, at=now - timedelta(minutes=1),
            actor_id=None, changes=[], reason=None,
        )  # fmt: skip
        leads = tuple(int((starts - (now + due)).total_seconds()) for due in due_in)
        for member_id in member_ids:
            await services.reminders.repository.save(guild_id, member_id, event.id, locale="en-US", leads=leads,
                                                     at=now - timedelta(hours=1))  # fmt: skip
        for member_id, channel_id in (dm_channels or {}).items():
            await services.reminders.repository.set_dm_channel(member_id, channel_id)
    finally:
        await database.close()
    return FanOuts(event.id, starts, leads, tuple(starts - timedelta(seconds=lead) for lead in leads))


def reminded(emulator: DiscordEmulator, members: Sequence[Member]) -> list[int]:
    """How many DMs each member got."""
    return [len(emulator.dm_messages(member)) for member in members]


async def wait_reminded(emulator: DiscordEmulator, members: Sequence[Member], count: int, timeout: float) -> None:  # noqa: ASYNC109
    """Until at least `count` members got a DM (awaited on the emulator's messages, no sleeping)."""

    def enough() -> bool | None:
        return True if sum(1 for n in reminded(emulator, members) if n) >= count else None

    await emulator.messages_signal.wait_for(enough, timeout)


async def ledger_states(settings: Settings) -> dict[str, int]:
    """The delivery ledger's rows by state (read while the bot is stopped, or alongside it: WAL on SQLite,
    MVCC on PostgreSQL), on the store the settings name."""
    database = await open_store(settings, migrate=False)
    try:
        rows = await database.fetch_all("SELECT state, count(*) AS n FROM reminder_deliveries GROUP BY state")
    finally:
        await database.close()
    return {row["state"]: row["n"] for row in rows}
