"""What a reliability test watches while the bot works: errors it logged, refusals, requests, pings.

`Observer.mark()` notes where things stand; `Observer.problems(mark, results)` lists everything that went
wrong since, as readable lines (an empty list means the bot behaved).
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.i18n import t
from bot.sandbox import DiscordEmulator, InteractionResult, RequestRecord

# Answers Discord gives a bot that misbehaves: invalid form body, answered twice, answered too late.
BAD_ERROR_CODES = {50035: "invalid form body", 40060: "already acknowledged", 10062: "unknown interaction"}
APOLOGIES = tuple(t("errors.unexpected", locale) for locale in ("en-US", "fr"))


def unwrapped(error: BaseException) -> BaseException:
    return error.original if isinstance(error, app_commands.CommandInvokeError) else error


class ErrorRecords(logging.Handler):
    """Keeps every record at ERROR or above, whoever logged it (the bot, discord.py, the emulator)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass(frozen=True)
class Mark:
    internal_errors: int
    error_records: int
    requests: int
    message_seq: int


class Observer:
    def __init__(self, emulator: DiscordEmulator, bot: discord.Client) -> None:
        self.emulator = emulator
        self.bot = bot
        self.refusals: dict[int, BaseException] = {}  # interaction id -> what the error path was given
        self.error_records = ErrorRecords()
        self._tree_on_error = None

    def __enter__(self) -> Observer:
        logging.getLogger().addHandler(self.error_records)
        tree = self.bot.tree  # type: ignore[attr-defined]
        self._tree_on_error = tree.on_error
        answer = self._tree_on_error

        async def noting_refusals(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
            self.refusals[interaction.id] = unwrapped(error)
            await answer(interaction, error)

        tree.on_error = noting_refusals
        return self

    def __exit__(self, *exc_info: object) -> None:
        logging.getLogger().removeHandler(self.error_records)
        self.bot.tree.on_error = self._tree_on_error  # type: ignore[attr-defined]

    def mark(self) -> Mark:
        emu = self.emulator
        last_seq = max((message.seq for message in emu.world.messages.values()), default=0)
        return Mark(len(emu.internal_errors), len(self.error_records.records), emu.stats.requests, last_seq)

    def requests_since(self, mark: Mark) -> list[RequestRecord]:
        count = self.emulator.stats.requests - mark.requests
        return list(reversed(list(itertools.islice(reversed(self.emulator.requests), count))))

    def problems(
        self,
        mark: Mark,
        results: list[InteractionResult] = (),
        *,
        ping_roles: frozenset[int] = frozenset(),  # type: ignore[assignment]
    ) -> list[str]:
        """Everything that went wrong since `mark`; bot messages outside `results` may ping `ping_roles` only."""
        emu = self.emulator
        problems = [f"emulator error: {error}" for error in emu.internal_errors[mark.internal_errors :]]
        for record in self.error_records.records[mark.error_records :]:
            problems.append(f"logged at {record.levelname} by {record.name}: {record.getMessage()}")
            if record.exc_info and record.exc_info[1] is not None:
                problems.append(f"  {record.exc_info[1]!r}")
        for request in self.requests_since(mark):
            if request.status >= 500 or request.error_code in BAD_ERROR_CODES:
                problems.append(
                    f"Discord answered {BAD_ERROR_CODES.get(request.error_code, 'an error')}: "
                    f"{request.describe()[:600]}"
                )
        answered: set[int] = set()
        for result in results:
            for message in result.messages:
                answered.add(message.id)
                content = message.get("content") or ""
                if content.startswith(APOLOGIES):
                    problems.append(f"{result.interaction.name}: apologised for an unexpected error")
                if not message.pinged.nothing:
                    problems.append(f"{result.interaction.name}: its answer pinged {message.pinged}")
        for message in emu.world.messages.values():
            if message.seq <= mark.message_seq or message.id in answered:
                continue
            pinged = message.pinged
            if pinged.users or pinged.everyone or pinged.replied_user or not pinged.roles <= ping_roles:
                problems.append(f"a bot message pinged {pinged}: {(message.get('content') or '')[:200]!r}")
        return problems

    def refusal(self, result: InteractionResult) -> BaseException | None:
        return self.refusals.get(result.id)


def content_of(result: InteractionResult) -> str:
    return result.content or ""


def short(value: Any, width: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= width else f"{text[: width - 12]}…({len(text)} chars)"
