"""Reminder test pieces: a store with events and subscriptions, a sender wired to an emulator, crashes.

A crash is played by a checkpoint that raises `Crash` (a BaseException, so no `except Exception`
swallows it) at one step of the sender's protocol; from then on every step raises, as if the
process had died. Recovery then runs with a fresh sender and dispatcher on the same store.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord

from bot.clock import Clock
from bot.config import Settings, validate_settings
from bot.content.loader import DEFAULT_DATA_DIR, content_hash, load_content
from bot.endpoints import use_discord_endpoints
from bot.events.models import Event, EventDate, EventKind, Precision
from bot.pacing import Pacer, paced_trace
from bot.reminders.dispatch import Dispatcher
from bot.reminders.ledger import DeliveryKey
from bot.reminders.messages import MessageFactory
from bot.reminders.port import DiscordPort, HttpPort
from bot.reminders.sender import Sender
from bot.sandbox import DiscordEmulator
from bot.services import build_services
from bot.storage.database import Database, open_database
from bot.storage.repositories.content import ContentRepository
from bot.storage.repositories.deliveries import DeliveryRepository
from bot.storage.repositories.reminders import ReminderRepository


class Crash(BaseException):
    """The process died here."""


class CrashAt:
    """A sender checkpoint: dies at `step` for `recipient` (any recipient when None), then at every step."""

    def __init__(self, step: str, recipient: int | None = None) -> None:
        self.step = step
        self.recipient = recipient
        self.crashed = False

    async def __call__(self, step: str, key: DeliveryKey) -> None:
        if self.crashed:
            raise Crash(f"dead (at {step})")
        if step == self.step and (self.recipient is None or key.recipient_id == self.recipient):
            self.crashed = True
            raise Crash(f"crash at {step} for {key.recipient_id}")


class RecordingPort:
    """The real HTTP port, noting when each request started (monotonic seconds) and which it was."""

    def __init__(self, inner: DiscordPort) -> None:
        self._inner = inner
        self.calls: list[tuple[float, str]] = []

    async def open_dm(self, user_id: int) -> int:
        self.calls.append((time.monotonic(), "open_dm"))
        return await self._inner.open_dm(user_id)

    async def create_message(self, channel_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((time.monotonic(), "create_message"))
        return await self._inner.create_message(channel_id, payload)

    async def messages_after(self, channel_id: int, after: int, limit: int = 100) -> list[dict[str, Any]]:
        self.calls.append((time.monotonic(), "messages_after"))
        return await self._inner.messages_after(channel_id, after, limit)


@asynccontextmanager
async def http_client(
    emulator: DiscordEmulator, *, pacer: Pacer | None = None
) -> AsyncIterator[discord.http.HTTPClient]:
    """discord.py's own HTTP client, logged in to the emulator (no gateway needed); paced as the bot's is
    when given a pacer."""
    use_discord_endpoints(emulator.api_base_url, emulator.gateway_url)
    trace = paced_trace(pacer) if pacer is not None else None
    http = discord.http.HTTPClient(asyncio.get_running_loop(), http_trace=trace)
    await http.static_login(emulator.token)
    try:
        yield http
    finally:
        await http.close()


def dated_event(event_id: int, guild_id: int, starts_at: datetime, *, key: str = "forum", **values: Any) -> Event:
    """An event at an exact UTC minute (the store keeps times to the minute)."""
    starts = starts_at.astimezone(UTC)
    date = EventDate(
        precision=Precision.EXACT, timezone="UTC", start=starts.date(), end=starts.date(), start_time=starts.time()
    )
    fields = {"name_en": "AI Safety Forum", "name_fr": "Forum sur la sûreté de l'IA", "kind": EventKind.FORUM,
              "city": "Geneva", "country": "CH"}  # fmt: skip
    fields.update(values)
    return Event(id=event_id, guild_id=guild_id, key=key, date=date, **fields)


class ReminderWorld:
    """A store (migrated), the services on it, and factories for senders and dispatchers."""

    def __init__(self, database: Database, clock: Clock, settings: Settings) -> None:
        self.db = database
        self.clock = clock
        self.settings = settings
        self.services = build_services(database, settings, clock)
        self.reminders = ReminderRepository(database)
        self.deliveries = DeliveryRepository(database)

    async def add_event(self, guild_id: int, starts_at: datetime, *, key: str = "forum", at: datetime | None = None,
                        **values: Any) -> Event:  # fmt: skip
        event = dated_event(0, guild_id, starts_at, key=key, **values)
        return await self.services.events.repository.insert(
            event, shipped_hash=None, at=at or self.clock.now(), actor_id=None, changes=[], reason=None
        )

    async def follow(self, guild_id: int, user_id: int, event: Event | None, leads: tuple[int, ...],
                     *, at: datetime | None = None, locale: str = "en-US") -> None:  # fmt: skip
        await self.reminders.save(guild_id, user_id, event.id if event else None, locale=locale, leads=leads,
                                  at=at or self.clock.now())  # fmt: skip

    def sender(self, port: DiscordPort, *, checkpoint: CrashAt | None = None,
               nonce_window: timedelta = timedelta(seconds=240)) -> Sender:  # fmt: skip
        return Sender(port, self.deliveries, self.reminders, self.clock, nonce_window=nonce_window,
                      checkpoint=checkpoint)  # fmt: skip

    def dispatcher(self, sender: Sender, client: discord.Client | None = None, *, concurrency: int = 4) -> Dispatcher:
        return Dispatcher(
            sender=sender,
            messages=MessageFactory(client or discord.Client(intents=discord.Intents.none())),
            reminders=self.reminders,
            deliveries=self.deliveries,
            events=self.services.events,
            clock=self.clock,
            max_concurrency=concurrency,
            grace=timedelta(minutes=self.settings.reminders.grace_minutes),
        )


@asynccontextmanager
async def reminder_world(
    store: Path | str, clock: Clock, raw_settings: dict | None = None, *, content: bool = False
) -> AsyncIterator[ReminderWorld]:
    """`store`: a SQLite file, or a store URL (the `store_url` fixture: each store in turn).
    `content`: also load data/ (the events service needs it to seed servers and take changes)."""
    database = await (open_database(store) if isinstance(store, str) else Database.open(store))
    if content:
        await ContentRepository(database).seed(load_content(DEFAULT_DATA_DIR), content_hash(DEFAULT_DATA_DIR))
    try:
        yield ReminderWorld(database, clock, validate_settings(raw_settings or {}))
    finally:
        await database.close()


def port_for(http: discord.http.HTTPClient) -> RecordingPort:
    return RecordingPort(HttpPort(http))


class OffsetClock:
    """The real time shifted by an offset that only grows: a test can jump to just before a whole
    minute (events and lead times are whole minutes) and then let real time run, without waiting."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def align(self, before: timedelta) -> datetime:
        """Jump forward so that a whole minute is `before` away; return that minute."""
        now = self.now()
        minute = (now + before + timedelta(minutes=1)).replace(second=0, microsecond=0)
        self._offset += minute - before - now
        return minute
