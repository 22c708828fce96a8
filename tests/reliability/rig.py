"""One emulated server and one running bot for a whole test module, driven from synchronous test code.

Hypothesis runs each example synchronously; the emulator and the bot live on an event loop in a
background thread, and `Rig.run(coroutine)` hands work to that loop and waits for the result. Starting
the bot once per module (not per example) keeps a few hundred examples within seconds.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Awaitable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import discord

from bot.client import EXTENSIONS, SummitBot
from bot.config import validate_settings
from bot.sandbox import Channel, DiscordEmulator, Guild, Member, Role
from bot.sandbox_session import bot_on_emulator, settings_for_emulator

from .commands import CHANNEL, MENTIONABLE, ROLE, USER, Leaf, leaves
from .database_state import Snapshot, restore, snapshot
from .observation import Observer

T = TypeVar("T")
MODERATOR_PERMISSIONS = discord.Permissions(manage_events=True).value


@dataclass
class Rig:
    emulator: DiscordEmulator
    bot: SummitBot
    observer: Observer
    guild: Guild
    general: Channel
    announcements: Channel
    moderators: Role
    followers: Role
    member_en: Member
    member_fr: Member
    moderator: Member
    leaves: list[Leaf] = field(default_factory=list)
    baseline: Snapshot = field(default_factory=dict)
    loop: asyncio.AbstractEventLoop | None = None
    _newcomers: int = 0

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run `work` on the rig's loop and wait for it (from the test's thread)."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    @property
    def members(self) -> list[Member]:
        return [self.member_en, self.member_fr, self.moderator]

    def entities(self) -> dict[int, list[Any]]:
        """By option type: what a user, role, channel or mentionable option may name in this server."""
        roles = list(self.guild.roles.values())
        return {
            USER: self.members,
            ROLE: roles,
            CHANNEL: list(self.guild.channels.values()),
            MENTIONABLE: [*self.members, *roles],
        }

    def newcomer(self) -> Member:
        """A member who just joined (commands with a per-member cooldown or quota treat them afresh)."""
        self._newcomers += 1
        return self.emulator.create_member(self.guild, f"newcomer-{self._newcomers}", locale="fr")

    @property
    def ping_roles(self) -> frozenset[int]:
        """Announcements may ping the role the moderators chose; nothing else may ever ping."""
        return frozenset({self.followers.id})

    async def reset(self, current: Snapshot | None = None) -> bool:
        return await restore(self.bot.database, self.baseline, current)

    async def snapshot(self) -> Snapshot:
        return await snapshot(self.bot.database)


@contextlib.contextmanager
def running_rig(scratch: Path, *, setup: Any = None, extensions: Sequence[str] = EXTENSIONS) -> Iterator[Rig]:
    """Start the emulator and the bot on a background loop; `setup(rig)` (async) runs before the baseline."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="reliability-rig", daemon=True)
    thread.start()
    started: concurrent.futures.Future[Rig] = concurrent.futures.Future()
    stop = asyncio.Event()
    serving = asyncio.run_coroutine_threadsafe(_serve(scratch, setup, extensions, started, stop, loop), loop)
    try:
        rig = started.result(60)
        yield rig
    finally:
        loop.call_soon_threadsafe(stop.set)
        try:
            serving.result(60)  # re-raises what went wrong while starting or stopping
        finally:
            # Views' timeout tasks and the like outlive the bot: end them before the loop goes.
            asyncio.run_coroutine_threadsafe(_cancel_leftovers(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()


async def _serve(
    scratch: Path,
    setup: Any,
    extensions: Sequence[str],
    started: concurrent.futures.Future[Rig],
    stop: asyncio.Event,
    loop: asyncio.AbstractEventLoop,
) -> None:
    try:
        async with DiscordEmulator() as emu:
            guild = emu.create_guild("Summit Community", locale="en-US")
            general = emu.create_text_channel(guild, "general")
            announcements = emu.create_text_channel(guild, "announcements")
            moderators = emu.create_role(guild, "Moderators", permissions=MODERATOR_PERMISSIONS)
            followers = emu.create_role(guild, "Event followers", mentionable=True)
            member_en = emu.create_member(guild, "ada", locale="en-US")
            member_fr = emu.create_member(guild, "camille", locale="fr")
            moderator = emu.create_member(guild, "modo", locale="en-GB", roles=[moderators])
            settings = settings_for_emulator(validate_settings({}), emu, scratch / "bot.sqlite3")
            async with bot_on_emulator(settings, emu, extensions=extensions) as bot:
                with Observer(emu, bot) as observer:
                    rig = Rig(
                        emu, bot, observer, guild, general, announcements, moderators, followers,
                        member_en, member_fr, moderator, loop=loop,
                    )  # fmt: skip
                    rig.leaves = leaves(emu.registered_commands())
                    if setup is not None:
                        await _awaited(setup(rig))
                    rig.baseline = await rig.snapshot()
                    started.set_result(rig)
                    await stop.wait()
            emu.assert_no_spec_violations()
    except BaseException as exc:
        if not started.done():
            started.set_exception(exc)
        raise


async def _cancel_leftovers() -> None:
    leftovers = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)


async def _awaited(value: Awaitable[Any] | None) -> None:
    if value is not None:
        await value
