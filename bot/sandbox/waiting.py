"""Awaiting a condition on emulator state without sleeping: whoever changes the state calls notify()."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Signal:
    """Waiters give a check; notify() re-runs the checks and wakes those that now hold.

    A check returns None while the condition does not hold, and the value to hand back once it does.
    """

    def __init__(self) -> None:
        self._waiters: list[tuple[Callable[[], object], asyncio.Future[object]]] = []

    async def wait_for(self, check: Callable[[], T | None], seconds: float | None) -> T:
        value = check()
        if value is not None:
            return value
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        entry = (check, future)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, seconds)  # type: ignore[return-value]
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    def notify(self) -> None:
        if not self._waiters:
            return
        for check, future in list(self._waiters):
            if future.done():
                continue
            try:
                value = check()
            except Exception as exc:  # a broken check fails its waiter, not the notifier
                future.set_exception(exc)
                continue
            if value is not None:
                future.set_result(value)

    def fail_all(self, error: BaseException) -> None:
        for _, future in self._waiters:
            if not future.done():
                future.set_exception(error)
