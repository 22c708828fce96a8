"""What a bot on SQLite with the web server off loads: not the modules only PostgreSQL, the web server or a
calendar file need (asyncpg, prometheus-client, aiohttp's server side, icalendar: about 9 MB of resident
memory together, which put one process over its 80 MB target; see docs/performance.md).

The real `python -m bot run` against the emulator; a sitecustomize given to that process only writes its
sys.modules when it exits, after it answered commands and was stopped with Ctrl-C.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.helpers.bot_process import BotProcess, write_config

pytestmark = pytest.mark.timeout(60)

# Imported only where used: on PostgreSQL, with web.enabled, or on the first .ics asked for.
NOT_LOADED = ("asyncpg", "bot.storage.postgres", "prometheus_client", "aiohttp.web", "bot.web.server",
              "bot.web.metrics", "icalendar", "bot.sandbox", "jsonschema", "prompt_toolkit")  # fmt: skip

COMMANDS = [("events", {"when": "all"}), ("event", {"name": "india-2026"}), ("clause", {"ref": "3"})]

HOOK = """\
import atexit, json, os, sys

def _write_modules():
    with open(os.environ["SUMMIT_TEST_MODULES_FILE"], "w") as out:
        json.dump(sorted(sys.modules), out)

atexit.register(_write_modules)
"""


async def test_a_sqlite_bot_with_the_web_server_off_never_loads_postgres_web_or_calendar_modules(
    world, tmp_path, monkeypatch
):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    modules_file = tmp_path / "modules.json"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("SUMMIT_TEST_MODULES_FILE", str(modules_file))
    emulator = world.emulator
    bot = BotProcess(write_config(tmp_path / "bot.toml", emulator, tmp_path / "bot.sqlite3"), emulator.token)
    try:
        await bot.start()
        await bot.wait_for_log(r"reminders started")
        await emulator.wait_for_commands()
        for command, options in COMMANDS:
            result = await emulator.slash(world.member_en, world.general, command, options)
            assert result.embeds and not result.ephemeral, command
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()

    loaded = json.loads(modules_file.read_text(encoding="utf-8"))
    # The whole bot was there (the cogs are unloaded at close, but not what they imported).
    assert {"discord", "bot.runtime", "bot.storage.sqlite", "bot.web.discord_side"} <= set(loaded)
    assert [name for name in loaded if name.startswith(NOT_LOADED)] == []
