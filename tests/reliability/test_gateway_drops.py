"""The gateway drops in the middle of a command: the answer still arrives, once, and nothing is lost.

Interactions reach the bot over the gateway but are answered over REST, so a drop must neither lose
an interaction (RESUME replays what the bot missed) nor answer one twice, and the bot must keep working
after it RESUMEs (or identifies again when the session is lost).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from bot.sandbox import DiscordEmulator

from .answers import callbacks_accepted

NEW_EVENT = {"name": "Drop-test forum", "date": "2031-05-04 09:00", "timezone": "Europe/Paris"}


@contextlib.contextmanager
def drop_when_interaction(
    emulator: DiscordEmulator, *, after_callback: bool, resumable: bool = True
) -> Iterator[list[asyncio.Task[Any]]]:
    """Cut the bot's websocket as the next INTERACTION_CREATE is sent, or as the bot's first callback arrives."""
    gateway = emulator.gateway
    dispatch = gateway.dispatch
    drops: list[asyncio.Task[Any]] = []
    watchers: list[asyncio.Task[None]] = []

    def drop() -> None:
        if not drops:
            drops.append(asyncio.ensure_future(emulator.drop_gateway(resumable=resumable)))

    def dispatch_then_drop(event: str, data: Any, *, intent: int | None = None) -> int:
        sent = dispatch(event, data, intent=intent)
        if event == "INTERACTION_CREATE":
            if after_callback:
                watchers.append(asyncio.ensure_future(_on_first_callback(emulator, int(data["id"]), drop)))
            else:
                drop()
        return sent

    gateway.dispatch = dispatch_then_drop  # type: ignore[method-assign]
    try:
        yield drops
    finally:
        del gateway.dispatch  # back to the class's method
        for watcher in watchers:
            watcher.cancel()


async def _on_first_callback(emulator: DiscordEmulator, interaction_id: int, then: Callable[[], None]) -> None:
    interaction = emulator.interactions.by_id[interaction_id]
    await interaction.signal.wait_for(lambda: interaction.callback_type, 10)
    then()


async def still_works(world) -> None:
    emulator = world.emulator
    about = await emulator.slash(world.member_en, world.general, "about")
    assert about.embeds[0]["title"] == "summit-bot"
    listing = await emulator.slash(world.member_fr, world.general, "events", {"when": "all"})
    assert listing.embeds and not listing.ephemeral


async def test_an_interaction_sent_as_the_gateway_drops_is_answered_once(bot, world):
    emulator = world.emulator
    with drop_when_interaction(emulator, after_callback=False) as drops:
        result = await emulator.slash(world.member_en, world.general, "clause", {"ref": "4"})
    await drops[0]
    await emulator.wait_for_resumed()
    assert result.embeds and "4" in result.embeds[0]["title"]
    assert callbacks_accepted(emulator)[result.id] == 1
    assert emulator.resumes == 1 and emulator.identifies == 1
    await still_works(world)


async def test_a_deferred_change_cut_off_by_a_drop_is_answered_and_saved_once(bot, world):
    emulator = world.emulator
    with drop_when_interaction(emulator, after_callback=True) as drops:
        result = await emulator.slash(world.moderator, world.general, "eventadmin add", NEW_EVENT)
    await drops[0]
    await emulator.wait_for_resumed()
    assert result.ephemeral and result.content.startswith("Added **Drop-test forum**")
    assert callbacks_accepted(emulator)[result.id] == 1
    rows = await bot.database.fetch_all("SELECT id FROM guild_events WHERE name_en = ?", (NEW_EVENT["name"],))
    assert len(rows) == 1
    await still_works(world)


async def test_gateway_events_sent_during_the_outage_are_not_lost(bot, world):
    emulator = world.emulator
    with drop_when_interaction(emulator, after_callback=False) as drops:
        await emulator.slash(world.member_en, world.general, "about")
    await drops[0]
    joined = bot.wait_for("guild_join")
    second = emulator.create_guild("Second server", locale="fr")  # while the bot is away or reconnecting
    await emulator.wait_for_resumed()
    assert (await asyncio.wait_for(joined, 5)).id == second.id
    channel = emulator.create_text_channel(second, "général")
    member = emulator.create_member(second, "zoé", locale="fr")
    listing = await emulator.slash(member, channel, "events", {"when": "all"})
    assert listing.embeds, "the server that joined during the outage got no events"


async def test_a_lost_session_mid_command_answers_once_and_the_bot_identifies_again(bot, world):
    emulator = world.emulator

    async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
        pass  # discord.py waits 5 s before identifying again; the test needn't

    bot.before_identify_hook = no_identify_delay
    with drop_when_interaction(emulator, after_callback=True, resumable=False) as drops:
        result = await emulator.slash(world.moderator, world.general, "eventadmin add", NEW_EVENT)
    await drops[0]
    await emulator.wait_for_ready()
    assert result.content.startswith("Added **Drop-test forum**")
    assert callbacks_accepted(emulator)[result.id] == 1
    assert emulator.identifies == 2
    await still_works(world)
