"""Both stores for the tests: a SQLite file per test, or a fresh PostgreSQL database per test.

PostgreSQL comes from SUMMIT_TEST_POSTGRES_URL (an admin URL of a running server); without it, when the
PostgreSQL 15 binaries exist, a throwaway server is started with .ci/postgres for the session. Otherwise
the PostgreSQL tests skip with the reason, except under CI=true, where that is a failure.

Each test's database is copied (CREATE DATABASE … TEMPLATE) from one migrated once per session.

Fixtures (tests/conftest.py): `store_url` (parametrized "sqlite" | "postgresql": the URL of a fresh,
migrated store; pass it to `open_database`), `empty_store_url` (the same, nothing migrated),
`postgres_url` / `empty_postgres_url` (PostgreSQL only), `postgres_server` (the session's server:
`.admin_url`, `create_database()`, `drop_database()`, `url_of(name)`).
"""

from __future__ import annotations

import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bot.storage.database import open_database

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "postgres"
BINARIES = Path("/usr/lib/postgresql/15/bin")
URL_ENV = "SUMMIT_TEST_POSTGRES_URL"
TEMPLATE = "summit_test_template"


@dataclass
class PostgresServer:
    admin_url: str
    started_here: bool

    def url_of(self, database: str) -> str:
        return self.admin_url.rsplit("/", 1)[0] + "/" + database

    async def create_template(self) -> None:
        """A database migrated to the latest version, that every test's database is copied from."""
        admin = await asyncpg.connect(self.admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{TEMPLATE}"')
        finally:
            await admin.close()
        database = await open_database(self.url_of(TEMPLATE))
        await database.close()

    async def create_database(self, *, template: str | None = TEMPLATE) -> str:
        name = f"summit_test_{uuid.uuid4().hex[:12]}"
        admin = await asyncpg.connect(self.admin_url)
        try:
            source = f' TEMPLATE "{template}"' if template else ""
            await admin.execute(f'CREATE DATABASE "{name}"{source}')
        finally:
            await admin.close()
        return name

    async def drop_database(self, name: str) -> None:
        admin = await asyncpg.connect(self.admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    def stop(self) -> None:
        if self.started_here:
            subprocess.run([str(SCRIPT), "stop", self.admin_url], check=False, capture_output=True)

    def halt(self) -> None:
        """Stop the server, keeping its data (only for a server started here)."""
        subprocess.run([str(SCRIPT), "halt", self.admin_url], check=True, capture_output=True)

    def resume(self) -> None:
        subprocess.run([str(SCRIPT), "resume", self.admin_url], check=True, capture_output=True)


def start_own_postgres() -> tuple[PostgresServer | None, str]:
    """A server of this test's own (one it may stop and start again), or None and why not."""
    if not (BINARIES / "pg_ctl").exists():
        return None, f"this test stops and restarts its own PostgreSQL: it needs PostgreSQL 15 in {BINARIES}"
    started = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, check=False)
    if started.returncode != 0:
        return None, f".ci/postgres start failed: {started.stderr.strip()[-300:]}"
    return PostgresServer(started.stdout.strip().splitlines()[-1], started_here=True), ""


def find_postgres() -> tuple[PostgresServer | None, str]:
    """The server to test against, or None and why not."""
    if os.environ.get(URL_ENV):
        return PostgresServer(os.environ[URL_ENV], started_here=False), ""
    if not (BINARIES / "pg_ctl").exists():
        return None, f"PostgreSQL tests need {URL_ENV} or PostgreSQL 15 in {BINARIES} (apt-get install postgresql-15)"
    started = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, check=False)
    if started.returncode != 0:
        return None, f".ci/postgres start failed: {started.stderr.strip()[-300:]}"
    return PostgresServer(started.stdout.strip().splitlines()[-1], started_here=True), ""
