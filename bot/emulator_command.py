"""`summit-bot emulator`: its options; the emulator itself (bot/sandbox/standalone.py) is loaded only when run."""

from __future__ import annotations

import argparse
import asyncio


def add_emulator_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (default: 8765; 0: any free one)")
    parser.add_argument("--guilds", type=_positive, default=30, help="servers to create (default: 30)")
    parser.add_argument(
        "--shards", type=_positive, help="shard count GET /gateway/bot recommends (default: one per 1,000 servers)"
    )
    parser.add_argument(
        "--max-concurrency", type=_positive, default=1, help="IDENTIFY buckets, one IDENTIFY each per 5 s (default: 1)"
    )
    parser.add_argument("--locale", default="en-US", help="the servers' and people's Discord locale (e.g. fr)")
    parser.add_argument("--console", action="store_true", help="drive server 1 from a console, as in `summit-bot try`")


def run_emulator(args: argparse.Namespace) -> int:
    from bot.sandbox.standalone import StandaloneOptions, serve

    options = StandaloneOptions(
        host=args.host,
        port=args.port,
        guilds=args.guilds,
        shards=args.shards,
        max_concurrency=args.max_concurrency,
        console=args.console,
        locale=args.locale,
    )
    try:
        return asyncio.run(serve(options))
    except KeyboardInterrupt:
        return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)
