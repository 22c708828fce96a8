"""A large reminder store for the scale benchmark, written in bulk on the schema the real migrations build.

The store is first opened (and so migrated) exactly as the bot opens it; the rows are then written in bulk,
because a million subscriptions through `ReminderRepository.save` (one transaction each) would take the
better part of an hour: plain `executemany` in large transactions on SQLite, `COPY` (asyncpg's
`copy_records_to_table`) on PostgreSQL. Both stores get the same rows, generated once, batch by batch.
The measured operations afterwards go through the real repository methods only.

The shape, drawn from a seeded generator so every run builds the same store:
- `guilds` servers with `events // guilds` dated events each;
- members belong to one server (one large community holds a tenth of them) and follow about ten of its
  events each, popularity skewed (the large community's favourite event has several thousand followers,
  most events a few dozen), with one or two lead times per subscription;
- about 2 % of members follow "all events" of their server as well;
- the ledger holds one delivered reminder per subscription for an earlier date of its event (a bot that
  has been running a while), so the ledger is as large as the subscriptions table.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from bot.reminders.ledger import DeliveryKey, instant_text
from bot.reminders.planning import Audience, DeliveryKind
from bot.storage.database import Database, open_database
from bot.storage.postgres import PostgresDatabase
from bot.storage.repositories.deliveries import iso

LEADS = (7 * 86400, 86400, 3600, 900)  # 1w, 1d, 1h, 15m: the autocomplete's presets
SUBSCRIPTIONS_PER_MEMBER = 10
ALL_EVENTS_SHARE = 0.02
FIRST_GUILD_ID = 10**17
FIRST_USER_ID = 2 * 10**17
BATCH = 50_000


@dataclass(frozen=True)
class Shape:
    subscriptions: int
    events: int
    guilds: int
    ledger: bool = True


@dataclass
class Loaded:
    """What the benchmark needs to pick realistic arguments: who exists, what they follow."""

    now: datetime
    instants: dict[int, datetime] = field(default_factory=dict)  # event id → its (future) instant
    events_of_guild: dict[int, list[int]] = field(default_factory=dict)
    guild_of_event: dict[int, int] = field(default_factory=dict)
    members: list[tuple[int, int]] = field(default_factory=list)  # (guild id, user id)
    followed: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (guild, user) → event ids
    leads_of_event: dict[int, set[int]] = field(default_factory=dict)
    followers: dict[int, int] = field(default_factory=dict)  # event id → number of own followers
    subscriptions: int = 0
    lead_rows: int = 0
    ledger_rows: int = 0


@dataclass
class Built:
    loaded: Loaded
    seconds: dict[str, float]  # store ("sqlite", "postgresql") → time to load it


async def build(path: Path, shape: Shape, *, seed: int = 6) -> Loaded:
    """Migrate a new SQLite store at `path` as the bot would, then fill it in bulk."""
    return (await build_stores(path, shape, seed=seed)).loaded


async def build_stores(path: Path, shape: Shape, *, postgres_url: str | None = None, seed: int = 6) -> Built:
    """Migrate a new SQLite store at `path` (and the empty PostgreSQL database at `postgres_url`) as the bot
    would, then fill both in bulk with the same rows."""
    database = await Database.open(path)
    await database.close()
    targets: list[_Target] = [_SqliteTarget(path)]
    if postgres_url is not None:
        targets.append(await _PostgresTarget.open(postgres_url))
    loaded = Loaded(now=datetime.now(UTC).replace(second=0, microsecond=0))
    try:
        for table, rows in _batches(shape, random.Random(seed), loaded):
            for target in targets:
                started = time.perf_counter()
                await target.write(table, rows)
                target.seconds += time.perf_counter() - started
        for target in targets:
            started = time.perf_counter()
            await target.finish()
            target.seconds += time.perf_counter() - started
        loaded.lead_rows = await targets[0].count("reminder_subscription_leads")
        loaded.ledger_rows = await targets[0].count("reminder_deliveries")
        for target in targets[1:]:
            for table, expected in (("reminder_subscriptions", loaded.subscriptions),
                                    ("reminder_subscription_leads", loaded.lead_rows),
                                    ("reminder_deliveries", loaded.ledger_rows)):  # fmt: skip
                if await target.count(table) != expected:
                    raise RuntimeError(f"{target.name}: {table} does not hold the rows SQLite holds")
    finally:
        for target in targets:
            await target.close()
    return Built(loaded, {target.name: target.seconds for target in targets})


def _batches(shape: Shape, rng: random.Random, loaded: Loaded) -> Iterator[tuple[str, list[tuple[object, ...]]]]:
    """(table, rows) in the order foreign keys need them, `loaded` filled in as they are made."""
    now = loaded.now
    per_guild = max(1, shape.events // shape.guilds)
    event_rows = []
    event_id = 0
    for guild_index in range(shape.guilds):
        guild_id = FIRST_GUILD_ID + guild_index
        loaded.events_of_guild[guild_id] = []
        for number in range(per_guild):
            event_id += 1
            starts = now + timedelta(days=1 + rng.randrange(365), minutes=rng.randrange(24 * 60))
            loaded.instants[event_id] = starts
            loaded.events_of_guild[guild_id].append(event_id)
            loaded.guild_of_event[event_id] = guild_id
            event_rows.append(_event_row(event_id, guild_id, number, starts, now))
    yield "guild_events", event_rows

    subscriptions: list[tuple[object, ...]] = []
    leads: list[tuple[object, ...]] = []
    ledger: list[tuple[object, ...]] = []
    subscription_id = 0
    created = iso(now - timedelta(days=30))
    # A skewed popularity: the k-th event of a server is followed with weight 1/(k+1).
    weights = [1 / (rank + 1) for rank in range(per_guild)]
    guilds = list(loaded.events_of_guild)
    while loaded.subscriptions < shape.subscriptions:
        guild_id = _guild_of(len(loaded.members), guilds)
        events = loaded.events_of_guild[guild_id]
        user_id = FIRST_USER_ID + len(loaded.members)
        loaded.members.append((guild_id, user_id))
        chosen = sorted(set(rng.choices(events, weights, k=SUBSCRIPTIONS_PER_MEMBER)))
        targets: list[int | None] = list(chosen)
        if rng.random() < ALL_EVENTS_SHARE:
            targets.append(None)
        loaded.followed[(guild_id, user_id)] = chosen
        for target in targets:
            subscription_id += 1
            loaded.subscriptions += 1
            subscriptions.append((subscription_id, guild_id, user_id, target, "en-US", created))
            wanted = rng.sample(LEADS, k=rng.choice((1, 1, 2)))
            leads.extend((subscription_id, lead) for lead in wanted)
            if target is not None:
                loaded.followers[target] = loaded.followers.get(target, 0) + 1
                loaded.leads_of_event.setdefault(target, set()).update(wanted)
                if shape.ledger:
                    ledger.append(_past_delivery(target, guild_id, user_id, wanted[0], loaded.instants[target]))
        if len(subscriptions) >= BATCH:
            yield from _flush(subscriptions, leads, ledger)
    yield from _flush(subscriptions, leads, ledger)


def _guild_of(member_number: int, guilds: list[int]) -> int:
    """One large community holds a tenth of the members; the others share the rest in turn."""
    if len(guilds) == 1 or member_number % 10 == 0:
        return guilds[0]
    return guilds[1 + member_number % (len(guilds) - 1)]


def _event_row(event_id: int, guild_id: int, number: int, starts: datetime, now: datetime) -> tuple[object, ...]:
    return (
        event_id, guild_id, f"event-{number}", f"Event {number}", f"Évènement {number}", "forum", "Palexpo",
        "Geneva", "CH", "UTC", "exact", starts.date().isoformat(), starts.date().isoformat(),
        starts.strftime("%H:%M"), None, starts.isoformat(), None, "scheduled", iso(now), iso(now),
    )  # fmt: skip


_EVENT_COLUMNS = (
    "id, guild_id, key, name_en, name_fr, kind, venue, city, country, timezone, precision, start_date, end_date,"
    " start_time, end_time, starts_at, ends_at, status, created_at, updated_at"
)


def _past_delivery(event_id: int, guild_id: int, user_id: int, lead: int, instant: datetime) -> tuple[object, ...]:
    """The reminder this member got for the event's previous date (a moved event), delivered."""
    previous = instant - timedelta(days=14)
    key = DeliveryKey(DeliveryKind.REMINDER, event_id, instant_text(previous), Audience.DM, user_id, lead)
    due = previous - timedelta(seconds=lead)
    return (
        key.kind.value, event_id, key.instant, key.audience.value, user_id, lead, guild_id, iso(due), "sent",
        key.nonce, iso(due), iso(due), user_id + 1, user_id + 2, 0, None,
    )  # fmt: skip


_COLUMNS = {
    "guild_events": _EVENT_COLUMNS,
    "reminder_subscriptions": "id, guild_id, user_id, event_id, locale, created_at",
    "reminder_subscription_leads": "subscription_id, lead_seconds",
    "reminder_deliveries": (
        "kind, event_id, instant, audience, recipient_id, lead_seconds, guild_id, due_at, state, nonce,"
        " claimed_at, sent_at, message_id, channel_id, late, error"
    ),
}


def _flush(*batches: list[tuple[object, ...]]) -> Iterator[tuple[str, list[tuple[object, ...]]]]:
    tables = ("reminder_subscriptions", "reminder_subscription_leads", "reminder_deliveries")
    for table, rows in zip(tables, batches, strict=True):
        if rows:
            yield table, list(rows)
            rows.clear()


class _Target:
    name: str
    seconds: float = 0.0

    async def write(self, table: str, rows: list[tuple[object, ...]]) -> None: ...

    async def finish(self) -> None:
        """What an operator's routine maintenance would leave behind (statistics, a checkpoint)."""

    async def count(self, table: str) -> int: ...

    async def close(self) -> None: ...


class _SqliteTarget(_Target):
    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode = WAL")
        self._connection.execute("PRAGMA synchronous = NORMAL")

    async def write(self, table: str, rows: list[tuple[object, ...]]) -> None:
        columns = _COLUMNS[table]
        marks = ", ".join("?" for _ in columns.split(","))
        self._connection.execute("BEGIN")
        self._connection.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608 - constants
        self._connection.execute("COMMIT")

    async def finish(self) -> None:
        self._connection.execute("ANALYZE")  # what an operator's `PRAGMA optimize` would leave behind
        self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def count(self, table: str) -> int:
        return int(self._connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - a constant

    async def close(self) -> None:
        self._connection.close()


class _PostgresTarget(_Target):
    name = "postgresql"

    def __init__(self, url: str, connection: asyncpg.Connection) -> None:
        self._url = url
        self._connection = connection

    @classmethod
    async def open(cls, url: str) -> _PostgresTarget:
        database = await open_database(url)  # migrated as the bot does at first start
        await database.close()
        return cls(url, await asyncpg.connect(url))

    async def write(self, table: str, rows: list[tuple[object, ...]]) -> None:
        columns = [column.strip() for column in _COLUMNS[table].split(",")]
        await self._connection.copy_records_to_table(table, records=rows, columns=columns)

    async def finish(self) -> None:
        database = await open_database(self._url, migrate=False)
        try:
            assert isinstance(database, PostgresDatabase)
            await database.sync_identities()  # the rows came with their ids: new ones must not collide
        finally:
            await database.close()
        await self._connection.execute("VACUUM ANALYZE")  # what autovacuum would leave behind

    async def count(self, table: str) -> int:
        return int(await self._connection.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - a constant

    async def close(self) -> None:
        await self._connection.close()
