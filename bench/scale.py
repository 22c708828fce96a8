"""Scale: the reminder queries on a store with 1,000,000 subscriptions and 10,000 events, on SQLite and on
PostgreSQL in the same run (the same rows in both, bench/bulk_load.py; PostgreSQL from bench/postgres.py).

Every timed operation goes through the real repository methods, issued in the order the reminder service
issues them, the same operations (one seeded sequence) on each store in turn:
- subscribe:   find + count_of_user + save (a new subscription with two lead times);
- unsubscribe: find + delete (of the subscriptions just made, so the store keeps its size);
- list:        of_member (one member's subscriptions in one server, as /remind list reads them);
- who is due:  the followers (event, lead, subscribed before), read in pages as the dispatcher reads them,
               + recipients_with_rows (who already has a ledger row), for events of every popularity; for
               the most followed event also each page on its own, and beside it the baseline: the same
               followers in one query, as they were read before the pages.
The first three are what a member waits for (target p99 ≤ 5 ms); "who is due" runs in the background
when a reminder falls due. Without PostgreSQL (no SUMMIT_BENCH_POSTGRES_URL, no PostgreSQL 15 installed)
only SQLite is measured, and the reason is printed.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.reminders.ledger import instant_text
from bot.reminders.planning import Audience, DeliveryKind
from bot.storage.database import Database, open_database
from bot.storage.repositories.deliveries import DeliveryRepository, iso
from bot.storage.repositories.reminders import FOLLOWERS_PAGE, ReminderRepository, Subscription, _subscription

from .bulk_load import Loaded, Shape, build_stores
from .postgres import bench_database
from .results import Figure, percentile

NAME = "scale"
MEMBER_TARGET_MS = 5.0
STORES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
BIG_TABLES = ("reminder_subscriptions", "reminder_subscription_leads", "reminder_deliveries")


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
    async with bench_database() as (postgres_url, reason):
        if postgres_url is None:
            print(f"scale: PostgreSQL skipped: {reason}", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="summit-bench-") as scratch_dir:
            path = Path(scratch_dir) / "scale.sqlite3"
            built = await build_stores(path, plan.shape, postgres_url=postgres_url)
            loaded = built.loaded
            shape = (f"{loaded.subscriptions:,} subscriptions, {len(loaded.instants):,} events,"
                     f" {loaded.ledger_rows:,} ledger rows")  # fmt: skip
            figures: list[Figure] = []
            for url in (f"sqlite:///{path}", *([postgres_url] if postgres_url else [])):
                database = await open_database(url)
                try:
                    store = STORES[database.dialect.name]
                    print(f"scale: measuring {store}...", file=sys.stderr, flush=True)
                    figures += await _measure(database, loaded, plan, store)
                    figures += await _sizes(database, store, shape)
                finally:
                    await database.close()
                figures.append(Figure(NAME, f"{store}: bulk load time (bench set-up, not the bot)",
                                      built.seconds[database.dialect.name], "s"))  # fmt: skip
    return figures


async def _measure(database: Database, loaded: Loaded, plan: Plan, store: str) -> list[Figure]:
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

    def due_of(event_id: int) -> tuple[int, int, datetime, datetime]:
        lead = rng.choice(sorted(loaded.leads_of_event[event_id]))
        instant = loaded.instants[event_id]
        return loaded.guild_of_event[event_id], lead, instant, instant - timedelta(seconds=lead)

    def who_is_due(choose: Callable[[], int], *, in_pages: bool = True) -> Callable[[], Awaitable[None]]:
        async def query() -> None:
            event_id = choose()
            guild_id, lead, instant, due = due_of(event_id)
            if in_pages:  # as the dispatcher reads them
                await reminders.followers(guild_id, event_id, lead=lead, subscribed_before=due)
            else:
                await _followers_in_one_query(database, reminders, guild_id, event_id, lead, due)
            await deliveries.recipients_with_rows(DeliveryKind.REMINDER, event_id, instant_text(instant),
                                                  Audience.DM, lead)  # fmt: skip

        return query

    async def pages_of_busiest() -> list[float]:
        """Each page of the most followed event, timed on its own (what holds the store at once)."""
        guild_id, lead, _, due = due_of(busiest)
        pages = reminders.follower_pages(guild_id, busiest, lead=lead, subscribed_before=due)
        samples = []
        while True:
            started = time.perf_counter()
            try:
                await anext(pages)
            except StopAsyncIteration:
                return samples
            samples.append((time.perf_counter() - started) * 1000)

    # The pages hold exactly who one query held.
    guild_id, lead, _, due = due_of(busiest)
    paged = await reminders.followers(guild_id, busiest, lead=lead, subscribed_before=due)
    whole = await _followers_in_one_query(database, reminders, guild_id, busiest, lead, due)
    _check({s.id for s in paged} == {s.id for s in whole} and len(paged) == len(whole), "pages ≠ one query")

    # Warm the page cache as a bot that has been running would have it.
    await _timed(list_member, plan.warmup)
    await _timed(who_is_due(lambda: rng.choice(followed)), plan.warmup // 10)

    subscribe_ms = await _timed(subscribe, plan.samples)
    unsubscribe_ms = await _timed(unsubscribe, plan.samples)
    list_ms = await _timed(list_member, plan.samples)
    typical_ms = await _timed(who_is_due(lambda: rng.choice(followed)), plan.due_samples)
    busy_samples = max(10, plan.due_samples // 10)
    busiest_ms = await _timed(who_is_due(lambda: busiest), busy_samples)
    one_query_ms = await _timed(who_is_due(lambda: busiest, in_pages=False), busy_samples)
    page_ms = [ms for _ in range(busy_samples) for ms in await pages_of_busiest()]

    figures = []
    for label, samples in (("subscribe", subscribe_ms), ("unsubscribe", unsubscribe_ms), ("list", list_ms)):
        p99 = percentile(samples, 0.99)
        target = f"≤ {MEMBER_TARGET_MS:g} ms"
        figures.append(Figure(NAME, f"{store}: {label} p99", p99, "ms", None, target, p99 <= MEMBER_TARGET_MS))
        figures.append(Figure(NAME, f"{store}: {label} p50", percentile(samples, 0.50), "ms"))
    busiest_name = f"the most followed event: {loaded.followers[busiest]:,} followers"
    figures += [
        Figure(NAME, f"{store}: who is due p99 (a random followed event × lead)", percentile(typical_ms, 0.99), "ms"),
        Figure(NAME, f"{store}: who is due p99 ({busiest_name}), in pages vs one query",
               percentile(busiest_ms, 0.99), "ms", percentile(one_query_ms, 0.99)),
        Figure(NAME, f"{store}: … one page of it p99 (≤ {FOLLOWERS_PAGE} followers)", percentile(page_ms, 0.99), "ms",
               percentile(one_query_ms, 0.99)),
    ]  # fmt: skip
    return figures


async def _followers_in_one_query(
    database: Database, reminders: ReminderRepository, guild_id: int, event_id: int, lead: int, before: datetime
) -> list[Subscription]:
    """The baseline: the followers as they were read before pages (commit 1d6fa94), in one query."""
    rows = await database.fetch_all(
        f"SELECT {reminders._subscription} FROM reminder_subscriptions s"  # noqa: S608 - the repository's columns
        " WHERE s.guild_id = ? AND (s.event_id = ? OR s.event_id IS NULL)"
        " AND EXISTS (SELECT 1 FROM reminder_subscription_leads l WHERE l.subscription_id = s.id"
        " AND l.lead_seconds = ?) AND s.created_at < ? ORDER BY s.user_id, s.event_id IS NULL",
        (guild_id, event_id, lead, iso(before)),
    )
    chosen: dict[int, Subscription] = {}
    for row in rows:
        subscription = _subscription(row)
        chosen.setdefault(subscription.user_id, subscription)  # the event's own subscription wins
    return list(chosen.values())


async def _sizes(database: Database, store: str, shape: str) -> list[Figure]:
    """The whole store, then each big table with its indexes (SQLite's dbstat, when compiled in)."""
    if database.sqlite_path is not None:
        total = database.sqlite_path.stat().st_size
        tables = _sqlite_table_bytes(database.sqlite_path)
    else:
        total = await database.fetch_value("SELECT pg_database_size(current_database())")
        tables = {table: await database.fetch_value("SELECT pg_total_relation_size(CAST(? AS TEXT))", (table,))
                  for table in BIG_TABLES}  # fmt: skip
    return [
        Figure(NAME, f"{store}: database size ({shape})", total / 1e6, "MB"),
        *(Figure(NAME, f"{store}: … {table} (table and indexes)", size / 1e6, "MB") for table, size in tables.items()),
    ]


def _check(condition: bool, problem: str) -> None:
    """A wrong answer is not a result (and, unlike assert, is checked under python -O too)."""
    if not condition:
        raise RuntimeError(problem)


def _sqlite_table_bytes(path: Path) -> dict[str, int]:
    """Pages held by each big table and its indexes (SQLite's dbstat table, when compiled in)."""
    connection = sqlite3.connect(path)
    try:
        return {
            table: int(connection.execute(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema"
                " WHERE tbl_name = ?)", (table,)).fetchone()[0])
            for table in BIG_TABLES
        }  # fmt: skip
    except sqlite3.OperationalError:
        return {}
    finally:
        connection.close()


async def _timed(operation: Callable[[], Awaitable[object]], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        await operation()
        samples.append((time.perf_counter() - started) * 1000)
    return samples
