"""Headless Chromium (Debian's `chromium` package) driven over the DevTools protocol, for the page tests.

The protocol lets a test set the window width and Accept-Language, wait for the load event, read
the page as rendered (Runtime.evaluate runs outside the page, so the page's CSP still forbids its
own scripts) and take screenshots.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

BINARIES = ("chromium", "chromium-browser")


def chromium_binary() -> str | None:
    return next((found for name in BINARIES if (found := shutil.which(name))), None)


class Tab:
    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self._socket = socket
        self._ids = itertools.count(1)
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._waiting: dict[int, asyncio.Future] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self._socket:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self._waiting:
                self._waiting.pop(data["id"]).set_result(data)
            elif "method" in data:
                await self._events.put(data)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        await self._socket.send_json({"id": ident, "method": method, "params": params})
        answer = await asyncio.wait_for(future, 30)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    async def wait_for_event(self, method: str) -> dict[str, Any]:
        async with asyncio.timeout(30):
            while True:
                event = await self._events.get()
                if event["method"] == method:
                    return event

    async def open(self, url: str, *, width: int, height: int, accept_language: str) -> None:
        await self.call("Page.enable")
        await self.call("Network.enable")
        await self.call("Network.setExtraHTTPHeaders", headers={"Accept-Language": accept_language})
        await self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                        mobile=width < 600)  # fmt: skip
        await self.call("Page.navigate", url=url)
        await self.wait_for_event("Page.loadEventFired")

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def screenshot(self, path: Path) -> None:
        shot = await self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        await self._socket.close()


@contextlib.asynccontextmanager
async def chromium(binary: str) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    """A headless Chromium; yields an HTTP session and the DevTools base address."""
    with tempfile.TemporaryDirectory(prefix="summit-chromium-") as profile:
        process = await asyncio.create_subprocess_exec(
            binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            "--disable-extensions", "--disable-background-networking", f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "HOME": profile},
        )  # fmt: skip
        try:
            assert process.stderr is not None
            async with asyncio.timeout(60):
                while True:
                    line = (await process.stderr.readline()).decode(errors="replace")
                    if not line:
                        raise RuntimeError("chromium exited before it listened")
                    found = re.search(r"DevTools listening on ws://([^/]+)/", line)
                    if found:
                        break
            drain = asyncio.create_task(process.stderr.read())
            async with aiohttp.ClientSession() as session:
                yield session, f"http://{found.group(1)}"
            drain.cancel()
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            await process.wait()


@contextlib.asynccontextmanager
async def new_tab(session: aiohttp.ClientSession, devtools: str) -> AsyncIterator[Tab]:
    async with session.put(f"{devtools}/json/new?about:blank") as response:
        target = await response.json()
    socket = await session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
    tab = Tab(socket)
    try:
        yield tab
    finally:
        await tab.close()
        async with session.get(f"{devtools}/json/close/{target['id']}"):
            pass
