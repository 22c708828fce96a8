"""The command line as an operator uses it: the sandbox through a pipe, and `run` without a token."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


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


def test_run_without_a_token_opens_the_sandbox_and_says_so_in_one_line(tmp_path):
    done = summit_bot("run", stdin="/about\n", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    first_line = done.stdout.splitlines()[0]
    assert first_line.startswith("No Discord token set")
    assert "sandbox" in first_line
    assert "Clauses" in done.stdout
    # A throw-away database: nothing is left in the working directory.
    assert not (tmp_path / "var").exists()
