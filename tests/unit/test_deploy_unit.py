"""deploy/summit-bot@.service against the code it runs: its command line is one `summit-bot` accepts, its
Restart= policy stops only on the exit code that means "fix the settings first" and restarts the ones a
later start can cure, and it reads the files docs/deployment.md tells the operator to write. systemd itself
checks the file when systemd-analyze is installed."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.cli import EXIT_CONFIGURATION, EXIT_UNAVAILABLE, build_parser
from bot.config import validate_settings
from bot.shard_options import with_shard_options

REPOSITORY = Path(__file__).resolve().parents[2]
UNIT = REPOSITORY / "deploy" / "summit-bot@.service"
GUIDE = REPOSITORY / "docs" / "deployment.md"
INSTALLED = "/opt/summit-bot/.venv/bin/summit-bot"


def directives() -> dict[str, list[str]]:
    """`Section.Key` -> its values in order (a key may be given more than once, e.g. EnvironmentFile)."""
    found: dict[str, list[str]] = {}
    section = ""
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        found.setdefault(f"{section}.{key}", []).append(value)
    return found


def command_line(instance: str, shard_count: str) -> list[str]:
    [exec_start] = directives()["Service.ExecStart"]
    return shlex.split(exec_start.replace("%i", instance).replace("${SUMMIT_SHARD_COUNT}", shard_count))


def test_restart_stops_only_on_the_exit_code_for_bad_settings_or_a_refused_token() -> None:
    unit = directives()
    assert unit["Service.Restart"] == ["always"]
    prevented = {int(code) for code in unit["Service.RestartPreventExitStatus"][0].split()}
    # 2: a refused token, bad settings or options; 1 (PostgreSQL unreachable at start, too few session
    # starts left today, the store held by another process) must be retried, within the start limit.
    assert prevented == {EXIT_CONFIGURATION} and EXIT_UNAVAILABLE not in prevented
    assert int(unit["Unit.StartLimitBurst"][0]) >= 1 and int(unit["Unit.StartLimitIntervalSec"][0]) > 0


@pytest.mark.parametrize(
    ("instance", "shard_count", "shards", "count"),
    [("0-3", "8", [0, 1, 2, 3], 8), ("4", "8", [4], 8), ("0", "1", [0], 1), ("all", "auto", None, "auto")],
)
def test_the_command_line_is_one_summit_bot_run_accepts(instance, shard_count, shards, count) -> None:
    binary, *args = command_line(instance, shard_count)
    assert binary == INSTALLED
    scripts = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert Path(binary).name in scripts
    parsed = build_parser().parse_args(args)
    assert parsed.command == "run"
    discord = with_shard_options(validate_settings({}), parsed.shards, parsed.shard_count).discord
    assert (discord.shard_id_list, discord.shard_count) == (shards, count)


def test_the_unit_reads_the_files_the_guide_has_the_operator_write() -> None:
    unit, guide = directives(), GUIDE.read_text(encoding="utf-8")
    assert unit["Service.EnvironmentFile"] == ["/etc/summit-bot/env", "-/etc/summit-bot/%i.env"]
    assert "Environment=SUMMIT_BOT_CONFIG=/etc/summit-bot/config.toml" in UNIT.read_text(encoding="utf-8")
    for path in ("/etc/summit-bot/env", "/etc/summit-bot/config.toml", "/etc/summit-bot/<range>.env", INSTALLED):
        assert path in guide, path
    assert unit["Service.WorkingDirectory"] == ["/opt/summit-bot"]


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_systemd_finds_nothing_to_say_about_the_unit(tmp_path: Path) -> None:
    # An instance name, and the command pointed at one that exists here (verify checks it is executable).
    text = UNIT.read_text(encoding="utf-8").replace(INSTALLED, str(Path(sys.executable).parent / "summit-bot"))
    instance = tmp_path / "summit-bot@0-3.service"
    instance.write_text(text, encoding="utf-8")
    checked = subprocess.run(
        [str(SYSTEMD_ANALYZE), "verify", "--man=no", str(instance)], capture_output=True, text=True, timeout=30
    )
    assert (checked.returncode, checked.stderr) == (0, "")
