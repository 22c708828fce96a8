"""Scale: the reminder queries on a store with 1,000,000 subscriptions and 10,000 events.

The store is built on the real schema (bench/bulk_load.py); every timed operation goes through the real
repository methods, issued in the order the reminder service issues them:
- subscribe:   find + count_of_user + save (a new subscription with two lead times);
- unsubscribe: find + delete (of the subscriptions just made, so the store keeps its size);
- list:        of_member (one member's subscriptions in one server, as /remind list reads them);
- who is due:  followers(event, lead, subscribed before) + recipients_with_rows (the dispatcher's
               "who is owed this reminder" for one event × lead time), for events of every popularity.
The first three are what a member waits for (target p99 ≤ 5 ms); "who is due" runs in the background
when a reminder falls due, and is reported for a typical event and for the most followed one.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.reminders.ledger import instant_text
from bot.reminders.planning import Audience, DeliveryKind
from bot.storage.database import Database
from bot.storage.repositories.deliveries import DeliveryRepository
from bot.storage.repositories.reminders import ReminderRepository

from .bulk_load import Loaded, Shape, build
from .results import Figure, percentile

NAME = "scale"
MEMBER_TARGET_MS = 5.0


@dataclass(frozen=True)
class Plan:
    shape: Shape
    samples: int  # timed operations of each kind
    due_samples: int
    warmup: int


FULL = Plan(Shape(subscriptions=1_000_000, events=10_000, guilds=100), samples=2000, due_samples=300, warmup=200)
QUICK = Plan(Shape(subscriptions=20_000, events=10_000, guilds=100), samples=300, due_samples=100, warmup=50)


async def run(*, quick: bool) -> list[Figure]:
    plan = QUICK if quick else FULL
    with tempfile.TemporaryDirectory(prefix="summit-bench-") as scratch_dir:
        path = Path(scratch_dir) / "scale.sqlite3"
        started = time.perf_counter()
        loaded = await build(path, plan.shape)
        load_seconds = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6
        ledger_mb = _ledger_mb(path)
        database = await Database.open(path)
        try:
            figures = await _measure(database, loaded, plan)
        finally:
            await database.close()
    shape = (f"{loaded.subscriptions:,} subscriptions, {len(loaded.instants):,} events,"
             f" {loaded.ledger_rows:,} ledger rows")  # fmt: skip
    return [
        *figures,
        Figure(NAME, f"database size ({shape})", size_mb, "MB"),
        *([Figure(NAME, "… of which the delivery ledger (table and indexes)", ledger_mb, "MB")] if ledger_mb else []),
        Figure(NAME, "bulk load time (bench set-up, not the bot)", load_seconds, "s"),
    ]


async def _measure(database: Database, loaded: Loaded, plan: Plan) -> list[Figure]:
    reminders, deliveries = ReminderRepository(database), DeliveryRepository(database)
    rng = random.Random(66)
    now = loaded.now
    made: list[tuple[int, int, int]] = []  # (guild, user, event) subscribed here, unsubscribed next

    async def subscribe() -> tuple[int, int]:
        while True:
            guild_id, user_id = rng.choice(loaded.members)
            event_id = rng.choice(loaded.events_of_guild[guild_id])
            if event_id not in loaded.followed[(guild_id, user_id)]:
                break
        existing = await reminders.find(guild_id, user_id, event_id)
        await reminders.count_of_user(user_id)
        subscription, created = await reminders.save(guild_id, user_id, event_id, locale="fr", leads=(86400, 3600),
                                                     at=now)  # fmt: skip
        _check(existing is None and created, "subscribe should have made a new subscription")
        loaded.followed[(guild_id, user_id)].append(event_id)
        made.append((guild_id, user_id, event_id))
        return subscription.id, event_id

    async def unsubscribe() -> None:
        guild_id, user_id, event_id = made.pop()
        existing = await reminders.find(guild_id, user_id, event_id)
        if existing is None:
            raise RuntimeError("unsubscribe should find the subscription")
        await reminders.delete(existing.id)
        loaded.followed[(guild_id, user_id)].remove(event_id)

    async def list_member() -> None:
        guild_id, user_id = rng.choice(loaded.members)
        _check(bool(await reminders.of_member(guild_id, user_id)), "every member follows something")

    followed = [event_id for event_id, count in loaded.followers.items() if count]
    busiest = max(followed, key=lambda event_id: loaded.followers[event_id])

    def who_is_due(choose: Callable[[], int]) -> Callable[[], Awaitable[None]]:
        async def query() -> None:
            event_id = choose()
            lead = rng.choice(sorted(loaded.leads_of_event[event_id]))
            instant = loaded.instants[event_id]
            due = instant - timedelta(seconds=lead)
            await reminders.followers(loaded.guild_of_event[event_id], event_id, lead=lead, subscribed_before=due)
            await deliveries.recipients_with_rows(DeliveryKind.REMINDER, event_id, instant_text(instant),
                                                  Audience.DM, lead)  # fmt: skip

        return query

    # Warm the page cache as a bot that has been running would have it.
    await _timed(list_member, plan.warmup)
    await _timed(who_is_due(lambda: rng.choice(followed)), plan.warmup // 10)

    subscribe_ms = await _timed(subscribe, plan.samples)
    unsubscribe_ms = await _timed(unsubscribe, plan.samples)
    list_ms = await _timed(list_member, plan.samples)
    typical_ms = await _timed(who_is_due(lambda: rng.choice(followed)), plan.due_samples)
    busiest_ms = await _timed(who_is_due(lambda: busiest), max(10, plan.due_samples // 10))

    figures = []
    for label, samples in (("subscribe", subscribe_ms), ("unsubscribe", unsubscribe_ms), ("list", list_ms)):
        p99 = percentile(samples, 0.99)
        target = f"≤ {MEMBER_TARGET_MS:g} ms"
        figures.append(Figure(NAME, f"{label} p99", p99, "ms", None, target, p99 <= MEMBER_TARGET_MS))
        figures.append(Figure(NAME, f"{label} p50", percentile(samples, 0.50), "ms"))
    figures.append(Figure(NAME, "who is due p99 (a random followed event × lead)", percentile(typical_ms, 0.99), "ms"))
    figures.append(
        Figure(NAME, f"who is due p99 (the most followed event: {loaded.followers[busiest]:,} followers)",
               percentile(busiest_ms, 0.99), "ms")
    )  # fmt: skip
    return figures


def _check(condition: bool, problem: str) -> None:
    """A wrong answer is not a result (and, unlike assert, is checked under python -O too)."""
    if not condition:
        raise RuntimeError(problem)


def _ledger_mb(path: Path) -> float | None:
    """Pages held by reminder_deliveries and its indexes (SQLite's dbstat table, when compiled in)."""
    connection = sqlite3.connect(path)
    try:
        value = connection.execute(
            "SELECT sum(pgsize) FROM dbstat"
            " WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name = 'reminder_deliveries')"
        ).fetchone()[0]
    except sqlite3.OperationalError:
        return None
    finally:
        connection.close()
    return None if value is None else value / 1e6


async def _timed(operation: Callable[[], Awaitable[object]], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        await operation()
        samples.append((time.perf_counter() - started) * 1000)
    return samples
