"""The emulator shards as Discord does: routing by guild, READY per shard, IDENTIFY limits, 4010/4011."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.sandbox import DiscordEmulator
from bot.sandbox.interactions import APPLICATION_COMMAND
from bot.sandbox.sharding import ShardingLimits


class RawShard:
    """One raw gateway connection, identified as one shard (or without `shard`)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ready: dict[str, Any] = {}

    async def identify(self, emu: DiscordEmulator, shard: list[int] | None) -> dict[str, Any]:
        """The first answer: READY's payload (op 0), op 9, or the close message."""
        data: dict[str, Any] = {"token": emu.token, "intents": 1, "properties": {}}
        if shard is not None:
            data["shard"] = shard
        await self.ws.send_json({"op": 2, "d": data})
        message = await self.ws.receive()
        if message.type is aiohttp.WSMsgType.CLOSE:
            return {"close": message.data}
        payload = message.json()
        if payload["op"] == 0:
            self.ready = payload["d"]
        return payload

    async def events(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        return [(p["t"], p["d"]) for p in [await self.ws.receive_json() for _ in range(count)]]

    async def nothing_pending(self, emu: DiscordEmulator) -> bool:
        """True when no dispatch is waiting: a heartbeat's ACK is the next frame (frames keep their order)."""
        await self.ws.send_json({"op": 1, "d": None})
        return (await self.ws.receive_json())["op"] == 11


@contextlib.asynccontextmanager
async def connected(emu: DiscordEmulator) -> AsyncIterator[Any]:
    async with aiohttp.ClientSession() as http:

        async def open_shard() -> RawShard:
            ws = await http.ws_connect(emu.gateway_url + "?v=10&encoding=json")
            assert (await ws.receive_json())["op"] == 10
            return RawShard(ws)

        yield open_shard


def shard_of(guild_id: int, count: int) -> int:
    return (guild_id >> 22) % count


async def test_three_shards_each_get_only_their_guilds_and_dms_go_to_shard_0() -> None:
    async with DiscordEmulator() as emu, connected(emu) as open_shard:
        guilds = [emu.create_guild(f"G{n}") for n in range(30)]
        expected = {i: {g.id for g in guilds if shard_of(g.id, 3) == i} for i in range(3)}
        assert all(expected.values()), "30 snowflakes spread over all three shards"
        shards = []
        for shard_id in range(3):
            shard = await open_shard()
            ready = await shard.identify(emu, [shard_id, 3])
            assert ready["t"] == "READY" and ready["d"]["shard"] == [shard_id, 3]
            assert {int(g["id"]) for g in ready["d"]["guilds"]} == expected[shard_id]
            created = await shard.events(len(expected[shard_id]))
            assert {int(d["id"]) for t, d in created if t == "GUILD_CREATE"} == expected[shard_id]
            assert await shard.nothing_pending(emu)
            shards.append(shard)
        await emu.wait_for_ready(shards=3)

        for guild in guilds:  # a guild event reaches its shard's session only
            channel = emu.create_text_channel(guild, "general")
            owner = shard_of(guild.id, 3)
            ((event, data),) = await shards[owner].events(1)
            assert (event, data["id"]) == ("CHANNEL_CREATE", str(channel.id))
        for shard in shards:
            assert await shard.nothing_pending(emu)

        # An interaction in a DM belongs to no guild: shard 0.
        user = emu.world.new_user("dm-user")
        ix = emu.builder.new(APPLICATION_COMMAND, user, None, name="about", data={"name": "about"}, locale=None)
        assert emu.gateway.dispatch("INTERACTION_CREATE", ix.payload) == 1
        ((event, data),) = await shards[0].events(1)
        assert (event, data["id"]) == ("INTERACTION_CREATE", str(ix.id))
        assert all([await shards[1].nothing_pending(emu), await shards[2].nothing_pending(emu)])


async def test_a_session_without_shard_gets_every_guild() -> None:
    async with DiscordEmulator() as emu, connected(emu) as open_shard:
        guilds = [emu.create_guild(f"G{n}") for n in range(5)]
        ready = await (await open_shard()).identify(emu, None)
        assert {int(g["id"]) for g in ready["d"]["guilds"]} == {g.id for g in guilds}


@pytest.mark.parametrize("max_concurrency", [1, 2])
async def test_identify_is_paced_per_bucket(max_concurrency: int) -> None:
    window = 0.5
    limits = ShardingLimits(max_concurrency=max_concurrency, identify_window=window)
    async with DiscordEmulator(sharding=limits) as emu, connected(emu) as open_shard:
        emu.create_guild("G")
        # Within one window each bucket (shard_id % max_concurrency) admits one IDENTIFY.
        answers = [(await (await open_shard()).identify(emu, [i, 4]))["op"] for i in range(4)]
        assert answers == [0] * max_concurrency + [9] * (4 - max_concurrency)
        assert emu.identifies == max_concurrency and emu.gateway.identifies_refused == 4 - max_concurrency
        # Once the window has passed, the refused shard may identify.
        emu.identify_gate.clock = lambda base=emu.identify_gate.clock: base() + window
        assert (await (await open_shard()).identify(emu, [max_concurrency, 4]))["op"] == 0


async def test_gateway_bot_reports_shards_and_the_session_starts_left() -> None:
    limits = ShardingLimits(max_concurrency=2, identify_window=0, session_start_total=3, guilds_per_shard=10)
    async with DiscordEmulator(sharding=limits) as emu, connected(emu) as open_shard, aiohttp.ClientSession() as http:
        for n in range(25):
            emu.create_guild(f"G{n}")

        async def gateway_bot() -> dict[str, Any]:
            headers = {"Authorization": f"Bot {emu.token}"}
            async with http.get(emu.api_base_url + "/gateway/bot", headers=headers) as response:
                assert response.status == 200
                return await response.json()

        before = await gateway_bot()
        assert before["url"] == emu.gateway_url
        assert before["shards"] == 3  # ceil(25 / 10)
        start = before["session_start_limit"]
        assert (start["total"], start["remaining"], start["max_concurrency"]) == (3, 3, 2)
        assert 0 < start["reset_after"] <= 86_400_000
        for shard_id in range(3):
            assert (await (await open_shard()).identify(emu, [shard_id, 3]))["op"] == 0
        assert (await gateway_bot())["session_start_limit"]["remaining"] == 0
        # None left: the next IDENTIFY is refused.
        assert (await (await open_shard()).identify(emu, [0, 3]))["op"] == 9


async def test_more_guilds_than_the_threshold_without_shards_closes_4011() -> None:
    limits = ShardingLimits(sharding_threshold=4, identify_window=0)
    async with DiscordEmulator(sharding=limits) as emu, connected(emu) as open_shard:
        for n in range(5):
            emu.create_guild(f"G{n}")
        assert await (await open_shard()).identify(emu, None) == {"close": 4011}
        assert await (await open_shard()).identify(emu, [0, 1]) == {"close": 4011}
        assert emu.identifies == 0
        # Sharded so that no session holds more than the threshold, it is let in.
        assert (await (await open_shard()).identify(emu, [0, 5]))["op"] == 0


@pytest.mark.parametrize("shard", [[2, 2], [-1, 2], [0, 0], [0], "0,1", [0.0, 1]])
async def test_an_invalid_shard_closes_4010(shard: Any) -> None:
    async with DiscordEmulator() as emu, connected(emu) as open_shard:
        assert await (await open_shard()).identify(emu, shard) == {"close": 4010}
        assert emu.identifies == 0


async def test_a_new_identify_drops_the_orphans_it_replaces_only() -> None:
    async with DiscordEmulator() as emu, connected(emu) as open_shard:
        emu.create_guild("G")
        shards = [await open_shard() for _ in range(3)]
        for shard_id, shard in enumerate(shards):
            assert (await shard.identify(emu, [shard_id, 3]))["op"] == 0
        await emu.wait_for_ready(shards=3)
        await emu.gateway.drop_connections()  # all three left resumable, without a connection
        assert len(emu.gateway.live_sessions()) == 3
        # Shard 1 of the same split restarts: only its old session goes.
        restarted = await open_shard()  # kept: a collected websocket would close cleanly
        assert (await restarted.identify(emu, [1, 3]))["op"] == 0
        live = sorted((s.shard, s.connection is not None) for s in emu.gateway.live_sessions())
        assert live == [((0, 3), False), ((1, 3), True), ((2, 3), False)]
        # A bot with another shard count replaces the whole old split.
        unsharded = await open_shard()
        assert (await unsharded.identify(emu, None))["op"] == 0
        assert [(s.shard, s.connection is not None) for s in emu.gateway.live_sessions()] == [
            ((1, 3), True),
            (None, True),
        ]
