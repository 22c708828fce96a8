"""The scheduler glue: reminder jobs in APScheduler, keyed by stable ids, timed on the injected clock.

APScheduler waits on the wall clock; the bot reasons on its injected Clock. A job due at T (clock
time) is set to run after T - clock.now(), so both agree however the clock is set (tests move it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock

log = logging.getLogger(__name__)

PREFIXES = ("remind:", "snooze:", "reminders:")


class JobBoard:
    def __init__(self, scheduler: AsyncIOScheduler, clock: Clock) -> None:
        self._scheduler = scheduler
        self._clock = clock

    def put(self, job_id: str, due_at: datetime, func: Callable[..., object], args: Sequence[object]) -> None:
        """Add or move the job `job_id` so it runs `func(*args)` at `due_at` (clock time)."""
        run_at = datetime.now(UTC) + (due_at - self._clock.now())
        self._scheduler.add_job(
            func,
            trigger=DateTrigger(run_date=run_at, timezone=UTC),
            id=job_id,
            args=list(args),
            replace_existing=True,
            # However late the loop wakes up, run it: the dispatcher decides on lateness itself.
            misfire_grace_time=None,
            coalesce=True,
        )

    def every(self, job_id: str, seconds: float, func: Callable[..., object]) -> None:
        self._scheduler.add_job(
            func, trigger=IntervalTrigger(seconds=seconds), id=job_id, replace_existing=True,
            misfire_grace_time=None, coalesce=True, max_instances=1,
        )  # fmt: skip

    def drop(self, job_id: str) -> None:
        try:
            self._scheduler.remove_job(job_id)
        except JobLookupError:
            return

    def ids(self, prefix: str) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs() if job.id.startswith(prefix)]

    def run_at(self, job_id: str) -> datetime | None:
        """When the job runs, in clock time (for tests and /remind list)."""
        job = self._scheduler.get_job(job_id)
        if job is None or job.next_run_time is None:
            return None
        return job.next_run_time.astimezone(UTC) - datetime.now(UTC) + self._clock.now()

    def drop_all(self) -> None:
        for prefix in PREFIXES:
            for job_id in self.ids(prefix):
                self.drop(job_id)
