"""Which shards this process runs: the `discord.shard_count` / `discord.shard_ids` settings, parsed and checked.

`shard_ids` is written as an operator would: "0-3", "4,5", "0-1,6", or "all" (0 to shard_count - 1).
On SQLite only one process may use the store, so it must run every shard: a partial range is refused.
"""

from __future__ import annotations

from typing import Literal

ALL = "all"
AUTO = "auto"

ShardCount = int | Literal["auto"]


def parse_shard_ids(text: str) -> list[int] | None:
    """The ids in `text`, sorted, without repeats; None for "all". ValueError with a short reason otherwise."""
    text = text.strip().lower()
    if text in (ALL, ""):
        return None
    ids: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        if not first.strip().isdigit() or (dash and not last.strip().isdigit()):
            raise ValueError(f"{part.strip()!r} is not a shard id or a range like 0-3")
        low, high = int(first), int(last) if dash else int(first)
        if high < low:
            raise ValueError(f"{part.strip()!r}: the range goes backwards")
        ids.update(range(low, high + 1))
    return sorted(ids)


def parse_shard_count(text: str) -> ShardCount:
    text = text.strip().lower()
    if text == AUTO:
        return AUTO
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{text!r} is neither a number of shards (1 or more) nor 'auto'")
    return int(text)


def shard_ids_problem(shard_ids: str, shard_count: ShardCount) -> str | None:
    """Why these ids cannot go with this count, or None."""
    ids = parse_shard_ids(shard_ids)
    if ids is None:
        return None
    if shard_count == AUTO:
        return "listing shard ids needs a fixed shard_count (not 'auto'): every process must agree on it"
    outside = [i for i in ids if i >= shard_count]
    if outside:
        return f"shard {outside[0]} does not exist with shard_count {shard_count} (ids go from 0 to {shard_count - 1})"
    return None


def is_partial(shard_ids: str, shard_count: ShardCount) -> bool:
    """Whether this process runs only some of the bot's shards (the others run elsewhere)."""
    ids = parse_shard_ids(shard_ids)
    return ids is not None and shard_count != AUTO and ids != list(range(shard_count))


def describe(shard_ids: str, shard_count: ShardCount) -> str:
    """For check-config and logs: "all of 1", "all of auto (Discord's recommendation)", "0-3 of 8"."""
    ids = parse_shard_ids(shard_ids)
    count = "auto (Discord's recommendation at start)" if shard_count == AUTO else str(shard_count)
    if ids is None:
        return f"all of {count}"
    return f"{_ranges(ids)} of {count}"


def _ranges(ids: list[int]) -> str:
    runs: list[list[int]] = []
    for i in ids:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return ",".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def sqlite_refusal(shard_ids: str, shard_count: ShardCount, store_is_sqlite: bool) -> str | None:
    """The one line a process refuses to start with when it would run only some shards on SQLite."""
    if not (store_is_sqlite and is_partial(shard_ids, shard_count)):
        return None
    return (
        f"shards {describe(shard_ids, shard_count)} need the other shards in other processes, and a SQLite store "
        'serves one process: run every shard here (shard_ids = "all") or move the store to PostgreSQL'
    )
