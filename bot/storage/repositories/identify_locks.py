"""PostgreSQL advisory locks that serialise IDENTIFYs of one bucket across every process on the store.

Each bucket's lock lives on a connection of its own, outside the pool: a session-level advisory lock
belongs to the connection that took it, and a pooled connection goes back to other work (and could
release it, or hold it forever). If the process dies, PostgreSQL drops the connection and the lock.
"""

from __future__ import annotations

import asyncpg

from bot.storage.database import StoreUnavailableError
from bot.storage.dialect import StoreURL

# What a dropped or unreachable server looks like through asyncpg on a lone connection.
_GONE = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError)

# The first key of pg_advisory_lock(int, int); the second is the bucket. Any constant unused elsewhere.
IDENTIFY_LOCK_KEY = 0x1D3_7F


class BucketLockConnection:
    """One dedicated connection holding (or waiting for) one bucket's advisory lock."""

    def __init__(self, connection: asyncpg.Connection, bucket: int) -> None:
        self._connection = connection
        self.bucket = bucket

    @classmethod
    async def open(cls, store: StoreURL, bucket: int) -> BucketLockConnection:
        try:
            connection = await asyncpg.connect(store.url)
        except (*_GONE, asyncpg.PostgresError) as exc:
            raise StoreUnavailableError(f"cannot connect to PostgreSQL at {store.description}: {exc}") from None
        return cls(connection, bucket)

    async def lock(self) -> None:
        """Wait until no other process holds this bucket, then hold it. StoreUnavailableError if the
        connection is gone (and with it any lock it held)."""
        await self._run("SELECT pg_advisory_lock($1, $2)")

    async def unlock(self) -> None:
        await self._run("SELECT pg_advisory_unlock($1, $2)")

    async def _run(self, sql: str) -> None:
        try:
            await self._connection.execute(sql, IDENTIFY_LOCK_KEY, self.bucket)
        except _GONE as exc:
            raise StoreUnavailableError(f"the IDENTIFY lock's connection is gone ({type(exc).__name__})") from None

    async def close(self) -> None:
        await self._connection.close()  # drops the lock if still held
