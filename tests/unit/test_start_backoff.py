"""The waits between attempts to reach Discord at start: doubling, capped, spread by jitter."""

import itertools
import random

from bot.config import validate_settings
from bot.discord_probe import Backoff
from bot.runtime import start_backoff


def first(backoff: Backoff, count: int, seed: int = 7) -> list[float]:
    return list(itertools.islice(backoff.delays(random.Random(seed)), count))


def test_without_jitter_the_wait_doubles_up_to_the_cap():
    assert first(Backoff(first=1, cap=60, jitter=0), 9) == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_jitter_moves_each_wait_by_at_most_a_fifth_and_two_runs_differ():
    waits = first(Backoff(first=1, cap=60), 200)
    bases = [min(2**n, 60) for n in range(200)]
    assert all(0.8 * base <= wait <= 1.2 * base for wait, base in zip(waits, bases, strict=True))
    assert waits != first(Backoff(first=1, cap=60), 200, seed=8)


def test_a_first_wait_above_the_cap_is_capped():
    assert first(Backoff(first=90, cap=60, jitter=0), 2) == [60, 60]


def test_the_waits_come_from_the_settings():
    settings = validate_settings({"discord": {"start_retry_first_seconds": 0.5, "start_retry_max_seconds": 4}})
    assert first(start_backoff(settings), 5, seed=1) == first(Backoff(first=0.5, cap=4), 5, seed=1)
    assert start_backoff(validate_settings({})) == Backoff(first=1, cap=60)
