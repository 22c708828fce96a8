"""Fresh PostgreSQL databases made ahead of need, so a test does not wait for its own.

Copying the template (CREATE DATABASE … TEMPLATE) takes about half a second, most of it in the server's
process: a thread of its own copies the next databases while the current test runs, and drops used ones
after, so the PostgreSQL half of the suite costs about what the SQLite half does. Each test still gets a
database no other test touched.
"""

from __future__ import annotations

import asyncio
import queue
import threading

from tests.helpers.stores import PostgresServer

AHEAD = 2  # databases kept ready: one for the next test, one spare while it is being replaced
WAIT_SECONDS = 120


class DatabaseStock:
    def __init__(self, server: PostgresServer, ahead: int = AHEAD) -> None:
        self._server = server
        self._ready: queue.Queue[str | BaseException] = queue.Queue()
        self._work: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._errors: list[BaseException] = []
        for _ in range(ahead):
            self._work.put(("create", ""))
        self._thread = threading.Thread(target=self._run, name="database-stock", daemon=True)
        self._thread.start()

    async def take(self) -> str:
        """The name of a fresh, migrated database (a new one is started in its place)."""
        self._work.put(("create", ""))
        name = await asyncio.to_thread(self._ready.get, timeout=WAIT_SECONDS)
        if isinstance(name, BaseException):
            raise name
        return name

    def give_back(self, name: str) -> None:
        """Done with: dropped in the background."""
        self._work.put(("drop", name))

    def close(self) -> None:
        """Drop what was made and not used; a failed drop is reported here rather than lost."""
        self._work.put(None)
        self._thread.join(WAIT_SECONDS)
        while not self._ready.empty():
            left = self._ready.get_nowait()
            if isinstance(left, str):
                asyncio.run(self._server.drop_database(left))
        if self._errors:
            raise RuntimeError(f"dropping test databases failed: {self._errors!r}")

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            while (job := self._work.get()) is not None:
                action, name = job
                if action == "create":
                    try:
                        self._ready.put(loop.run_until_complete(self._server.create_database()))
                    except Exception as exc:  # handed to the test that takes it
                        self._ready.put(exc)
                else:
                    try:
                        loop.run_until_complete(self._server.drop_database(name))
                    except Exception as exc:
                        self._errors.append(exc)
        finally:
            loop.close()
