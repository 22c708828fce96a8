"""The bot as a separate process (`python -m bot --config … run`) against an emulator in the test process,
so a test can SIGKILL it at any moment and start it again on the same database.

    config = write_config(tmp_path / "bot.toml", emulator, tmp_path / "bot.sqlite3", reminders={...})
    config = write_config(tmp_path / "bot.toml", emulator, postgres_url)   # or a store URL (either store)
    async with BotProcess(config, emulator.token) as bot:
        await bot.wait_for_log(r"reminders started")
        bot.kill()                      # SIGKILL: no clean-up of any kind
        await bot.start()               # the same database, a new process
        await bot.stop()                # SIGINT: the bot closes cleanly

Its log (stderr, INFO and up) is kept line by line; `wait_for_log` awaits a line instead of sleeping.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.sandbox import DiscordEmulator

REPOSITORY = Path(__file__).resolve().parents[2]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(
    path: Path, emulator: DiscordEmulator, database: Path | str, *, reminders: dict[str, Any] | None = None,
    level: str = "INFO", global_rate_limit: float | None = None, discord: dict[str, Any] | None = None,
) -> Path:  # fmt: skip
    """A settings file pointing the bot at `emulator` and `database` (a SQLite file, or a store URL such as
    postgresql://…; the token comes from the environment); `discord` adds or overrides keys of [discord]."""
    discord_settings: dict[str, Any] = {"api_base_url": emulator.api_base_url, "gateway_url": emulator.gateway_url}
    if global_rate_limit is not None:
        discord_settings["global_rate_limit"] = global_rate_limit
    discord_settings.update(discord or {})
    sections = {
        "discord": discord_settings,
        "database": {"url": database} if isinstance(database, str) else {"path": str(database)},
        "reminders": reminders or {},
        "logging": {"level": level},
    }
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class BotProcess:
    def __init__(self, config: Path, token: str, *, cwd: Path = REPOSITORY) -> None:
        self.config = config
        self.token = token
        self.cwd = cwd
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []  # every log line of every run, in order
        self.runs = 0
        self._run_start = 0  # index in `lines` where the current run's log starts
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> BotProcess:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.running:
            await self.kill()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    @property
    def log(self) -> list[str]:
        """The current (or last) run's lines."""
        return self.lines[self._run_start :]

    async def start(self, *, interrupts_ignored: bool = False) -> None:
        """Spawn the bot; `interrupts_ignored` starts it with SIGINT ignored, as `nohup bot &` in a script."""
        if self.running:
            raise RuntimeError("the bot process is already running")
        env = {**os.environ, "DISCORD_TOKEN": self.token, "PYTHONUNBUFFERED": "1"}
        env.pop("SUMMIT_BOT_CONFIG", None)
        self._run_start = len(self.lines)
        self.runs += 1
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(self.config), "run",
            cwd=self.cwd, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE, preexec_fn=_ignore_interrupts if interrupts_ignored else None,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read(self.process))

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            async with self._changed:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    async def wait_for_log(self, pattern: str, timeout: float = 20.0, *, nth: int = 1) -> str:  # noqa: ASYNC109
        """The `nth` line of the current run matching `pattern` (a regex), awaited without sleeping."""
        expression = re.compile(pattern)
        start = self._run_start

        def found() -> str | None:
            matching = [line for line in self.lines[start:] if expression.search(line)]
            return matching[nth - 1] if len(matching) >= nth else None

        async def wait() -> str:
            async with self._changed:
                while (line := found()) is None:
                    if not self.running and self._reader is not None and self._reader.done():
                        raise AssertionError(f"the bot exited ({self.returncode}) before logging {pattern!r}")
                    await self._changed.wait()
                return line

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            tail = "\n  ".join(self.log[-20:])
            raise AssertionError(f"no log line matching {pattern!r} within {timeout}s; last lines:\n  {tail}") from None

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.returncode

    async def kill(self) -> None:
        """SIGKILL: the process dies at once, whatever it was doing."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
        await self._reap()

    async def stop(self, timeout: float = 15.0, *, sent: signal.Signals = signal.SIGINT) -> int:  # noqa: ASYNC109
        """SIGINT (as Ctrl-C) or `sent`: the bot closes cleanly; SIGKILL if it takes longer than `timeout`."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sent)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.send_signal(signal.SIGKILL)
        await self._reap()
        return self.process.returncode or 0

    async def _reap(self) -> None:
        assert self.process is not None
        await self.process.wait()
        if self._reader is not None:
            await self._reader
