"""The gateway as discord.py sees it: READY and guilds, joins and kicks, drops and RESUME, raw protocol."""

from __future__ import annotations

import json
import zlib

import aiohttp
import pytest

from bot.sandbox import DiscordEmulator, compression

from .conftest import Sandbox


async def test_ready_builds_the_guild_discord_py_needs(sandbox: Sandbox) -> None:
    bot, emu = sandbox.bot, sandbox.emu
    assert bot.user is not None and bot.user.id == emu.bot_user_id
    assert bot.application_id == emu.application_id
    guild = bot.get_guild(sandbox.guild.id)
    assert guild is not None and guild.name == "Summit Community"
    assert guild.default_role.id == guild.id  # @everyone's id is the guild id
    assert {r.name for r in guild.roles} >= {"@everyone", "Moderators", emu.world.bot.name}
    assert [c.name for c in guild.text_channels] == ["general"]
    assert guild.me is not None and guild.me.guild_permissions.manage_events
    assert guild.member_count == 4  # owner, bot, alice, bob
    assert emu.gateway_connects == 1 and emu.identifies == 1


async def test_a_guild_created_later_is_joined_and_a_removed_one_left(sandbox: Sandbox) -> None:
    bot, emu = sandbox.bot, sandbox.emu
    joined = bot.wait_for("guild_join")
    guild = emu.create_guild("Second", locale="fr")
    assert (await joined).id == guild.id
    removed = bot.wait_for("guild_remove")
    emu.remove_guild(guild)
    assert (await removed).id == guild.id
    assert bot.get_guild(guild.id) is None


async def test_after_a_dropped_connection_the_bot_resumes_and_still_answers(sandbox: Sandbox) -> None:
    emu = sandbox.emu
    await emu.drop_gateway()
    await emu.wait_for_resumed()
    assert emu.resumes == 1 and emu.identifies == 1 and emu.gateway_connects == 2
    result = await emu.slash(sandbox.alice, sandbox.general, "secret")
    assert result.content == "psst"


async def test_an_interaction_sent_while_disconnected_is_replayed_on_resume(sandbox: Sandbox) -> None:
    emu = sandbox.emu
    await emu.drop_gateway()
    result = await emu.slash(sandbox.alice, sandbox.general, "secret")  # buffered, then replayed
    assert result.content == "psst"
    assert emu.resumes == 1


async def test_a_forgotten_session_makes_discord_py_identify_again(sandbox: Sandbox) -> None:
    emu = sandbox.emu

    async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
        pass  # discord.py waits 5 s before a non-initial IDENTIFY; the test needn't

    sandbox.bot.before_identify_hook = no_identify_delay  # type: ignore[method-assign]
    await emu.drop_gateway(resumable=False)
    await emu.wait_for_ready()
    assert emu.identifies == 2 and emu.resumes == 0
    assert (await emu.slash(sandbox.alice, sandbox.general, "secret")).content == "psst"


async def test_no_command_is_offered_in_a_guild_the_bot_left(sandbox: Sandbox) -> None:
    sandbox.emu.remove_guild(sandbox.guild)
    with pytest.raises(AssertionError, match="not in Summit Community"):
        await sandbox.emu.slash(sandbox.alice, sandbox.general, "secret")


async def _raw_gateway(emu: DiscordEmulator, session: aiohttp.ClientSession, query: str = "?v=10&encoding=json"):
    return await session.ws_connect(emu.gateway_url + query)


async def test_raw_gateway_without_compression_speaks_json_text() -> None:
    async with DiscordEmulator(heartbeat_interval_ms=1000) as emu, aiohttp.ClientSession() as http:
        emu.create_guild("G")
        ws = await _raw_gateway(emu, http)
        hello = await ws.receive_json()
        assert hello == {"op": 10, "d": {"heartbeat_interval": 1000}}
        await ws.send_json({"op": 1, "d": None})
        assert (await ws.receive_json())["op"] == 11
        await ws.send_json({"op": 2, "d": {"token": emu.token, "intents": 1, "properties": {}}})
        ready = await ws.receive_json()
        assert (ready["op"], ready["t"], ready["s"]) == (0, "READY", 1)
        assert ready["d"]["resume_gateway_url"] == emu.gateway_url
        assert ready["d"]["guilds"][0]["unavailable"] is True
        guild_create = await ws.receive_json()
        assert (guild_create["t"], guild_create["s"]) == ("GUILD_CREATE", 2)
        await emu.wait_for_ready()
        await ws.close()


async def test_raw_gateway_zlib_stream_messages_end_with_a_sync_flush() -> None:
    async with DiscordEmulator() as emu, aiohttp.ClientSession() as http:
        ws = await _raw_gateway(emu, http, "?v=10&encoding=json&compress=zlib-stream")
        inflater = zlib.decompressobj()
        frame = await ws.receive_bytes()
        assert frame.endswith(b"\x00\x00\xff\xff")
        assert json.loads(inflater.decompress(frame))["op"] == 10
        await ws.send_json({"op": 1, "d": None})
        assert json.loads(inflater.decompress(await ws.receive_bytes()))["op"] == 11  # same stream
        await ws.close()


@pytest.mark.skipif(compression.zstandard is None, reason="zstandard is not installed")
async def test_raw_gateway_zstd_stream() -> None:  # pragma: no cover - depends on an optional module
    async with DiscordEmulator() as emu, aiohttp.ClientSession() as http:
        ws = await _raw_gateway(emu, http, "?v=10&encoding=json&compress=zstd-stream")
        inflater = compression.zstandard.ZstdDecompressor().decompressobj()
        assert json.loads(inflater.decompress(await ws.receive_bytes()))["op"] == 10
        await ws.close()


async def test_raw_gateway_bad_token_closes_with_4004() -> None:
    async with DiscordEmulator() as emu, aiohttp.ClientSession() as http:
        ws = await _raw_gateway(emu, http)
        await ws.receive_json()
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}})
        message = await ws.receive()
        assert message.type is aiohttp.WSMsgType.CLOSE and message.data == 4004


async def test_raw_gateway_resume_of_an_unknown_session_is_invalid() -> None:
    async with DiscordEmulator() as emu, aiohttp.ClientSession() as http:
        ws = await _raw_gateway(emu, http)
        await ws.receive_json()
        await ws.send_json({"op": 6, "d": {"token": emu.token, "session_id": "nope", "seq": 3}})
        assert await ws.receive_json() == {"op": 9, "d": False}
        await ws.close()


async def test_raw_gateway_resume_replays_what_was_missed() -> None:
    async with DiscordEmulator() as emu, aiohttp.ClientSession() as http:
        ws = await _raw_gateway(emu, http)
        await ws.receive_json()
        await ws.send_json({"op": 2, "d": {"token": emu.token, "intents": 1, "properties": {}}})
        ready = await ws.receive_json()
        await emu.drop_gateway()
        guild = emu.create_guild("Made while away")  # dispatched into the session's buffer
        ws = await _raw_gateway(emu, http)
        await ws.receive_json()
        await ws.send_json({"op": 6, "d": {"token": emu.token, "session_id": ready["d"]["session_id"], "seq": 1}})
        replayed = await ws.receive_json()
        assert (replayed["t"], replayed["d"]["id"]) == ("GUILD_CREATE", str(guild.id))
        assert (await ws.receive_json())["t"] == "RESUMED"
        assert emu.resumes == 1
        await ws.close()
