"""Every row of every table, to prove a refusal changed nothing and to put the store back between examples.

On either store: the tables are `Database.table_names()` (the bot's data, the same names on SQLite and
PostgreSQL), so tables added by later migrations are covered without a change here. The search index is
not among them: it is built from data/ and never written at run time. What must differ between the
stores (the foreign keys' catalogue) is keyed on the dialect in `_PARENTS`.
"""

from __future__ import annotations

from typing import Any

from bot.storage.database import Database

Snapshot = dict[str, list[tuple[Any, ...]]]

# Tables that only cache what can be rebuilt and may change on a read (none so far).
CACHE_TABLES: frozenset[str] = frozenset()
# The running process's own bookkeeping, written on its own clock whatever members do: its heartbeat and
# lease (bot/cluster/membership.py) and the shared request budget (bot/cluster/rate_budget.py). Neither
# holds anything of a member's or a moderator's, and a test must not put them back.
PROCESS_TABLES: frozenset[str] = frozenset({"bot_processes", "rate_budget"})


async def table_names(database: Database) -> list[str]:
    return [name for name in await database.table_names() if name not in CACHE_TABLES | PROCESS_TABLES]


async def snapshot(database: Database) -> Snapshot:
    state: Snapshot = {}
    for name in await table_names(database):
        rows = await database.fetch_all(f'SELECT * FROM "{name}"')
        state[name] = sorted((tuple(row) for row in rows), key=repr)
    return state


def differences(before: Snapshot, after: Snapshot, *, limit: int = 5) -> list[str]:
    """What changed, table by table, for an assertion message."""
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = set(before.get(name, [])), set(after.get(name, []))
        if old == new:
            continue
        added, removed = sorted(new - old, key=repr), sorted(old - new, key=repr)
        lines.append(f"{name}: +{len(added)} -{len(removed)} rows")
        lines.extend(f"  + {_short(row)}" for row in added[:limit])
        lines.extend(f"  - {_short(row)}" for row in removed[:limit])
    return lines


async def restore(database: Database, baseline: Snapshot, current: Snapshot | None = None) -> bool:
    """Put every table that differs from `baseline` back as it was; True when something had changed.

    Tables referencing a restored table are restored too (ON DELETE CASCADE empties them); parents are
    refilled before children. `current` is a snapshot just taken, to save reading it again.
    """
    if current is None:
        current = await snapshot(database)
    changed = {name for name in baseline.keys() | current.keys() if current.get(name) != baseline.get(name)}
    if not changed:
        return False
    parents = await _parents(database, baseline.keys())
    changed |= {child for child in baseline if _depends_on(child, changed, parents)}
    order = _parents_first(changed, parents)
    async with database.transaction() as tx:
        for name in reversed(order):
            await tx.execute(f'DELETE FROM "{name}"')
        for name in order:
            rows = baseline.get(name, [])
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                await tx.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
    return True


# The tables a table's foreign keys point at, on each store (a table name as the one parameter).
_PARENTS = {
    "sqlite": 'SELECT "table" FROM pragma_foreign_key_list(?)',
    "postgresql": "SELECT confrelid::regclass::text FROM pg_constraint"
    " WHERE contype = 'f' AND conrelid = CAST(CAST(? AS TEXT) AS regclass)",
}


async def _parents(database: Database, names: Any) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {}
    for name in names:
        rows = await database.fetch_all(_PARENTS[database.dialect.name], (name,))
        parents[name] = {row[0] for row in rows if row[0] != name}
    return parents


def _depends_on(table: str, targets: set[str], parents: dict[str, set[str]]) -> bool:
    seen: set[str] = set()
    stack = list(parents.get(table, ()))
    while stack:
        parent = stack.pop()
        if parent in targets:
            return True
        if parent not in seen:
            seen.add(parent)
            stack.extend(parents.get(parent, ()))
    return False


def _parents_first(tables: set[str], parents: dict[str, set[str]]) -> list[str]:
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in order or name in path:
            return
        for parent in sorted(parents.get(name, ())):
            if parent in tables:
                visit(parent, (*path, name))
        order.append(name)

    for name in sorted(tables):
        visit(name)
    return order


def _short(row: tuple[Any, ...], width: int = 160) -> str:
    text = repr(row)
    return text if len(text) <= width else text[: width - 1] + "…"
