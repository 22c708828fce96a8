"""SIGKILL the bot at random points of reminder fan-outs, restart it, repeat: every recipient reminded once.

Each trial has its own server (in the emulator), store and bot process: 60–100 members follow an event
whose reminder is already due when the bot starts, or falls due a few seconds later. The bot is killed
once a random number of them — anywhere from none to all — have their DM, and in about a third of the
trials killed again after the restart, at a later random point; then it is restarted and left to finish.
Killed "at none", it dies as its start-up ends (claims settled, the run just spawned); killed "at all",
the last marks may not be written yet. The trial then counts each member's DMs in the emulator (exactly
one each), reads the ledger (every row 'sent'), and checks that no process logged an error.

The test runs on each store (`fresh_store`): a SQLite file per trial, or a fresh PostgreSQL database per
trial that the restarted process finds again. Trials run in a few lanes side by side (a bot spends most
of its start-up waiting for Discord). `make test` runs 10 trials per store; `SUMMIT_LONG=1` runs 100.
The seed is random unless SUMMIT_CRASH_SEED is set, and printed with any failure so it can be replayed.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import validate_settings
from bot.sandbox import DiscordEmulator, Member
from tests.helpers.bot_process import BotProcess, write_config
from tests.helpers.fan_out import ledger_states, prepare_fan_out, reminded, wait_reminded

from .budget import LONG, scaled
from .conftest import StoreFactory

TRIALS = scaled(10, 100)
LANES = 3
MEMBERS = (60, 100)
TWICE = 1 / 3  # the share of trials killed a second time after the restart
GLOBAL_LIMIT = 200  # requests per second: a 100-member fan-out (open DM + post each) takes about a second
DUE_IN = (timedelta(seconds=-2), timedelta(seconds=3))  # due before the start (caught up), or after it
FINISHED = r"run remind:\d+:\d+:dm finished"
STARTED = r"reminders started: \d+ unconfirmed claim"
SETTLED = re.compile(r"reminders started: (\d+) unconfirmed claim")

pytestmark = pytest.mark.timeout(1800 if LONG else 150)


@dataclass
class Trial:
    number: int
    members: int
    kill_points: list[int] = field(default_factory=list)  # members reminded when each SIGKILL was sent
    recovered: int = 0  # claims the kills left unconfirmed, settled by the next start
    lost: int = 0
    duplicated: int = 0
    ledger: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.errors) and self.ledger == {"sent": self.members}

    def describe(self) -> str:
        return (f"trial {self.number}: {self.members} members, killed at {self.kill_points}, lost {self.lost},"
                f" duplicated {self.duplicated}, ledger {self.ledger}, errors {self.errors[:3]}")  # fmt: skip


async def test_sigkill_at_random_points_of_fan_outs_reminds_every_recipient_exactly_once(
    tmp_path: Path, fresh_store: StoreFactory
) -> None:
    seed = int(os.environ.get("SUMMIT_CRASH_SEED") or random.randrange(2**32))
    started = time.monotonic()
    trials: list[Trial] = []

    async def lane(first: int) -> None:
        for number in range(first, TRIALS, LANES):
            scratch = tmp_path / f"trial-{number}"
            scratch.mkdir(parents=True)
            store = await fresh_store(scratch)
            trials.append(await crash_trial(number, random.Random(seed + number), scratch, store))

    await asyncio.gather(*(lane(first) for first in range(LANES)))

    kills = sum(len(trial.kill_points) for trial in trials)
    summary = (
        f"{len(trials)} trials, {kills} SIGKILLs ({sum(len(t.kill_points) > 1 for t in trials)} trials killed twice),"
        f" {sum(t.members for t in trials)} recipients, {sum(t.recovered for t in trials)} unconfirmed claims"
        f" recovered, {sum(t.duplicated for t in trials)} duplicated,"
        f" {sum(t.lost for t in trials)} lost, {time.monotonic() - started:.0f} s (seed {seed})"
    )
    print(summary)  # the long run's result, for the README (pytest -s)
    failed = [trial.describe() for trial in trials if not trial.ok]
    assert not failed, f"{summary}\n" + "\n".join(failed)
    assert len(trials) == TRIALS and kills >= TRIALS


async def crash_trial(number: int, rng: random.Random, scratch: Path, store: str) -> Trial:
    trial = Trial(number, rng.randint(*MEMBERS))
    kills = 2 if rng.random() < TWICE else 1
    started = time.monotonic()
    async with DiscordEmulator(global_rate_limit=GLOBAL_LIMIT) as emulator:
        guild = emulator.create_guild(f"Trial {number}")
        members = [emulator.create_member(guild, f"member{index:03d}") for index in range(trial.members)]
        reminder_settings = {"max_concurrency": 16}
        config = write_config(scratch / "bot.toml", emulator, store, reminders=reminder_settings,
                              global_rate_limit=GLOBAL_LIMIT)
        settings = validate_settings({"database": {"url": store}, "reminders": reminder_settings})
        await prepare_fan_out(settings, guild.id, [member.id for member in members], due_in=rng.choice(DUE_IN),
                              key=f"crash-{number}")  # fmt: skip
        bot = BotProcess(config, emulator.token)
        try:
            await bot.start()
            rows = 0
            for _ in range(kills):
                trial.kill_points.append(await kill_at(bot, emulator, members, rng))
                # While it is dead: the members with a ledger row are the ones the next run will not send to.
                rows = sum((await ledger_states(settings)).values())
                await bot.start()
            await wait_reminded(emulator, members, trial.members, timeout=30)
            # The last run ends with a log line if it had anyone left to send to; if not, every claim was
            # settled by recovery, which is over before start-up says "reminders started".
            await bot.wait_for_log(FINISHED if rows < trial.members else STARTED, timeout=30)
            if await bot.stop() != 0:
                trial.errors.append(f"the last process exited with {bot.returncode}")
        except (AssertionError, TimeoutError) as failure:  # a wait ran out: recorded, the other trials go on
            trial.errors.append(f"{type(failure).__name__}: {str(failure).splitlines()[0] if str(failure) else ''}")
        finally:
            if bot.running:
                await bot.kill()
        counts = reminded(emulator, members)
    trial.lost = counts.count(0)
    trial.duplicated = sum(1 for count in counts if count > 1)
    trial.ledger = await ledger_states(settings)
    trial.errors += [line for line in bot.lines if " ERROR " in line or "Traceback" in line]
    trial.recovered = sum(int(found[1]) for line in bot.lines if (found := SETTLED.search(line)))
    trial.seconds = time.monotonic() - started
    return trial


async def kill_at(bot: BotProcess, emulator: DiscordEmulator, members: list[Member], rng: random.Random) -> int:
    """SIGKILL once a random number of members — from those reminded already to all — have their DM;
    "already" means as soon as this process has finished starting. Returns how many had it then."""
    already = sum(1 for count in reminded(emulator, members) if count)
    target = rng.randint(already, len(members))
    if target == already:
        await bot.wait_for_log(STARTED, timeout=30)
    else:
        await wait_reminded(emulator, members, target, timeout=30)
    await bot.kill()
    return sum(1 for count in reminded(emulator, members) if count)
