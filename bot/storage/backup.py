"""`summit-bot db backup [PATH]`: a consistent copy of a SQLite store, taken while the bot runs.

The copy goes through SQLite's online backup API on a read-only connection, in one step: it reads one
snapshot (in WAL mode the bot keeps writing meanwhile; its later writes are simply not in the copy). It
is written beside the target as `<name>.partial` and renamed at the end, so a backup interrupted half-way
never looks like a complete one. PostgreSQL is backed up with pg_dump (README, "Running on PostgreSQL").
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path


class BackupRefused(RuntimeError):
    """No backup was written; the message is one line for the operator."""


def default_backup_path(database: Path, now: datetime | None = None) -> Path:
    """Beside the store, named after it with the UTC time: var/summit-bot-20261207T021500Z.sqlite3."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return database.with_name(f"{database.stem}-{stamp}{database.suffix or '.sqlite3'}")


def backup_sqlite(database: Path, destination: Path) -> int:
    """Copy the store at `database` to `destination` (which must not exist); the size of the copy in bytes."""
    if not database.is_file():
        raise BackupRefused(f"no SQLite store at {database}: check database.url")
    if destination.exists():
        raise BackupRefused(f"{destination} already exists: choose another path (nothing was written)")
    if not destination.parent.is_dir():
        raise BackupRefused(f"the folder {destination.parent} does not exist (nothing was written)")
    partial = destination.with_name(destination.name + ".partial")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # pages=-1: the whole store from one snapshot
        finally:
            copy.close()
        partial.rename(destination)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    finally:
        source.close()
    return destination.stat().st_size


def pg_dump_instructions(description: str) -> str:
    """What to run instead on PostgreSQL (the URL without its password: PGPASSWORD supplies it)."""
    return (
        f"db backup copies a SQLite store; this one is PostgreSQL ({description}). Back it up with\n"
        f"  pg_dump -Fc --no-owner -f summit-$(date -u +%Y%m%dT%H%M%SZ).dump '{description}'\n"
        "and restore into a new, empty database with\n"
        "  createdb summit_restored && pg_restore --no-owner -d summit_restored summit-….dump\n"
        "(README, Running on PostgreSQL)."
    )
