"""`summit-bot run --shards 0-3 --shard-count 8`: the options, laid over the settings, and the SQLite refusal."""

from __future__ import annotations

import argparse

from bot.config import Settings, validate_settings
from bot.shards import parse_shard_count, parse_shard_ids, sqlite_refusal
from bot.storage.dialect import SQLITE


def add_shard_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shards",
        metavar="IDS",
        type=_shard_ids,
        help='shards this process runs: "0-3", "4,5" or "all" (discord.shard_ids)',
    )
    parser.add_argument(
        "--shard-count",
        metavar="N",
        type=_shard_count,
        help='shards of the bot in all, or "auto" (discord.shard_count)',
    )


def with_shard_options(settings: Settings, shard_ids: str | None, shard_count: str | None) -> Settings:
    """The settings with the options laid over them, checked together (ConfigError when they disagree)."""
    if shard_ids is None and shard_count is None:
        return settings
    discord = settings.discord.model_dump()
    if shard_ids is not None:
        discord["shard_ids"] = shard_ids
    if shard_count is not None:
        discord["shard_count"] = shard_count
    checked = validate_settings({"discord": discord}, "the command line").discord
    return settings.model_copy(update={"discord": checked})


def refusal(settings: Settings) -> str | None:
    """Why `run` must not start with these shards on this store, in one line; None when it may."""
    discord = settings.discord
    return sqlite_refusal(discord.shard_ids, discord.shard_count, settings.database.store.dialect is SQLITE)


def _shard_ids(text: str) -> str:
    try:
        parse_shard_ids(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _shard_count(text: str) -> str:
    try:
        parse_shard_count(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text
