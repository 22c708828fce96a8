"""Several real bot processes (`python -m bot --config … run`, each with its shard range) on one store,
connected to ONE emulator in the test process, for the multi-process tests.

    async with running_cluster(tmp_path, postgres_url, processes=3, shard_count=6, servers=30) as cluster:
        server = cluster.servers[0]                       # a guild, its #general and a member
        await cluster.emulator.slash(server.member, server.general, "about")
        cluster.process_of_guild(server.guild.id)         # the index of the process that owns its shard
        await cluster.kill(1)                             # SIGKILL; returns once the emulator saw it go
        await cluster.restart(1)                          # the same shard range again, until it is ready
        cluster.log(1)                                    # that process's log lines (every run)
        await cluster.processes[1].wait_for_log(r"…")     # a BotProcess: await a log line, no sleep

Or build the emulator yourself and use `Cluster(emulator, store_url, shard_count=6, ranges=["0-1", …],
workdir=tmp_path)` as an async context manager (`start()` / `stop()` by hand); `cluster={"lease_seconds": 1}`
sets numbers of the [cluster] section (shorter leases for tests). The processes share the store;
PostgreSQL, since on SQLite a partial shard range is refused. Ready means: the emulator has sent READY and
every GUILD_CREATE on each of the process's shards and holds their connections, and the process has logged
discord.py's on_ready ("connected as …"), so its guilds are in its cache. `stop()` sends SIGTERM to every
process, then SIGKILL to any still running after `stop_timeout`; the context managers always stop them,
whatever the test did.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.sandbox import Channel, DiscordEmulator, Guild, Member
from bot.sandbox.sharding import ShardingLimits, shard_of
from tests.helpers.bot_process import BotProcess, write_config

READY_LOG = r"connected as .* to \d+ guild\(s\)"


def shard_ids(shard_range: str) -> list[int]:
    """The shard ids of a range as `discord.shard_ids` writes it: "0-3", "4,6-7"."""
    ids: list[int] = []
    for part in shard_range.split(","):
        first, _, last = part.strip().partition("-")
        ids.extend(range(int(first), int(last or first) + 1))
    return ids


def even_ranges(shard_count: int, processes: int) -> list[str]:
    """Shards 0…shard_count-1 split into `processes` contiguous ranges, as an operator would: 6 over 3 →
    ["0-1", "2-3", "4-5"]."""
    if not 1 <= processes <= shard_count:
        raise ValueError(f"{processes} process(es) cannot share {shard_count} shard(s)")
    bounds = [shard_count * i // processes for i in range(processes + 1)]
    return [f"{bounds[i]}-{bounds[i + 1] - 1}" for i in range(processes)]


@dataclass
class Server:
    guild: Guild
    general: Channel
    member: Member


class Cluster:
    """K bot processes sharing `shard_count` shards (process i runs `ranges[i]`) on one emulator."""

    def __init__(
        self, emulator: DiscordEmulator, store_url: str, *, shard_count: int, ranges: Sequence[str], workdir: Path,
        reminders: dict[str, Any] | None = None, discord: dict[str, Any] | None = None, level: str = "INFO",
        ready_timeout: float = 60.0, stop_timeout: float = 10.0, cluster: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        owned = sorted(shard for shard_range in ranges for shard in shard_ids(shard_range))
        if owned != list(range(shard_count)):
            raise ValueError(f"the ranges {list(ranges)} do not cover shards 0-{shard_count - 1} once each")
        self.emulator = emulator
        self.store_url = store_url
        self.shard_count = shard_count
        self.ranges = list(ranges)
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.servers: list[Server] = []  # filled by running_cluster
        self.processes: list[BotProcess] = []
        for i, shard_range in enumerate(self.ranges):
            settings = {**(discord or {}), "shard_count": shard_count, "shard_ids": shard_range}
            config = write_config(
                workdir / f"bot-{i}.toml", emulator, store_url, reminders=reminders, level=level, discord=settings
            )
            if cluster:  # leases and heartbeats: a [cluster] section
                with config.open("a", encoding="utf-8") as file:
                    file.write("[cluster]\n" + "".join(f"{key} = {value!r}\n" for key, value in cluster.items()))
            self.processes.append(BotProcess(config, emulator.token))

    # -- who owns what ----------------------------------------------------------------------------

    def shards_of(self, i: int) -> list[int]:
        return shard_ids(self.ranges[i])

    def process_of_shard(self, shard: int) -> int:
        return next(i for i in range(len(self.ranges)) if shard in self.shards_of(i))

    def process_of_guild(self, guild_id: int | None) -> int:
        """The process whose shard gets this guild's events (None, a DM: shard 0's process)."""
        return self.process_of_shard(shard_of(guild_id, self.shard_count))

    def log(self, i: int) -> list[str]:
        """Every log line of process i, over all its runs."""
        return self.processes[i].lines

    # -- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every process at once; return when every shard is ready."""
        await asyncio.gather(*(self._start(i) for i in range(len(self.processes))))

    async def restart(self, i: int) -> None:
        """Start process i again (after kill() or stop_one()); return when its shards are ready."""
        await self._start(i)

    async def kill(self, i: int) -> None:
        """SIGKILL process i; return once the emulator has seen its connections close."""
        await self.processes[i].kill()
        await self._wait_shards(i, ready=False)

    async def stop_one(self, i: int, *, sent: signal.Signals = signal.SIGTERM) -> int:
        """Stop process i as systemd does (SIGTERM, SIGKILL after stop_timeout); its exit code."""
        code = await self.processes[i].stop(self.stop_timeout, sent=sent)
        await self._wait_shards(i, ready=False)
        return code

    async def stop(self) -> None:
        """SIGTERM to every running process, SIGKILL to those still running after stop_timeout."""
        running = [process for process in self.processes if process.running]
        await asyncio.gather(*(p.stop(self.stop_timeout, sent=signal.SIGTERM) for p in running))

    async def __aenter__(self) -> Cluster:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def _start(self, i: int) -> None:
        process = self.processes[i]
        await process.start()
        await process.wait_for_log(READY_LOG, self.ready_timeout)
        await self._wait_shards(i, ready=True)

    async def _wait_shards(self, i: int, *, ready: bool) -> None:
        shards = set(self.shards_of(i))
        gateway = self.emulator.gateway

        def settled() -> bool | None:
            live = gateway.ready_shards() & shards
            return (live == shards if ready else not live) or None

        what = f"shards {self.ranges[i]} of process {i} to {'be ready' if ready else 'disconnect'}"
        await self.emulator._wait(self.emulator.gateway_signal, settled, self.ready_timeout, what)


@contextlib.asynccontextmanager
async def running_cluster(
    workdir: Path, store_url: str, *, processes: int, shard_count: int, servers: int,
    max_concurrency: int | None = None, **options: Any,
) -> AsyncIterator[Cluster]:  # fmt: skip
    """An emulator with `servers` servers (each with #general and a member, every other one in French),
    and `processes` bot processes sharing `shard_count` shards evenly; all stopped on the way out.

    IDENTIFY is limited as on Discord (one per bucket per 5 s); `max_concurrency` (default: one bucket
    per shard, as a large bot has) sets the buckets: with 1, six shards take 25 s to start."""
    limits = ShardingLimits(max_concurrency=max_concurrency or shard_count, identify_window=5.0)
    async with DiscordEmulator(sharding=limits) as emulator:
        made = []
        for n in range(servers):
            guild = emulator.create_guild(f"Server {n}")
            member = emulator.create_member(guild, f"member{n}", locale="fr" if n % 2 else "en-US")
            made.append(Server(guild, emulator.create_text_channel(guild, "general"), member))
        cluster = Cluster(
            emulator, store_url, shard_count=shard_count, ranges=even_ranges(shard_count, processes),
            workdir=workdir, **options,
        )  # fmt: skip
        cluster.servers = made
        async with cluster:
            yield cluster
