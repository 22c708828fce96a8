"""The change feed on both stores: what a committed transaction published reaches the other process once,
a rolled-back one nothing; on PostgreSQL a dropped listening connection comes back and drops every cache."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from bot.cluster.change_feed import APPLICATION_NAME, ChangeFeed
from bot.storage.database import open_database
from bot.storage.dialect import StoreURL

DEADLINE = 10.0  # seconds; a notification takes milliseconds


class Heard:
    """What one process's invalidators were called with, awaitable."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.dropped = 0
        self._changed = asyncio.Condition()

    def invalidate(self, key: str) -> None:
        self.keys.append(key)
        asyncio.get_running_loop().create_task(self._notify())

    def drop_all(self) -> None:
        self.dropped += 1
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def until(self, predicate) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), DEADLINE)


@asynccontextmanager
async def writer_and_reader(store_url: str) -> AsyncIterator[tuple[ChangeFeed, ChangeFeed]]:
    """Two processes' feeds on one PostgreSQL database (each its own pool); on SQLite, one process owns the
    file: the writer is the reader."""
    writing = await open_database(store_url)
    try:
        writer = ChangeFeed(writing, first_retry=0.05, max_retry=0.2)
        if StoreURL.parse(store_url).sqlite_path is not None:
            await writer.start(store_url)
            yield writer, writer
            return
        reading = await open_database(store_url)
        reader = ChangeFeed(reading, first_retry=0.05, max_retry=0.2)
        try:
            await reader.start(store_url)
            yield writer, reader
        finally:
            await reader.stop()
            await reading.close()
    finally:
        await writing.close()


async def test_committed_change_reaches_the_other_process_once_and_a_rolled_back_one_never(store_url):
    async with writer_and_reader(store_url) as (writer, reader):
        heard = Heard()
        reader.subscribe("events", heard.invalidate, heard.drop_all)
        with pytest.raises(RuntimeError, match="rolled back"):
            async with writer.transaction() as tx:
                await writer.publish(tx, "events", 111)
                raise RuntimeError("rolled back")
        async with writer.transaction() as tx:
            await writer.publish(tx, "events", 222)
        async with writer.transaction() as tx:
            await writer.publish(tx, "other-topic", 999)  # not this subscriber's topic
            await writer.publish(tx, "events", "end")
        # Notifications arrive in commit order: once "end" is here, anything before it would be too.
        await heard.until(lambda: "end" in heard.keys)
        assert heard.keys == ["222", "end"]
        assert heard.dropped == 0


async def test_a_subscriber_of_other_processes_changes_does_not_hear_its_own(store_url):
    async with writer_and_reader(store_url) as (writer, reader):
        await writer.start(store_url)  # the writing process listens too (on SQLite: already)
        try:
            own, others, everything = Heard(), Heard(), Heard()
            writer.subscribe("plans", own.invalidate, own.drop_all, others_only=True)
            reader.subscribe("plans", others.invalidate, others.drop_all, others_only=True)
            writer.subscribe("plans", everything.invalidate, everything.drop_all)
            async with writer.transaction() as tx:
                await writer.publish(tx, "plans", "1:2:")  # keys may hold the separator
            await everything.until(lambda: everything.keys == ["1:2:"])
            if writer.shared:
                await others.until(lambda: others.keys == ["1:2:"])
            else:
                assert others.keys == [], "on SQLite the writer is the only process"
            # The writer's own subscribers heard its notice at once: the one of other processes' was passed over.
            assert own.keys == []
        finally:
            if writer is not reader:
                await writer.stop()


async def test_publish_refuses_a_payload_over_the_limit_and_a_transaction_it_did_not_open(store_url):
    async with writer_and_reader(store_url) as (writer, _reader):
        async with writer.transaction() as tx:
            with pytest.raises(ValueError, match="over 7999 bytes"):
                await writer.publish(tx, "events", "x" * 8000)
        if not writer.shared:
            database = await open_database(store_url)
            try:
                async with database.transaction() as tx:
                    with pytest.raises(RuntimeError, match=r"ChangeFeed\.transaction"):
                        await writer.publish(tx, "events", 1)
            finally:
                await database.close()


async def test_a_dropped_listening_connection_comes_back_and_every_cache_is_dropped(postgres_url, caplog):
    async with writer_and_reader(postgres_url) as (writer, reader):
        heard = Heard()
        reader.subscribe("events", heard.invalidate, heard.drop_all)
        admin = await asyncpg.connect(postgres_url)
        try:
            cut = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
                APPLICATION_NAME,
            )
        finally:
            await admin.close()
        assert cut == 1
        await heard.until(lambda: heard.dropped == 1)
        assert reader.listening.is_set()
        async with writer.transaction() as tx:
            await writer.publish(tx, "events", 7)
        await heard.until(lambda: "7" in heard.keys)
        assert heard.keys == ["7"]
        lost = [r for r in caplog.records if "lost its PostgreSQL connection" in r.getMessage()]
        assert len(lost) == 1
