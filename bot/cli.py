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
from bot.storage.database import open_database

log = logging.getLogger("bot")

EXIT_CONFIGURATION = 2  # the settings (or the token in them) must be fixed before a retry can work
EXIT_UNAVAILABLE = 1  # the store is held by another process, or Discord went away during the login


CONFIG_HELP = "settings file; else $SUMMIT_BOT_CONFIG, else ./config.toml"


class _OneLinePerCommand(argparse.HelpFormatter):
    """Every subcommand's name and summary on one line of `summit-bot --help`: argparse sizes the name
    column without the subcommands' extra indent, so `check-config` would push its summary below."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog)
        self._action_max_length = len("    check-config  ")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summit-bot", description=__doc__, formatter_class=_OneLinePerCommand)
    parser.add_argument("--config", metavar="PATH", help=CONFIG_HELP)
    parser.add_argument("--version", action="version", version=f"summit-bot {__version__}")
    # --config is accepted after the subcommand too, where most people type it. SUPPRESS leaves the
    # value given before the subcommand in place when none is given after it; one given after wins.
    config_option = argparse.ArgumentParser(add_help=False)
    config_option.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help=CONFIG_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands (default: run)")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, parents=[config_option], help=summary, description=summary)

    command("run", "connect to Discord (no token set: the offline sandbox)")
    try_parser = command("try", "talk to the bot here, on the offline Discord emulator")
    try_parser.add_argument(
        "--database", metavar="PATH", help="keep the sandbox's data in this file (default: a throw-away one)"
    )
    try_parser.add_argument("--locale", default="en-US", help="Discord locale to start with (e.g. fr, en-US)")
    try_parser.add_argument("--as", dest="persona", default="member", choices=["member", "moderator"])
    check_parser = command("check-config", "validate the settings file, list every bad key")
    check_parser.add_argument(
        "--connect", action="store_true", help="also connect to the store and show its schema version"
    )
    command("sync", "register the slash commands with Discord now")
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
        return EXIT_CONFIGURATION
    if command == "check-config":
        code = check_config(path, settings)
        return asyncio.run(check_store(settings)) if args.connect else code
    if command == "try":
        return _run_sandbox(settings, args.database, args.locale, args.persona)
    if command == "sync" and not settings.token:
        print("summit-bot sync needs a token (DISCORD_TOKEN or discord.token).", file=sys.stderr)
        return EXIT_CONFIGURATION
    if not settings.token:
        print("No Discord token set (DISCORD_TOKEN or discord.token): opening the offline sandbox instead.")
        return _run_sandbox(settings, None, "en-US", "member")
    configure_logging(settings.logging.level, secrets=[settings.token])
    return _connect(command, path, settings)


def _connect(command: str, path: Path, settings: Settings) -> int:
    """`run` or `sync`; an operator's first mistakes end in one line on stderr and a non-zero exit."""
    from bot.discord_probe import TokenRefused
    from bot.runtime import DiscordUnreachable, run_bot, sync_commands_now
    from bot.storage.lock import StoreLockError

    try:
        # A second Ctrl-C interrupts a close that hangs: that is the operator's wish, not an error.
        with contextlib.suppress(KeyboardInterrupt):
            if command == "sync":
                changed = asyncio.run(sync_commands_now(settings))
                if changed is not None:
                    print("slash commands synced." if changed else "nothing to sync.")
            else:
                asyncio.run(run_bot(settings))
    except TokenRefused:
        print(refused_token_message(path, settings), file=sys.stderr)
        return EXIT_CONFIGURATION
    except (StoreLockError, DiscordUnreachable) as exc:
        print(f"summit-bot: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    return 0


def refused_token_message(path: Path, settings: Settings) -> str:
    where = f"from {TOKEN_ENV}" if os.environ.get(TOKEN_ENV) else f"from discord.token in {path}"
    hint = token_hint(settings.token)
    which = f" ({hint.removeprefix(', ')})" if hint else ""
    return (
        f"Discord refused the token {where}{which}: check that {TOKEN_ENV} or discord.token holds the bot's "
        "current token, or reset it in the developer portal (Bot → Reset Token) and set the new one."
    )


def check_config(path: Path, settings: Settings) -> int:
    token = settings.token
    where = "from DISCORD_TOKEN" if os.environ.get(TOKEN_ENV) else "from the file"
    described = f"set {where}{token_hint(token)}" if token else "not set (the bot will open the offline sandbox)"
    print(f"{path}: valid.")
    print(f"  token: {described}")
    print(f"  database: {settings.database.store.description} ({settings.database.store.dialect.name})")
    if settings.database.deprecation:
        print(f"  note: {settings.database.deprecation}")
    print(f"  api: {settings.discord.api_base_url}  gateway: {settings.discord.gateway_url}")
    return 0


async def check_store(settings: Settings) -> int:
    """`check-config --connect`: reach the store without changing it; its schema version, or why not."""
    description = settings.database.store.description
    try:
        database = await open_database(settings, migrate=False)
    except Exception as exc:
        print(f"  store: cannot connect to {description}: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    async with database:
        version = await database.schema_version()
    print(f"  store: reachable, schema version {version}")
    return 0


def _run_sandbox(settings: Settings, database: str | None, locale: str, persona: str) -> int:
    from bot.sandbox_session import run_sandbox
    from bot.storage.lock import StoreLockError, hold_store

    try:
        # A database of the operator's own may be a running bot's: the sandbox must not share it.
        # The throw-away one is the sandbox's alone.
        with hold_store(database) if database else contextlib.nullcontext():
            return asyncio.run(run_sandbox(settings, database=database, locale=locale, persona=persona))
    except StoreLockError as exc:
        print(f"summit-bot: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
