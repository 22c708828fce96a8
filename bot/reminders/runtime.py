"""Reminders at run time: start-up (seed → recover → plan and catch up → notices), the jobs, the listeners.

Start-up order, once the bot is connected (on_ready, after every GUILD_CREATE):
1. every server the bot is in is seeded (its events exist, shipped corrections applied);
2. claims left unconfirmed by a crash are settled (recovery, see bot.reminders.sender);
3. every event's jobs are planned from the database: future ones scheduled, overdue ones sent late
   (within the grace window, event not started) or recorded as skipped; snoozes likewise;
4. moved/cancelled notices of the last grace window are completed (the ledger skips those sent).
Changes after that arrive through the listeners: the events service's (a date moved, an event
cancelled or deleted) and the reminder service's (a subscription, a snooze, channel lead times). Those
made by OTHER processes sharing the store (PostgreSQL) arrive through the change feed
(bot/cluster/change_feed.py) and are planned here too, so every live process holds every job: a reminder
never waits for the process that took the subscription (docs/reminders.md, "Several processes").

The store unavailable (PostgreSQL restarting, its connections dropped) stops nothing for good: a run,
start-up and a snooze that fired are tried again with a growing wait until the store is back
(bot/reminders/retry.py; a run re-reads who is still owed, the ledger has the rest); the sweep tries
again at its next turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.cluster.membership import Membership
from bot.events.changes import ChangeKind, EventChange, Notice
from bot.events.models import Event
from bot.reminders.dispatch import Dispatcher
from bot.reminders.jobs import JobBoard
from bot.reminders.messages import MessageFactory
from bot.reminders.notices import NoticePlan
from bot.reminders.planning import Audience, ReminderJob, Timing, plan_event, reminder_job_id, snooze_job_id, timing
from bot.reminders.port import HttpPort
from bot.reminders.retry import until_stored
from bot.reminders.sender import Sender
from bot.services.reminders import ReminderChange
from bot.storage.database import StoreUnavailableError
from bot.storage.repositories.events import EVENTS_TOPIC
from bot.storage.repositories.processes import ProcessRepository
from bot.storage.repositories.reminders import PLANS_TOPIC, Snooze, Subscription

if TYPE_CHECKING:
    from bot.client import SummitBot

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60.0
# How long a clean stop waits for the messages under way (each is one request; systemd waits 90 s).
STOP_DRAIN_SECONDS = 5.0
# A claim younger than this may still be in the hands of a send under way in this process.
SWEEP_MIN_AGE = timedelta(seconds=60)
_NOTICE_KINDS = (ChangeKind.MOVED, ChangeKind.POSTPONED, ChangeKind.CORRECTED, ChangeKind.CANCELLED)


class ReminderRuntime:
    def __init__(self, bot: SummitBot) -> None:
        self._bot = bot
        self._clock = bot.clock
        self._settings = bot.settings.reminders
        self._events = bot.services.events
        self._service = bot.services.reminders
        self._repository = self._service.repository
        self.board = JobBoard(bot.scheduler, bot.clock)
        self.membership = Membership(
            ProcessRepository(bot.database),
            bot.clock,
            bot.settings.cluster,
            single_process=bot.database.sqlite_path is not None,
            shards=lambda: _shards(bot),
            latency=lambda: _latency_ms(bot),
        )
        self.sender = Sender(
            HttpPort(bot.http),
            self._service.deliveries,
            self._repository,
            bot.clock,
            nonce_window=timedelta(seconds=self._settings.nonce_window_seconds),
            on_notice=self._service.expect_notice,
            process_id=self.membership.process_id,
        )
        self.dispatcher = Dispatcher(
            sender=self.sender,
            messages=MessageFactory(bot),
            reminders=self._repository,
            deliveries=self._service.deliveries,
            events=self._events,
            clock=bot.clock,
            max_concurrency=self._settings.max_concurrency,
            grace=timedelta(minutes=self._settings.grace_minutes),
        )
        self.ready = asyncio.Event()
        self._starting = False
        self._tasks: set[asyncio.Task[Any]] = set()
        # Changes that arrive while start() is planning, followed once it is done.
        self._early: list[ReminderChange] = []
        # Other processes' changes, heard on the change feed and not yet planned (one replan per key).
        self._heard: set[str] = set()
        feed = self._repository.feed
        feed.subscribe(PLANS_TOPIC, self._heard_plans, self._heard_everything, others_only=True)
        feed.subscribe(EVENTS_TOPIC, self._heard_events, self._heard_everything, others_only=True)

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self._settings.grace_minutes)

    # --- life cycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Once per process, when the bot is connected (see the module doc for the order)."""
        if self._starting:
            return
        self._starting = True
        try:
            recovered, guilds = await until_stored(self._start, "reminders start-up")
        except Exception:
            # Live changes must still be followed: log it, and go on with what could be planned.
            log.exception("reminders: start-up did not complete")
        else:
            log.info("reminders started: %d unconfirmed claim(s) settled, %d server(s) planned", recovered, guilds)
        finally:
            self.board.every("reminders:sweep", self.sweep_seconds, self.sweep)
            self.ready.set()
        while self._early and not self._bot.is_closed():
            try:
                await self.on_reminder_change(self._early.pop(0))
            except StoreUnavailableError:
                if self._bot.is_closed():
                    return  # stopped meanwhile and the store closed first: the next start plans from the store
                raise

    @property
    def sweep_seconds(self) -> float:
        """Often enough that a dead process's claims are taken over within half a lease of its end."""
        return min(SWEEP_SECONDS, self._bot.settings.cluster.lease_seconds / 2)

    async def _start(self) -> tuple[int, int]:
        await self.membership.start()
        for guild in list(self._bot.guilds):
            await self._events.ensure_seeded(guild.id)
        recovered = await self._take_over()
        return recovered, await self._plan_everything()

    async def _plan_everything(self) -> int:
        """Every job from the store, overdue ones caught up (the ledger keeps each message once); the number
        of servers planned."""
        guilds = await self._repository.guilds_with_reminders()
        for guild_id in guilds:
            for event in await self._events.repository.list(guild_id):
                await self.plan(event, at_start=True)
        for snooze in await self._repository.snoozes():
            await self._plan_snooze(snooze, at_start=True)
        for plan in await self.dispatcher.plans_since(self._clock.now() - self.grace):
            self._spawn_notice(plan)
        return len(guilds)

    async def stop(self) -> None:
        """A clean stop: no new job, no new message; the messages under way get Discord's answer and their
        ledger row (for up to STOP_DRAIN_SECONDS) instead of being left claimed for the next start."""
        self.board.drop_all()
        self.dispatcher.stop_all()
        tasks = list(self._tasks)
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_DRAIN_SECONDS)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # Last: runs stopped above finished their ledger writes; deleting the row releases our claims at once.
        await self.membership.stop()

    async def idle(self) -> None:
        """Until every run started so far is over (tests await this instead of sleeping)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.create_task(work, name=f"reminders: {name}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _spawn_notice(self, plan: NoticePlan, followers: list[Subscription] | None = None) -> None:
        given = [followers]

        async def attempt() -> object:
            # The first attempt tells the followers given; a retry re-reads who is owed (the ledger has the rest).
            return await self.dispatcher.run_notice(plan, given.pop() if given else None)

        name = f"notice {plan.event_id}:{plan.sequence}"
        self._spawn(until_stored(attempt, name), name)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s failed", task.get_name(), exc_info=task.exception())

    # --- planning --------------------------------------------------------------------------------

    async def plan(self, event: Event, *, at_start: bool) -> None:
        """Derive the event's jobs from the database; at start, also catch up on overdue ones."""
        channel_leads = await self._repository.channel_leads(event.guild_id)
        jobs = plan_event(
            event,
            dm_leads=await self._repository.dm_leads(event.guild_id, event.id),
            channel_leads=channel_leads,
            dated_since=await self._repository.dated_since(event.id),
        )
        wanted = {job.job_id for job in jobs}
        for job_id in self.board.ids(f"remind:{event.id}:"):
            if job_id not in wanted:
                self.board.drop(job_id)
        now = self._clock.now()
        for job in jobs:
            when = timing(job.due_at, job.instant, now, self.grace)
            if when is Timing.FUTURE:
                self.board.put(job.job_id, job.due_at, self._fire,
                               (job.event_id, job.guild_id, job.lead, job.audience.value, job.instant))  # fmt: skip
            elif not at_start:
                continue  # fired already, or firing now: the scheduler has it; the ledger keeps it once
            elif when in (Timing.ON_TIME, Timing.LATE):
                self._spawn(until_stored(lambda job=job: self._run_due(job), job.job_id), job.job_id)
            else:
                await self.dispatcher.skip_job(job, f"bot offline when due ({when.value})")

    async def _plan_snooze(self, snooze: Snooze, *, at_start: bool) -> None:
        when = timing(snooze.due_at, snooze.instant, self._clock.now(), self.grace)
        if when is Timing.FUTURE:
            self.board.put(snooze_job_id(snooze.id), snooze.due_at, self._fire_snooze, (snooze.id,))
        elif not at_start:
            return
        elif when in (Timing.ON_TIME, Timing.LATE):
            late = when is Timing.LATE
            self._spawn(until_stored(lambda: self.dispatcher.run_snooze(snooze, late=late), snooze_job_id(snooze.id)),
                        snooze_job_id(snooze.id))  # fmt: skip
        else:
            await self.dispatcher.skip_snooze(snooze, f"bot offline when due ({when.value})")

    async def refresh_guild(self, guild_id: int) -> None:
        for event in await self._events.repository.list(guild_id):
            await self.plan(event, at_start=False)

    # --- the jobs --------------------------------------------------------------------------------

    async def _fire(self, event_id: int, guild_id: int, lead: int, audience: str, instant: datetime) -> None:
        """A reminder job is due: hand it to the dispatcher and return (the scheduler only says "due")."""
        job = ReminderJob(event_id, guild_id, lead, Audience(audience), instant)
        self._spawn(until_stored(lambda: self._run_due(job), job.job_id), job.job_id)

    async def _run_due(self, job: ReminderJob) -> object:
        """Send a due job, or skip it when too late; judged again at each attempt (the store may have been
        away for a while)."""
        when = timing(job.due_at, job.instant, self._clock.now(), self.grace)
        if when in (Timing.STARTED, Timing.TOO_LATE):
            return await self.dispatcher.skip_job(job, f"fired too late ({when.value})")
        return await self.dispatcher.run_job(job, late=when is Timing.LATE)

    async def _fire_snooze(self, snooze_id: int) -> None:
        # The scheduler has dropped this one-off job once it returns: the store is waited for in a task.
        self._spawn(until_stored(lambda: self._snooze_due(snooze_id), f"snooze:{snooze_id}"), f"snooze:{snooze_id}")

    async def _snooze_due(self, snooze_id: int) -> None:
        snooze = await self._repository.snooze(snooze_id)
        if snooze is not None:
            await self._plan_snooze(snooze, at_start=True)  # due now: sent, or skipped if somehow too late

    async def sweep(self) -> None:
        """Settle our claims left unconfirmed (Discord unreachable, a 5xx), and take over the claims of
        processes whose lease ended: the same recovery as at start."""
        cutoff = self._clock.now() - SWEEP_MIN_AGE
        try:
            await self._take_over()
            await self.membership.forget_dead()
            for delivery in await self._service.deliveries.unconfirmed(claimed_by=self.membership.process_id):
                if (delivery.claimed_at or cutoff) < cutoff and not self.sender.in_flight(delivery.key):
                    await self.dispatcher.recover(delivery)
        except StoreUnavailableError as exc:
            log.warning("reminders sweep: %s; the next sweep tries again", exc)

    async def _take_over(self) -> int:
        """Claims of dead processes become ours (atomically: each goes to one live process) and are settled by
        the nonce recovery; a few hundred at a time so a large orphaned fan-out is shared among survivors."""
        settled = 0
        while taken := await self._service.deliveries.take_over(self.membership.process_id, now=self._clock.now()):
            if settled == 0:
                log.info("reminders: taking over %d claim(s) of a process whose lease ended", len(taken))
            for delivery in taken:
                await self.dispatcher.recover(delivery)
            settled += len(taken)
        return settled

    # --- listeners -------------------------------------------------------------------------------

    async def on_event_change(self, change: EventChange) -> Notice | None:
        """The events service stored a change: move, drop or add jobs; tell followers of a move."""
        event = change.event
        if change.date_moved or change.kind in (ChangeKind.CANCELLED, ChangeKind.DELETED):
            self.dispatcher.stop_runs(event.id)
            await self._drop_stale_snoozes(event.id, None if change.after is None else change.after.reminder_instant())
        if change.kind is ChangeKind.DELETED:
            for job_id in self.board.ids(f"remind:{event.id}:"):
                self.board.drop(job_id)
            await self._repository.delete_for_event(event.id)
            return None
        assert change.after is not None
        await self.plan(change.after, at_start=False)
        if change.kind not in _NOTICE_KINDS or not (change.date_moved or change.kind is ChangeKind.CANCELLED):
            return None
        sequence = change.after.sequence
        plans = [plan for plan in await self.dispatcher.plans_since(change.at, event.id) if plan.sequence == sequence]
        told = 0
        for plan in plans:
            followers = await self.dispatcher.notice_followers(plan)
            if not followers:
                continue
            told += len(followers)
            self._spawn_notice(plan, followers)
        return Notice("reminders.admin.notified", {"count": told}) if told else None

    async def _drop_stale_snoozes(self, event_id: int, instant: datetime | None) -> None:
        for snooze in await self._repository.snoozes(event_id=event_id):
            if snooze.instant != instant:
                self.board.drop(snooze_job_id(snooze.id))
                await self._repository.delete_snooze(snooze.id)

    async def on_reminder_change(self, change: ReminderChange) -> None:
        """A member subscribed, unsubscribed, snoozed, or moderators set channel lead times."""
        if not self.ready.is_set():
            if self._starting:
                self._early.append(change)
            return  # not started: start() plans everything from the database
        if change.snooze_id is not None:
            snooze = await self._repository.snooze(change.snooze_id)
            if snooze is not None:
                await self._plan_snooze(snooze, at_start=False)
            return
        if change.event_id is None:
            await self.refresh_guild(change.guild_id)
            return
        event = await self._events.repository.get_by_id(change.event_id)
        if event is None:
            return
        await self.plan(event, at_start=False)

    # --- other processes' changes (PostgreSQL) ----------------------------------------------------

    def _heard_plans(self, key: str) -> None:
        guild_id, event_id, snooze_id = (int(part) if part else None for part in key.split(":"))
        assert guild_id is not None
        self._follow(f"plans:{key}", lambda: self.on_reminder_change(ReminderChange(guild_id, event_id, snooze_id)))

    def _heard_events(self, key: str) -> None:
        self._follow(f"events:{key}", lambda: self._others_changed_events(int(key)))

    def _heard_everything(self) -> None:
        """The feed may have missed changes (its connection dropped): plan from the store, as at start."""
        self._follow("*", self._plan_everything)

    def _follow(self, key: str, work: Callable[[], Awaitable[object]]) -> None:
        """Called by the change feed on the event loop, so it must not block: the replan runs in a task. A
        burst of changes to one event (many members subscribing) is planned once per read of the store."""
        if not self._starting or self._bot.is_closed() or key in self._heard:
            return  # not started: start() plans everything from the store
        self._heard.add(key)

        async def follow() -> object:
            self._heard.discard(key)  # a change heard from now on may not be in what is read next
            if key == "*" and not self.ready.is_set():
                return None  # start() is reading everything
            return await work()

        self._spawn(until_stored(follow, f"replan {key}"), f"replan {key}")

    async def _others_changed_events(self, guild_id: int) -> None:
        """Another process changed a server's events: plan them again, and share the notices of a moved or
        cancelled event with that process (the ledger splits the followers; if it died, they are ours)."""
        if not await self._repository.has_reminders(guild_id):
            return  # most servers (a new one seeded by another process): no job, nobody to tell
        await self.on_reminder_change(ReminderChange(guild_id))
        if not self.ready.is_set():
            return  # start() sends the notices of the grace window
        for plan in await self.dispatcher.plans_since(self._clock.now() - self.grace):
            if plan.guild_id == guild_id:
                self._spawn_notice(plan)

    def job_run_at(self, event_id: int, lead: int, audience: Audience = Audience.DM) -> datetime | None:
        return self.board.run_at(reminder_job_id(event_id, lead, audience))


def _shards(bot: SummitBot) -> tuple[tuple[int, ...], int]:
    count = bot.shard_count or 1
    return (tuple(bot.shard_ids) if bot.shard_ids else tuple(range(count))), count


def _latency_ms(bot: SummitBot) -> int | None:
    latency = bot.latency
    return None if latency != latency or latency == float("inf") else round(latency * 1000)  # NaN / inf: not connected
