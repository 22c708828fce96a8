"""`python -m bench [--quick] [--only NAME ...]`: run the benchmarks, print the table, write the JSON."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from . import (
    cluster_fanout,
    cluster_footprint,
    cluster_takeover,
    fanout,
    footprint,
    interactions,
    reminder_lateness,
    scale,
    web,
)
from .results import Figure, machine, table, write

BENCHMARKS: dict[str, Callable[..., Awaitable[list[Figure]]]] = {
    interactions.NAME: interactions.run,
    reminder_lateness.NAME: reminder_lateness.run,
    fanout.NAME: fanout.run,
    cluster_fanout.NAME: cluster_fanout.run,
    cluster_takeover.NAME: cluster_takeover.run,
    scale.NAME: scale.run,
    footprint.NAME: footprint.run,
    cluster_footprint.NAME: cluster_footprint.run,
    web.NAME: web.run,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: few samples, small worlds")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), metavar="NAME", help="run only these")
    parser.add_argument("--output", type=Path, help="write the JSON here (default: bench/results/latest.json)")
    return parser


async def run_all(names: Sequence[str], *, quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    for name in names:
        print(f"running {name}{' (quick)' if quick else ''}...", file=sys.stderr, flush=True)
        # Each benchmark starts on a collected heap: the garbage one leaves (the interactions emulators
        # keep every message they served) would otherwise be collected in the middle of the next, in
        # one pause of a second or more that lands in the lateness of a reminder hosted in this process.
        gc.collect()
        figures += await BENCHMARKS[name](quick=quick)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    names = args.only or list(BENCHMARKS)
    figures = asyncio.run(run_all(names, quick=args.quick))
    info = machine()
    print(f"{info['cpus']} CPU(s) {info['cpu_model']}, Python {info['python']}, discord.py {info['discord_py']}")
    print(table(figures))
    path = write(figures, quick=args.quick, path=args.output)
    missed = sum(1 for figure in figures if figure.met is False)
    print(f"{missed} target(s) missed; written to {path}" if missed else f"every target met; written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
