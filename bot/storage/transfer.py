"""`summit-bot db migrate --to postgresql://…`: copy a SQLite store into an empty PostgreSQL database, then verify.

    reports = await copy_store(sqlite_path, "postgresql://summit@db/summit", progress=print_progress)
    all(report.matches for report in reports)

- The source is read in ONE read transaction (a snapshot) through a read-only connection; the caller holds
  the store lock (bot/storage/lock.py), so no bot writes it meanwhile.
- The target is migrated to the code's schema version, must hold no row in any table, and is filled in ONE
  PostgreSQL transaction, table by table in foreign-key order, with COPY (asyncpg copy_records_to_table)
  and the ids as they are. Why one transaction: any failure (a row PostgreSQL refuses, the server going
  away) leaves the target as empty as it was, so running the command again simply starts over and can
  never duplicate a row; the price is redoing the whole copy, about a minute per million rows.
- Then the identity sequences move past the copied ids (PostgresDatabase.sync_identities()), and each
  table is read back from both stores ordered by its primary key: row count and sha256 over one canonical
  line per row (`canonical_row`: SQLite's int and PostgreSQL's smallint/bigint are both JSON numbers, text
  and "C"-collated text both JSON strings), so the two sides are compared by the same Python code.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiosqlite
import asyncpg

from bot.storage.database import SchemaTooNewError, StoreUnavailableError, bundled_migrations
from bot.storage.dialect import POSTGRESQL, SQLITE, StoreURL
from bot.storage.postgres import UNAVAILABLE, PostgresDatabase
from bot.storage.sqlite import SqliteDatabase

BATCH_ROWS = 10_000


class TransferRefused(RuntimeError):
    """The copy cannot start (or failed and was rolled back); the message is for the operator, one line."""


@dataclass(frozen=True)
class TablePlan:
    name: str
    columns: tuple[str, ...]  # the copied columns, in the source's order (PostgreSQL's generated ones left out)
    key: tuple[str, ...]  # the primary key: the order both stores are read in


@dataclass(frozen=True)
class Progress:
    table: str
    table_done: int
    table_total: int
    done: int  # rows copied so far, every table
    total: int


@dataclass(frozen=True)
class TableReport:
    table: str
    source_rows: int
    target_rows: int
    source_sha256: str
    target_sha256: str

    @property
    def matches(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sha256 == self.target_sha256


def canonical_row(row: Sequence[object]) -> bytes:
    """One line per row, the same whichever store it was read from (bool is stored as 0/1 on both)."""
    values = [int(value) if isinstance(value, bool) else value for value in row]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


class _Digest:
    def __init__(self) -> None:
        self.rows = 0
        self._sha = hashlib.sha256()

    def add(self, rows: Sequence[Sequence[object]]) -> None:
        for row in rows:
            self._sha.update(canonical_row(row))
        self.rows += len(rows)

    @property
    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select(plan: TablePlan) -> str:
    columns = ", ".join(_quote(column) for column in plan.columns)
    order = ", ".join(_quote(column) for column in plan.key)
    return f"SELECT {columns} FROM {_quote(plan.name)} ORDER BY {order}"  # noqa: S608 - names from the catalogue


async def check_source(path: Path) -> SqliteDatabase:
    """The SQLite store at `path`, opened without migrating it, refused unless at the code's schema version."""
    if not path.exists():  # noqa: ASYNC240 - one stat before the copy
        raise TransferRefused(f"no SQLite store at {path}: check database.url")
    source = await SqliteDatabase.open(path, migrate=False)
    version, latest = await source.schema_version(), bundled_migrations(SQLITE)[-1].version
    if version != latest:
        await source.close()
        if version > latest:
            raise TransferRefused(
                f"the store {path} has schema version {version}, newer than this release's ({latest}): "
                "run db migrate with the release that wrote it"
            )
        raise TransferRefused(
            f"the store {path} has schema version {version}, this release's is {latest}: start the bot once "
            "on it (summit-bot run) so it migrates, stop it, then run db migrate again"
        )
    return source


async def open_target(url: str) -> PostgresDatabase:
    """The PostgreSQL database at `url`, migrated to the code's version, refused unless every table is empty."""
    store = StoreURL.parse(url)
    if store.dialect is not POSTGRESQL:
        raise TransferRefused(
            f"db migrate --to takes a PostgreSQL URL (postgresql://user@host:5432/db), not {store.description}"
        )
    try:
        target = await PostgresDatabase.open(store)
    except SchemaTooNewError as exc:
        raise TransferRefused(f"the target {store.description}: {exc}") from None
    try:
        for table in await target.table_names():
            if await target.fetch_value(f"SELECT EXISTS (SELECT 1 FROM {_quote(table)})"):  # noqa: S608
                raise TransferRefused(
                    f"the target {store.description} already holds data (table {table}): db migrate copies into "
                    "an empty database only; give it a new one (createdb)"
                )
    except BaseException:
        await target.close()
        raise
    return target


async def plan_copy(source: SqliteDatabase, target: PostgresDatabase) -> list[TablePlan]:
    """Every table of both schemas, parents before children; refuses schemas that differ in tables or columns."""
    tables = await source.table_names()
    if tables != await target.table_names():
        raise TransferRefused("the two stores' schemas have different tables: this release's migrations disagree")
    plans: dict[str, TablePlan] = {}
    parents: dict[str, set[str]] = {}
    for table in tables:
        info = await source.fetch_all(f"PRAGMA table_info({_quote(table)})")
        columns = tuple(row["name"] for row in info)
        key = tuple(row["name"] for row in sorted((row for row in info if row["pk"]), key=lambda row: row["pk"]))
        target_columns = {
            row[0]
            for row in await target.fetch_all(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = ? AND is_generated = 'NEVER'",
                (table,),
            )
        }
        if set(columns) != target_columns:
            differing = sorted(set(columns) ^ target_columns)
            raise TransferRefused(f"table {table} has different columns on the two stores: {differing}")
        plans[table] = TablePlan(table, columns, key or columns)
        foreign = await source.fetch_all(f"PRAGMA foreign_key_list({_quote(table)})")
        parents[table] = {row["table"] for row in foreign} - {table}
    ordered: list[TablePlan] = []
    placed: set[str] = set()
    while len(ordered) < len(tables):
        ready = [table for table in tables if table not in placed and parents[table] <= placed]
        if not ready:
            raise TransferRefused("the tables' foreign keys form a cycle: no order to copy them in")
        for table in ready:
            ordered.append(plans[table])
            placed.add(table)
    return ordered


async def copy_store(
    source_path: Path,
    target_url: str,
    *,
    progress: Callable[[Progress], None] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> list[TableReport]:
    """Copy and verify; the caller holds the source's store lock. A report per table, in copy order."""
    source = await check_source(source_path)
    try:
        target = await open_target(target_url)
        try:
            plans = await plan_copy(source, target)
            digests = await _copy(source_path, target_url, target.description, plans, progress, batch_rows)
            try:
                await target.sync_identities()
                return await _verify(target_url, plans, digests)
            except (*UNAVAILABLE, asyncpg.PostgresError, StoreUnavailableError) as exc:
                raise TransferRefused(
                    f"the copy into {target.description} was committed but PostgreSQL went away before it was "
                    f"verified ({type(exc).__name__}): drop and create that database again, then rerun db migrate"
                ) from None
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(
    source_path: Path,
    target_url: str,
    description: str,
    plans: list[TablePlan],
    progress: Callable[[Progress], None] | None,
    batch_rows: int,
) -> dict[str, _Digest]:
    """Every table in one read transaction on SQLite and one write transaction on PostgreSQL."""
    digests: dict[str, _Digest] = {}
    reader = await aiosqlite.connect(f"file:{source_path}?mode=ro", uri=True, isolation_level=None)
    try:
        await reader.execute("BEGIN")  # one snapshot for every table (WAL: it starts at the first read)
        totals = {}
        for plan in plans:
            async with reader.execute(f"SELECT count(*) FROM {_quote(plan.name)}") as cursor:  # noqa: S608
                totals[plan.name] = (await cursor.fetchone())[0]
        total, done = sum(totals.values()), 0
        try:
            writer = await asyncpg.connect(target_url)
        except (*UNAVAILABLE, asyncpg.PostgresError) as exc:
            raise TransferRefused(f"cannot connect to PostgreSQL at {description} ({type(exc).__name__})") from None
        try:
            async with writer.transaction():
                for plan in plans:
                    digest = digests[plan.name] = _Digest()
                    async with reader.execute(_select(plan)) as cursor:
                        while rows := await cursor.fetchmany(batch_rows):
                            records = [tuple(row) for row in rows]
                            await writer.copy_records_to_table(plan.name, records=records, columns=list(plan.columns))
                            digest.add(records)
                            done += len(records)
                            if progress:
                                progress(Progress(plan.name, digest.rows, totals[plan.name], done, total))
                    if progress and not digest.rows:
                        progress(Progress(plan.name, 0, 0, done, total))
        except UNAVAILABLE as exc:  # before PostgresError: an administrator's shutdown is both
            raise TransferRefused(
                f"PostgreSQL at {description} went away during the copy of {plan.name} ({type(exc).__name__}): "
                "nothing was committed; run db migrate again"
            ) from None
        except asyncpg.PostgresError as exc:
            # Rolled back: the target holds nothing of this run. The driver's message names a row's values,
            # never the URL or its password.
            raise TransferRefused(
                f"the copy stopped at table {plan.name} and was rolled back, the target is empty again: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        finally:
            await writer.close()
        await reader.execute("COMMIT")
    finally:
        await reader.close()
    return digests


async def _verify(target_url: str, plans: list[TablePlan], sources: dict[str, _Digest]) -> list[TableReport]:
    """Read every table back from PostgreSQL in key order, through the same canonical form."""
    reports = []
    connection = await asyncpg.connect(target_url)
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):  # cursors need one
            for plan in plans:
                digest = _Digest()
                cursor = await connection.cursor(_select(plan))
                while rows := await cursor.fetch(BATCH_ROWS):
                    digest.add(rows)
                source = sources[plan.name]
                reports.append(TableReport(plan.name, source.rows, digest.rows, source.hexdigest, digest.hexdigest))
    finally:
        await connection.close()
    return reports


async def checksum_table(database: SqliteDatabase | PostgresDatabase, plan: TablePlan) -> tuple[int, str]:
    """Row count and sha256 of one table of either store, as the copy's verification computes them."""
    digest = _Digest()
    digest.add(await database.fetch_all(_select(plan)))
    return digest.rows, digest.hexdigest


class ProgressPrinter:
    """Progress for the operator: on a terminal one line rewritten in place, else a line per table and at
    most one per `interval` seconds in between."""

    def __init__(self, write: Callable[[str], object], *, terminal: bool, interval: float = 1.0) -> None:
        self._write = write
        self._terminal = terminal
        self._interval = interval
        self._last = float("-inf")  # the first step is always shown

    def __call__(self, step: Progress) -> None:
        finished = step.table_done == step.table_total
        now = time.monotonic()
        if not finished and now - self._last < self._interval:
            return
        self._last = now
        percent = 100 * step.done // step.total if step.total else 100
        line = (
            f"{step.table}: {step.table_done:,}/{step.table_total:,} rows"
            f" · {step.done:,}/{step.total:,} in all ({percent} %)"
        )
        if self._terminal:
            self._write(f"\r\x1b[2K{line}" + ("\n" if step.done == step.total and finished else ""))
        else:
            self._write(line + "\n")


def report_table(reports: Sequence[TableReport]) -> str:
    """The end-of-copy table: rows and checksums (first 16 hex digits) on both stores."""
    width = max(len("table"), *(len(report.table) for report in reports))
    header = f"{'table':<{width}}  {'sqlite rows':>11}  {'postgresql rows':>15}  {'sha256 (sqlite)':<16}"
    lines = [f"{header}  {'sha256 (postgresql)':<19}  check"]
    for report in reports:
        verdict = "ok" if report.matches else "MISMATCH"
        lines.append(
            f"{report.table:<{width}}  {report.source_rows:>11,}  {report.target_rows:>15,}  "
            f"{report.source_sha256[:16]:<16}  {report.target_sha256[:16]:<19}  {verdict}"
        )
    return "\n".join(lines)
