"""The bot's pacing under the global limit: a burst within it goes out at once (reminders due in the same
second are not queued behind each other), no one-second window ever holds more, and a long fan-out runs at
exactly that rate; interaction answers and the gateway are not paced."""

from __future__ import annotations

import asyncio
import random

import discord
import pytest
from yarl import URL

from bot.endpoints import use_discord_endpoints
from bot.pacing import Pacer, global_limit_pacer, is_globally_limited


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


def pacer(limit: int, time: FakeTime, window: float = 1.0) -> Pacer:
    return Pacer(limit, window, monotonic=time.monotonic, sleep=time.sleep)


async def grant(paced: Pacer, time: FakeTime, *, answered_after: float = 0.0) -> float:
    """Start a request; its answer comes back `answered_after` seconds later (the clock moves)."""
    ticket = await paced.acquire()
    started = time.now
    time.now += answered_after
    ticket.finish()
    time.now = started
    return started


def busiest_window(moments: list[float], window: float = 1.0) -> int:
    """The most moments within any half-open window of `window` seconds (to a nanosecond: float sums)."""
    ordered = sorted(moments)
    best, first = 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= window - 1e-9:
            first += 1
        best = max(best, last - first + 1)
    return best


async def test_a_burst_within_the_limit_goes_out_at_once():
    time = FakeTime()
    paced = pacer(49, time)
    starts = [await grant(paced, time) for _ in range(49)]
    assert starts == [0.0] * 49
    assert time.slept == []
    assert await grant(paced, time) == pytest.approx(1.0), "the 50th waits for the first to leave the window"


async def test_the_window_counts_from_the_answer_not_the_start():
    """Discord may have counted the request any time before its answer came back."""
    time = FakeTime()
    paced = pacer(2, time)
    assert await grant(paced, time, answered_after=0.3) == 0.0
    assert await grant(paced, time) == 0.0
    assert await grant(paced, time) == pytest.approx(1.3)


async def test_an_unanswered_request_holds_back_the_ones_a_window_after_it():
    time = FakeTime()
    paced = pacer(1, time)
    first = await paced.acquire()
    second = asyncio.create_task(paced.acquire())
    await asyncio.sleep(0)
    assert not second.done(), "the first may still be on its way to Discord"
    time.now = 0.2
    first.finish()
    ticket = await second
    assert ticket.started_at == pytest.approx(1.2)


async def test_a_request_never_answered_is_counted_as_answered_after_a_while():
    paced = Pacer(1, 0.01, stale_after=0.05)
    await paced.acquire()  # hangs forever
    ticket = await asyncio.wait_for(paced.acquire(), timeout=5)
    assert ticket.started_at is not None


async def test_a_cancelled_wait_does_not_hold_back_the_next_request():
    time = FakeTime()
    paced = pacer(1, time)
    first = await paced.acquire()
    waiting = asyncio.create_task(paced.acquire())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    first.finish()
    third = await paced.acquire()  # waits a window after the first, not forever for the cancelled one
    assert third.started_at == pytest.approx(1.0)


async def test_a_long_fan_out_runs_at_the_limit_and_no_second_holds_more():
    time = FakeTime()
    paced = pacer(40, time)
    starts = [await grant(paced, time) for _ in range(400)]
    assert starts[-1] == pytest.approx(9.0), "400 requests at 40 a second: the last batch starts at 9 s"
    assert busiest_window(starts) == 40


async def test_whatever_the_network_delays_no_window_at_discord_holds_more_than_the_limit():
    """Concurrent requests, each counted by 'Discord' at a random moment between its start and its answer."""
    rng = random.Random(6)
    limit, window = 5, 0.1
    paced = Pacer(limit, window)
    arrivals: list[float] = []

    async def request() -> None:
        await asyncio.sleep(rng.random() * 0.3)
        ticket = await paced.acquire()
        await asyncio.sleep(rng.choice((0.0, 0.001, rng.random() * 0.03)))
        ticket.finish()
        assert ticket.started_at is not None and ticket.finished_at is not None
        arrivals.append(rng.uniform(ticket.started_at, ticket.finished_at))

    await asyncio.gather(*(request() for _ in range(60)))
    assert len(arrivals) == 60
    assert busiest_window(arrivals, window) <= limit


async def test_under_two_requests_a_second_they_are_spaced_out():
    time = FakeTime()
    paced = Pacer(1, 2.0, monotonic=time.monotonic, sleep=time.sleep)
    assert [await grant(paced, time) for _ in range(3)] == [0.0, 2.0, 4.0]


def test_a_limit_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        Pacer(0)


@pytest.mark.parametrize(("limit", "paced"), [(50, 49), (10, 9), (2, 1), (50.9, 49)])
def test_the_pacer_keeps_one_request_a_second_under_the_limit(limit, paced):
    assert (global_limit_pacer(limit).limit, global_limit_pacer(limit).window) == (paced, 1.0)


def test_under_two_requests_a_second_one_goes_per_interval():
    assert (global_limit_pacer(1).limit, global_limit_pacer(1).window) == (1, 1.0)
    assert (global_limit_pacer(0.5).limit, global_limit_pacer(0.5).window) == (1, 2.0)


@pytest.fixture
def discord_api():
    before = discord.http.Route.BASE
    use_discord_endpoints("https://discord.com/api/v10", "wss://gateway.discord.gg/")
    yield URL(discord.http.Route.BASE)
    discord.http.Route.BASE = before


@pytest.mark.parametrize(
    ("path", "paced"),
    [
        ("/channels/1/messages", True),
        ("/users/@me/channels", True),
        ("/guilds/1/scheduled-events", True),
        ("/webhooks/5", True),  # the bot managing a webhook: its own token
        ("/interactions/9/aW50ZXJhY3Rpb24/callback", False),
        ("/webhooks/5/aW50ZXJhY3Rpb24/messages/@original", False),  # a follow-up: the interaction's token
    ],
)
def test_only_bot_authenticated_rest_calls_are_paced(discord_api, path, paced):
    assert is_globally_limited(discord_api.with_path(discord_api.path + path)) is paced


def test_the_gateway_and_other_hosts_are_not_paced(discord_api):
    assert not is_globally_limited(URL("wss://gateway.discord.gg/?v=10&encoding=json"))
    assert not is_globally_limited(URL("https://cdn.discordapp.com/avatars/1/a.png"))


async def test_whatever_the_arrivals_no_one_second_window_holds_more_than_the_limit():
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
