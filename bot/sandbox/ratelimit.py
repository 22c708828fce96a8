"""Rate limits as Discord announces and enforces them.

- Per-route buckets keyed by route template + major parameter (channel, guild, webhook), announced
  on every response with the X-RateLimit-* headers discord.py reads. Generous by default.
- A global limit in requests per second over bot-authenticated calls (interaction callbacks are
  exempt, as on Discord). Over it: 429 with `"global": true`, which makes discord.py pause every
  request until `retry_after` has passed, then retry.

Windows use the monotonic clock: rate limits are about real time, not the emulator's test clock.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

MAJOR_PARAMETERS = ("channel_id", "guild_id", "webhook_id", "interaction_id")


@dataclass
class BucketState:
    bucket: str
    limit: int
    remaining: int
    reset_after: float

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": f"{time.time() + self.reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{self.reset_after:.3f}",
            "X-RateLimit-Bucket": self.bucket,
        }


class RateLimited(Exception):
    def __init__(self, retry_after: float, *, is_global: bool, state: BucketState | None) -> None:
        super().__init__(f"rate limited for {retry_after:.3f}s (global={is_global})")
        self.retry_after = retry_after
        self.is_global = is_global
        self.state = state

    def body(self) -> dict[str, object]:
        return {
            "message": "You are being rate limited.",
            "retry_after": round(self.retry_after, 3),
            "global": self.is_global,
        }

    def headers(self) -> dict[str, str]:
        headers = {"Retry-After": str(max(1, math.ceil(self.retry_after)))}
        if self.is_global:
            headers.update({"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"})
        else:
            headers["X-RateLimit-Scope"] = "user"
        if self.state is not None:
            headers.update(self.state.headers())
        return headers


class RateLimiter:
    def __init__(
        self,
        *,
        global_per_second: float | None,
        route_limit: tuple[int, float],
        route_overrides: dict[str, tuple[int, float]] | None = None,
    ) -> None:
        self.global_per_second = global_per_second
        self.route_limit = route_limit
        # "METHOD /template" -> (requests, per seconds)
        self.route_overrides = dict(route_overrides or {})
        self._global_window_start = 0.0
        self._global_count = 0
        self._buckets: dict[tuple[str, str], list[float]] = {}  # key -> [remaining, reset_at]
        self._hashes: dict[str, str] = {}

    def take_global(self) -> None:
        """Count one bot request against the global limit; raise RateLimited when over it."""
        if self.global_per_second is None:
            return
        now = time.monotonic()
        if now - self._global_window_start >= 1.0:
            self._global_window_start = now
            self._global_count = 0
        if self._global_count >= self.global_per_second:
            raise RateLimited(self._global_window_start + 1.0 - now, is_global=True, state=None)
        self._global_count += 1

    def take_route(self, route_key: str, params: dict[str, str]) -> BucketState:
        """Count one request in its route bucket; raise RateLimited when the bucket is empty."""
        limit, per = self.route_overrides.get(route_key, self.route_limit)
        bucket = self._bucket_hash(route_key)
        major = ":".join(params[name] for name in MAJOR_PARAMETERS if name in params)
        key = (bucket, major)
        now = time.monotonic()
        entry = self._buckets.get(key)
        if entry is None or now >= entry[1]:
            if len(self._buckets) > 100_000:
                self._prune(now)
            entry = self._buckets[key] = [float(limit), now + per]
        if entry[0] <= 0:
            state = BucketState(bucket, limit, 0, entry[1] - now)
            raise RateLimited(entry[1] - now, is_global=False, state=state)
        entry[0] -= 1
        return BucketState(bucket, limit, int(entry[0]), entry[1] - now)

    def peek_route(self, route_key: str) -> BucketState:
        """Headers for a response that took nothing from a bucket (unknown routes, global 429s)."""
        limit, per = self.route_overrides.get(route_key, self.route_limit)
        return BucketState(self._bucket_hash(route_key), limit, limit, per)

    def _bucket_hash(self, route_key: str) -> str:
        value = self._hashes.get(route_key)
        if value is None:
            value = self._hashes[route_key] = hashlib.blake2b(route_key.encode(), digest_size=16).hexdigest()
        return value

    def _prune(self, now: float) -> None:
        for key in [key for key, entry in self._buckets.items() if now >= entry[1]]:
            del self._buckets[key]
