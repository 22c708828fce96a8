"""`summit-bot`: run the bot, try it offline, check the configuration, sync slash commands."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.config import TOKEN_ENV, ConfigError, Settings, load_settings, resolve_config_path, token_hint
from bot.logs import configure_logging

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summit-bot", description=__doc__)
    parser.add_argument(
        "--config", metavar="PATH", help="TOML settings file (default: $SUMMIT_BOT_CONFIG, else ./config.toml)"
    )
    parser.add_argument("--version", action="version", version=f"summit-bot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="connect to Discord (or open the offline sandbox when no token is set)")
    try_parser = commands.add_parser("try", help="talk to the bot in this terminal, on the offline Discord emulator")
    try_parser.add_argument(
        "--database", metavar="PATH", help="keep the sandbox's data in this file (default: a throw-away one)"
    )
    try_parser.add_argument("--locale", default="en-US", help="Discord locale to start with (e.g. fr, en-US)")
    try_parser.add_argument("--as", dest="persona", default="member", choices=["member", "moderator"])
    commands.add_parser("check-config", help="validate the settings file and list every bad key")
    commands.add_parser("sync", help="register the slash commands with Discord now, then exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    path = resolve_config_path(args.config)
    explicit = bool(args.config)
    try:
        settings = load_settings(path, required=explicit or command == "check-config")
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if command == "check-config":
        return check_config(path, settings)
    if command == "try":
        return _run_sandbox(settings, args.database, args.locale, args.persona)
    if command == "sync" and not settings.token:
        print("summit-bot sync needs a token (DISCORD_TOKEN or discord.token).", file=sys.stderr)
        return 2
    if not settings.token:
        print("No Discord token set (DISCORD_TOKEN or discord.token): opening the offline sandbox instead.")
        return _run_sandbox(settings, None, "en-US", "member")
    configure_logging(settings.logging.level, secrets=[settings.token])
    if command == "sync":
        return asyncio.run(_sync(settings))
    from bot.runtime import run_bot

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_bot(settings))
    return 0


def check_config(path: Path, settings: Settings) -> int:
    token = settings.token
    where = "from DISCORD_TOKEN" if os.environ.get(TOKEN_ENV) else "from the file"
    described = f"set {where}{token_hint(token)}" if token else "not set (the bot will open the offline sandbox)"
    print(f"{path}: valid.")
    print(f"  token: {described}")
    print(f"  database: {settings.database.path}")
    print(f"  api: {settings.discord.api_base_url}  gateway: {settings.discord.gateway_url}")
    return 0


async def _sync(settings: Settings) -> int:
    from bot.runtime import assemble_bot

    async with assemble_bot(settings, sync_commands=False) as bot:
        await bot.login(settings.token or "")
        changed = await bot.command_sync.sync_if_changed(force=True)
    print("slash commands synced." if changed else "nothing to sync.")
    return 0


def _run_sandbox(settings: Settings, database: str | None, locale: str, persona: str) -> int:
    from bot.sandbox_session import run_sandbox

    try:
        return asyncio.run(run_sandbox(settings, database=database, locale=locale, persona=persona))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
