"""Timed interactions: from the emulator's send of INTERACTION_CREATE to the bot's callback reaching it.

The emulator runs in this (the benchmark's) process, the bot in its own. The start time is taken as
the emulator dispatches the interaction on the gateway; the end time inside the emulator's REST handler,
at the moment it records the callback (its check runs synchronously there), so neither includes waking
the benchmark's own task. Every answer is checked: a fast error is not a result.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox import Channel, DiscordEmulator, Guild, Member
from bot.sandbox.interaction_builder import command_data
from bot.sandbox.interactions import (
    APPLICATION_COMMAND,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    Interaction,
)

TIMEOUT = 10.0


@dataclass
class World:
    """An emulated Discord with `guilds` servers, each with a #general and a member."""

    emulator: DiscordEmulator
    guilds: list[Guild] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


async def open_world(guild_count: int) -> World:
    emulator = await DiscordEmulator(global_rate_limit=None, request_log_size=1000).start()
    world = World(emulator)
    for number in range(guild_count):
        guild = emulator.create_guild(f"Server {number}", locale=("en-US", "fr")[number % 2])
        world.guilds.append(guild)
        world.channels.append(emulator.create_text_channel(guild, "general"))
        world.members.append(emulator.create_member(guild, f"member-{number}", locale=("en-US", "fr")[number % 2]))
    return world


@dataclass(frozen=True)
class Command:
    """A slash command and its options, as a member would type it."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        shown = " ".join(f"{key}:{value}" for key, value in self.options.items())
        return f"/{self.name} {shown}".strip()


@dataclass
class Prepared:
    command: Command
    data: dict[str, Any]


class WrongAnswer(RuntimeError):
    """The bot answered, but not with what the command should give (an error, an empty reply...)."""


class Driver:
    """Sends prepared commands as one member in one channel and times each answer."""

    def __init__(self, world: World, index: int = 0) -> None:
        self.emulator = world.emulator
        self.guild = world.guilds[index]
        self.channel = world.channels[index]
        self.member = world.members[index]

    def prepare(self, command: Command) -> Prepared:
        registered = self.emulator.commands.find(self.guild.id, command.name)
        if registered is None:
            raise WrongAnswer(f"/{command.name} is not registered")
        data = command_data(self.emulator.builder, registered, command.name, command.options, self.guild)
        return Prepared(command, data)

    async def send(self, prepared: Prepared, *, check: bool = True) -> float:
        """One interaction; the seconds from dispatch to callback."""
        emu = self.emulator
        ix = emu.builder.new(
            APPLICATION_COMMAND, self.member, self.channel, name=prepared.command.name, data=prepared.data, locale=None
        )
        emu.interactions.add(ix)
        answered: list[float] = []

        def callback_arrived() -> bool | None:
            if ix.callback_type is None:
                return None
            if not answered:
                answered.append(time.perf_counter())
            return True

        sent = time.perf_counter()
        if emu.gateway.dispatch("INTERACTION_CREATE", ix.payload) == 0:
            raise WrongAnswer("the bot is not connected")
        await ix.signal.wait_for(callback_arrived, TIMEOUT)
        if check:
            await _check(ix, prepared.command)
        return answered[0] - sent

    async def sequential(self, prepared: Sequence[Prepared], count: int) -> list[float]:
        """`count` interactions one after the other, cycling through `prepared`."""
        return [await self.send(prepared[n % len(prepared)]) for n in range(count)]

    async def concurrent(self, prepared: Sequence[Prepared], count: int, concurrency: int) -> tuple[list[float], float]:
        """`count` interactions with at most `concurrency` in flight; (latencies, wall seconds)."""
        gate = asyncio.Semaphore(concurrency)
        latencies: list[float] = []

        async def one(n: int) -> None:
            async with gate:
                latencies.append(await self.send(prepared[n % len(prepared)]))

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(count)))
        return latencies, time.perf_counter() - started

    async def paced(self, prepared: Sequence[Prepared], count: int, rate: float) -> list[float]:
        """`count` interactions sent `rate` times a second whatever the answers (open loop); the latencies."""
        started = time.perf_counter()
        sends = []
        for n in range(count):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # the pace of the load itself, not a wait for some event
            sends.append(asyncio.ensure_future(self.send(prepared[n % len(prepared)])))
        return list(await asyncio.gather(*sends))


async def _check(ix: Interaction, command: Command) -> None:
    if ix.callback_type == DEFERRED_CHANNEL_MESSAGE:
        await ix.signal.wait_for(lambda: ix.settled or None, TIMEOUT)
    elif ix.callback_type != CHANNEL_MESSAGE:
        raise WrongAnswer(f"{command}: unexpected callback type {ix.callback_type}")
    message = ix.original
    if message is None or message.ephemeral or not (message.get("embeds") or message.get("content")):
        shown = None if message is None else (message.get("content") or "")[:200]
        raise WrongAnswer(f"{command}: answered {shown!r} (ephemeral or empty: an error, not the command's answer)")
