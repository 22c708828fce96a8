"""The command line as an operator uses it: options where people put them, the sandbox through a pipe,
and `run` without a token."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import __version__
from bot.cli import main

REPO = Path(__file__).resolve().parents[2]
ENTRY_POINT = Path(sys.executable).parent / "summit-bot"  # the console script pip installed
COMMANDS = ("run", "try", "check-config", "sync")


def summit_bot(*args: str, stdin: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DISCORD_TOKEN", "SUMMIT_BOT_CONFIG"}}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=90,
        check=False,
    )


def test_try_answers_about_through_a_pipe_in_both_languages(tmp_path):
    done = summit_bot("try", stdin="/about\n:locale fr\n/about\n", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "summit-bot" in out
    assert "Signatories" in out and "60" in out
    assert "Signataires" in out
    assert "\x1b[" not in out  # no colours when not on a terminal


# SQLite only: the sandbox's throw-away store is a SQLite file.
def test_run_without_a_token_opens_the_sandbox_and_says_so_in_one_line(tmp_path):
    done = summit_bot("run", stdin="/about\n", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    first_line = done.stdout.splitlines()[0]
    assert first_line.startswith("No Discord token set")
    assert "sandbox" in first_line
    assert "Clauses" in done.stdout
    # A throw-away database: nothing is left in the working directory.
    assert not (tmp_path / "var").exists()


def entry_point(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DISCORD_TOKEN", "SUMMIT_BOT_CONFIG"}}
    env["COLUMNS"] = "80"
    return subprocess.run(
        [str(ENTRY_POINT), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=tmp_path,
        env=env, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("where", ["after the command", "before the command"])
def test_config_is_taken_before_or_after_every_command(tmp_path, capsys, monkeypatch, command, where):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    missing = tmp_path / "missing.toml"  # every command reads the file first: naming it shows it was taken
    argv = [command, "--config", str(missing)] if where == "after the command" else ["--config", str(missing), command]
    assert main(argv) == 2
    assert f"invalid configuration in {missing}" in capsys.readouterr().err


def test_the_config_given_after_the_command_wins(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    good = tmp_path / "good.toml"
    good.write_text("[logging]\nlevel = 'INFO'\n", encoding="utf-8")
    assert main(["--config", str(tmp_path / "missing.toml"), "check-config", "--config", str(good)]) == 0
    assert f"{good}: valid." in capsys.readouterr().out
    assert main(["--config", str(good), "check-config"]) == 0
    assert f"{good}: valid." in capsys.readouterr().out


def test_run_config_after_the_command_through_the_installed_entry_point(tmp_path):
    settings = tmp_path / "bot.toml"
    settings.write_text("[database]\nbusy_timeout_ms = -1\n", encoding="utf-8")
    done = entry_point("run", "--config", str(settings), tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"invalid configuration in {settings}:",
        "  - database.busy_timeout_ms: Input should be greater than or equal to 0",
    ]


def test_help_lists_every_command_with_its_summary_on_one_line(tmp_path):
    done = entry_point("--help", tmp_path=tmp_path)
    assert done.returncode == 0
    for command in COMMANDS:
        assert re.search(rf"^ +{command} +[a-z]", done.stdout, re.MULTILINE), f"{command}:\n{done.stdout}"
    assert max(len(line) for line in done.stdout.splitlines()) <= 80


def test_version(tmp_path):
    done = entry_point("--version", tmp_path=tmp_path)
    assert (done.returncode, done.stdout.strip()) == (0, f"summit-bot {__version__}")
