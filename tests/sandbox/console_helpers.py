"""Driving the sandbox console in tests: lines through its input stream, what it prints back."""

from __future__ import annotations

import io
import os
from typing import Any

from bot.sandbox import run_console
from bot.sandbox.waiting import Signal


def personas(world: Any) -> dict[str, Any]:
    return {"member": world.member_en, "membre": world.member_fr, "moderator": world.moderator}


async def console_says(world: Any, *lines: str, persona: str = "member") -> str:
    """Everything the console prints for `lines` typed into a pipe (no colours), as `persona`."""
    stdin, stdout = io.StringIO("\n".join(lines) + "\n"), io.StringIO()
    await run_console(
        world.emulator,
        world.guild,
        world.general,
        personas(world),
        current=persona,
        stdin=stdin,
        stdout=stdout,
        color=False,
    )
    return stdout.getvalue()


class Transcript(io.StringIO):
    """The console's output, awaitable: `await until("text")` returns once the text has been printed."""

    def __init__(self) -> None:
        super().__init__()
        self.signal = Signal()

    def write(self, text: str) -> int:
        written = super().write(text)
        self.signal.notify()
        return written

    async def until(self, text: str, seconds: float = 10.0) -> str:
        try:
            return await self.signal.wait_for(lambda: self.getvalue() if text in self.getvalue() else None, seconds)
        except TimeoutError:
            raise AssertionError(f"{text!r} was not printed within {seconds}s; printed:\n{self.getvalue()}") from None


class TypedInput:
    """A pipe the test types into line by line, read by the console as its stdin."""

    def __init__(self) -> None:
        read, self._write = os.pipe()
        self.stream = os.fdopen(read, "r", encoding="utf-8")

    def type(self, line: str) -> None:
        os.write(self._write, (line + "\n").encode())

    def close(self) -> None:
        os.close(self._write)
