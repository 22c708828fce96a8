"""IDENTIFY pacing across processes: one IDENTIFY per bucket per window, whichever process sends it.

Before a shard IDENTIFYs, its bucket's advisory lock is taken (bot/storage/repositories/identify_locks.py,
a connection per bucket); it is released `window` seconds after the IDENTIFY went out (plus a small
margin for the time between the hook and the frame reaching Discord). Another process waiting for the
same bucket is let through only then, so no two IDENTIFYs of one bucket reach Discord within the window.
If the store cannot be reached, the shard still connects, paced within this process only (logged): a
PostgreSQL restart must not keep a shard from reconnecting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.storage.database import StoreUnavailableError
from bot.storage.dialect import StoreURL

if TYPE_CHECKING:
    from bot.storage.repositories.identify_locks import BucketLockConnection

log = logging.getLogger(__name__)

# The IDENTIFY frame leaves a moment after the hook returns and reaches Discord later still.
SEND_MARGIN = 0.1


class StoreIdentifyLocks:
    def __init__(self, store: StoreURL, *, window: float, margin: float = SEND_MARGIN) -> None:
        self._store = store
        self.hold_for = window + margin
        self._connections: dict[int, BucketLockConnection] = {}
        self._opening: dict[int, asyncio.Lock] = {}
        # A session's advisory lock is re-entrant and its connection runs one query at a time: shards of
        # one bucket in this process queue here first, each until its own release.
        self._local: dict[int, asyncio.Lock] = {}
        self._releases: set[asyncio.Task[None]] = set()

    async def take(self, bucket: int) -> None:
        """Return once this process holds `bucket`; it is released `hold_for` seconds later by itself."""
        local = self._local.setdefault(bucket, asyncio.Lock())
        await local.acquire()
        connection: BucketLockConnection | None
        try:
            connection = await self._connection(bucket)
            await connection.lock()
        except StoreUnavailableError as exc:
            log.warning("IDENTIFY of bucket %d paced in this process only: %s", bucket, exc)
            await self._forget(bucket)
            connection = None
        except BaseException:
            local.release()
            raise
        release = asyncio.create_task(self._release_later(bucket, connection, local))
        self._releases.add(release)
        release.add_done_callback(self._releases.discard)

    async def _connection(self, bucket: int) -> BucketLockConnection:
        # Imported here, not at the top: it needs asyncpg, which a bot on SQLite never loads.
        from bot.storage.repositories.identify_locks import BucketLockConnection

        async with self._opening.setdefault(bucket, asyncio.Lock()):
            if bucket not in self._connections:
                self._connections[bucket] = await BucketLockConnection.open(self._store, bucket)
            return self._connections[bucket]

    async def _release_later(self, bucket: int, connection: BucketLockConnection | None, local: asyncio.Lock) -> None:
        try:
            await asyncio.sleep(self.hold_for)
            if connection is not None:
                await connection.unlock()
        except StoreUnavailableError:
            await self._forget(bucket)  # its lock went with the connection; the next IDENTIFY opens another
        finally:
            local.release()

    async def _forget(self, bucket: int) -> None:
        connection = self._connections.pop(bucket, None)
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

    async def close(self) -> None:
        """Closing the connections drops any lock still held: a stopping process holds up no one."""
        for release in list(self._releases):
            release.cancel()
        for release in list(self._releases):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await release
        for connection in self._connections.values():
            with contextlib.suppress(Exception):
                await connection.close()
        self._connections.clear()
