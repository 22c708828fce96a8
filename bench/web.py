"""Calendar feed and events page: GET latency p50/p99 with 100 events under 200 concurrent clients,
beside a bare aiohttp server handing out the same bytes from memory (the baseline).

The bot runs in this process against the emulator with its web server on a loopback port (rate limit
raised out of the way: every client here has the same address). 100 events are added through the
events service, the server's feed is turned on, and 200 clients send GETs in a closed loop until the
planned count is reached, first to the bot's feed (`If-None-Match`-free, so the full body every time)
and page, then to the baseline serving the bytes the bot answered; each after an unmeasured round
that opens the 200 connections. Clients and servers share one
event loop on purpose, the same way for both: the difference between the two is the bot's own work
(token lookup, the cached feed or a freshly rendered page, headers, the rate limiter).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.clock import SystemClock
from bot.config import validate_settings
from bot.sandbox import DiscordEmulator
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from bot.services.events.service import EventDraft

from .results import Figure, percentile

NAME = "web"
EVENTS = 100
CLIENTS = 200


@dataclass(frozen=True)
class Plan:
    requests: int


FULL = Plan(requests=6000)
QUICK = Plan(requests=600)


async def _load(session: aiohttp.ClientSession, url: str, count: int) -> list[float]:
    latencies: list[float] = []
    remaining = count

    async def client() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            async with session.get(url) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"GET {url.split('/calendar/')[0]}… answered {response.status}")
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return latencies


async def _baseline(bodies: dict[str, tuple[bytes, str]]) -> tuple[web.AppRunner, str]:
    app = web.Application()
    for path, (body, content_type) in bodies.items():

        async def handler(request: web.Request, body: bytes = body, content_type: str = content_type) -> web.Response:
            return web.Response(body=body, content_type=content_type, charset="utf-8")

        app.router.add_get(path, handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


async def run(*, quick: bool) -> list[Figure]:
    plan = QUICK if quick else FULL
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="summit-bench-web-") as scratch:
        async with DiscordEmulator() as emulator:
            guild = emulator.create_guild("Bench Community")
            emulator.create_text_channel(guild, "general")
            raw = {"web": {"enabled": True, "host": "127.0.0.1", "port": 0, "requests_per_minute": 100_000}}
            settings = settings_for_emulator(validate_settings(raw), emulator, Path(scratch) / "bench.sqlite3")
            async with bot_on_emulator(settings, emulator, clock=SystemClock()) as bot:
                for number in range(EVENTS):
                    draft = EventDraft(name_en=f"Bench forum {number}", date=f"2027-{number % 12 + 1:02d}-"
                                       f"{number % 28 + 1:02d} 09:00", timezone="Europe/Zurich", city="Geneva",
                                       country="CH", description_en="A benchmark event. " * 10,
                                       source_url="https://example.org/forum")  # fmt: skip
                    await bot.services.events.add(guild.id, 1, draft)
                feed = await bot.web.feeds.enable_guild_feed(guild.id)
                links = bot.web.links(feed, "en")
                urls = {"feed": links.https, "page": links.page}
                connector = aiohttp.TCPConnector(limit=CLIENTS)
                async with aiohttp.ClientSession(connector=connector) as session:
                    bodies = {}
                    for kind, url in urls.items():
                        async with session.get(url) as response:
                            bodies[f"/{kind}"] = (await response.read(), response.content_type)
                    ours, theirs = {}, {}
                    for kind, url in urls.items():
                        await _load(session, url, CLIENTS)  # warm-up: 200 connections opened, not measured
                        ours[kind] = await _load(session, url, plan.requests)
                    runner, base_url = await _baseline(bodies)
                    try:
                        for kind in urls:
                            await _load(session, f"{base_url}/{kind}", CLIENTS)
                            theirs[kind] = await _load(session, f"{base_url}/{kind}", plan.requests)
                    finally:
                        await runner.cleanup()
    for kind in ("feed", "page"):
        size = len(bodies[f"/{kind}"][0]) // 1024
        for label, fraction in (("p50", 0.5), ("p99", 0.99)):
            figures.append(Figure(NAME, f"{kind} GET {label} ({EVENTS} events, {size} KiB, {CLIENTS} clients)",
                                  percentile(ours[kind], fraction) * 1000, "ms",
                                  percentile(theirs[kind], fraction) * 1000))  # fmt: skip
    return figures
