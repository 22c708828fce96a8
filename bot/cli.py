"""`summit-bot`: run the bot, try it offline, check the configuration, sync slash commands, move or back up
the store (`db migrate`, `db backup`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.config import TOKEN_ENV, ConfigError, Settings, load_settings, resolve_config_path, token_hint
from bot.emulator_command import add_emulator_options, run_emulator
from bot.logs import configure_logging
from bot.shard_options import add_shard_options, refusal, with_shard_options
from bot.shards import describe as describe_shards
from bot.storage.database import open_database
from bot.storage.dialect import StoreURL, passwords

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

    add_shard_options(command("run", "connect to Discord (no token set: the offline sandbox)"))
    add_emulator_options(command("emulator", "the Discord emulator alone, for bot processes to connect to"))
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
    status_parser = command("status", "what runs: live processes, their shards and leases, reminders due next")
    status_parser.add_argument("--json", action="store_true", help="print it as JSON")
    status_parser.add_argument("--next", type=int, default=10, metavar="N", help="how many due reminders (10)")
    _add_db_commands(command("db", "move the store to PostgreSQL, back it up"), config_option)
    return parser


MIGRATE_HELP = """Copy every table of the configured SQLite store into an EMPTY PostgreSQL database (migrated here to
the same schema version), then compare row counts and a sha256 per table on both sides; exit 1 on any
difference. Stop the bot first (the store's lock is taken). Everything is copied in ONE PostgreSQL
transaction: if anything fails, the target is left empty and running the command again starts over,
so nothing is ever copied twice. Then set database.url to the new store and start the bot."""

BACKUP_HELP = """Write a consistent copy of the SQLite store (safe while the bot runs), by default beside it
named with the UTC time, and print its path and size. For PostgreSQL use pg_dump (see README)."""


def _add_db_commands(db_parser: argparse.ArgumentParser, config_option: argparse.ArgumentParser) -> None:
    actions = db_parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    migrate = actions.add_parser(
        "migrate", parents=[config_option], help="copy the SQLite store into an empty PostgreSQL one",
        description=MIGRATE_HELP,
    )  # fmt: skip
    migrate.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host:5432/db (empty)")
    backup = actions.add_parser(
        "backup", parents=[config_option], help="back up the SQLite store", description=BACKUP_HELP
    )
    backup.add_argument("path", nargs="?", metavar="PATH", help="where to write it (default: beside the store)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    if command == "emulator":
        return run_emulator(args)
    path = resolve_config_path(args.config)
    explicit = bool(args.config)
    try:
        settings = load_settings(path, required=explicit or command == "check-config")
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIGURATION
    if command == "run":
        try:
            settings = with_shard_options(settings, getattr(args, "shards", None), getattr(args, "shard_count", None))
        except ConfigError as exc:
            print(exc, file=sys.stderr)
            return EXIT_CONFIGURATION
        if refused := refusal(settings):
            print(f"summit-bot: {refused}", file=sys.stderr)
            return EXIT_CONFIGURATION
    if command == "check-config":
        code = check_config(path, settings)
        return asyncio.run(check_store(settings)) if args.connect else code
    if command == "status":
        return asyncio.run(show_status(settings, as_json=args.json, next_count=max(args.next, 0)))
    if command == "db":
        return _db_migrate(settings, args.to) if args.db_command == "migrate" else _db_backup(settings, args.path)
    if command == "try":
        return _run_sandbox(settings, args.database, args.locale, args.persona)
    if command == "sync" and not settings.token:
        print("summit-bot sync needs a token (DISCORD_TOKEN or discord.token).", file=sys.stderr)
        return EXIT_CONFIGURATION
    if not settings.token:
        print("No Discord token set (DISCORD_TOKEN or discord.token): opening the offline sandbox instead.")
        return _run_sandbox(settings, None, "en-US", "member")
    configure_logging(settings.logging.level, secrets=[settings.token, *passwords(settings.database.url)])
    return _connect(command, path, settings)


def _connect(command: str, path: Path, settings: Settings) -> int:
    """`run` or `sync`; an operator's first mistakes end in one line on stderr and a non-zero exit."""
    from bot.discord_probe import TokenRefused
    from bot.identify_pacing import SessionStartsExhausted
    from bot.runtime import DiscordUnreachable, run_bot, sync_commands_now
    from bot.storage.database import StoreUnavailableError
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
    except (StoreLockError, DiscordUnreachable, SessionStartsExhausted, StoreUnavailableError) as exc:
        # PostgreSQL down at start is exit 1 too: systemd's Restart= tries again (deploy/summit-bot@.service).
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
    print(f"  shards: {describe_shards(settings.discord.shard_ids, settings.discord.shard_count)}")
    if refused := refusal(settings):
        print(f"  run would refuse: {refused}")
        return EXIT_CONFIGURATION
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


async def show_status(settings: Settings, *, as_json: bool, next_count: int) -> int:
    """`summit-bot status`: read the store (never migrates it) and print what runs."""
    from bot.clock import SystemClock
    from bot.cluster.status import STATUS_SCHEMA, read_status, render_text, to_json

    description = settings.database.store.description
    try:
        database = await open_database(settings, migrate=False)
    except Exception as exc:
        print(f"summit-bot: cannot connect to {description}: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    async with database:
        version = await database.schema_version()
        if version < STATUS_SCHEMA:
            print(f"summit-bot: {description} is at schema version {version}; start the bot of this release once "
                  "so it migrates, then ask again", file=sys.stderr)  # fmt: skip
            return EXIT_UNAVAILABLE
        status = await read_status(database, now=SystemClock().now(), next_count=next_count)
    print(json.dumps(to_json(status), indent=2) if as_json else render_text(status))
    return 0


def _db_migrate(settings: Settings, target_url: str) -> int:
    """`db migrate --to URL`: copy, verify, print the table; 1 on a refusal, a failure or a mismatch."""
    import time

    from bot.storage.database import StoreUnavailableError
    from bot.storage.dialect import SQLITE, StoreURLError
    from bot.storage.lock import StoreInUse, StoreLockError, hold_store
    from bot.storage.transfer import ProgressPrinter, TransferRefused, copy_store, report_table

    store = settings.database.store
    if store.dialect is not SQLITE or store.sqlite_path is None:
        print(
            f"summit-bot: db migrate copies from a SQLite store; database.url is {store.description}", file=sys.stderr
        )
        return EXIT_CONFIGURATION

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    started = time.monotonic()
    try:
        # The lock keeps a bot from starting on the store while it is read, and finds one already running.
        with hold_store(store.sqlite_path):
            reports = asyncio.run(
                copy_store(store.sqlite_path, target_url, progress=ProgressPrinter(write, terminal=sys.stdout.isatty()))
            )
    except StoreInUse as exc:
        print(f"summit-bot: {exc.database} is in use ({exc.holder.describe()}): stop the bot first", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except (StoreLockError, TransferRefused, StoreURLError, StoreUnavailableError, sqlite3.Error) as exc:
        print(f"summit-bot: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    print(report_table(reports))
    rows = sum(report.source_rows for report in reports)
    mismatched = [report.table for report in reports if not report.matches]
    if mismatched:
        print(f"summit-bot: the copy differs from the source in {', '.join(mismatched)}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    target = StoreURL.parse(target_url).description
    print(f"copied and verified {rows:,} rows in {time.monotonic() - started:.1f} s.")
    print(f"next: set database.url (or SUMMIT_DATABASE_URL) to {target} and start the bot.")
    return 0


def _db_backup(settings: Settings, path: str | None) -> int:
    """`db backup [PATH]`: a consistent copy of the SQLite store; PostgreSQL is told about pg_dump."""
    from bot.storage.backup import BackupRefused, backup_sqlite, default_backup_path, pg_dump_instructions

    store = settings.database.store
    if store.sqlite_path is None:
        print(pg_dump_instructions(store.description), file=sys.stderr)
        return EXIT_CONFIGURATION
    destination = Path(path) if path else default_backup_path(store.sqlite_path)
    try:
        size = backup_sqlite(store.sqlite_path, destination)
    except (BackupRefused, OSError, sqlite3.Error) as exc:
        print(f"summit-bot: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    print(f"backed up {store.sqlite_path} to {destination} ({size:,} bytes)")
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
