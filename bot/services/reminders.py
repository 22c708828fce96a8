"""What members do with reminders: follow an event (or all of them), change lead times, list, stop,
snooze, be forgotten; and the lead times of a server's announcements channel.

Every change is told to the listeners (the reminder runtime), which move the scheduler's jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.config import Settings
from bot.errors import InvalidInputError, NotAllowedError, NotFoundError
from bot.events.dates import fold
from bot.events.models import Event
from bot.reminders.leads import parse_leads
from bot.reminders.ledger import DeliveryState
from bot.reminders.planning import SnoozeMode, next_due, snooze_due
from bot.services.events.service import EventService
from bot.storage.repositories.deliveries import Delivery, DeliveryRepository
from bot.storage.repositories.reminders import (
    NOTICES_TOPIC,
    PendingNotice,
    ReminderRepository,
    Snooze,
    Subscription,
)

log = logging.getLogger(__name__)

# The autocomplete value of "all events of this server" (no event key can be "*").
ALL_EVENTS = "*"
_ALL_WORDS = frozenset({ALL_EVENTS, "all", "all events", "every event", "tous", "tout", "tous les evenements"})
# Typed in a lead option to remove the channel's lead times.
CLEAR = "-"


@dataclass(frozen=True)
class ReminderChange:
    """Something the scheduler must follow: a server's subscriptions, one event's, or a snooze."""

    guild_id: int
    event_id: int | None = None  # None: every event of the server may be concerned
    snooze_id: int | None = None


ReminderListener = Callable[[ReminderChange], Awaitable[None]]


@dataclass(frozen=True)
class Subscribed:
    subscription: Subscription
    event: Event | None  # None: all events of the server
    created: bool
    passed: tuple[int, ...]  # leads already past for this event: they will not ring
    next_at: datetime | None


@dataclass(frozen=True)
class ListedSubscription:
    subscription: Subscription
    event: Event | None
    next_at: datetime | None  # the next reminder of this subscription
    next_event: Event | None  # for "all events": the event that reminder is for


@dataclass(frozen=True)
class Overview:
    entries: tuple[ListedSubscription, ...]
    snoozes: tuple[tuple[Snooze, Event], ...]
    closed_dm: Delivery | None  # the member's last DM bounced: their DMs are closed


class ReminderService:
    def __init__(
        self,
        reminders: ReminderRepository,
        deliveries: DeliveryRepository,
        events: EventService,
        clock: Clock,
        settings: Settings,
    ) -> None:
        self.repository = reminders
        self.deliveries = deliveries
        self._events = events
        self._clock = clock
        self._settings = settings
        self._listeners: list[ReminderListener] = []
        # Who may have a notice waiting (guild, member): read once, then kept up to date by the sender
        # (`expect_notice`), so a command's completion does not query the store for every member. A superset:
        # the store stays the truth.
        self._noticed: set[tuple[int, int]] | None = None
        self._expected: set[tuple[int, int]] = set()  # noted while the first read is under way
        # A notice stored by another process's sender (bot/cluster/change_feed.py); when notices may have been
        # missed, the set is read again from the store on next use.
        reminders.feed.subscribe(NOTICES_TOPIC, self._notice_published, self._forget_noticed)

    # --- listeners -------------------------------------------------------------------------------

    def add_listener(self, listener: ReminderListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: ReminderListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def _publish(self, change: ReminderChange) -> None:
        for listener in list(self._listeners):
            try:
                await listener(change)
            except Exception:
                log.exception("reminder listener %r failed on %s", listener, change)

    # --- lead times ------------------------------------------------------------------------------

    def default_leads(self) -> tuple[int, ...]:
        leads: set[int] = set()
        for typed in self._settings.reminders.default_leads:
            leads.update(parse_leads(typed))
        return tuple(sorted(leads, reverse=True))

    def leads(self, typed: str | None) -> tuple[int, ...]:
        """The typed lead times, or the defaults when nothing was typed."""
        if typed is None or not typed.strip():
            return self.default_leads()
        return parse_leads(typed)

    # --- subscribing -----------------------------------------------------------------------------

    async def scope(self, guild_id: int, typed: str) -> Event | None:
        """The event a member picked or typed; None for "all events of this server"."""
        if fold(typed) in _ALL_WORDS:
            return None
        return await self._events.find(guild_id, typed)

    async def subscribe(
        self, guild_id: int, user_id: int, typed_event: str, typed_leads: str | None, locale: str
    ) -> Subscribed:
        leads = self.leads(typed_leads)  # a bad lead is refused before anything is looked up or stored
        event = await self.scope(guild_id, typed_event)
        return await self._subscribe(guild_id, user_id, event, leads, locale)

    async def subscribe_to(self, guild_id: int, user_id: int, event_id: int, locale: str) -> Subscribed:
        """The "Subscribe" button under /event: that event, the default lead times."""
        event = await self._events.get(guild_id, event_id)
        return await self._subscribe(guild_id, user_id, event, self.default_leads(), locale)

    async def _subscribe(
        self, guild_id: int, user_id: int, event: Event | None, leads: Sequence[int], locale: str
    ) -> Subscribed:
        now = self._clock.now()
        if event is not None:
            if event.cancelled:
                raise InvalidInputError("reminders.errors.event_cancelled", name=event.name_en)
            if event.is_over(now):
                raise InvalidInputError("reminders.errors.event_over", name=event.name_en)
        event_id = event.id if event else None
        existing = await self.repository.find(guild_id, user_id, event_id)
        if existing is None:
            limit = self._settings.reminders.max_subscriptions_per_user
            if await self.repository.count_of_user(user_id) >= limit:
                raise NotAllowedError("reminders.errors.limit", limit=limit)
        subscription, created = await self.repository.save(
            guild_id, user_id, event_id, locale=locale, leads=leads, at=now
        )
        await self._publish(ReminderChange(guild_id, event_id))
        instant = event.reminder_instant() if event else None
        passed = tuple(lead for lead in leads if instant is not None and next_due(instant, [lead], now) is None)
        next_at = next_due(instant, leads, now)
        if event is None:
            entry = await self._listed(subscription, None, now)
            next_at = entry.next_at
        return Subscribed(subscription, event, created, passed, next_at)

    async def unsubscribe(self, guild_id: int, user_id: int, typed_event: str) -> Event | None:
        event = await self.scope(guild_id, typed_event)
        existing = await self.repository.find(guild_id, user_id, event.id if event else None)
        if existing is None:
            raise NotFoundError("reminders.errors.not_following")
        await self.repository.delete(existing.id)
        await self._publish(ReminderChange(guild_id, existing.event_id))
        return event

    async def unsubscribe_by_id(self, user_id: int, subscription_id: int) -> tuple[Subscription, Event | None]:
        """The "Unsubscribe" button of a reminder (in a DM: the subscription id says which)."""
        existing = await self.repository.subscription(subscription_id)
        if existing is None or existing.user_id != user_id:
            raise NotFoundError("reminders.errors.already_unsubscribed")
        await self.repository.delete(existing.id)
        await self._publish(ReminderChange(existing.guild_id, existing.event_id))
        event = await self._events.repository.get_by_id(existing.event_id) if existing.event_id else None
        return existing, event

    # --- reading ---------------------------------------------------------------------------------

    async def overview(self, guild_id: int, user_id: int) -> Overview:
        now = self._clock.now()
        entries = []
        for subscription in await self.repository.of_member(guild_id, user_id):
            event = None
            if subscription.event_id is not None:
                event = await self._events.repository.get_by_id(subscription.event_id)
                if event is None:
                    continue
            entries.append(await self._listed(subscription, event, now))
        snoozes = []
        for snooze in await self.repository.snoozes(user_id=user_id):
            event = await self._events.repository.get_by_id(snooze.event_id)
            if snooze.guild_id == guild_id and event is not None and snooze.due_at > now:
                snoozes.append((snooze, event))
        latest = await self.deliveries.latest_dm(guild_id, user_id)
        closed = latest if latest is not None and latest.state is DeliveryState.CLOSED_DM else None
        return Overview(tuple(entries), tuple(snoozes), closed)

    async def _listed(self, subscription: Subscription, event: Event | None, now: datetime) -> ListedSubscription:
        if event is not None:
            return ListedSubscription(subscription, event, next_due(event.reminder_instant(), subscription.leads, now),
                                      event)  # fmt: skip
        best: tuple[datetime, Event] | None = None
        for candidate in await self._events.events(subscription.guild_id):
            due = next_due(candidate.reminder_instant(), subscription.leads, now)
            if due is not None and (best is None or due < best[0]):
                best = (due, candidate)
        return ListedSubscription(subscription, None, best[0] if best else None, best[1] if best else None)

    async def following(self, guild_id: int, user_id: int) -> list[tuple[Subscription, Event | None]]:
        """For autocomplete of /remind unsubscribe: what the member follows here."""
        found = []
        for subscription in await self.repository.of_member(guild_id, user_id):
            event = None
            if subscription.event_id is not None:
                event = await self._events.repository.get_by_id(subscription.event_id)
                if event is None:
                    continue
            found.append((subscription, event))
        return found

    async def followed_events(self, guild_id: int, user_id: int) -> list[Event]:
        """The events a member follows here (every event when they follow all), soonest first."""
        subscriptions = await self.repository.of_member(guild_id, user_id)
        if not subscriptions:
            raise NotFoundError("reminders.errors.nothing_followed")
        if any(subscription.all_events for subscription in subscriptions):
            return await self._events.events(guild_id)
        events = []
        for subscription in subscriptions:
            assert subscription.event_id is not None
            event = await self._events.repository.get_by_id(subscription.event_id)
            if event is not None:
                events.append(event)
        return events

    # --- snoozing --------------------------------------------------------------------------------

    async def snooze(self, user_id: int, event_id: int, mode: SnoozeMode, locale: str) -> Snooze:
        event = await self._events.repository.get_by_id(event_id)
        if event is None:
            raise NotFoundError("events.errors.gone")
        followers = await self.repository.followers(event.guild_id, event.id)
        if all(follower.user_id != user_id for follower in followers):
            raise NotFoundError("reminders.errors.not_following")  # a snooze belongs to a reminder they get
        now = self._clock.now()
        instant = event.reminder_instant()
        due = snooze_due(mode, instant, now)
        assert instant is not None
        snooze = await self.repository.add_snooze(
            guild_id=event.guild_id, user_id=user_id, event_id=event.id, instant=instant, due_at=due,
            locale=locale, at=now,
        )  # fmt: skip
        await self._publish(ReminderChange(event.guild_id, event.id, snooze_id=snooze.id))
        return snooze

    # --- being forgotten, being told -------------------------------------------------------------

    async def forget(self, user_id: int) -> None:
        """Delete everything the bot keeps about the member (subscriptions, snoozes, ledger rows, DM channel)."""
        touched = await self.repository.forget_user(user_id)
        for guild_id, event_id in touched:
            await self._publish(ReminderChange(guild_id, event_id))

    async def take_notices(self, guild_id: int, user_id: int) -> list[PendingNotice]:
        """The notices waiting for the member in this server, removed as they are read."""
        if self._noticed is None:
            known = await self.repository.members_with_pending_notices()
            self._noticed, self._expected = known | self._expected, set()
        member = (guild_id, user_id)
        if member not in self._noticed:
            return []
        notices = await self.repository.take_pending_notices(guild_id, user_id)
        self._noticed.discard(member)
        return notices

    def _notice_published(self, key: str) -> None:
        guild_id, _, user_id = key.partition(":")
        self.expect_notice(int(guild_id), int(user_id))

    def _forget_noticed(self) -> None:
        self._noticed = None

    def expect_notice(self, guild_id: int, user_id: int) -> None:
        """The sender stored a notice for the member: the next `take_notices` must look."""
        (self._expected if self._noticed is None else self._noticed).add((guild_id, user_id))

    # --- the announcements channel ---------------------------------------------------------------

    def channel_leads_typed(self, typed: str) -> tuple[int, ...]:
        """What a moderator typed: lead times, or "-" for none."""
        if typed.strip() == CLEAR:
            return ()
        return parse_leads(typed)

    async def channel_leads(self, guild_id: int) -> tuple[int, ...]:
        return await self.repository.channel_leads(guild_id)

    async def set_channel_leads(self, guild_id: int, leads: Sequence[int]) -> None:
        await self.repository.set_channel_leads(guild_id, leads)
        await self._publish(ReminderChange(guild_id))
