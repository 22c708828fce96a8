"""This process's row in bot_processes: registered at start, renewed by a heartbeat, deleted at a clean stop.

Time is the bot's Clock, the same one that stamps ledger claims: leases and claims compare on one time
line (the tests' offset clocks included). A row is dropped at start, without waiting for its lease, when
its process is known to be gone: on SQLite every other row (the store lock allows one process), on any
store a row of this host whose pid no longer runs (a process restarted after a SIGKILL or a crash takes
over its predecessor's claims at once). A pid that runs again as another program only means waiting for
the lease: never a takeover too early.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import ClusterSettings
from bot.storage.database import StoreUnavailableError
from bot.storage.repositories.processes import ProcessRepository, ProcessRow

log = logging.getLogger(__name__)

# What the process runs now: (shard ids, shard count) and the gateway latency in ms (None: not connected).
Shards = Callable[[], tuple[tuple[int, ...], int]]
Latency = Callable[[], int | None]
# How long `summit-bot status` still lists a dead process once nothing of it is left to take over.
FORGET_AFTER = timedelta(minutes=10)


def new_process_id() -> str:
    return secrets.token_hex(8)


class Membership:
    def __init__(
        self,
        processes: ProcessRepository,
        clock: Clock,
        settings: ClusterSettings,
        *,
        single_process: bool,
        shards: Shards = lambda: ((), 0),
        latency: Latency = lambda: None,
        process_id: str | None = None,
    ) -> None:
        self.process_id = process_id or new_process_id()
        self._processes = processes
        self._clock = clock
        self._settings = settings
        self._single = single_process
        self._shards = shards
        self._latency = latency
        self._task: asyncio.Task[None] | None = None
        self._started_at: datetime | None = None

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self._settings.lease_seconds)

    async def start(self) -> None:
        """Register this process (idempotent) and start the heartbeat."""
        if self._task is not None:
            return
        host = socket.gethostname()
        for other in await self._processes.all():
            if other.id != self.process_id and (self._single or (other.host == host and not _running(other.pid))):
                log.info("cluster: process %s (%s pid %d) is gone; its claims are taken over", other.id,
                         other.host, other.pid)  # fmt: skip
                await self._processes.remove(other.id)
        await self._register()
        self._task = asyncio.create_task(self._beat_forever(), name=f"cluster: heartbeat {self.process_id}")

    async def _register(self) -> None:
        now = self._clock.now()
        self._started_at = self._started_at or now
        shard_ids, shard_count = self._shards()
        await self._processes.register(ProcessRow(
            id=self.process_id, host=socket.gethostname(), pid=os.getpid(), shard_ids=shard_ids,
            shard_count=shard_count, started_at=self._started_at, heartbeat_at=now, lease_until=now + self.lease,
            latency_ms=self._latency(), stopping=False,
        ))  # fmt: skip

    async def beat(self) -> None:
        """Renew the lease; a row removed meanwhile (declared dead) is written again."""
        now = self._clock.now()
        shard_ids, shard_count = self._shards()
        renewed = await self._processes.heartbeat(self.process_id, at=now, lease_until=now + self.lease,
                                                  latency_ms=self._latency(), shard_ids=shard_ids,
                                                  shard_count=shard_count)  # fmt: skip
        if not renewed:
            log.warning("cluster: this process's row was gone (lease ended?); registering again")
            await self._register()

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self._settings.heartbeat_seconds)  # a timer, not a wait for an event
            try:
                await self.beat()
            except StoreUnavailableError as exc:
                log.warning("cluster heartbeat: %s; trying again at the next beat", exc)
            except Exception:
                log.exception("cluster heartbeat failed; trying again at the next beat")

    async def forget_dead(self) -> int:
        """Rows of processes dead for a while whose claims were all taken over: nothing left to show."""
        return await self._processes.forget_dead(ended_before=self._clock.now() - FORGET_AFTER)

    async def stop(self) -> None:
        """A clean stop: the heartbeat ends and the row is deleted, which releases every lease at once."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        try:
            await asyncio.shield(self._processes.remove(self.process_id))
        except StoreUnavailableError as exc:
            log.warning("cluster: could not remove this process's row (%s); its lease ends by itself", exc)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another membership of this very process (tests), or an earlier one reusing the pid: wait
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
