"""/metrics in the Prometheus text format, from a registry of the bot's own (not the process-global one).

Counted as they happen: commands answered (by name and outcome), feed and page requests, 429s.
Read at scrape time: reminders sent, late and skipped and ledger claims outstanding (from the store,
so they survive restarts), and the gateway latency.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import discord
from discord import app_commands
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.errors import UserFacingError
from bot.storage.repositories.health import HealthRepository

CONTENT_TYPE = CONTENT_TYPE_LATEST


class BotMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.commands = Counter(
            "summit_commands", "Slash commands answered, by command and outcome", ["command", "outcome"],
            registry=self.registry,
        )  # fmt: skip
        self.feed_requests = Counter(
            "summit_feed_requests", "Calendar feed and page requests, by what was asked and the answer",
            ["kind", "status"], registry=self.registry,
        )  # fmt: skip
        self.rate_limited = Counter(
            "summit_discord_429", "429 (rate limited) answers received from Discord", registry=self.registry
        )
        self.reminders = Gauge(
            "summit_reminder_deliveries", "Reminder ledger entries by state (sent, skipped, failed, closed_dm …)",
            ["state"], registry=self.registry,
        )  # fmt: skip
        self.late = Gauge("summit_reminders_late", "Reminders sent late (after downtime)", registry=self.registry)
        self.claims = Gauge(
            "summit_ledger_claims_outstanding", "Ledger claims not yet confirmed sent", registry=self.registry
        )
        self.latency = Gauge(
            "summit_gateway_latency_seconds", "Gateway heartbeat latency (NaN when not connected)",
            registry=self.registry,
        )  # fmt: skip

    async def render(self, health: HealthRepository, bot: discord.Client) -> bytes:
        states = await health.deliveries_by_state()
        for state in ("sent", "skipped", "failed", "closed_dm", "claimed"):
            self.reminders.labels(state).set(states.get(state, 0))
        self.claims.set(states.get("claimed", 0))
        self.late.set(await health.late_deliveries())
        self.latency.set(bot.latency if bot.is_ready() and not bot.is_closed() else float("nan"))
        return generate_latest(self.registry)


def count_commands(bot: discord.Client, tree: app_commands.CommandTree, metrics: BotMetrics) -> Callable:
    """Count every answered command: completions as "ok", errors by their kind. Returns an undo."""
    original = tree.on_error

    async def on_completion(interaction: discord.Interaction, command: app_commands.Command) -> None:
        metrics.commands.labels(command.qualified_name, "ok").inc()

    async def on_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        command = interaction.command.qualified_name if interaction.command else "unknown"
        metrics.commands.labels(command, outcome_of(error)).inc()
        await original(interaction, error)

    bot.add_listener(on_completion, "on_app_command_completion")
    tree.on_error = on_error  # type: ignore[method-assign]

    def undo() -> None:
        bot.remove_listener(on_completion, "on_app_command_completion")
        tree.on_error = original  # type: ignore[method-assign]

    return undo


def outcome_of(error: Exception) -> str:
    cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(cause, UserFacingError):
        return "refused"
    if isinstance(cause, app_commands.CommandOnCooldown):
        return "cooldown"
    if isinstance(cause, app_commands.CheckFailure):
        return "refused"
    return "error"


class RateLimitCounter(logging.Handler):
    """discord.py logs each 429 it receives ("… responded with 429 …"); count those lines."""

    def __init__(self, metrics: BotMetrics) -> None:
        super().__init__(level=logging.DEBUG)
        self._metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if "429" in record.getMessage():
                self._metrics.rate_limited.inc()
        except Exception:  # a log line that does not format must not break logging
            self.handleError(record)
