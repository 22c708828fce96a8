"""A large reminder store for the scale benchmark, written in bulk on the schema the real migrations build.

The store is first opened (and so migrated) by `Database.open`, exactly as the bot opens it; the rows are
then written with plain `executemany` in a few large transactions, because a million subscriptions through
`ReminderRepository.save` (one transaction each) would take the better part of an hour. The measured
operations afterwards go through the real repository methods only.

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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.reminders.ledger import DeliveryKey, instant_text
from bot.reminders.planning import Audience, DeliveryKind
from bot.storage.database import Database
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


async def build(path: Path, shape: Shape, *, seed: int = 6) -> Loaded:
    """Migrate a new store at `path` through `Database.open`, then fill it in bulk."""
    database = await Database.open(path)
    await database.close()
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        loaded = _fill(connection, shape, random.Random(seed))
        connection.execute("ANALYZE")  # what an operator's `PRAGMA optimize` would leave behind
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return loaded


def _fill(connection: sqlite3.Connection, shape: Shape, rng: random.Random) -> Loaded:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    loaded = Loaded(now=now)
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
    _insert(connection, "guild_events", event_rows)

    subscriptions: list[tuple[object, ...]] = []
    leads: list[tuple[int, int]] = []
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
            _flush(connection, subscriptions, leads, ledger)
    _flush(connection, subscriptions, leads, ledger)
    loaded.lead_rows = _count(connection, "reminder_subscription_leads")
    loaded.ledger_rows = _count(connection, "reminder_deliveries")
    return loaded


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


def _insert(connection: sqlite3.Connection, table: str, rows: list[tuple[object, ...]]) -> None:
    columns = {
        "guild_events": _EVENT_COLUMNS,
        "reminder_subscriptions": "id, guild_id, user_id, event_id, locale, created_at",
        "reminder_subscription_leads": "subscription_id, lead_seconds",
        "reminder_deliveries": (
            "kind, event_id, instant, audience, recipient_id, lead_seconds, guild_id, due_at, state, nonce,"
            " claimed_at, sent_at, message_id, channel_id, late, error"
        ),
    }[table]
    marks = ", ".join("?" for _ in columns.split(","))
    connection.execute("BEGIN")
    connection.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608 - constants
    connection.execute("COMMIT")


def _flush(
    connection: sqlite3.Connection,
    subscriptions: list[tuple[object, ...]],
    leads: list[tuple[int, int]],
    ledger: list[tuple[object, ...]],
) -> None:
    for table, rows in (("reminder_subscriptions", subscriptions), ("reminder_subscription_leads", leads),
                        ("reminder_deliveries", ledger)):  # fmt: skip
        if rows:
            _insert(connection, table, list(rows))
            rows.clear()


def _count(connection: sqlite3.Connection, table: str) -> int:
    return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - a constant
