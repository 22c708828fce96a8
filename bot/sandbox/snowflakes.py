"""Snowflake ids, interaction tokens and the emulator's notion of "now"."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

Now = Callable[[], datetime]


def system_now() -> datetime:
    return datetime.now(UTC)


def as_now(clock: Any) -> Now:
    """Accept a callable returning an aware datetime, or an object with `.now()` (like bot.clock's clocks)."""
    if clock is None:
        return system_now
    if callable(clock):
        return clock
    now = getattr(clock, "now", None)
    if callable(now):
        return now
    raise TypeError("clock must be a callable returning an aware datetime, or have a .now() method")


def iso(moment: datetime) -> str:
    """Discord's timestamp format: ISO 8601 with microseconds and +00:00."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class SnowflakeFactory:
    """Snowflakes whose timestamp follows the emulator's clock and that never repeat.

    With a frozen test clock the timestamp part stops moving, so ids are kept strictly
    increasing by falling back to last + 1.
    """

    def __init__(self, now: Now) -> None:
        self._now = now
        self._last = 0

    def next(self) -> int:
        millis = int(self._now().timestamp() * 1000) - DISCORD_EPOCH_MS
        candidate = max(millis, 0) << 22
        self._last = max(candidate, self._last + 1)
        return self._last

    def next_in_new_millisecond(self) -> int:
        """A snowflake whose timestamp is later than every earlier one's: guilds made one after another
        then land on different shards ((id >> 22) % shard_count), as guilds made at different times do."""
        self.next()
        self._last = max(self._last, ((self._last >> 22) + 1) << 22)
        return self._last

    def next_str(self) -> str:
        return str(self.next())


def snowflake_time(snowflake: int) -> datetime:
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)


def interaction_token() -> str:
    """Random, URL-safe, about as long as Discord's."""
    return "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96)


def session_id() -> str:
    return secrets.token_hex(16)
