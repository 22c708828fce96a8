"""From "this is due" to messages: who is owed what, fanned out to the sender with bounded concurrency.

A run re-reads the event and goes ahead only if the instant it was planned for is still the event's
instant; a change to the event while a run is under way stops it (the new plan takes over).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.clock import Clock
from bot.events.models import Event
from bot.reminders.ledger import DeliveryKey, instant_text
from bot.reminders.messages import MessageFactory
from bot.reminders.notices import NoticePlan, notice_plans
from bot.reminders.planning import Audience, DeliveryKind, ReminderJob, Timing, timing
from bot.reminders.sender import Outcome, Outgoing, OutgoingMessage, Sender
from bot.services.events.service import EventService
from bot.storage.repositories.deliveries import Delivery, DeliveryRepository, Skip
from bot.storage.repositories.reminders import ReminderRepository, Snooze, Subscription

log = logging.getLogger(__name__)

T = TypeVar("T")
EPOCH_HISTORY = timedelta(days=365 * 200)


@dataclass(eq=False)
class Run:
    """One fan-out under way, so a change to its event can stop it."""

    name: str
    event_id: int
    stale: bool = False
    outcomes: Counter[str] = field(default_factory=Counter)


class Dispatcher:
    def __init__(
        self,
        *,
        sender: Sender,
        messages: MessageFactory,
        reminders: ReminderRepository,
        deliveries: DeliveryRepository,
        events: EventService,
        clock: Clock,
        max_concurrency: int,
        grace: timedelta,
    ) -> None:
        self._sender = sender
        self._messages = messages
        self._reminders = reminders
        self._deliveries = deliveries
        self._events = events
        self._clock = clock
        self._concurrency = max_concurrency
        self._grace = grace
        # Shared by every run: the bound holds however many runs are under way.
        self._slots = asyncio.Semaphore(max_concurrency)
        self._runs: dict[int, set[Run]] = {}

    def stop_all(self) -> None:
        """The process is stopping: every run stops before its next message (those under way finish)."""
        for runs in self._runs.values():
            for run in runs:
                run.stale = True

    def stop_runs(self, event_id: int) -> None:
        """The event changed: runs planned for its old state stop before their next message."""
        for run in self._runs.get(event_id, ()):
            run.stale = True

    # --- reminders -------------------------------------------------------------------------------

    async def run_job(self, job: ReminderJob, *, late: bool) -> Counter[str]:
        event = await self._events.repository.get_by_id(job.event_id)
        if event is None or event.reminder_instant() != job.instant:
            log.info("%s: the event no longer starts at %s; nothing sent", job.job_id, job.instant.isoformat())
            return Counter()
        late_due = job.due_at if late else None
        instant = instant_text(job.instant)
        if job.audience is Audience.CHANNEL:
            settings = await self._events.guild_settings(event.guild_id)
            if settings.announcements_channel_id is None:
                return Counter()
            key = DeliveryKey(DeliveryKind.REMINDER, event.id, instant, Audience.CHANNEL,
                              settings.announcements_channel_id, job.lead)  # fmt: skip
            message = self._messages.channel(event, key, lead=job.lead, role_id=settings.ping_role_id,
                                             late_due=late_due)  # fmt: skip
            outcome = await self._sender.deliver(Outgoing(key, event.guild_id, job.due_at, late, message))
            return Counter([outcome.value])
        history = await self._events.repository.history(event.id)

        async def one(subscription: Subscription) -> Outcome:
            key = DeliveryKey(DeliveryKind.REMINDER, event.id, instant, Audience.DM, subscription.user_id, job.lead)
            message = self._messages.reminder_dm(
                event, key, locale=subscription.locale, lead=job.lead, subscription=subscription, history=history,
                late_due=late_due,
            )  # fmt: skip
            return await self._sender.deliver(Outgoing(key, event.guild_id, job.due_at, late, message))

        return await self._fan_out(job.job_id, event.id, self._owed_pages(event, job), one)

    async def _owed(self, event: Event, job: ReminderJob) -> list[Subscription]:
        """Followers with this lead who subscribed before it fell due and have no ledger row for it."""
        return [subscription async for page in self._owed_pages(event, job) for subscription in page]

    async def _owed_pages(self, event: Event, job: ReminderJob) -> AsyncIterator[list[Subscription]]:
        """`_owed` a page of followers at a time (a big event is never one long query)."""
        done = await self._deliveries.recipients_with_rows(
            DeliveryKind.REMINDER, event.id, instant_text(job.instant), Audience.DM, job.lead
        )
        async for page in self._reminders.follower_pages(event.guild_id, event.id, lead=job.lead,
                                                         subscribed_before=job.due_at):  # fmt: skip
            # A recipient claimed after `done` was read is still refused by the ledger's claim.
            yield [subscription for subscription in page if subscription.user_id not in done]

    async def skip_job(self, job: ReminderJob, reason: str) -> int:
        """Record every message of an overdue job as skipped: it will never be sent."""
        instant = instant_text(job.instant)
        if job.audience is Audience.CHANNEL:
            settings = await self._events.guild_settings(job.guild_id)
            if settings.announcements_channel_id is None:
                return 0
            recipients = [settings.announcements_channel_id]
        else:
            event = await self._events.repository.get_by_id(job.event_id)
            if event is None:
                return 0
            recipients = [subscription.user_id for subscription in await self._owed(event, job)]
        skips = [
            Skip(DeliveryKey(DeliveryKind.REMINDER, job.event_id, instant, job.audience, recipient, job.lead),
                 job.guild_id, job.due_at, reason)
            for recipient in recipients
        ]  # fmt: skip
        count = await self._deliveries.record_skipped(skips, at=self._clock.now())
        if count:
            log.warning("%s due %s: %d reminder(s) skipped (%s)", job.job_id, job.due_at.isoformat(), count, reason)
        return count

    # --- snoozes ---------------------------------------------------------------------------------

    def _snooze_key(self, snooze: Snooze) -> DeliveryKey:
        lead = int((snooze.instant - snooze.due_at).total_seconds())
        return DeliveryKey(DeliveryKind.SNOOZE, snooze.event_id, instant_text(snooze.instant), Audience.DM,
                           snooze.user_id, lead)  # fmt: skip

    async def run_snooze(self, snooze: Snooze, *, late: bool) -> Outcome | None:
        event = await self._events.repository.get_by_id(snooze.event_id)
        if event is None or event.reminder_instant() != snooze.instant:
            await self._reminders.delete_snooze(snooze.id)  # moved or cancelled: the notice says so
            return None
        key = self._snooze_key(snooze)
        message = await self._snooze_message(event, key, snooze, late_due=snooze.due_at if late else None)
        outcome = await self._sender.deliver(Outgoing(key, event.guild_id, snooze.due_at, late, message))
        if outcome is not Outcome.UNCONFIRMED:
            await self._reminders.delete_snooze(snooze.id)
        return outcome

    async def _snooze_message(self, event: Event, key: DeliveryKey, snooze: Snooze,
                              late_due: datetime | None) -> OutgoingMessage:  # fmt: skip
        subscription = await self._subscription(event, snooze.user_id)
        return self._messages.reminder_dm(event, key, locale=snooze.locale, lead=None, subscription=subscription,
                                          history=(), late_due=late_due)  # fmt: skip

    async def skip_snooze(self, snooze: Snooze, reason: str) -> None:
        skip = Skip(self._snooze_key(snooze), snooze.guild_id, snooze.due_at, reason)
        await self._deliveries.record_skipped([skip], at=self._clock.now())
        await self._reminders.delete_snooze(snooze.id)
        log.warning("snooze %s due %s skipped (%s)", snooze.id, snooze.due_at.isoformat(), reason)

    # --- moved and cancelled notices -------------------------------------------------------------

    async def plans_since(self, since: datetime, event_id: int | None = None) -> list[NoticePlan]:
        changes = await self._reminders.date_changes(since=since, event_id=event_id)
        events: dict[int, Event] = {}
        for change in changes:
            if change.event_id not in events:
                event = await self._events.repository.get_by_id(change.event_id)
                if event is not None:
                    events[event.id] = event
        return notice_plans(changes, events)

    async def notice_followers(self, plan: NoticePlan) -> list[Subscription]:
        followers = await self._reminders.followers(plan.guild_id, plan.event_id, subscribed_before=plan.at)
        done = await self._deliveries.recipients_with_rows(plan.kind, plan.event_id, plan.instant, Audience.DM,
                                                           plan.sequence)  # fmt: skip
        return [subscription for subscription in followers if subscription.user_id not in done]

    async def run_notice(self, plan: NoticePlan, followers: list[Subscription] | None = None) -> Counter[str]:
        event = await self._events.repository.get_by_id(plan.event_id)
        if event is None:
            return Counter()
        owed = followers if followers is not None else await self.notice_followers(plan)
        if not owed:
            return Counter()

        async def one(subscription: Subscription) -> Outcome:
            key = self._notice_key(plan, subscription.user_id)
            message = self._notice_message(event, plan, key, subscription)
            return await self._sender.deliver(Outgoing(key, event.guild_id, plan.at, False, message))

        name = f"{plan.kind.value}:{plan.event_id}:{plan.sequence}"
        # A notice run is never stopped by a later change: each change's notice is worth sending.
        return await self._fan_out(name, -plan.event_id, _one_page(owed), one)

    def _notice_key(self, plan: NoticePlan, user_id: int) -> DeliveryKey:
        return DeliveryKey(plan.kind, plan.event_id, plan.instant, Audience.DM, user_id, plan.sequence)

    def _notice_message(self, event: Event, plan: NoticePlan, key: DeliveryKey,
                        subscription: Subscription) -> OutgoingMessage:  # fmt: skip
        if plan.kind is DeliveryKind.CANCELLED:
            return self._messages.cancelled(event, key, reason=plan.reason, subscription=subscription)
        assert plan.old is not None and plan.new is not None
        return self._messages.moved(event, key, old=plan.old, new=plan.new, reason=plan.reason,
                                    subscription=subscription)  # fmt: skip

    # --- recovery --------------------------------------------------------------------------------

    async def recover(self, delivery: Delivery) -> Outcome:
        """Settle an unconfirmed claim: re-render the message if it is still wanted, then let the sender decide."""
        message = await self._message_for(delivery)
        return await self._sender.recover(delivery, message)

    async def _message_for(self, delivery: Delivery) -> OutgoingMessage | None:
        key = delivery.key
        event = await self._events.repository.get_by_id(key.event_id)
        if event is None:
            return None
        if key.kind in (DeliveryKind.MOVED, DeliveryKind.CANCELLED):
            plans = [p for p in await self.plans_since(self._clock.now() - EPOCH_HISTORY, event.id)
                     if p.sequence == key.lead and p.kind is key.kind]  # fmt: skip
            subscription = await self._subscription(event, key.recipient_id)
            if not plans or subscription is None:
                return None
            return self._notice_message(event, plans[0], key, subscription)
        instant = event.reminder_instant()
        if instant is None or instant_text(instant) != key.instant:
            return None  # moved or cancelled since: the notice said so
        when = timing(delivery.due_at, instant, self._clock.now(), self._grace)
        if when in (Timing.STARTED, Timing.TOO_LATE):
            return None  # the same rule as after downtime: too late to be of use
        late_due = delivery.due_at if delivery.late or when is Timing.LATE else None
        if key.kind is DeliveryKind.SNOOZE:
            due = instant - timedelta(seconds=key.lead)
            stored = [s for s in await self._reminders.snoozes(event_id=event.id)
                      if s.user_id == key.recipient_id and s.due_at == due]  # fmt: skip
            subscription = await self._subscription(event, key.recipient_id)
            locale = stored[0].locale if stored else (subscription.locale if subscription else "en")
            snooze = Snooze(0, event.guild_id, key.recipient_id, event.id, instant, due, locale, delivery.due_at)
            return await self._snooze_message(event, key, snooze, late_due)
        if key.audience is Audience.CHANNEL:
            settings = await self._events.guild_settings(event.guild_id)
            if settings.announcements_channel_id != key.recipient_id:
                return None
            return self._messages.channel(event, key, lead=key.lead, role_id=settings.ping_role_id, late_due=late_due)
        subscription = await self._subscription(event, key.recipient_id, lead=key.lead)
        if subscription is None:
            return None  # unsubscribed, or that lead dropped
        history = await self._events.repository.history(event.id)
        return self._messages.reminder_dm(event, key, locale=subscription.locale, lead=key.lead,
                                          subscription=subscription, history=history, late_due=late_due)  # fmt: skip

    async def _subscription(self, event: Event, user_id: int, *, lead: int | None = None) -> Subscription | None:
        for subscription in await self._reminders.followers(event.guild_id, event.id, lead=lead):
            if subscription.user_id == user_id:
                return subscription
        return None

    # --- fan-out ---------------------------------------------------------------------------------

    async def _fan_out(
        self, name: str, event_id: int, pages: AsyncIterator[Sequence[T]], send: Callable[[T], Awaitable[Outcome]]
    ) -> Counter[str]:
        run = Run(name, event_id)
        self._runs.setdefault(event_id, set()).add(run)
        queue = _Queue(pages, run)
        total = 0

        async def worker() -> None:
            nonlocal total
            while (item := await queue.next()) is not None:  # shared: each item goes to one worker
                if run.stale:
                    run.outcomes["stopped"] += 1
                    continue
                total += 1
                async with self._slots:
                    try:
                        outcome = await send(item)
                    except Exception:
                        log.exception("%s: a delivery failed unexpectedly", name)
                        outcome = Outcome.UNCONFIRMED
                run.outcomes[outcome.value] += 1

        try:
            # Each worker finishes its message before the run ends; cancelling the run cancels them all.
            results = await asyncio.gather(*(worker() for _ in range(self._concurrency)), return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    raise result
        finally:
            await queue.close()
            self._runs[event_id].discard(run)
            if not self._runs[event_id]:
                del self._runs[event_id]
        if total or run.outcomes:
            summary = " ".join(f"{outcome}={count}" for outcome, count in sorted(run.outcomes.items()))
            log.info("run %s finished: %s", name, summary or "nothing to send")
        return run.outcomes


class _Queue(Generic[T]):
    """The items of a fan-out (never None), read a page at a time as the workers take them; no page is
    read once the run is stopped."""

    def __init__(self, pages: AsyncIterator[Sequence[T]], run: Run) -> None:
        self._pages = pages
        self._run = run
        self._ready: deque[T] = deque()
        self._lock = asyncio.Lock()  # one worker reads the next page; the others wait for it
        self._exhausted = False

    async def next(self) -> T | None:
        """The next item, or None when there are no more (or the run was stopped)."""
        async with self._lock:
            while not self._ready and not self._exhausted and not self._run.stale:
                try:
                    self._ready.extend(await anext(self._pages))
                except StopAsyncIteration:
                    self._exhausted = True
            return self._ready.popleft() if self._ready else None

    async def close(self) -> None:
        """A run that ends early (stopped, cancelled) leaves no page reader suspended."""
        aclose = getattr(self._pages, "aclose", None)
        if aclose is not None:
            await aclose()


async def _one_page(items: Sequence[T]) -> AsyncIterator[Sequence[T]]:
    yield items
