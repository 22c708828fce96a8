"""The DMs of several fan-outs (tests/helpers/fan_out.py's FanOuts) counted per fan-out and member as the
emulator creates them, told apart by their nonce; for crash tests and benchmarks with thousands of DMs.

    tally = DmTally(emulator, fan_outs, members)
    await tally.wait(k, 500, timeout=30)      # until 500 members got fan-out k's DM (no sleeping)
    tally.counts(k)                           # DMs per member in fan-out k: [1, 1, …] when exactly once
    tally.first_at(k), tally.last_at(k)       # when the first and newest of them were created (emulator's clock)

Each check reads only the messages created since the previous one (newest first, back to the last seen),
so waiting costs nothing per message however many members: counting every member's DM channel at each new
message is quadratic, seconds of the emulator's own loop for a 1,000-member fan-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.sandbox import DiscordEmulator, Member
from tests.helpers.fan_out import FanOuts


class DmTally:
    def __init__(self, emulator: DiscordEmulator, fan_outs: FanOuts, members: Sequence[Member]) -> None:
        self._emulator = emulator
        self._owner = {
            fan_outs.nonce(k, member.id): (k, index)
            for k in range(len(fan_outs.leads))
            for index, member in enumerate(members)
        }
        self._counts = [[0] * len(members) for _ in fan_outs.leads]
        self._reached = [0] * len(fan_outs.leads)  # members with at least one DM, per fan-out
        self._first_at: list[datetime | None] = [None] * len(fan_outs.leads)
        self._last_at: list[datetime | None] = [None] * len(fan_outs.leads)
        self._seen = 0  # seq of the newest message read

    def _read_new(self) -> None:
        new = []
        for message in reversed(self._emulator.world.messages.values()):
            if message.seq <= self._seen:
                break
            new.append(message)
        for message in reversed(new):
            self._seen = message.seq
            owner = self._owner.get(str(message.get("nonce")))
            if owner is None:
                continue
            k, index = owner
            self._counts[k][index] += 1
            self._reached[k] += self._counts[k][index] == 1
            created = datetime.fromisoformat(message["timestamp"])
            self._first_at[k] = min(self._first_at[k] or created, created)
            self._last_at[k] = max(self._last_at[k] or created, created)

    def reached(self, k: int) -> int:
        """How many members got at least one DM of fan-out k."""
        self._read_new()
        return self._reached[k]

    def counts(self, k: int) -> list[int]:
        self._read_new()
        return list(self._counts[k])

    def first_at(self, k: int) -> datetime | None:
        """When the first DM of fan-out k was created, on the emulator's clock (None: none yet)."""
        self._read_new()
        return self._first_at[k]

    def last_at(self, k: int) -> datetime | None:
        """When the newest DM of fan-out k was created, on the emulator's clock (None: none yet)."""
        self._read_new()
        return self._last_at[k]

    async def wait(self, k: int, count: int, timeout: float) -> None:  # noqa: ASYNC109
        """Until at least `count` members got fan-out k's DM (awaited on the emulator's messages)."""
        try:
            await self._emulator.messages_signal.wait_for(lambda: True if self.reached(k) >= count else None, timeout)
        except TimeoutError:
            raise AssertionError(f"fan-out {k}: {self.reached(k)} member(s) had a DM after {timeout:g} s, "
                                 f"not {count}") from None  # fmt: skip
