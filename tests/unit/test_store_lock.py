"""The store lock: one holder at a time, who holds it is told, and a dead holder never blocks the next."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage.lock import StoreInUse, StoreLock, StoreLockError, hold_store, lock_path

REPOSITORY = Path(__file__).resolve().parents[2]


def test_a_second_holder_is_refused_with_the_first_ones_pid_host_and_start(tmp_path):
    database = tmp_path / "bot.sqlite3"
    with StoreLock(database), pytest.raises(StoreInUse) as refused:
        StoreLock(database).acquire()
    message = str(refused.value)
    assert f"pid {os.getpid()} on {socket.gethostname()}" in message
    assert str(database) in message
    assert refused.value.holder.since and refused.value.holder.since.endswith(" UTC")
    assert "\n" not in message


def test_the_lock_is_free_again_once_released_and_the_file_is_left_empty(tmp_path):
    database = tmp_path / "bot.sqlite3"
    with StoreLock(database):
        assert lock_path(database).read_text().strip()
    assert lock_path(database).read_text() == ""
    with StoreLock(database):
        pass


def test_two_stores_are_locked_independently(tmp_path):
    with StoreLock(tmp_path / "one.sqlite3"), StoreLock(tmp_path / "two.sqlite3"):
        pass


def test_an_in_memory_store_takes_no_lock(tmp_path):
    with hold_store(":memory:"), hold_store(":memory:"):
        pass
    assert not Path(":memory:.lock").exists()


def test_a_killed_holder_leaves_the_store_free(tmp_path):
    database = tmp_path / "bot.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from bot.storage.lock import StoreLock\n"
         f"lock = StoreLock({str(database)!r}); lock.acquire(); print('held', flush=True); sys.stdin.read()"],
        cwd=REPOSITORY, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(StoreInUse, match=f"pid {holder.pid} "):
            StoreLock(database).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # The kernel dropped the dead process's lock; its pid is still in the file, and that does not matter.
    assert str(holder.pid) in lock_path(database).read_text()
    with StoreLock(database):
        pass


def test_a_lock_file_that_cannot_be_created_is_said_in_one_line(tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    with pytest.raises(StoreLockError) as refused:
        StoreLock(not_a_folder / "bot.sqlite3").acquire()
    assert str(refused.value).startswith(f"cannot create the lock file {not_a_folder / 'bot.sqlite3.lock'}: ")
