"""The real bot as an AutoShardedBot: 4 shards in one process on SQLite, on the sharding emulator."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main
from bot.client import SummitBot
from bot.config import ConfigError, validate_settings
from bot.identify_pacing import IdentifyPacer
from bot.sandbox import Channel, DiscordEmulator, Guild, Member
from bot.sandbox.sharding import IdentifyGate, ShardingLimits
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from tests.helpers.bot_process import REPOSITORY, BotProcess

SHARDS = 4


@dataclass
class Server:
    guild: Guild
    general: Channel
    member: Member

    @property
    def shard(self) -> int:
        return (self.guild.id >> 22) % SHARDS


@dataclass
class Sharded:
    emulator: DiscordEmulator
    bot: SummitBot
    servers: list[Server]


@pytest.fixture
async def sharded(tmp_path: Path) -> AsyncIterator[Sharded]:
    # One IDENTIFY per bucket per 5 s, as on Discord; with 4 buckets the 4 shards need not wait.
    limits = ShardingLimits(max_concurrency=SHARDS, identify_window=5.0)
    async with DiscordEmulator(sharding=limits) as emulator:
        servers = []
        for n in range(8):
            guild = emulator.create_guild(f"Server {n}")
            servers.append(Server(guild, emulator.create_text_channel(guild, "general"), _member(emulator, guild, n)))
        settings = settings_for_emulator(
            validate_settings({"discord": {"shard_count": SHARDS}}), emulator, tmp_path / "bot.sqlite3"
        )
        async with bot_on_emulator(settings, emulator) as bot:
            await emulator.wait_for_ready(shards=SHARDS)
            yield Sharded(emulator, bot, servers)
        emulator.assert_no_spec_violations()


def _member(emulator: DiscordEmulator, guild: Guild, n: int) -> Member:
    return emulator.create_member(guild, f"member{n}", locale="fr" if n % 2 else "en-US")


def _fields(result) -> dict[str, str]:
    (embed,) = result.embeds
    return {field["name"]: field["value"] for field in embed["fields"]}


def _callbacks(emulator: DiscordEmulator, interaction_id: int) -> int:
    return sum(
        1 for r in emulator.requests if r.path.endswith("/callback") and f"/interactions/{interaction_id}/" in r.path
    )


async def test_four_shards_in_one_process_each_serve_their_servers(sharded: Sharded) -> None:
    emulator, bot = sharded.emulator, sharded.bot
    assert sorted(bot.shards) == list(range(SHARDS)) and bot.shard_count == SHARDS
    assert sorted(s.shard for s in emulator.gateway.live_sessions()) == [(i, SHARDS) for i in range(SHARDS)]
    assert {server.shard for server in sharded.servers} == set(range(SHARDS)), "servers on every shard"
    for server in sharded.servers:  # each server arrived on its own shard's connection
        assert bot.get_guild(server.guild.id).shard_id == server.shard

    for server in sharded.servers:
        result = await emulator.slash(server.member, server.general, "about")
        fields = _fields(result)
        if server.member.locale == "fr":
            assert fields["Shard"] == f"{server.shard} sur {SHARDS}"
        else:
            assert fields["Shard"] == f"{server.shard} of {SHARDS}"
        assert _callbacks(emulator, result.id) == 1  # answered once, by the one shard that got it

        clause = await emulator.slash(server.member, server.general, "clause", {"ref": "4"})
        assert clause.embeds and _callbacks(emulator, clause.id) == 1
    assert not emulator.errors_returned


async def test_about_in_a_dm_names_shard_0(sharded: Sharded) -> None:
    emulator = sharded.emulator
    member = sharded.servers[1].member
    result = await emulator.slash(member.user, None, "about", locale="en-US")
    assert _fields(result)["Shard"] == f"0 of {SHARDS}"
    assert _callbacks(emulator, result.id) == 1


def test_pacer_lets_other_buckets_go_at_once_and_waits_out_a_busy_one() -> None:
    """The bot's IDENTIFY pacing never sends one the emulator's per-bucket window would refuse."""

    async def scenario() -> list[float]:
        window = 0.3
        gate = IdentifyGate(ShardingLimits(max_concurrency=2, identify_window=window))

        async def max_concurrency() -> int:
            return 2

        pacer = IdentifyPacer(max_concurrency, window=window, clock=gate.clock)
        started = gate.clock()
        waited = []
        for shard_id in range(4):
            await pacer.wait(shard_id, initial=shard_id == 0)
            assert gate.admit(shard_id) is None, f"shard {shard_id} identified too soon"
            waited.append(gate.clock() - started)
        return waited

    waited = asyncio.run(scenario())
    assert waited[1] < 0.3  # bucket 1 had not identified yet
    assert waited[2] >= 0.3  # bucket 0 again: after its window


def test_a_partial_shard_range_on_sqlite_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/bot.sqlite3"\n', encoding="utf-8")
    code = main(["--config", str(config), "run", "--shards", "0-1", "--shard-count", "4"])
    err = capsys.readouterr().err
    assert code != 0
    assert err.count("\n") == 1 and "shards 0-1 of 4" in err and "PostgreSQL" in err
    assert not (tmp_path / "bot.sqlite3").exists()  # refused before the store was opened


def test_every_shard_on_sqlite_passes_and_check_config_shows_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bot.toml"
    config.write_text('[discord]\nshard_count = 4\nshard_ids = "0-3"\n', encoding="utf-8")
    assert main(["--config", str(config), "check-config"]) == 0
    assert "  shards: 0-3 of 4" in capsys.readouterr().out.splitlines()
    config.write_text('[discord]\nshard_count = 4\nshard_ids = "2,3"\n', encoding="utf-8")
    assert main(["--config", str(config), "check-config"]) != 0
    assert "run would refuse: shards 2-3 of 4" in capsys.readouterr().out


class EmulatorProcess:
    """`summit-bot emulator` as a person starts it; its output read line by line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []

    async def wait_for_line(self, pattern: str, timeout: float = 20.0) -> str:  # noqa: ASYNC109
        expression = re.compile(pattern)
        assert self.process.stdout is not None

        async def read() -> str:
            for line in self.lines:
                if expression.search(line):
                    return line
            while raw := await self.process.stdout.readline():
                line = raw.decode().rstrip("\n")
                self.lines.append(line)
                if expression.search(line):
                    return line
            raise AssertionError(f"the emulator ended before printing {pattern!r}: {self.lines}")

        try:
            return await asyncio.wait_for(read(), timeout)
        except TimeoutError:
            raise AssertionError(f"no line matching {pattern!r} within {timeout}s: {self.lines}") from None

    def config_snippet(self) -> str:
        start = self.lines.index("[discord]")
        return "\n".join(self.lines[start : self.lines.index("", start)])


@contextlib.asynccontextmanager
async def emulator_process(*args: str) -> AsyncIterator[EmulatorProcess]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "emulator", *args,
        cwd=REPOSITORY, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        yield EmulatorProcess(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.timeout(60)
async def test_summit_bot_emulator_serves_a_bot_process_driven_from_its_console(tmp_path: Path) -> None:
    port = _free_port()
    async with emulator_process("--port", str(port), "--guilds", "3", "--console") as emulator:
        await emulator.wait_for_line("Ctrl-C or SIGTERM stops it")
        assert f"  api:     http://127.0.0.1:{port}/api/v10" in emulator.lines
        snippet = emulator.config_snippet()
        token = re.search(r'^token = "(.+)"$', snippet, re.MULTILINE).group(1)
        config = tmp_path / "bot.toml"
        config.write_text(f'{snippet}\n\n[database]\nurl = "sqlite:///{tmp_path}/bot.sqlite3"\n', encoding="utf-8")
        async with BotProcess(config, token) as bot:
            await emulator.wait_for_line(r"— bot connected \(shard 0 of 1\)")
            await bot.wait_for_log("reminders started")
            assert emulator.process.stdin is not None
            emulator.process.stdin.write(b"/about\n")
            await emulator.process.stdin.drain()
            await emulator.wait_for_line(r"^\| Shard: 0 of 1$")
            emulator.process.stdin.close()  # the console ends, and the emulator with it
            assert await asyncio.wait_for(emulator.process.wait(), 10) == 0


@pytest.mark.timeout(60)
async def test_summit_bot_emulator_listens_on_its_port_until_sigterm() -> None:
    port = _free_port()
    async with emulator_process("--port", str(port), "--guilds", "2500", "--shards", "3") as emulator:
        await emulator.wait_for_line("Ctrl-C or SIGTERM stops it")
        token = re.search(r'^token = "(.+)"$', emulator.config_snippet(), re.MULTILINE).group(1)
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/api/v10/gateway/bot"
            async with http.get(url, headers={"Authorization": f"Bot {token}"}) as response:
                body = await response.json()
        assert body["shards"] == 3 and body["session_start_limit"]["max_concurrency"] == 1
        emulator.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(emulator.process.wait(), 10) == 0


@pytest.mark.parametrize(
    ("discord", "reason"),
    [
        ({"shard_count": 0}, "must be 1 or more, or 'auto'"),
        ({"shard_count": "many"}, "'many' is neither a number of shards"),
        ({"shard_ids": "0-x"}, "'0-x' is not a shard id or a range like 0-3"),
        ({"shard_ids": "3-1", "shard_count": 4}, "the range goes backwards"),
        ({"shard_ids": "0-3", "shard_count": 2}, "shard 2 does not exist with shard_count 2"),
        ({"shard_ids": "0,1", "shard_count": "auto"}, "needs a fixed shard_count"),
    ],
)
def test_bad_shard_settings_are_named(discord: dict[str, object], reason: str) -> None:
    with pytest.raises(ConfigError) as refused:
        validate_settings({"discord": discord})
    assert reason in str(refused.value) and "discord" in str(refused.value)


def test_shard_settings_as_an_operator_writes_them() -> None:
    assert validate_settings({}).discord.shard_count == 1  # one shard unless asked: see README
    sharded = validate_settings({"discord": {"shard_count": "8", "shard_ids": "0-1, 4,6-7"}}).discord
    assert (sharded.shard_count, sharded.shard_id_list) == (8, [0, 1, 4, 6, 7])
    assert validate_settings({"discord": {"shard_count": "AUTO"}}).discord.shard_count == "auto"
