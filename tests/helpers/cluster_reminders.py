"""`summit-bot status` run as an operator runs it: a subprocess on a settings file naming the store."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any


async def summit_status(workdir: Path, store_url: str, *args: str) -> str:
    """Its output (the exit code must be 0)."""
    config = workdir / "status.toml"
    config.write_text(f'[database]\nurl = "{store_url}"\n', encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("SUMMIT_DATABASE_URL", "SUMMIT_BOT_CONFIG")}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "status", "--config", str(config), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    out, err = await child.communicate()
    assert child.returncode == 0, err.decode()
    return out.decode()


async def status_report(workdir: Path, store_url: str) -> dict[str, Any]:
    return json.loads(await summit_status(workdir, store_url, "--json"))
