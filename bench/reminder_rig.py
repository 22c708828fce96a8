"""What the reminder benchmarks share: a warpable clock, a store of events and followers built through
the real services, summit-bot running in this process on that clock, and the bare scheduler it is
compared with.

Both bots post to the same emulator, which stamps each message with the same clock: lateness is the
message's timestamp minus the reminder's due time, both in clock time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord

from bot.client import SummitBot
from bot.config import Settings, validate_settings
from bot.endpoints import use_discord_endpoints
from bot.events.models import Event
from bot.reminders.ledger import DeliveryKey, instant_text
from bot.reminders.messages import MessageFactory
from bot.reminders.planning import Audience, DeliveryKind
from bot.reminders.runtime import ReminderRuntime
from bot.runtime import open_database
from bot.sandbox import DiscordEmulator, Guild, Member
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from bot.services import build_services
from bot.services.events.service import EventDraft
from bot.services.reminders import ReminderChange
from bot.storage.repositories.reminders import Subscription

HOUR = timedelta(hours=1)


class WarpClock:
    """The real time plus an offset that only grows: the harness skips idle stretches with `jump_to`.

    Nothing is measured across a jump: the harness jumps only once everything due so far has arrived.
    """

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def jump_to(self, moment: datetime) -> None:
        ahead = moment - self.now()
        if ahead > timedelta(0):
            self._offset += ahead

    def next_minute(self, after: timedelta) -> datetime:
        return (self.now() + after + timedelta(minutes=1)).replace(second=0, microsecond=0)


@dataclass(frozen=True)
class Reminder:
    member: Member
    due: datetime
    group: int  # the event it is for: one event per minute of due times


@dataclass
class Schedule:
    """Reminders grouped by event, and the event behind each group."""

    reminders: list[Reminder]
    events: dict[int, Event] = field(default_factory=dict)  # group → event

    @property
    def instants(self) -> list[datetime]:
        return sorted({reminder.due for reminder in self.reminders})

    def group_at(self, due: datetime) -> int:
        return next(reminder.group for reminder in self.reminders if reminder.due == due)

    def count_until(self, due: datetime) -> int:
        return sum(1 for reminder in self.reminders if reminder.due <= due)


def spread(members: Sequence[Member], start: datetime, seconds: int) -> Schedule:
    """One reminder per member, due times spread evenly over `seconds`, on whole seconds from `start`."""
    reminders = []
    for number, member in enumerate(members):
        offset = number * seconds // len(members)
        reminders.append(Reminder(member, start + timedelta(seconds=offset), offset // 60))
    return Schedule(reminders)


def event_start(start: datetime, group: int) -> datetime:
    """Group k's event starts an hour after the k-th minute of due times: leads of 59 to 60 minutes."""
    return start + timedelta(minutes=group) + HOUR


def emulator_for(clock: WarpClock, *, global_rate_limit: float | None) -> DiscordEmulator:
    return DiscordEmulator(global_rate_limit=global_rate_limit, clock=clock, request_log_size=200_000)


def members_with_open_dms(emulator: DiscordEmulator, guild: Guild, count: int, prefix: str) -> list[Member]:
    """Members whose DM channel with the bot already exists (a member reminded before: one request each)."""
    members = [emulator.create_member(guild, f"{prefix}{number:05d}") for number in range(count)]
    for member in members:
        emulator.world.dm_channel(member.user)
    return members


def dm_channel_id(emulator: DiscordEmulator, member: Member) -> int:
    return emulator.world.dm_channel(member.user).id


def bot_settings(emulator: DiscordEmulator, database: Path, *, global_rate_limit: float = 50.0) -> Settings:
    raw = {"discord": {"global_rate_limit": global_rate_limit}, "logging": {"level": "WARNING"}}
    return settings_for_emulator(validate_settings(raw), emulator, database)


async def store_events(settings: Settings, clock: WarpClock, emulator: DiscordEmulator, guild: Guild,
                       schedule: Schedule, start: datetime, *, followers: bool = True) -> None:  # fmt: skip
    """The events (through the events service, as a moderator adds them) and, with `followers`, one
    follower per reminder with the lead time that makes it fall due when planned, DM channel known."""
    database = await open_database(settings)
    try:
        services = build_services(database, settings, clock)
        moderator = emulator.create_member(guild, "moderator")
        for group in sorted({reminder.group for reminder in schedule.reminders}):
            starts = event_start(start, group)
            draft = EventDraft(name_en=f"AI Safety Forum {group}", date=starts.strftime("%Y-%m-%d %H:%M"),
                               timezone="UTC", venue="Palexpo", city="Geneva", country="CH",
                               key=f"forum-{group}")  # fmt: skip
            schedule.events[group] = (await services.events.add(guild.id, moderator.id, draft)).event
        if not followers:
            return
        repository = services.reminders.repository
        subscribed = clock.now() - HOUR
        for reminder in schedule.reminders:
            event = schedule.events[reminder.group]
            lead = lead_of(event, reminder.due)
            await repository.save(guild.id, reminder.member.id, event.id, locale="en-US", leads=(lead,), at=subscribed)
            await repository.set_dm_channel(reminder.member.id, dm_channel_id(emulator, reminder.member))
    finally:
        await database.close()


def lead_of(event: Event, due: datetime) -> int:
    instant = event.reminder_instant()
    assert instant is not None
    return int((instant - due).total_seconds())


@contextlib.asynccontextmanager
async def summit_bot(settings: Settings, emulator: DiscordEmulator, clock: WarpClock) -> AsyncIterator[SummitBot]:
    """summit-bot in this process, on `clock`, its reminders planned from the store."""
    async with bot_on_emulator(settings, emulator, clock=clock) as bot:
        await runtime_of(bot).ready.wait()
        yield bot


def runtime_of(bot: SummitBot) -> ReminderRuntime:
    cog = bot.get_cog("Reminders")
    assert cog is not None
    return cog.runtime  # type: ignore[attr-defined]


async def replan(bot: SummitBot, guild: Guild, event: Event) -> None:
    """Tell the runtime the event's reminders may have moved, as a subscription change does."""
    await runtime_of(bot).on_reminder_change(ReminderChange(guild.id, event.id))


async def delivered(emulator: DiscordEmulator, count: int, timeout: float) -> None:  # noqa: ASYNC109
    """Until the emulator holds `count` bot messages."""
    await emulator.messages_signal.wait_for(lambda: True if emulator.stats.messages >= count else None, timeout)


def lateness_ms(emulator: DiscordEmulator, schedule: Schedule) -> list[float]:
    """Each reminder's (arrival in the emulator − due time), in ms; every member must have exactly one."""
    samples = []
    for reminder in schedule.reminders:
        messages = emulator.dm_messages(reminder.member)
        if len(messages) != 1:
            raise RuntimeError(f"{reminder.member.user.name} got {len(messages)} reminders instead of one")
        arrived = datetime.fromisoformat(messages[0]["timestamp"])
        samples.append((arrived - reminder.due).total_seconds() * 1000)
    return samples


class BareScheduler:
    """The baseline: one `loop.call_at` timer per reminder, each posting the same DM through discord.py's
    public API — no store, no ledger, no pacing (discord.py itself waits out any 429)."""

    def __init__(self, client: discord.Client, emulator: DiscordEmulator, clock: WarpClock, guild: Guild) -> None:
        self._client = client
        self._emulator = emulator
        self._clock = clock
        self._guild = guild
        self._messages = MessageFactory(client)
        self._timers: dict[int, list[asyncio.TimerHandle]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def plan(self, schedule: Schedule, group: int) -> None:
        """(Re-)arm the timers of one group, from the clock as it is now."""
        for timer in self._timers.pop(group, []):
            timer.cancel()
        loop = asyncio.get_running_loop()
        now, wall = self._clock.now(), loop.time()
        event = schedule.events[group]
        timers = []
        for reminder in schedule.reminders:
            if reminder.group == group and reminder.due > now:
                at = wall + (reminder.due - now).total_seconds()
                timers.append(loop.call_at(at, self._fire, event, reminder))
        self._timers[group] = timers

    def _fire(self, event: Event, reminder: Reminder) -> None:
        task = asyncio.create_task(self._send(event, reminder))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, event: Event, reminder: Reminder) -> None:
        lead = lead_of(event, reminder.due)
        key = DeliveryKey(DeliveryKind.REMINDER, event.id, instant_text(event.reminder_instant()), Audience.DM,
                          reminder.member.id, lead)  # fmt: skip
        subscription = Subscription(0, self._guild.id, reminder.member.id, event.id, "en-US", self._clock.now(),
                                    (lead,))  # fmt: skip
        message = self._messages.reminder_dm(event, key, locale="en-US", lead=lead, subscription=subscription,
                                             history=(), late_due=None)  # fmt: skip
        channel = self._client.get_partial_messageable(dm_channel_id(self._emulator, reminder.member))
        await channel.send(embed=message.embed, view=message.view)

    async def idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks))


@contextlib.asynccontextmanager
async def bare_client(emulator: DiscordEmulator) -> AsyncIterator[discord.Client]:
    """A bare discord.py client logged in to the emulator's REST API (a scheduler needs no gateway)."""
    use_discord_endpoints(emulator.api_base_url, emulator.gateway_url)
    client = discord.Client(intents=discord.Intents.none())
    await client.login(emulator.token)
    try:
        yield client
    finally:
        await client.close()
