"""Run the real bot against the loopback Discord emulator: for `summit-bot try`, the tests and bench/."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import discord
from pydantic import SecretStr

from bot.client import EXTENSIONS, SummitBot
from bot.clock import Clock
from bot.config import Settings
from bot.runtime import assemble_bot
from bot.sandbox import DiscordEmulator, run_console
from bot.sandbox.console import Console
from bot.sandbox.render import wants_color
from bot.storage.dialect import StoreURL

log = logging.getLogger(__name__)


def settings_for_emulator(settings: Settings, emulator: DiscordEmulator, database_path: Path | str) -> Settings:
    """The operator's settings, pointed at the emulator and at `database_path`."""
    return settings.model_copy(
        update={
            "discord": settings.discord.model_copy(
                update={
                    "token": SecretStr(emulator.token),
                    "api_base_url": emulator.api_base_url,
                    "gateway_url": emulator.gateway_url,
                    "dev_guild_ids": [],
                }
            ),
            "database": settings.database.model_copy(
                update={"url": StoreURL.for_sqlite_path(database_path).url, "path": None}
            ),
        }
    )


@asynccontextmanager
async def bot_on_emulator(
    settings: Settings,
    emulator: DiscordEmulator,
    *,
    clock: Clock | None = None,
    extensions: Sequence[str] = EXTENSIONS,
) -> AsyncIterator[SummitBot]:
    """Start the bot against `emulator`; yield once it is connected and its commands are registered."""
    async with assemble_bot(settings, clock=clock, extensions=extensions, guild_ready_timeout=0.05) as bot:
        runner = asyncio.create_task(bot.start(settings.token or ""), name="summit-bot")
        ready = asyncio.ensure_future(_ready(bot, emulator))
        try:
            done, _ = await asyncio.wait({runner, ready}, return_when=asyncio.FIRST_COMPLETED, timeout=30)
            if runner in done:
                runner.result()  # re-raises why the bot stopped
                raise RuntimeError("the bot stopped before it was ready")
            if ready not in done:
                raise TimeoutError("the bot did not get ready on the emulator within 30 s")
            yield bot
        finally:
            ready.cancel()
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError, discord.ConnectionClosed):
                await runner


async def _ready(bot: SummitBot, emulator: DiscordEmulator) -> None:
    # setup_hook (which syncs commands when they changed) finishes before the gateway connects,
    # so once both sides agree the bot is ready, its commands are registered.
    await emulator.wait_for_ready()
    await bot.wait_until_ready()


async def run_sandbox(settings: Settings, *, database: str | None, locale: str, persona: str) -> int:
    """`summit-bot try`: an emulated server with a member and a moderator, and a console to talk as them."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="summit-bot-try-") as scratch:
        database_path = Path(database) if database else Path(scratch) / "sandbox.sqlite3"
        async with DiscordEmulator() as emulator:
            guild = emulator.create_guild("Summit sandbox", locale="en-US")
            channel = emulator.create_text_channel(guild, "general")
            moderators = emulator.create_role(
                guild, "Moderators", permissions=discord.Permissions(manage_events=True).value
            )
            personas = {
                "member": emulator.create_member(guild, "member", locale=locale),
                "moderator": emulator.create_member(guild, "moderator", locale=locale, roles=[moderators]),
            }
            sandbox = settings_for_emulator(settings, emulator, database_path)
            # The web server (calendar feeds, events page) on a free loopback port, its address printed.
            web = sandbox.web.model_copy(update={"enabled": True, "host": "127.0.0.1", "port": 0, "public_url": None})
            sandbox = sandbox.model_copy(update={"web": web})
            async with bot_on_emulator(sandbox, emulator) as bot:
                if getattr(bot, "web", None) is not None:
                    print(f"Web server (calendar feeds, events page, /healthz): {bot.web.public_url}", flush=True)
                await run_console(
                    emulator,
                    guild,
                    channel,
                    personas,
                    current=persona,
                    stdin=sys.stdin,
                    stdout=sys.stdout,
                    color=wants_color(sys.stdout),
                    prompt=_terminal_prompt(),
                )
    return 0


def _terminal_prompt() -> Callable[[Console], Awaitable[None]] | None:
    """On a terminal, prompt_toolkit's prompt (completion, history); a pipe is read line by line."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    from bot.sandbox.console_prompt import prompt_loop  # only a terminal needs prompt_toolkit loaded

    return prompt_loop
