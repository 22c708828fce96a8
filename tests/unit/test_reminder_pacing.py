"""The sender's pacing: a burst within the sender's share goes out at once (reminders due in the same second
are not queued behind each other), no one-second window ever holds more than that share, and a long
fan-out runs at exactly that rate."""

from __future__ import annotations

import random

import pytest

from bot.reminders.pacing import Pacer, sender_pacer


class FakeTime:
    """A monotonic clock that only moves when a caller sleeps (or the test moves it)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pacer(per_second: float, time: FakeTime) -> Pacer:
    return Pacer(per_second, monotonic=time.monotonic, sleep=time.sleep)


async def grant(paced: Pacer, time: FakeTime) -> float:
    await paced.wait()
    return time.now


def busiest_window(starts: list[float], window: float = 1.0) -> int:
    """The most starts within any half-open window of `window` seconds (to a nanosecond: float sums)."""
    ordered = sorted(starts)
    best, first = 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= window - 1e-9:
            first += 1
        best = max(best, last - first + 1)
    return best


async def test_a_burst_within_the_share_goes_out_at_once():
    time = FakeTime()
    paced = pacer(40, time)  # the sender's share of Discord's 50/s
    starts = [await grant(paced, time) for _ in range(40)]
    assert starts == [0.0] * 40
    assert time.slept == []
    assert await grant(paced, time) == pytest.approx(1.0), "the 41st waits for the first to leave the window"


async def test_the_shipped_share_is_forty_a_second_of_fifty():
    assert sender_pacer(50).burst == 40
    assert sender_pacer(50).window == 1.0


async def test_a_long_fan_out_runs_at_the_share_and_no_second_holds_more():
    time = FakeTime()
    paced = pacer(40, time)
    starts = [await grant(paced, time) for _ in range(400)]
    assert starts[-1] == pytest.approx(9.0), "400 requests at 40 a second: the last batch starts at 9 s"
    assert busiest_window(starts) == 40


async def test_whatever_the_arrivals_no_one_second_window_holds_more_than_the_share():
    rng = random.Random(6)
    for per_second in (1, 8, 40, 160):
        time = FakeTime()
        paced = pacer(per_second, time)
        starts = []
        for _ in range(20 * per_second):
            time.now += rng.choice((0.0, 0.0, rng.random() / per_second, rng.random() * 2))  # bursts and gaps
            starts.append(await grant(paced, time))
        assert busiest_window(starts) <= per_second, per_second
        assert starts == sorted(starts)


async def test_under_one_request_a_second_they_are_spaced_out():
    time = FakeTime()
    paced = pacer(0.5, time)
    assert [await grant(paced, time) for _ in range(3)] == [0.0, 2.0, 4.0]


async def test_a_rate_that_is_not_whole_rounds_down_never_up():
    time = FakeTime()
    paced = pacer(40.8, time)
    starts = [await grant(paced, time) for _ in range(200)]
    assert busiest_window(starts) == 40


def test_a_rate_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)
