"""Changes made by other processes: the caches each process keeps are dropped when the data under them changes.

The one place where the boundary between processes shows. A writer calls `publish(tx, topic, key)` inside
its transaction (one opened with `ChangeFeed.transaction()`); once that transaction has committed, every
process calls the invalidators registered for the topic with the key (a server id, for caches kept per
server). Nothing is delivered for a transaction rolled back. A subscriber that already follows its own
process's changes in process (the reminder runtime replanning jobs) subscribes with `others_only`: each
notice carries the feed's `origin`, so it hears only what other processes changed.

- PostgreSQL: `SELECT pg_notify(?, ?)` in the transaction. PostgreSQL delivers it only on commit, so no
  process hears of a change before it can read it. Each process LISTENs on a dedicated connection (LISTEN
  belongs to one connection: a pooled one would lose it); when that connection drops, the feed reconnects
  with backoff and then drops EVERY cache, since what was published meanwhile is unknown (logged once per
  outage).
- SQLite: one process owns the file (the store lock), so the feed calls the invalidators in process,
  after the commit.

Content that changes only with a release (the declaration and its rendered pages, the book, the shipped
catalogue) is read once per process and needs no notification: a release is a new process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.storage.database import Database, Transaction

if TYPE_CHECKING:
    import asyncpg

log = logging.getLogger(__name__)

CHANNEL = "summit_cache"
APPLICATION_NAME = "summit-bot change feed"
# PostgreSQL refuses a payload of 8000 bytes or more; ours are "topic:origin:key", a few dozen bytes.
MAX_PAYLOAD_BYTES = 7999
# A connection that died without a word (a halted server, a cut network) is noticed by this probe.
PROBE_SECONDS = 30.0

Invalidate = Callable[[str], None]
DropAll = Callable[[], None]


@dataclass(frozen=True)
class _Subscriber:
    topic: str
    invalidate: Invalidate
    drop_all: DropAll
    others_only: bool


class ChangeFeed:
    def __init__(self, database: Database, *, first_retry: float = 0.5, max_retry: float = 30.0) -> None:
        self._db = database
        self._first_retry = first_retry
        self._max_retry = max_retry
        self._subscribers: list[_Subscriber] = []
        self._pending: dict[int, list[tuple[str, str]]] = {}
        self._url: str | None = None
        self._connection: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None
        # Which process published a notice (the same in every notice of this feed, new with each feed).
        self.origin = secrets.token_hex(6)
        # Set while this process LISTENs (PostgreSQL): tests await it after cutting the connection.
        self.listening = asyncio.Event()

    @property
    def shared(self) -> bool:
        """Whether other processes may write the store (PostgreSQL)."""
        return self._db.dialect.name == "postgresql"

    def subscribe(self, topic: str, invalidate: Invalidate, drop_all: DropAll, *, others_only: bool = False) -> None:
        """`invalidate(key)` after each committed change published on `topic` (with `others_only`, only those
        of other processes); `drop_all()` when changes may have been missed. Both run on the event loop and
        must not block."""
        self._subscribers.append(_Subscriber(topic, invalidate, drop_all, others_only))

    # --- writing ---------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """The store's transaction; what was published in it is delivered once it has committed."""
        published: list[tuple[str, str]] = []
        token: int | None = None
        try:
            async with self._db.transaction() as tx:
                token = id(tx)
                self._pending[token] = published
                yield tx
        finally:
            if token is not None:
                self._pending.pop(token, None)
        if not self.shared:
            for topic, key in published:
                self._deliver(topic, self.origin, key)

    async def publish(self, tx: Transaction, topic: str, key: object) -> None:
        """Tell every process, once `tx` commits, that what `topic` holds for `key` changed."""
        payload = f"{topic}:{self.origin}:{key}"
        if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"change notice over {MAX_PAYLOAD_BYTES} bytes: {payload[:60]}…")
        if self.shared:
            await tx.fetch_value("SELECT pg_notify(?, ?)", (CHANNEL, payload))
            return
        pending = self._pending.get(id(tx))
        if pending is None:
            raise RuntimeError("publish() needs a transaction opened by ChangeFeed.transaction()")
        pending.append((topic, str(key)))

    # --- listening -------------------------------------------------------------------------------

    async def start(self, url: str) -> None:
        """LISTEN on a connection of its own (PostgreSQL; nothing to do on SQLite) until `stop()`."""
        if not self.shared or self._watcher is not None:
            return
        self._url = url
        await self._connect()
        self._watcher = asyncio.create_task(self._watch(), name="change-feed")

    async def stop(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await self._close_connection()

    async def _connect(self) -> None:
        # Imported here, not at the top: only PostgreSQL listens, and a SQLite bot need not load asyncpg.
        import asyncpg

        assert self._url is not None
        # Named, so an operator sees it in pg_stat_activity for what it is.
        connection = await asyncpg.connect(
            self._url, timeout=10, server_settings={"application_name": APPLICATION_NAME}
        )
        self._connection = connection
        self._lost.clear()
        # Only this connection's end counts: the one replaced may report its own end later.
        connection.add_termination_listener(lambda ended: self._lost.set() if ended is self._connection else None)
        try:
            await connection.add_listener(CHANNEL, self._on_notification)
        except BaseException:
            self._connection = None
            connection.terminate()
            raise
        self.listening.set()

    async def _close_connection(self) -> None:
        connection, self._connection = self._connection, None
        self.listening.clear()
        if connection is not None and not connection.is_closed():
            connection.terminate()  # no goodbye needed: LISTEN ends with the connection

    async def _watch(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._lost.wait(), PROBE_SECONDS)
            except TimeoutError:
                if await self._alive():
                    continue
            await self._close_connection()
            log.warning("change feed: lost its PostgreSQL connection; reconnecting, then every cache is dropped")
            await self._reconnect()
            self._drop_all()
            log.warning("change feed: listening again; every cache dropped (changes may have been missed)")

    async def _alive(self) -> bool:
        import asyncpg  # PostgreSQL only (see _connect)

        connection = self._connection
        if connection is None or connection.is_closed():
            return False
        try:
            await asyncio.wait_for(connection.fetchval("SELECT 1"), 10)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        return True

    async def _reconnect(self) -> None:
        import asyncpg  # PostgreSQL only (see _connect)

        delay = self._first_retry
        while True:
            try:
                await self._connect()
                return
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.debug("change feed: reconnect failed (%s); retrying in %.1f s", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_retry)

    def _on_notification(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        topic, _, rest = payload.partition(":")
        origin, _, key = rest.partition(":")
        self._deliver(topic, origin, key)

    # --- delivering ------------------------------------------------------------------------------

    def _deliver(self, topic: str, origin: str, key: str) -> None:
        for subscriber in list(self._subscribers):
            if subscriber.topic == topic and not (subscriber.others_only and origin == self.origin):
                try:
                    subscriber.invalidate(key)
                except Exception:
                    # A broken invalidator must not keep the others from hearing of the change.
                    log.exception("change feed: invalidator for %s failed on %r", topic, key)

    def _drop_all(self) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber.drop_all()
            except Exception:
                log.exception("change feed: dropping the %s cache failed", subscriber.topic)
