"""The bots under test, each in its own process: summit-bot as operators run it, and the bare baseline.

summit-bot starts exactly as `summit-bot run` does (`python -m bot run`), with a settings file that points
it at the emulator. Memory and CPU are read from /proc (Linux), so nothing is added to either bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.sandbox import DiscordEmulator

REPO = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class BotProcess:
    name: str
    process: asyncio.subprocess.Process
    spawned_at: float  # time.perf_counter() just before the spawn
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory now, in MB (10^6 bytes)."""
        return _status_kib(self.pid, "VmRSS") * 1024 / 1e6

    def peak_rss_mb(self) -> float:
        return _status_kib(self.pid, "VmHWM") * 1024 / 1e6

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    async def settle(self, quiet: float = 0.5, longest: float = 60.0) -> None:
        """Until the process has used (almost) no CPU for `quiet` seconds: start-up work is over."""
        deadline = time.monotonic() + longest
        used = self.cpu_seconds()
        while time.monotonic() < deadline:
            await asyncio.sleep(quiet)
            now = self.cpu_seconds()
            if now - used < 0.02 * quiet:
                return
            used = now
        raise TimeoutError(f"{self.name} kept busy for {longest} s")

    def check_alive(self) -> None:
        if self.process.returncode is not None:
            raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C: discord.py closes the session cleanly
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start_summit_bot(emulator: DiscordEmulator, scratch: Path, *, database: Path, name: str) -> BotProcess:
    """`python -m bot run` with settings pointing at the emulator and at `database`."""
    config = scratch / f"{name}.toml"
    config.write_text(
        "\n".join(
            [
                "[discord]",
                f'api_base_url = "{emulator.api_base_url}"',
                f'gateway_url = "{emulator.gateway_url}"',
                "[database]",
                f'path = "{database}"',
                "[logging]",
                'level = "WARNING"',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    env = {**os.environ, "DISCORD_TOKEN": emulator.token, "SUMMIT_BOT_CONFIG": str(config)}
    return await _spawn(name, [sys.executable, "-m", "bot", "run"], env, scratch)


async def start_baseline(emulator: DiscordEmulator, scratch: Path, *, name: str = "baseline") -> BotProcess:
    """The bare discord.py bot of bench/bare_bot.py."""
    env = {**os.environ, "DISCORD_TOKEN": emulator.token}
    argv = [sys.executable, "-m", "bench.bare_bot", emulator.api_base_url, emulator.gateway_url]
    return await _spawn(name, argv, env, scratch)


async def _spawn(name: str, argv: list[str], env: dict[str, str], scratch: Path) -> BotProcess:
    log_path = scratch / f"{name}.log"
    with log_path.open("wb") as log:
        spawned_at = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=REPO, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log
        )
    return BotProcess(name, process, spawned_at, log_path)


@contextlib.asynccontextmanager
async def running(start):  # type: ignore[no-untyped-def]
    """`async with running(start_baseline(...)) as bot:` stops the process however the block ends."""
    bot = await start
    try:
        yield bot
    finally:
        await bot.stop()


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise KeyError(key)
