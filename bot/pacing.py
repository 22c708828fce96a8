"""Pacing under Discord's global rate limit: at most N of the bot's REST requests reach Discord in any second.

Discord counts a request when it arrives, which is some unknown time after we send it and before its
answer comes back. So the n-th request may start only once every request up to the (n - N)-th has been
answered, and one second has passed since the last of those answers. Whatever the network's delays,
no one-second window at Discord then holds more than N of our requests: the bot never causes a global
429. (Pacing on start times alone is not enough: a burst of N delayed by a few milliseconds more than
the next burst puts more than N in one window.) Without pacing, discord.py learns of the limit by
hitting it, and gives up on a request after five 429s in a row: a long backlog — a fan-out beside a
burst of moderator changes — would drop announcements.

A burst of up to N goes out at once: reminders due in the same second are not queued behind each other.
A long fan-out runs at N per (1 s + one round trip): 49 of Discord's 50/s over a fast network.

Every request goes through one pacer, in the order it was asked for: a reminder fan-out (at most
`reminders.max_concurrency` requests waiting at once) delays an announcement by a fraction of a second,
never behind the whole fan-out. Interaction responses are not paced: Discord exempts them from the
global limit, and a member waiting for an answer must not wait for reminders.

Several processes on one PostgreSQL store share the limit (it is per token): the pacer then also takes
a `SharedLimit` (bot/cluster/rate_budget.py), asked after the process's own rule, before each request.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

import aiohttp
import discord
from yarl import URL

# A request with no answer after this long is counted as answered: a hung connection must not stop the bot.
STALE_AFTER = 10.0


class SharedLimit(Protocol):
    """What other processes spend of the same limit: `take()` returns when one more request may go (a
    handle for its place), `answered(handle)` once its answer came back."""

    async def take(self) -> object: ...

    async def answered(self, place: object) -> None: ...


class Ticket:
    """One paced request: when it was let go, and when its answer (or its failure) came back."""

    __slots__ = ("_finished", "_monotonic", "_on_finish", "finished_at", "shared_place", "started_at")

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._finished = asyncio.Event()
        self._on_finish: Callable[[Ticket], None] | None = None
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.shared_place: object = None  # its place in the shared limit, if any

    def finish(self) -> None:
        """The answer came back, the request failed, or it was never sent. Only the first call counts."""
        if self.finished_at is not None:
            return
        self.finished_at = self._monotonic()
        self._finished.set()
        if self._on_finish is not None:
            self._on_finish(self)

    async def finished(self) -> None:
        await self._finished.wait()


class Pacer:
    """At most `limit` requests reach Discord in any `window` seconds (see the module's docstring)."""

    def __init__(
        self,
        limit: int,
        window: float = 1.0,
        *,
        stale_after: float = STALE_AFTER,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        shared: SharedLimit | None = None,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive")
        self.limit = limit
        self.window = window
        self._stale_after = stale_after
        self._monotonic = monotonic
        self._sleep = sleep
        self._shared = shared
        self._recent: deque[Ticket] = deque()  # the last `limit` tickets handed out
        self._older_unanswered: set[Ticket] = set()  # older than those, still waiting for their answer
        self._older_answered_at = -math.inf  # the latest answer among the older ones
        self.granted = 0

    async def acquire(self) -> Ticket:
        """Return when the next request may start; call `finish()` on the ticket once it is answered."""
        ticket = Ticket(self._monotonic)
        # Taken before awaiting: the loop is single-threaded, so tickets are numbered in call order.
        if len(self._recent) == self.limit:
            self._retire(self._recent.popleft())
        self._recent.append(ticket)
        try:
            if self._older_unanswered:
                await self._wait_for_answers(list(self._older_unanswered))
            delay = self._older_answered_at + self.window - self._monotonic()
            if delay > 0:
                await self._sleep(delay)
            if self._shared is not None:
                ticket.shared_place = await self._shared.take()
        except BaseException:
            ticket.finish()  # never sent: it must not hold back the ones after it
            raise
        ticket.started_at = self._monotonic()
        self.granted += 1
        return ticket

    async def answered(self, ticket: Ticket) -> None:
        """The ticket's request was answered (or failed): finish it, and free its place in the shared limit."""
        ticket.finish()
        if self._shared is not None and ticket.shared_place is not None:
            place, ticket.shared_place = ticket.shared_place, None
            await self._shared.answered(place)

    def _retire(self, ticket: Ticket) -> None:
        if ticket.finished_at is not None:
            self._answered(ticket)
        else:
            self._older_unanswered.add(ticket)
            ticket._on_finish = self._answered

    def _answered(self, ticket: Ticket) -> None:
        self._older_unanswered.discard(ticket)
        assert ticket.finished_at is not None
        self._older_answered_at = max(self._older_answered_at, ticket.finished_at)

    async def _wait_for_answers(self, tickets: list[Ticket]) -> None:
        waits = [asyncio.ensure_future(ticket.finished()) for ticket in tickets]
        try:
            await asyncio.wait(waits, timeout=self._stale_after)
        finally:
            for wait in waits:
                wait.cancel()
        for ticket in tickets:
            ticket.finish()  # stale: counted as answered now


def global_limit_pacer(global_rate_limit: float, *, shared: SharedLimit | None = None) -> Pacer:
    """The bot's pacer under a global limit of `global_rate_limit` requests/s: one under it (49 of 50),
    in case something else spends a request on the same token; under 2/s, one per 1/limit seconds.
    `shared`: the limit other processes spend too (its own margin is its slack, see rate_budget.py)."""
    if global_rate_limit < 2:
        return Pacer(1, 1.0 / global_rate_limit, shared=shared)
    return Pacer(math.floor(global_rate_limit) - 1, shared=shared)


def paced_trace(pacer: Pacer) -> aiohttp.TraceConfig:
    """An aiohttp trace (discord.py's public `http_trace` option) that makes each REST request wait for
    the pacer before it is sent, and tells the pacer when it is answered — retries after a 429 included,
    as they count too."""

    async def on_request_start(_session: object, context: object, params: aiohttp.TraceRequestStartParams) -> None:
        if is_globally_limited(params.url):
            context.pacing_ticket = await pacer.acquire()  # type: ignore[attr-defined]

    async def on_request_done(_session: object, context: object, _params: object) -> None:
        ticket = getattr(context, "pacing_ticket", None)
        if ticket is not None:
            await pacer.answered(ticket)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    trace.on_request_end.append(on_request_done)
    trace.on_request_exception.append(on_request_done)
    return trace


@functools.lru_cache(maxsize=4)
def _api_base(text: str) -> URL:
    return URL(text)


def is_globally_limited(url: URL) -> bool:
    """A REST call counted against the global limit: not the gateway, not an interaction's own routes
    (its callback, and the follow-up webhook that carries the interaction token)."""
    base = _api_base(discord.http.Route.BASE)
    if url.scheme not in ("http", "https") or (url.host, url.port) != (base.host, base.port):
        return False
    if not url.path.startswith(base.path):
        return False
    parts = url.path[len(base.path) :].strip("/").split("/")
    if parts[0] == "interactions":
        return False
    return not (parts[0] == "webhooks" and len(parts) >= 3)  # /webhooks/{id}/{token}: a token, not the bot
