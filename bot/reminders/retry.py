"""Waiting out a store that is down: a reminder step that failed because the store was unavailable
(PostgreSQL restarting, its connections dropped) is tried again, the wait doubling from FIRST_WAIT up to
MOST_WAIT seconds, until it goes through or its task is cancelled (a shutdown: recovery resumes it).

Only StoreUnavailableError is retried; any other error is the caller's. Steps retried here are safe to
repeat: ledger writes are idempotent, and a fan-out re-reads who is still owed (the ledger has the rest).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.storage.database import StoreUnavailableError

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_WAIT = 0.25
MOST_WAIT = 5.0


async def until_stored(step: Callable[[], Awaitable[T]], what: str) -> T:
    """`await step()`, again after a growing wait for as long as it fails with StoreUnavailableError."""
    wait = FIRST_WAIT
    failures = 0
    while True:
        try:
            result = await step()
        except StoreUnavailableError as exc:
            failures += 1
            # One warning per outage and step; the later attempts only at debug level.
            level = logging.WARNING if failures == 1 else logging.DEBUG
            log.log(level, "%s: %s; trying again in %.2f s", what, exc, wait)
            await asyncio.sleep(wait)
            wait = min(wait * 2, MOST_WAIT)
            continue
        if failures:
            log.info("%s: done after %d attempt(s) while the store was unavailable", what, failures + 1)
        return result
