"""One bot process per SQLite store: an exclusive flock on `<database>.lock`, held while the process runs.

Two bots on one store would both send every reminder (and raced each other's migrations). The lock is
taken before the store is opened, and the holder writes its pid, host and start time in the file so a
second start can say who holds it. The kernel drops a flock when its process dies, however it dies: a
SIGKILLed bot never blocks the next start. The file stays (emptied) after a clean exit: removing it
would let a third process lock a new file while a second still waits on the old one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


def lock_path(database: Path | str) -> Path:
    return Path(f"{database}.lock")


@dataclass(frozen=True)
class Holder:
    """Who holds a store, as its lock file says."""

    pid: int | None = None
    host: str | None = None
    since: str | None = None  # "2026-12-07 01:30:00 UTC"

    def describe(self) -> str:
        if self.pid is None:
            return "another process (it has not written its pid yet)"
        since = f", since {self.since}" if self.since else ""
        return f"pid {self.pid} on {self.host or 'an unknown host'}{since}"


class StoreLockError(RuntimeError):
    """The store cannot be locked; the message is one line for the operator."""


class StoreInUse(StoreLockError):
    def __init__(self, database: Path | str, holder: Holder) -> None:
        self.database = database
        self.holder = holder
        super().__init__(
            f"the store {database} is in use by another summit-bot ({holder.describe()}): "
            "stop that one first, or give this one another database.url."
        )


class StoreLock:
    """`with StoreLock(path):` holds the lock on the store at `path`, or raises StoreInUse at once."""

    def __init__(self, database: Path | str) -> None:
        self.database = database
        self.path = lock_path(database)
        self._fd: int | None = None

    def acquire(self) -> None:
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already held by this lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreLockError(f"cannot create the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise StoreInUse(self.database, holder) from None
        except BaseException:
            os.close(fd)
            raise
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode() + b"\n", 0)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):  # a full disk must not keep the process from exiting
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


@contextlib.contextmanager
def hold_store(database: Path | str | None) -> Iterator[None]:
    """Hold the store's lock for the block; an in-memory store is this process's own and needs none, and
    None (a PostgreSQL store: several processes may share it) takes no lock either."""
    if database is None or str(database) == ":memory:":
        yield
        return
    with StoreLock(database):
        yield


def _read_holder(fd: int) -> Holder:
    try:
        raw = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return Holder()
    if not isinstance(raw, dict):
        return Holder()
    pid = raw.get("pid")
    return Holder(
        pid=pid if isinstance(pid, int) else None,
        host=str(raw["host"]) if raw.get("host") else None,
        since=str(raw["since"]) if raw.get("since") else None,
    )
