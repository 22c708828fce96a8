"""Reminder subscriptions and their lead times, a server's channel lead times, snoozes, DM channels,
pending notices, and when each event got its current instant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.cluster.change_feed import ChangeFeed
from bot.storage.database import Database, Row
from bot.storage.repositories.deliveries import iso

# What differs between the stores: SQLite 3.40 has no string_agg; the key an event's own followers are read
# in pages by is the one each store's indexes give in order (SQLite's index on event_id holds the rowid, id:
# a page reads 500 rows; PostgreSQL's (guild_id, user_id, event_id) index narrows each page to the rest).
_SQL = {
    "sqlite": {"leads": "group_concat(lead_seconds)", "follower_key": "id"},
    "postgresql": {
        "leads": "string_agg(lead_seconds::text, ',' ORDER BY lead_seconds DESC)",
        "follower_key": "user_id",
    },
}
_SUBSCRIPTION = (
    "s.id, s.guild_id, s.user_id, s.event_id, s.locale, s.created_at,"
    " (SELECT {leads} FROM reminder_subscription_leads l WHERE l.subscription_id = s.id) AS leads"
)


@dataclass(frozen=True)
class Subscription:
    id: int
    guild_id: int
    user_id: int
    event_id: int | None  # None: every event of the server, including later ones
    locale: str
    created_at: datetime
    leads: tuple[int, ...]  # seconds, longest first

    @property
    def all_events(self) -> bool:
        return self.event_id is None


@dataclass(frozen=True)
class Snooze:
    id: int
    guild_id: int
    user_id: int
    event_id: int
    instant: datetime
    due_at: datetime
    locale: str
    created_at: datetime


@dataclass(frozen=True)
class PendingNotice:
    guild_id: int
    user_id: int
    kind: str
    event_id: int
    created_at: datetime


@dataclass(frozen=True)
class DateChange:
    """One change of an event's date, time zone or status, from its history (for moved/cancelled notices)."""

    event_id: int
    guild_id: int
    sequence: int
    at: datetime
    action: str
    field: str | None
    old: str | None
    new: str | None
    reason: str | None


def _subscription(row: Row) -> Subscription:
    leads = tuple(sorted((int(lead) for lead in (row["leads"] or "").split(",") if lead), reverse=True))
    return Subscription(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        event_id=row["event_id"],
        locale=row["locale"],
        created_at=datetime.fromisoformat(row["created_at"]),
        leads=leads,
    )


def _snooze(row: Row) -> Snooze:
    return Snooze(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        event_id=row["event_id"],
        instant=datetime.fromisoformat(row["instant"]),
        due_at=datetime.fromisoformat(row["due_at"]),
        locale=row["locale"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )


_SNOOZE = "id, guild_id, user_id, event_id, instant, due_at, locale, created_at"

# Followers read per query (bot/reminders/dispatch.py fans out one page while the next waits): a page of the
# 11,000-follower event in the scale benchmark takes a few ms, where the whole event in one query took 0.2 s
# (docs/performance.md).
FOLLOWERS_PAGE = 500


def _follower_filters(alias: str, lead: int | None, subscribed_before: datetime | None) -> tuple[str, list[object]]:
    """The conditions on one subscription row (`alias`) that `followers` applies: the lead time, the date."""
    conditions, params = ["TRUE"], []  # TRUE: both stores accept it
    if lead is not None:
        conditions.append(
            f"EXISTS (SELECT 1 FROM reminder_subscription_leads l WHERE l.subscription_id = {alias}.id"  # noqa: S608 - an alias
            " AND l.lead_seconds = ?)"
        )
        params.append(lead)
    if subscribed_before is not None:
        conditions.append(f"{alias}.created_at < ?")
        params.append(iso(subscribed_before))
    return " AND ".join(conditions), params


NOTICES_TOPIC = "notices"  # key: "<server id>:<member id>"; who ReminderService expects to have a notice waiting
# What the reminder runtime of every other process plans: published in the transaction of each change to
# subscriptions, snoozes or the channel's lead times. Key: "<server id>:<event id or ''>:<snooze id or ''>".
PLANS_TOPIC = "plans"


def plans_key(guild_id: int, event_id: int | None = None, snooze_id: int | None = None) -> str:
    return f"{guild_id}:{'' if event_id is None else event_id}:{'' if snooze_id is None else snooze_id}"


class ReminderRepository:
    def __init__(self, database: Database, feed: ChangeFeed | None = None) -> None:
        self._db = database
        # Shared with the events repository (build_services): one LISTEN connection per process.
        self.feed = feed or ChangeFeed(database)
        self._subscription = _SUBSCRIPTION.format(**_SQL[database.dialect.name])
        self._follower_key = _SQL[database.dialect.name]["follower_key"]

    # --- subscriptions ---------------------------------------------------------------------------

    async def subscription(self, subscription_id: int) -> Subscription | None:
        row = await self._db.fetch_one(
            f"SELECT {self._subscription} FROM reminder_subscriptions s WHERE s.id = ?",  # noqa: S608
            (subscription_id,),
        )
        return None if row is None else _subscription(row)

    async def find(self, guild_id: int, user_id: int, event_id: int | None) -> Subscription | None:
        row = await self._db.fetch_one(
            f"SELECT {self._subscription} FROM reminder_subscriptions s WHERE s.guild_id = ? AND s.user_id = ?"  # noqa: S608
            " AND s.event_id IS NOT DISTINCT FROM ?",
            (guild_id, user_id, event_id),
        )
        return None if row is None else _subscription(row)

    async def of_member(self, guild_id: int, user_id: int) -> list[Subscription]:
        """A member's subscriptions in one server: "all events" first, then by subscription date."""
        rows = await self._db.fetch_all(
            f"SELECT {self._subscription} FROM reminder_subscriptions s WHERE s.guild_id = ? AND s.user_id = ?"  # noqa: S608
            " ORDER BY s.event_id IS NOT NULL, s.created_at, s.id",
            (guild_id, user_id),
        )
        return [_subscription(row) for row in rows]

    async def count_of_user(self, user_id: int) -> int:
        value = await self._db.fetch_value("SELECT count(*) FROM reminder_subscriptions WHERE user_id = ?", (user_id,))
        return int(str(value or 0))

    async def save(
        self, guild_id: int, user_id: int, event_id: int | None, *, locale: str, leads: Sequence[int], at: datetime
    ) -> tuple[Subscription, bool]:
        """Create the subscription, or replace its lead times and locale; (it, whether it is new)."""
        async with self.feed.transaction() as tx:
            # Insert first, not read-then-write: under PostgreSQL's READ COMMITTED two saves at once (a double
            # click answered on two connections) would both find nothing and the second break the unique index.
            # A conflict waits for the other transaction and inserts nothing (no row returned).
            subscription_id = await tx.fetch_value(
                "INSERT INTO reminder_subscriptions (guild_id, user_id, event_id, locale, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (guild_id, user_id, event_id, locale, iso(at)),
            )
            created = subscription_id is not None
            if not created:
                subscription_id = await tx.fetch_value(
                    "SELECT id FROM reminder_subscriptions WHERE guild_id = ? AND user_id = ?"
                    " AND event_id IS NOT DISTINCT FROM ?",
                    (guild_id, user_id, event_id),
                )
                # This UPDATE locks the row: a concurrent save of it waits here, then its DELETE (a statement
                # seeing what was committed before it) removes the lead times written first: the last one wins.
                await tx.execute("UPDATE reminder_subscriptions SET locale = ? WHERE id = ?", (locale, subscription_id))
                await tx.execute(
                    "DELETE FROM reminder_subscription_leads WHERE subscription_id = ?", (subscription_id,)
                )
            await tx.executemany(
                "INSERT INTO reminder_subscription_leads (subscription_id, lead_seconds) VALUES (?, ?)",
                [(subscription_id, lead) for lead in leads],
            )
            await self.feed.publish(tx, PLANS_TOPIC, plans_key(guild_id, event_id))
        assert subscription_id is not None
        stored = await self.subscription(subscription_id)
        assert stored is not None
        return stored, created

    async def delete(self, subscription_id: int) -> None:
        async with self.feed.transaction() as tx:
            row = await tx.fetch_one(
                "DELETE FROM reminder_subscriptions WHERE id = ? RETURNING guild_id, event_id", (subscription_id,)
            )
            if row is not None:
                await self.feed.publish(tx, PLANS_TOPIC, plans_key(row["guild_id"], row["event_id"]))

    async def delete_for_event(self, event_id: int) -> int:
        """The event is gone: nobody follows it any more (its snoozes go with it)."""
        async with self._db.transaction() as tx:
            removed = await tx.execute("DELETE FROM reminder_subscriptions WHERE event_id = ?", (event_id,))
            await tx.execute("DELETE FROM reminder_snoozes WHERE event_id = ?", (event_id,))
            return removed

    async def dm_leads(self, guild_id: int, event_id: int) -> set[int]:
        """Every lead time some member wants for this event (its own followers and "all events" ones)."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT l.lead_seconds FROM reminder_subscriptions s"
            " JOIN reminder_subscription_leads l ON l.subscription_id = s.id"
            " WHERE s.guild_id = ? AND (s.event_id = ? OR s.event_id IS NULL)",
            (guild_id, event_id),
        )
        return {row["lead_seconds"] for row in rows}

    async def followers(
        self, guild_id: int, event_id: int, *, lead: int | None = None, subscribed_before: datetime | None = None
    ) -> list[Subscription]:
        """Who follows the event (with `lead`, subscribed before a time); one per member, their own first.
        Every page of `follower_pages` (a big event's fan-out reads them one at a time instead)."""
        pages = self.follower_pages(guild_id, event_id, lead=lead, subscribed_before=subscribed_before)
        return [subscription async for page in pages for subscription in page]

    async def follower_pages(
        self,
        guild_id: int,
        event_id: int,
        *,
        lead: int | None = None,
        subscribed_before: datetime | None = None,
        page_size: int = FOLLOWERS_PAGE,
    ) -> AsyncIterator[list[Subscription]]:
        """`followers`, in pages of at most `page_size` read one query each, so an event with ten thousand
        followers is never one long query (nor ten thousand rows turned into objects in one go).

        Keyset pages: first the event's own followers (by id on SQLite, by user id on PostgreSQL: see
        _SQL), then, by user id, those following "all events" who have no own subscription that qualifies
        (the event's own subscription wins, as in one query). Each page is read when the previous one has
        been consumed and sees the store as it is then: a subscription removed before its page is read is
        left out; one added is read if it sorts after the pages already read (for a reminder,
        `subscribed_before` is the due time, so a later subscription never qualifies anyway). A member is
        yielded at most once even if a change between pages makes them qualify in both parts."""
        conditions, params = _follower_filters("s", lead, subscribed_before)
        own_conditions, own_params = _follower_filters("o", lead, subscribed_before)
        queries = (
            (self._follower_key, f"s.event_id = ? AND {conditions}", [event_id, *params]),
            (
                "user_id",
                f"s.event_id IS NULL AND {conditions} AND NOT EXISTS (SELECT 1 FROM reminder_subscriptions o"  # noqa: S608
                f" WHERE o.guild_id = s.guild_id AND o.user_id = s.user_id AND o.event_id = ? AND {own_conditions})",
                [*params, event_id, *own_params],
            ),
        )
        seen: set[int] = set()
        for key, where, where_params in queries:
            after = -1  # ids are positive
            while True:
                rows = await self._db.fetch_all(
                    f"SELECT {self._subscription} FROM reminder_subscriptions s"  # noqa: S608 - constant fragments
                    f" WHERE s.guild_id = ? AND s.{key} > ? AND {where} ORDER BY s.{key} LIMIT ?",
                    [guild_id, after, *where_params, page_size],
                )
                page = [_subscription(row) for row in rows if row["user_id"] not in seen]
                seen.update(subscription.user_id for subscription in page)
                if page:
                    yield page
                if len(rows) < page_size:
                    break
                after = rows[-1][key]

    async def followed_event_ids(self, guild_id: int) -> set[int]:
        rows = await self._db.fetch_all(
            "SELECT DISTINCT event_id FROM reminder_subscriptions WHERE guild_id = ? AND event_id IS NOT NULL",
            (guild_id,),
        )
        return {row["event_id"] for row in rows}

    async def guilds_following_all(self) -> set[int]:
        rows = await self._db.fetch_all("SELECT DISTINCT guild_id FROM reminder_subscriptions WHERE event_id IS NULL")
        return {row["guild_id"] for row in rows}

    async def guilds_with_reminders(self) -> set[int]:
        """Servers with a subscription or channel lead times: the ones whose events may have jobs."""
        rows = await self._db.fetch_all(
            "SELECT guild_id FROM reminder_subscriptions UNION SELECT guild_id FROM reminder_channel_leads"
        )
        return {row["guild_id"] for row in rows}

    async def has_reminders(self, guild_id: int) -> bool:
        """Whether the server's events may have jobs (one of `guilds_with_reminders`)."""
        value = await self._db.fetch_value(
            "SELECT EXISTS (SELECT 1 FROM reminder_subscriptions WHERE guild_id = ?)"
            " OR EXISTS (SELECT 1 FROM reminder_channel_leads WHERE guild_id = ?)",
            (guild_id, guild_id),
        )
        return bool(value)

    # --- the announcements channel's lead times --------------------------------------------------

    async def channel_leads(self, guild_id: int) -> tuple[int, ...]:
        rows = await self._db.fetch_all(
            "SELECT lead_seconds FROM reminder_channel_leads WHERE guild_id = ? ORDER BY lead_seconds DESC",
            (guild_id,),
        )
        return tuple(row["lead_seconds"] for row in rows)

    async def set_channel_leads(self, guild_id: int, leads: Iterable[int]) -> None:
        async with self.feed.transaction() as tx:
            await tx.execute("DELETE FROM reminder_channel_leads WHERE guild_id = ?", (guild_id,))
            await tx.executemany(
                "INSERT INTO reminder_channel_leads (guild_id, lead_seconds) VALUES (?, ?)",
                [(guild_id, lead) for lead in set(leads)],
            )
            await self.feed.publish(tx, PLANS_TOPIC, plans_key(guild_id))

    # --- snoozes ---------------------------------------------------------------------------------

    async def add_snooze(
        self,
        *,
        guild_id: int,
        user_id: int,
        event_id: int,
        instant: datetime,
        due_at: datetime,
        locale: str,
        at: datetime,
    ) -> Snooze:
        async with self.feed.transaction() as tx:
            await tx.execute(
                "INSERT INTO reminder_snoozes (guild_id, user_id, event_id, instant, due_at, locale, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (guild_id, user_id, event_id, iso(instant), iso(due_at), locale, iso(at)),
            )
            row = await tx.fetch_one(
                f"SELECT {_SNOOZE} FROM reminder_snoozes WHERE user_id = ? AND event_id = ? AND instant = ?"  # noqa: S608
                " AND due_at = ?",
                (user_id, event_id, iso(instant), iso(due_at)),
            )
            assert row is not None
            await self.feed.publish(tx, PLANS_TOPIC, plans_key(guild_id, event_id, row["id"]))
        return _snooze(row)

    async def snooze(self, snooze_id: int) -> Snooze | None:
        row = await self._db.fetch_one(f"SELECT {_SNOOZE} FROM reminder_snoozes WHERE id = ?", (snooze_id,))  # noqa: S608
        return None if row is None else _snooze(row)

    async def snoozes(self, *, event_id: int | None = None, user_id: int | None = None) -> list[Snooze]:
        """Snoozes of one event, or of one member (soonest first), or all of them."""
        query = f"SELECT {_SNOOZE} FROM reminder_snoozes"  # noqa: S608 - a constant column list
        if event_id is not None:
            rows = await self._db.fetch_all(query + " WHERE event_id = ? ORDER BY id", (event_id,))
        elif user_id is not None:
            rows = await self._db.fetch_all(query + " WHERE user_id = ? ORDER BY due_at", (user_id,))
        else:
            rows = await self._db.fetch_all(query + " ORDER BY id")
        return [_snooze(row) for row in rows]

    async def delete_snooze(self, snooze_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM reminder_snoozes WHERE id = ?", (snooze_id,))

    # --- DM channels and pending notices ---------------------------------------------------------

    async def dm_channel(self, user_id: int) -> int | None:
        value = await self._db.fetch_value("SELECT channel_id FROM reminder_dm_channels WHERE user_id = ?", (user_id,))
        return None if value is None else int(str(value))

    async def set_dm_channel(self, user_id: int, channel_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO reminder_dm_channels (user_id, channel_id) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id",
                (user_id, channel_id),
            )

    async def forget_dm_channel(self, user_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM reminder_dm_channels WHERE user_id = ?", (user_id,))

    async def add_pending_notice(self, guild_id: int, user_id: int, event_id: int, *, at: datetime) -> None:
        # Published: the member's next command may reach another process, whose ReminderService must look.
        async with self.feed.transaction() as tx:
            await tx.execute(
                "INSERT INTO reminder_pending_notices (guild_id, user_id, kind, event_id, created_at)"
                " VALUES (?, ?, 'closed_dm', ?, ?) ON CONFLICT (guild_id, user_id, kind)"  # PostgreSQL needs the target
                " DO UPDATE SET event_id = excluded.event_id, created_at = excluded.created_at",
                (guild_id, user_id, event_id, iso(at)),
            )
            await self.feed.publish(tx, NOTICES_TOPIC, f"{guild_id}:{user_id}")

    async def members_with_pending_notices(self) -> set[tuple[int, int]]:
        rows = await self._db.fetch_all("SELECT DISTINCT guild_id, user_id FROM reminder_pending_notices")
        return {(row["guild_id"], row["user_id"]) for row in rows}

    async def take_pending_notices(self, guild_id: int, user_id: int) -> list[PendingNotice]:
        """The notices waiting for this member in this server, removed as they are read."""
        async with self._db.transaction() as tx:
            # One DELETE … RETURNING: a SELECT then DELETE, under READ COMMITTED, would give two readers at once
            # the same notices and delete one written in between unread.
            rows = await tx.fetch_all(
                "DELETE FROM reminder_pending_notices WHERE guild_id = ? AND user_id = ?"
                " RETURNING guild_id, user_id, kind, event_id, created_at",
                (guild_id, user_id),
            )
        return [
            PendingNotice(row["guild_id"], row["user_id"], row["kind"], row["event_id"],
                          datetime.fromisoformat(row["created_at"]))
            for row in rows
        ]  # fmt: skip

    # --- forgetting a member ---------------------------------------------------------------------

    async def forget_user(self, user_id: int) -> set[tuple[int, int | None]]:
        """Delete every row about the member, everywhere; returns the (guild, event) they followed."""
        async with self.feed.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT guild_id, event_id FROM reminder_subscriptions WHERE user_id = ?"
                " UNION SELECT guild_id, event_id FROM reminder_snoozes WHERE user_id = ?",
                (user_id, user_id),
            )
            await tx.execute("DELETE FROM reminder_subscriptions WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM reminder_snoozes WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM reminder_deliveries WHERE audience = 'dm' AND recipient_id = ?", (user_id,))
            await tx.execute("DELETE FROM reminder_dm_channels WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM reminder_pending_notices WHERE user_id = ?", (user_id,))
            # Their calendar feed addresses (docs/calendars.md) stop working in the same transaction.
            await tx.execute("DELETE FROM calendar_feeds WHERE kind = 'member' AND user_id = ?", (user_id,))
            for row in rows:
                await self.feed.publish(tx, PLANS_TOPIC, plans_key(row["guild_id"], row["event_id"]))
        return {(row["guild_id"], row["event_id"]) for row in rows}

    # --- the events' own history, as reminders need it -------------------------------------------

    async def dated_since(self, event_id: int) -> datetime | None:
        """When the event got its current instant: its last change of date, time zone or status, else its creation."""
        value = await self._db.fetch_value(
            "SELECT coalesce((SELECT max(at) FROM guild_event_changes WHERE event_id = ?"
            " AND (field IN ('date', 'timezone', 'status') OR action = 'added')),"
            " (SELECT created_at FROM guild_events WHERE id = ?))",
            (event_id, event_id),
        )
        return None if value is None else datetime.fromisoformat(str(value))

    async def date_changes(self, *, since: datetime, event_id: int | None = None) -> list[DateChange]:
        """Changes of date, time zone or status since a time (each field of each change), oldest first."""
        query = (
            "SELECT event_id, guild_id, sequence, at, action, field, old_value, new_value, reason"
            " FROM guild_event_changes WHERE field IN ('date', 'timezone', 'status')"
            " AND action IN ('moved', 'postponed', 'cancelled', 'corrected') AND at >= ?"
        )
        if event_id is None:
            rows = await self._db.fetch_all(query + " ORDER BY id", (since.isoformat(),))
        else:
            rows = await self._db.fetch_all(query + " AND event_id = ? ORDER BY id", (since.isoformat(), event_id))
        return [
            DateChange(
                event_id=row["event_id"],
                guild_id=row["guild_id"],
                sequence=row["sequence"],
                at=datetime.fromisoformat(row["at"]),
                action=row["action"],
                field=row["field"],
                old=row["old_value"],
                new=row["new_value"],
                reason=row["reason"],
            )
            for row in rows
        ]
