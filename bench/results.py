"""Figures, the table they are printed in, and the JSON file they are written to."""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import discord

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Figure:
    """One measured figure, the baseline's figure for the same thing (if any) and the target."""

    benchmark: str
    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: str = ""  # as printed, e.g. "≤ 1.2× baseline", "≤ 80 MB"
    met: bool | None = None  # None: informative, no target

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.baseline:
            return None
        return self.value / self.baseline


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 100 samples is the 99th smallest)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = math.ceil(fraction * len(ordered) - 1e-9)  # 0.99 * 100 is 99.00000000000001 in floats
    return ordered[min(max(rank, 1), len(ordered)) - 1]


def machine() -> dict[str, str | int | None]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "discord_py": discord.__version__,
        "system": f"{platform.system()} {platform.release()}",
        "commit": _git_commit(),
    }


def table(figures: Sequence[Figure]) -> str:
    header = ("benchmark", "figure", "value", "baseline", "ratio", "target", "met?")
    rows = [header]
    for figure in figures:
        rows.append(
            (
                figure.benchmark,
                figure.name,
                _number(figure.value, figure.unit),
                _number(figure.baseline, figure.unit) if figure.baseline is not None else "—",
                f"{figure.ratio:.2f}×" if figure.ratio is not None else "—",
                figure.target or "—",
                {True: "yes", False: "NO", None: "—"}[figure.met],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def write(figures: Sequence[Figure], *, quick: bool, path: Path | None = None) -> Path:
    path = path or RESULTS_DIR / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine(),
        "command": " ".join([Path(sys.executable).name, "-m", "bench", *sys.argv[1:]]),
        "figures": [{**asdict(figure), "ratio": figure.ratio} for figure in figures],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit in ("ms", "s"):
        return f"{value:.2f} {unit}" if value < 10 else f"{value:.1f} {unit}"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "/s":
        return f"{value:.0f}/s"
    return f"{value:g} {unit}".strip()


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, as a developer runs it
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None
