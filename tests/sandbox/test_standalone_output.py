"""`summit-bot emulator` prints "— bot connected (…)" to sys.stdout as it is when the shard arrives: with
--console on a terminal, the prompt replaces sys.stdout to print above the line being typed, and a line
printed to the stream it replaced lands on the prompt (seen as "member> — bot connected (shard 0 of 6)" in
docs/deployment.md's walk-through)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys

import aiohttp
import pytest

from bot.sandbox.standalone import StandaloneOptions, serve

from .console_helpers import Transcript


@pytest.mark.timeout(30)
async def test_a_shard_arriving_is_announced_on_stdout_as_it_is_then(monkeypatch):
    before, during = Transcript(), Transcript()
    monkeypatch.setattr(sys, "stdout", before)
    server = asyncio.create_task(serve(StandaloneOptions(port=0, guilds=2)))
    try:
        banner = await before.until("Ctrl-C or SIGTERM stops it.")
        token = re.search(r"token:\s+(\S+)", banner).group(1)
        gateway = re.search(r"gateway:\s+(\S+)", banner).group(1)
        monkeypatch.setattr(sys, "stdout", during)  # what the console's prompt does (prompt_toolkit's patch_stdout)
        async with aiohttp.ClientSession() as http, http.ws_connect(gateway + "?v=10&encoding=json") as ws:
            assert (await ws.receive_json())["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": token, "intents": 1, "properties": {}}})
            await during.until("— bot connected (unsharded)")
        assert "bot connected" not in before.getvalue()
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server
