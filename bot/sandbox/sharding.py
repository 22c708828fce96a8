"""Sharding as Discord does it: which shard a guild belongs to, and the limits on starting sessions.

- A guild's events go to shard `(guild_id >> 22) % shard_count`; DMs (no guild) go to shard 0.
- IDENTIFY is limited per bucket (`shard_id % max_concurrency`): one per bucket per window (5 s on
  Discord). A too-fast IDENTIFY is answered with opcode 9 Invalid Session, as Discord's docs say.
- `session_start_limit`: every IDENTIFY spends one of `total` session starts; none left, opcode 9 too.
- A session that would hold more guilds than `sharding_threshold` (2,500 on Discord) is closed 4011.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SHARDING_REQUIRED = 4011
INVALID_SHARD = 4010

DAY_MS = 86_400_000


class InvalidShard(ValueError):
    """The `shard` field of an IDENTIFY is not [shard_id, shard_count] with 0 <= shard_id < shard_count."""


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """The shard that receives a guild's events; events without a guild (DMs) go to shard 0."""
    if guild_id is None:
        return 0
    return (guild_id >> 22) % shard_count


def parse_shard(value: Any) -> tuple[int, int] | None:
    """The IDENTIFY's `shard` as (shard_id, shard_count); None when absent."""
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != 2 or not all(type(x) is int for x in value):
        raise InvalidShard("shard must be [shard_id, shard_count]")
    shard_id, shard_count = value
    if shard_count < 1 or not 0 <= shard_id < shard_count:
        raise InvalidShard(f"shard {shard_id} of {shard_count} does not exist")
    return shard_id, shard_count


def event_guild_id(event: str, data: Any) -> int | None:
    """The guild an event belongs to (its `guild_id`; the `id` of GUILD_* events about the guild itself)."""
    if not isinstance(data, dict):
        return None
    raw = data.get("id") if event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE") else data.get("guild_id")
    return int(raw) if raw is not None else None


@dataclass
class ShardingLimits:
    """The knobs Discord sets per bot; tests shrink the window and the totals."""

    max_concurrency: int = 1
    identify_window: float = 5.0  # seconds between two IDENTIFYs of one bucket; 0: not enforced
    session_start_total: int = 1000
    guilds_per_shard: int = 1000  # what GET /gateway/bot's `shards` recommends
    recommended_shards: int | None = None  # a fixed recommendation instead (summit-bot emulator --shards)
    sharding_threshold: int = 2500  # more guilds than this in one session: 4011


@dataclass
class IdentifyGate:
    """Who may IDENTIFY now: the per-bucket window and the session starts left."""

    limits: ShardingLimits
    clock: Callable[[], float] = time.monotonic
    remaining: int = field(init=False)
    reset_at: float = field(init=False)
    _last: dict[int, float] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.remaining = self.limits.session_start_total
        self.reset_at = self.clock() + DAY_MS / 1000

    def bucket(self, shard_id: int) -> int:
        return shard_id % self.limits.max_concurrency

    def admit(self, shard_id: int) -> str | None:
        """Spend a session start for `shard_id`; None when admitted, else why not (the IDENTIFY gets op 9)."""
        now = self.clock()
        if now >= self.reset_at:
            self.remaining, self.reset_at = self.limits.session_start_total, now + DAY_MS / 1000
        if self.remaining <= 0:
            return "no session start left"
        bucket = self.bucket(shard_id)
        last = self._last.get(bucket)
        if self.limits.identify_window > 0 and last is not None and now - last < self.limits.identify_window:
            return f"bucket {bucket} identified {now - last:.2f} s ago"
        self._last[bucket] = now
        self.remaining -= 1
        return None

    def session_start_limit(self) -> dict[str, int]:
        reset_after = max(0, math.ceil((self.reset_at - self.clock()) * 1000))
        return {
            "total": self.limits.session_start_total,
            "remaining": self.remaining,
            "reset_after": reset_after,
            "max_concurrency": self.limits.max_concurrency,
        }

    def recommended_shards(self, guild_count: int) -> int:
        if self.limits.recommended_shards is not None:
            return self.limits.recommended_shards
        return max(1, math.ceil(guild_count / self.limits.guilds_per_shard))
