"""The sender: the only code that posts a reminder, always through the ledger.

Protocol for one message (its key names it; its nonce is derived from the key):
1. claim   — INSERT the ledger row as 'claimed' (a conflict means it is already handled: stop);
2. send    — POST it with `nonce` and `enforce_nonce: true` (bot/pacing.py keeps it under the global limit);
3. mark    — once Discord answered with the message, mark the row 'sent' with the message id.
A closed DM (Discord error 50007) is marked 'closed_dm', once, and the member is told later; another
refusal is marked 'failed'. A send whose outcome is unknown (Discord unreachable, 5xx after
discord.py's own retries) stays 'claimed' for recovery.

Recovery of a 'claimed' row (after a crash, or found by the periodic sweep):
- inside the nonce window, send again with the same nonce: Discord creates it, or returns the message
  it already created — either way exactly one;
- past the window, read the channel's messages since the claim for the message's reference, and only
  send when it is not there.

A store that is unavailable (PostgreSQL restarting, connections dropped) does not end a delivery: each
ledger read or write is tried again until it goes through (bot/reminders/retry.py). A mark that waits
after Discord accepted the message leaves the row 'claimed' meanwhile (if the process dies, recovery
re-sends with the nonce: one message). A claim whose COMMIT failed has an unknown outcome: the retry
finds the row, and it is ours when it is 'claimed' at our claim time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

import aiohttp
import discord
from discord.utils import time_snowflake

from bot.clock import Clock
from bot.reminders.ledger import DeliveryKey, DeliveryState
from bot.reminders.planning import Audience
from bot.reminders.port import DiscordPort
from bot.reminders.retry import until_stored
from bot.storage.repositories.deliveries import Delivery, DeliveryRepository
from bot.storage.repositories.reminders import ReminderRepository

log = logging.getLogger(__name__)
T = TypeVar("T")

CANNOT_DM = 50007
UNKNOWN_CHANNEL = 10003
# How far before the claim the history is read (clocks differ a little between us and Discord).
HISTORY_MARGIN = timedelta(minutes=5)
HISTORY_PAGES = 10
HISTORY_PAGE_SIZE = 100

# A test stops the flow at one of these steps to play a crash there.
STEPS = ("before_claim", "claimed", "sent", "marked")
Checkpoint = Callable[[str, DeliveryKey], Awaitable[None]]


@dataclass(frozen=True)
class OutgoingMessage:
    """What a reminder looks like; the payload gets the nonce when it is sent."""

    embed: discord.Embed
    content: str | None = None
    view: discord.ui.View | None = None
    allowed_mentions: discord.AllowedMentions | None = None

    def payload(self, nonce: str) -> dict[str, Any]:
        mentions = self.allowed_mentions or discord.AllowedMentions.none()
        payload: dict[str, Any] = {
            "nonce": nonce,
            "enforce_nonce": True,
            "embeds": [self.embed.to_dict()],
            "allowed_mentions": mentions.to_dict(),
        }
        if self.content:
            payload["content"] = self.content
        if self.view is not None:
            payload["components"] = self.view.to_components()
        return payload


@dataclass(frozen=True)
class Outgoing:
    key: DeliveryKey
    guild_id: int
    due_at: datetime
    late: bool
    message: OutgoingMessage


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY = "already"  # the ledger already had it (sent, skipped, or being sent)
    CLOSED_DM = "closed_dm"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNCONFIRMED = "unconfirmed"  # left 'claimed': recovery will settle it


class Sender:
    def __init__(
        self,
        port: DiscordPort,
        deliveries: DeliveryRepository,
        reminders: ReminderRepository,
        clock: Clock,
        *,
        nonce_window: timedelta,
        checkpoint: Checkpoint | None = None,
        on_notice: Callable[[int, int], None] | None = None,
        process_id: str | None = None,
    ) -> None:
        self._port = port
        self._deliveries = deliveries
        self._reminders = reminders
        self._clock = clock
        self._nonce_window = nonce_window
        self._checkpoint = checkpoint
        self._on_notice = on_notice  # told (guild, member) when a notice waits for the member
        self._process_id = process_id  # written on each claim: who holds it (bot/cluster)
        # Claimed by this process and not settled yet: recovery leaves them alone.
        self._in_flight: set[DeliveryKey] = set()

    def in_flight(self, key: DeliveryKey) -> bool:
        return key in self._in_flight

    async def deliver(self, outgoing: Outgoing) -> Outcome:
        """Claim, send, mark. Never sends what the ledger already has."""
        key = outgoing.key
        await self._step("before_claim", key)
        if not await self._claim(outgoing):
            return Outcome.ALREADY
        self._in_flight.add(key)
        try:
            await self._step("claimed", key)
            return await self._send(key, outgoing.guild_id, outgoing.message)
        finally:
            self._in_flight.discard(key)

    async def _claim(self, outgoing: Outgoing) -> bool:
        key, at = outgoing.key, self._clock.now()
        attempts = 0

        async def claim() -> bool:
            nonlocal attempts
            attempts += 1
            if await self._deliveries.claim(key, guild_id=outgoing.guild_id, due_at=outgoing.due_at,
                                            late=outgoing.late, at=at, by=self._process_id):  # fmt: skip
                return True
            if attempts == 1:
                return False
            # A retry: the failed attempt may have committed. Its row is ours: 'claimed' at our time.
            row = await self._deliveries.get(key)
            return row is not None and row.state is DeliveryState.CLAIMED and row.claimed_at == at

        return await _finish(claim, f"{key.reference}: claim")

    async def recover(self, delivery: Delivery, message: OutgoingMessage | None) -> Outcome:
        """Settle a claim nobody confirmed. `message` is None when it is no longer wanted."""
        key = delivery.key
        if key in self._in_flight or delivery.state is not DeliveryState.CLAIMED:
            return Outcome.ALREADY
        self._in_flight.add(key)
        try:
            # `delivery` was read before: another task (on another connection) may have settled it since.
            current = await until_stored(lambda: self._deliveries.get(key), f"{key.reference}: read the claim")
            if current is None or current.state is not DeliveryState.CLAIMED:
                return Outcome.ALREADY
            delivery = current
            claimed_at = delivery.claimed_at or delivery.due_at
            inside_window = self._clock.now() - claimed_at < self._nonce_window
            if not inside_window:
                found = await self._find_in_history(key, claimed_at)
                if found is not None:
                    message_id, channel_id = found
                    at = self._clock.now()
                    await _finish(lambda: self._deliveries.mark_sent(key, message_id=message_id,
                                                                     channel_id=channel_id, at=at),
                                  f"{key.reference}: mark sent")  # fmt: skip
                    log.info("recovered %s: found in the channel's history", key.reference)
                    return Outcome.SENT
            if message is None:
                # Not wanted any more (moved, unsubscribed); inside the window it may have left already.
                await _finish(lambda: self._deliveries.mark(key, DeliveryState.SKIPPED, error="not wanted any more"),
                              f"{key.reference}: mark skipped")
                return Outcome.SKIPPED
            # Inside the window the same nonce makes this safe; past it, the history said it is not there.
            outcome = await self._send(key, delivery.guild_id, message)
            log.info("recovered %s: %s (%s the nonce window)", key.reference, outcome.value,
                     "inside" if inside_window else "past")  # fmt: skip
            return outcome
        finally:
            self._in_flight.discard(key)

    # --- one send --------------------------------------------------------------------------------

    async def _send(self, key: DeliveryKey, guild_id: int, message: OutgoingMessage) -> Outcome:
        payload = message.payload(key.nonce)
        try:
            channel_id = await self._channel(key)
            try:
                created = await self._port.create_message(channel_id, payload)
            except discord.NotFound as exc:
                if key.audience is not Audience.DM or exc.code != UNKNOWN_CHANNEL:
                    raise
                # A stored DM channel Discord no longer knows: open it again, once.
                await _finish(lambda: self._reminders.forget_dm_channel(key.recipient_id),
                              f"{key.reference}: forget the DM channel")
                channel_id = await self._channel(key)
                created = await self._port.create_message(channel_id, payload)
        except discord.Forbidden as exc:
            if key.audience is Audience.DM and exc.code == CANNOT_DM:
                error, at = exc.text or "cannot send DMs", self._clock.now()
                await _finish(lambda: self._deliveries.mark(key, DeliveryState.CLOSED_DM, error=error),
                              f"{key.reference}: mark closed_dm")
                await _finish(lambda: self._reminders.add_pending_notice(guild_id, key.recipient_id, key.event_id,
                                                                         at=at),
                              f"{key.reference}: note the closed DM")  # fmt: skip
                if self._on_notice is not None:
                    self._on_notice(guild_id, key.recipient_id)
                log.info("%s: member %s does not accept DMs", key.reference, key.recipient_id)
                return Outcome.CLOSED_DM
            return await self._failed(key, exc)
        except discord.DiscordServerError as exc:
            log.warning("%s: Discord failed (%s); left for recovery", key.reference, exc)
            return Outcome.UNCONFIRMED
        except discord.HTTPException as exc:
            return await self._failed(key, exc)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning("%s: Discord unreachable (%s); left for recovery", key.reference, exc)
            return Outcome.UNCONFIRMED
        await self._step("sent", key)
        message_id, sent_to, at = int(created["id"]), int(created["channel_id"]), self._clock.now()
        # Discord has the message: this mark waits for the store however long it is away.
        await _finish(lambda: self._deliveries.mark_sent(key, message_id=message_id, channel_id=sent_to, at=at),
                      f"{key.reference}: mark sent")
        await self._step("marked", key)
        return Outcome.SENT

    async def _failed(self, key: DeliveryKey, exc: discord.HTTPException) -> Outcome:
        log.warning("%s: Discord refused (%s %s): %s", key.reference, exc.status, exc.code, exc.text)
        error = f"{exc.status} {exc.code} {exc.text}"[:300]
        await _finish(lambda: self._deliveries.mark(key, DeliveryState.FAILED, error=error),
                      f"{key.reference}: mark failed")
        return Outcome.FAILED

    async def _channel(self, key: DeliveryKey) -> int:
        if key.audience is Audience.CHANNEL:
            return key.recipient_id
        stored = await until_stored(lambda: self._reminders.dm_channel(key.recipient_id),
                                    f"{key.reference}: read the DM channel")
        if stored is not None:
            return stored
        channel_id = await self._port.open_dm(key.recipient_id)
        await _finish(lambda: self._reminders.set_dm_channel(key.recipient_id, channel_id),
                      f"{key.reference}: store the DM channel")
        return channel_id

    async def _find_in_history(self, key: DeliveryKey, claimed_at: datetime) -> tuple[int, int] | None:
        """(message id, channel id) of the message carrying the key's reference, posted since the claim."""
        if key.audience is Audience.CHANNEL:
            channel_id: int | None = key.recipient_id
        else:
            # The DM channel is stored before anything is sent to it: none stored, nothing sent.
            channel_id = await until_stored(lambda: self._reminders.dm_channel(key.recipient_id),
                                            f"{key.reference}: read the DM channel")
        if channel_id is None:
            return None
        after = time_snowflake(claimed_at - HISTORY_MARGIN)
        for _ in range(HISTORY_PAGES):
            page = await self._port.messages_after(channel_id, after, HISTORY_PAGE_SIZE)
            for message in page:
                if _mentions_reference(message, key.reference):
                    return int(message["id"]), channel_id
            if len(page) < HISTORY_PAGE_SIZE:
                return None
            after = max(int(message["id"]) for message in page)
        return None

    async def _step(self, step: str, key: DeliveryKey) -> None:
        if self._checkpoint is not None:
            await self._checkpoint(step, key)


async def _finish(write: Callable[[], Awaitable[T]], what: str) -> T:
    """A store write, tried again while the store is unavailable. Each attempt is finished even if the task
    is cancelled meanwhile (a shutdown): a cancelled aiosqlite call still runs in its thread, and a
    transaction cut in the middle would stay open. A cancel during the wait between attempts stops them."""
    return await until_stored(lambda: asyncio.shield(write()), what)


def _mentions_reference(message: dict[str, Any], reference: str) -> bool:
    if reference in (message.get("content") or ""):
        return True
    for embed in message.get("embeds") or []:
        footer = (embed.get("footer") or {}).get("text") or ""
        if reference in footer or reference in (embed.get("description") or ""):
            return True
    return False
