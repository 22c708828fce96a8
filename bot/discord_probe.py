"""Before the bot logs in: wait until Discord answers, and tell a refused token from an unreachable Discord.

discord.py's own login fails at the first connection error (a network blip at boot would kill the
service) and cannot be retried cleanly, so the start asks Discord first with a request of its own,
GET /users/@me, the same one discord.py's login makes: a connection error or a 5xx is retried with
exponential backoff and jitter, a 401 is a refused token, anything else means Discord is there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import sys
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord

log = logging.getLogger(__name__)

# Discord asks bots to say who they are; the same form as discord.py's own.
USER_AGENT = (
    f"DiscordBot (https://github.com/Rapptz/discord.py {discord.__version__}) "
    f"Python/{sys.version_info[0]}.{sys.version_info[1]} aiohttp/{aiohttp.__version__}"
)
ATTEMPT_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10)


class TokenRefused(Exception):
    """Discord answered 401 to the token."""


@dataclass(frozen=True)
class Backoff:
    """Waits between attempts: `first`, doubling up to `cap`, each moved by up to ±`jitter` of itself so
    that many bots restarted together (a data-centre blip) do not all come back at the same instant."""

    first: float = 1.0
    cap: float = 60.0
    jitter: float = 0.2

    def delays(self, rng: random.Random | None = None) -> Iterator[float]:
        rng = rng or random.Random()
        base = min(self.first, self.cap)
        while True:
            yield base * rng.uniform(1 - self.jitter, 1 + self.jitter)
            base = min(base * 2, self.cap)


async def wait_for_discord(api_base_url: str, token: str, *, stopping: asyncio.Event, backoff: Backoff) -> bool:
    """True once Discord answers and accepts `token`; False as soon as `stopping` is set.

    Raises TokenRefused when Discord answers 401. Every failed attempt is logged in one line."""
    url = f"{api_base_url.rstrip('/')}/users/@me"
    headers = {"Authorization": f"Bot {token}", "User-Agent": USER_AGENT}
    async with aiohttp.ClientSession(timeout=ATTEMPT_TIMEOUT, cookie_jar=aiohttp.DummyCookieJar()) as session:
        for delay in backoff.delays():
            reason = await _until_stopped(_attempt(session, url, headers), stopping)
            if stopping.is_set():
                return False
            if reason is None:
                return True
            log.warning("Discord unreachable at %s: %s; retrying in %s s", api_base_url, reason, _seconds(delay))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), delay)
            if stopping.is_set():
                return False
    return False  # the delays never end; this line only satisfies the type checker


async def _attempt(session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> str | None:
    """None when Discord answered (and did not refuse the token), else why it could not be reached."""
    try:
        async with session.get(url, headers=headers, allow_redirects=False) as response:
            if response.status == 401:
                raise TokenRefused
            if response.status >= 500:
                return f"HTTP {response.status} {response.reason or ''}".rstrip()
            return None
    except aiohttp.ClientConnectorError as exc:
        return _os_reason(exc.os_error)
    except TimeoutError:
        return f"no answer within {ATTEMPT_TIMEOUT.total:g} s"
    except (aiohttp.ClientError, OSError) as exc:
        return str(exc) or type(exc).__name__


async def _until_stopped(attempt: Coroutine[Any, Any, str | None], stopping: asyncio.Event) -> str | None:
    """The attempt's outcome, or None at once when `stopping` is set first (the attempt is then cancelled)."""
    task = asyncio.ensure_future(attempt)
    stop = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        if not task.done():
            task.cancel()
        await asyncio.wait({task, stop})
    return None if task.cancelled() else task.result()


def _os_reason(error: OSError) -> str:
    """"Connection refused", "Name or service not known": the system's words, without Python's wrapping."""
    if isinstance(error, socket.gaierror) or not error.errno:
        return error.strerror or str(error) or type(error).__name__
    return os.strerror(error.errno)


def _seconds(delay: float) -> str:
    return f"{delay:.1f}" if delay < 10 else f"{delay:.0f}"
