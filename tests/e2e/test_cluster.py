"""Three real bot processes sharing 6 shards and 30 servers on one PostgreSQL store (issue 12, item 8):
every command answered once, by the process that owns the server's shard; a process killed leaves its
servers unanswered, as on Discord, until it is started again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import DiscordEmulator
from bot.sandbox.sharding import shard_of
from tests.helpers.cluster import Cluster, Server, running_cluster

SHARDS = 6
PROCESSES = 3
SERVERS = 30

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
async def cluster(tmp_path: Path, postgres_url: str) -> AsyncIterator[Cluster]:
    async with running_cluster(
        tmp_path, postgres_url, processes=PROCESSES, shard_count=SHARDS, servers=SERVERS
    ) as running:
        yield running
    running.emulator.assert_no_spec_violations()


def _shard_named(result, locale: str) -> int:
    """The shard /about says answered ("2 of 6" / "2 sur 6")."""
    (embed,) = result.embeds
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    shard, of, count = fields["Shard"].split()
    assert of == ("sur" if locale == "fr" else "of") and int(count) == SHARDS
    return int(shard)


def _callbacks(emulator: DiscordEmulator, interaction_id: int) -> int:
    return sum(
        1 for r in emulator.requests if r.path.endswith("/callback") and f"/interactions/{interaction_id}/" in r.path
    )


async def _about(cluster: Cluster, server: Server) -> int:
    """/about in `server`: answered once, by its own shard; that shard's process."""
    result = await cluster.emulator.slash(server.member, server.general, "about")
    assert _callbacks(cluster.emulator, result.id) == 1
    shard = _shard_named(result, server.member.locale)
    assert shard == shard_of(server.guild.id, SHARDS)
    return cluster.process_of_shard(shard)


async def test_each_server_is_answered_once_by_the_process_that_owns_its_shard(cluster: Cluster) -> None:
    emulator = cluster.emulator
    assert {shard_of(s.guild.id, SHARDS) for s in cluster.servers} == set(range(SHARDS)), "servers on every shard"
    live = sorted(s.shard for s in emulator.gateway.live_sessions())
    assert live == [(i, SHARDS) for i in range(SHARDS)], "one session per shard, across the three processes"

    answered_by = await asyncio.gather(*(_about(cluster, server) for server in cluster.servers))
    for server, process in zip(cluster.servers, answered_by, strict=True):
        assert process == cluster.process_of_guild(server.guild.id)
    assert set(answered_by) == set(range(PROCESSES)), "every process answered its own servers"
    for process in range(PROCESSES):  # each process connected to its own servers only
        owned = sum(1 for s in cluster.servers if cluster.process_of_guild(s.guild.id) == process)
        assert any(f"to {owned} guild(s)" in line for line in cluster.log(process))

    for server in cluster.servers[::5]:
        clause = await emulator.slash(server.member, server.general, "clause", {"ref": "4"})
        assert clause.embeds and _callbacks(emulator, clause.id) == 1

    member = cluster.servers[3].member
    dm = await emulator.slash(member.user, None, "about", locale="en-US")
    assert _shard_named(dm, "en-US") == 0 and _callbacks(emulator, dm.id) == 1
    assert not emulator.errors_returned


async def test_a_killed_process_leaves_its_servers_unanswered_until_restarted(cluster: Cluster) -> None:
    emulator = cluster.emulator
    victim = 1
    theirs = [s for s in cluster.servers if cluster.process_of_guild(s.guild.id) == victim]
    others = [s for s in cluster.servers if cluster.process_of_guild(s.guild.id) != victim]
    await cluster.kill(victim)

    # As on Discord: the interaction goes to the dead shard's session and nobody answers it.
    unanswered = await asyncio.gather(
        *(emulator.slash(s.member, s.general, "about", timeout=1.5) for s in theirs), return_exceptions=True
    )
    assert all(isinstance(outcome, AssertionError) and "no answer" in str(outcome) for outcome in unanswered)
    for server in others:  # the others carry on
        assert await _about(cluster, server) != victim

    await cluster.restart(victim)
    for server in theirs:
        assert await _about(cluster, server) == victim
    assert cluster.processes[victim].runs == 2
