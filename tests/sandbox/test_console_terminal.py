"""`summit-bot try` as a person meets it: in a pseudo-terminal (prompt, Tab, arrow keys, colours) and
as a pipe (plain text, no prompt). The real command in its own process, the real bot on the emulator."""

from __future__ import annotations

import contextlib
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\r")


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "SUMMIT_BOT_CONFIG", "NO_COLOR")}
    # No cursor-position queries: nothing in this test answers them the way a terminal would.
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", SUMMIT_BOT_CONFIG=str(tmp_path / "none.toml"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")]))  # this checkout's bot
    return env


class Terminal:
    """`summit-bot try` on a pseudo-terminal: type keys, wait for what the screen shows."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.primary, secondary = os.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "try"],
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
            cwd=tmp_path,
            env={**environment(tmp_path), **env},
            start_new_session=True,
        )
        os.close(secondary)
        self.raw = b""

    @property
    def screen(self) -> str:
        """What was printed, without escape sequences."""
        return ANSI.sub("", self.raw.decode("utf-8", "replace"))

    def type(self, keys: str) -> None:
        os.write(self.primary, keys.encode())

    def wait_for(self, text: str, *, after: int = 0, seconds: float = 30.0) -> str:
        """Read the terminal until `text` shows (past the first `after` characters of the screen)."""
        deadline = time.monotonic() + seconds
        while text not in self.screen[after:]:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} not shown within {seconds}s; the screen:\n{self.screen[-3000:]}")
            ready, _, _ = select.select([self.primary], [], [], left)
            if ready:
                try:
                    self.raw += os.read(self.primary, 65536)
                except OSError:  # the process ended and closed the terminal
                    raise AssertionError(f"the console ended before showing {text!r}:\n{self.screen}") from None
        return self.screen

    def answered(self, text: str, *, after: int) -> int:
        """Wait for an answer and for the prompt after it, as a person would before typing again."""
        shown = self.wait_for(text, after=after)
        end = shown.index(text, after) + len(text)
        self.wait_for("member>", after=end)
        return len(self.screen)

    def close(self) -> int:
        """Wait for the process to end, reading what it still prints (a full terminal would block it)."""
        try:
            with contextlib.suppress(AssertionError):  # the terminal closes when the process ends
                self.wait_for("\x00never shown\x00", seconds=30)
            return self.process.wait(timeout=5)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            os.close(self.primary)


@pytest.fixture
def terminal(tmp_path):
    term = Terminal(tmp_path)
    try:
        yield term
    finally:
        if term.process.poll() is None:
            term.process.kill()
            term.process.wait()


def test_on_a_terminal_clause_4_tab_and_the_arrow_keys_work(terminal):
    terminal.wait_for("member>")
    mark = len(terminal.screen)
    # The screen is redrawn with cursor moves: what Tab added may show apart from what was typed.
    terminal.type("/cla\t")  # Tab completes the command name
    terminal.wait_for("use", after=mark)
    terminal.type("4\r")
    mark = terminal.answered("Clause 4", after=mark)
    assert b"\x1b[1mClause 4" in terminal.raw, "the title is bold on a terminal"
    terminal.type("/remind subscribe gene\t")  # Tab asks the bot (autocomplete) for the event
    terminal.wait_for("2027", after=mark)
    terminal.type("1d\r")
    mark = terminal.answered("reminders 1 day before", after=mark)
    terminal.type("\x1b[A\x1b[A\r")  # arrow up twice: /clause 4 again
    terminal.answered("Clause 4", after=mark)
    terminal.type("\x04")  # Ctrl-D leaves
    assert terminal.close() == 0


def test_no_color_keeps_a_terminal_plain(tmp_path):
    terminal = Terminal(tmp_path, NO_COLOR="1")
    try:
        terminal.wait_for("member>")
        mark = len(terminal.screen)
        terminal.type("/clause 4\r")
        terminal.answered("Clause 4", after=mark)
        assert b"Clause 4" in terminal.raw and b"\x1b[1mClause 4" not in terminal.raw
        terminal.type("\x04")
        assert terminal.close() == 0
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
            terminal.process.wait()


def test_as_a_pipe_it_prints_plain_text_without_a_prompt(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bot", "try"],
        input="/clause 4\n/clause\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment(tmp_path),
        timeout=60,
        check=True,
    )
    assert "| Clause 4\n" in done.stdout
    assert "? /clause needs a value for: ref.\nUsage:\n  /clause ref:<text>" in done.stdout
    assert "\x1b[" not in done.stdout and "member> " not in done.stdout
