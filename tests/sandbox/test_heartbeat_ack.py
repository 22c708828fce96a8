"""`summit-bot emulator` answers a heartbeat after a network's round trip, so that the gateway latency bot
processes report (`summit-bot status`, /about) is a few milliseconds, not a heartbeat interval: on loopback an
instant HEARTBEAT_ACK can reach discord.py before its heartbeat thread records the send (seen as "latency
41254 ms" in docs/deployment.md's walk-through). The emulator the tests use still answers at once, in order
(tests/sandbox/test_shards.py relies on it)."""

from __future__ import annotations

import time

import aiohttp

from bot.sandbox import DiscordEmulator
from bot.sandbox.standalone import HEARTBEAT_ROUND_TRIP, StandaloneOptions, build_emulator

HEARTBEAT, HELLO, HEARTBEAT_ACK = 1, 10, 11


async def seconds_to_ack(emu: DiscordEmulator) -> float:
    async with aiohttp.ClientSession() as http, http.ws_connect(emu.gateway_url + "?v=10&encoding=json") as ws:
        assert (await ws.receive_json())["op"] == HELLO
        sent = time.perf_counter()
        await ws.send_json({"op": HEARTBEAT, "d": None})
        assert (await ws.receive_json())["op"] == HEARTBEAT_ACK
        return time.perf_counter() - sent


async def test_the_standalone_emulator_answers_a_heartbeat_after_a_round_trip() -> None:
    emulator = build_emulator(StandaloneOptions(port=0, guilds=1))
    async with emulator:
        assert await seconds_to_ack(emulator) >= HEARTBEAT_ROUND_TRIP * 0.9  # the loop's timer may fire a bit early
