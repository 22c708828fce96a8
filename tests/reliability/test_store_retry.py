"""The sender waits out an unavailable store without losing or doubling a message (both stores).

The failures are real writes whose answer is lost: a repository on the real store that performs the write
and then raises StoreUnavailableError, as a connection cut right after COMMIT does (the outcome unknown to
the bot). The end-to-end runs against a real PostgreSQL dropped or halted are in
tests/e2e/test_store_unavailable.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot.clock import ManualClock
from bot.reminders.ledger import DeliveryKey, DeliveryState, instant_text
from bot.reminders.planning import Audience, DeliveryKind
from bot.reminders.retry import until_stored
from bot.reminders.sender import Outcome, Outgoing, OutgoingMessage, Sender
from bot.sandbox import DiscordEmulator
from bot.storage.database import StoreUnavailableError
from bot.storage.repositories.deliveries import DeliveryRepository
from tests.helpers.reminders import http_client, port_for, reminder_world

DUE = datetime(2027, 3, 15, 8, 0, tzinfo=UTC)
STARTS = DUE + timedelta(hours=1)
UNAVAILABLE = StoreUnavailableError("PostgreSQL at postgresql://bot@db/summit is unavailable (ConnectionResetError)")


class AnswerLost(DeliveryRepository):
    """The ledger on the real store; the first claim and the first mark are written, then their answer is lost."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.lost: list[str] = []

    async def claim(self, key: DeliveryKey, **values: object) -> bool:
        claimed = await super().claim(key, **values)  # type: ignore[arg-type]
        return self._lose("claim", claimed)

    async def mark_sent(self, key: DeliveryKey, **values: object) -> None:
        await super().mark_sent(key, **values)  # type: ignore[arg-type]
        self._lose("mark_sent", None)

    def _lose(self, what: str, result: object) -> object:
        if what not in self.lost:
            self.lost.append(what)
            raise UNAVAILABLE
        return result


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DUE)


@pytest.fixture
async def world(store_url, clock):
    async with reminder_world(store_url, clock) as built:
        yield built


@pytest.fixture
async def emulator(clock):
    async with DiscordEmulator(clock=clock, global_rate_limit=None) as emu:
        yield emu


def outgoing(guild_id: int, member_id: int) -> Outgoing:
    key = DeliveryKey(DeliveryKind.REMINDER, 1, instant_text(STARTS), Audience.DM, member_id, 3600)
    return Outgoing(key, guild_id, DUE, False, OutgoingMessage(embed=discord.Embed(description=key.reference)))


async def test_a_claim_and_a_mark_whose_answers_were_lost_still_send_exactly_once(world, emulator, clock):
    guild = emulator.create_guild("Summit Community")
    member = emulator.create_member(guild, "member")
    ledger = AnswerLost(world.db)
    message = outgoing(guild.id, member.id)
    async with http_client(emulator) as http:
        sender = Sender(port_for(http), ledger, world.reminders, clock, nonce_window=timedelta(seconds=240))
        assert await sender.deliver(message) is Outcome.SENT  # the retried claim found its own row
        assert await sender.deliver(message) is Outcome.ALREADY
    assert ledger.lost == ["claim", "mark_sent"]
    assert len(emulator.dm_messages(member)) == 1
    row = await world.deliveries.get(message.key)
    assert row is not None and row.state is DeliveryState.SENT


async def test_a_retried_claim_does_not_take_a_row_another_task_claimed(world, emulator, clock):
    guild = emulator.create_guild("Summit Community")
    member = emulator.create_member(guild, "member")
    message = outgoing(guild.id, member.id)

    class ClaimedByAnother(DeliveryRepository):
        """The first attempt fails before writing; meanwhile another task claims the message."""

        failed = False

        async def claim(self, key: DeliveryKey, **values: object) -> bool:
            if not self.failed:
                self.failed = True
                await world.deliveries.claim(key, guild_id=guild.id, due_at=DUE, late=False,
                                             at=clock.now() - timedelta(seconds=1))  # fmt: skip
                raise UNAVAILABLE
            return await super().claim(key, **values)  # type: ignore[arg-type]

    async with http_client(emulator) as http:
        sender = Sender(port_for(http), ClaimedByAnother(world.db), world.reminders, clock,
                        nonce_window=timedelta(seconds=240))  # fmt: skip
        assert await sender.deliver(message) is Outcome.ALREADY
    assert emulator.dm_messages(member) == []


async def test_until_stored_retries_only_an_unavailable_store_and_stops_when_cancelled():
    attempts: list[int] = []

    async def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise UNAVAILABLE
        return "done"

    assert await until_stored(flaky, "flaky") == "done" and len(attempts) == 3

    async def broken() -> None:
        attempts.append(1)
        raise ValueError("a bug, not the store")

    with pytest.raises(ValueError, match="a bug"):
        await until_stored(broken, "broken")

    async def down() -> None:
        raise UNAVAILABLE

    waiting = asyncio.create_task(until_stored(down, "down"))
    await asyncio.sleep(0)  # let it fail once and start waiting
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
