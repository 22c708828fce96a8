"""A PostgreSQL database for a benchmark: a new one on SUMMIT_BENCH_POSTGRES_URL's server (dropped after), or
on a throwaway server started with .ci/postgres (stopped after, however the benchmark ends).

`async with bench_database() as (url, reason)`: `url` is None, and `reason` says why, when there is no
PostgreSQL to use (no URL and no PostgreSQL 15 binaries, or the server would not start).
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

URL_ENV = "SUMMIT_BENCH_POSTGRES_URL"
SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "postgres"
BINARIES = Path("/usr/lib/postgresql/15/bin")


@asynccontextmanager
async def bench_database() -> AsyncIterator[tuple[str | None, str]]:
    admin_url, started = os.environ.get(URL_ENV), False
    if not admin_url:
        if not (BINARIES / "pg_ctl").exists():
            yield None, f"no {URL_ENV} and no PostgreSQL 15 in {BINARIES} (apt-get install postgresql-15)"
            return
        done = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, check=False)  # noqa: S603, ASYNC221 - our script, once
        if done.returncode != 0:
            yield None, f".ci/postgres start failed: {done.stderr.strip()[-300:]}"
            return
        admin_url, started = done.stdout.strip().splitlines()[-1], True
    name = f"summit_bench_{uuid.uuid4().hex[:12]}"
    try:
        await _admin(admin_url, f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.rsplit("/", 1)[0] + "/" + name, ""
        finally:
            await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        if started:
            subprocess.run([str(SCRIPT), "stop", admin_url], capture_output=True, check=False)  # noqa: S603, ASYNC221


async def _admin(admin_url: str, statement: str) -> None:
    connection = await asyncpg.connect(admin_url)  # the URL (and any password) never printed
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
