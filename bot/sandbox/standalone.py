"""`summit-bot emulator`: the Discord emulator on its own, on a chosen port, for bot processes to connect to.

It creates N servers (each with #general, a Moderators role, a `member` and a `moderator`), prints the
token, the API and gateway URLs and a configuration snippet, tells when a shard connects, and serves
until Ctrl-C or SIGTERM. With `console=True` a person drives server 1 from the same console as
`summit-bot try` (the bot runs elsewhere), plus `:crowd` (bot/sandbox/console_crowd.py); the emulator stops
when that console ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import sys
from dataclasses import dataclass
from typing import TextIO

from .emulator import DiscordEmulator
from .gateway import Session
from .models import Channel, Guild, Member
from .sharding import ShardingLimits

MANAGE_EVENTS = 1 << 33
HEARTBEAT_ROUND_TRIP = 0.02  # seconds


@dataclass(frozen=True)
class StandaloneOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    guilds: int = 30
    shards: int | None = None  # what GET /gateway/bot recommends; None: one per 1,000 servers
    max_concurrency: int = 1
    console: bool = False
    locale: str = "en-US"


@dataclass
class EmulatedServer:
    guild: Guild
    general: Channel
    personas: dict[str, Member]


def populate(emulator: DiscordEmulator, count: int, locale: str) -> list[EmulatedServer]:
    servers = []
    for n in range(1, count + 1):
        guild = emulator.create_guild(f"Summit server {n}", locale=locale)
        general = emulator.create_text_channel(guild, "general")
        moderators = emulator.create_role(guild, "Moderators", permissions=MANAGE_EVENTS)
        personas = {
            "member": emulator.create_member(guild, "member", locale=locale),
            "moderator": emulator.create_member(guild, "moderator", locale=locale, roles=[moderators]),
        }
        servers.append(EmulatedServer(guild, general, personas))
    return servers


def config_snippet(emulator: DiscordEmulator) -> str:
    """What a bot's config.toml needs to connect here (the token is the emulator's own, made up)."""
    return "\n".join(
        [
            "[discord]",
            f'token = "{emulator.token}"',
            f'api_base_url = "{emulator.api_base_url}"',
            f'gateway_url = "{emulator.gateway_url}"',
            'shard_count = "auto"  # or a number, with shard_ids = "0-3" per process (PostgreSQL)',
        ]
    )


def build_emulator(options: StandaloneOptions) -> DiscordEmulator:
    limits = ShardingLimits(max_concurrency=options.max_concurrency, recommended_shards=options.shards)
    token = "emulator-" + secrets.token_hex(16)
    # Bot processes report the gateway latency (`summit-bot status`, /about): answer heartbeats after a
    # nearby Discord's round trip, not instantly, which discord.py would misread as 41 s (gateway.py).
    return DiscordEmulator(
        token, host=options.host, port=options.port, sharding=limits, heartbeat_ack_delay=HEARTBEAT_ROUND_TRIP
    )


async def serve(options: StandaloneOptions, *, out: TextIO | None = None) -> int:
    """Serves until Ctrl-C or SIGTERM (with a console: until it ends). Printed to `out`, else to sys.stdout."""
    emulator = build_emulator(options)
    try:
        await emulator.start()
    except OSError as exc:
        print(f"summit-bot: cannot listen on {options.host}:{options.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    banner = out or sys.stdout
    try:
        servers = populate(emulator, options.guilds, options.locale)
        shards = emulator.identify_gate.recommended_shards(options.guilds)
        print(
            f"Discord emulator on {emulator.http_base_url}: {options.guilds} servers, {shards} shard(s) recommended",
            file=banner,
        )
        print(f"  token:   {emulator.token}", file=banner)
        print(f"  api:     {emulator.api_base_url}", file=banner)
        print(f"  gateway: {emulator.gateway_url}", file=banner)
        print("Point a bot at it with this in its config.toml:\n", file=banner)
        print(config_snippet(emulator) + "\n", file=banner)
        print("Ctrl-C or SIGTERM stops it.", file=banner, flush=True)
        announcer = asyncio.create_task(_announce_shards(emulator, out), name="emulator-shards")
        try:
            if options.console:
                await _console(emulator, servers[0])
            else:
                await _until_stopped()
        finally:
            announcer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await announcer
    finally:
        await emulator.stop()
    return 0


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for received in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(received, stop.set)
    try:
        await stop.wait()
    finally:
        for received in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(received)


async def _announce_shards(emulator: DiscordEmulator, out: TextIO | None) -> None:
    """One line whenever a session gets READY (so a person, or a test, sees a bot's shard arrive). Without
    `out`, to sys.stdout as it is at that moment: the console's prompt replaces it to print above the line
    being typed, instead of over it."""
    announced: set[str] = set()
    while True:

        def newly_ready() -> list[Session] | None:
            sessions = emulator.gateway.live_sessions()
            return [s for s in sessions if s.ready and s.connection and s.id not in announced] or None

        for session in await emulator.gateway_signal.wait_for(newly_ready, None):
            announced.add(session.id)
            which = f"shard {session.shard[0]} of {session.shard[1]}" if session.shard else "unsharded"
            print(f"— bot connected ({which})", file=out or sys.stdout, flush=True)


async def _console(emulator: DiscordEmulator, server: EmulatedServer) -> None:
    from .console import Directive, run_console
    from .console_crowd import crowd
    from .render import wants_color

    prompt = None
    if sys.stdin.isatty() and sys.stdout.isatty():
        from .console_prompt import prompt_loop

        prompt = prompt_loop
    await run_console(
        emulator,
        server.guild,
        server.general,
        server.personas,
        current="member",
        stdin=sys.stdin,
        stdout=sys.stdout,
        color=wants_color(sys.stdout),
        prompt=prompt,
        # The bot runs elsewhere, often as several processes: a crowd gives a reminder a real fan-out.
        directives={"crowd": Directive(":crowd 300 /remind subscribe geneva-2027 1m", "crowd", crowd)},
    )
