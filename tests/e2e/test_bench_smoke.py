"""`python -m bench --quick` runs every benchmark end to end, so their code cannot rot (the scale benchmark on
PostgreSQL too: without one installed that part skips with the reason, and fails under CI=true)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(90)
def test_a_quick_benchmark_run_measures_each_figure_beside_its_baseline(tmp_path: Path) -> None:
    output = tmp_path / "latest.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "interactions", "footprint", "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=80,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["quick"] is True
    assert document["machine"]["cpus"] >= 1
    figures = {(f["benchmark"], f["name"]): f for f in document["figures"]}
    assert {benchmark for benchmark, _ in figures} == {"interactions", "footprint"}
    for figure in figures.values():
        assert figure["value"] > 0, figure
    for name in ("/clause latency p50", "/search latency p99", "/signatory latency p50", "/events latency p99"):
        latency = figures[("interactions", name)]
        assert latency["baseline"] > 0 and latency["met"] in (True, False)
    assert any(name.startswith("RSS") and f["baseline"] for (_, name), f in figures.items())
    assert "baseline" in done.stdout and "/clause latency p50" in done.stdout


@pytest.mark.timeout(150)
def test_a_quick_run_of_the_reminder_benchmarks_reports_lateness_fan_out_and_scale(tmp_path: Path) -> None:
    output = tmp_path / "reminders.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "reminder_lateness", "fanout", "scale",
         "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=140,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    figures = {(f["benchmark"], f["name"]): f for f in json.loads(output.read_text(encoding="utf-8"))["figures"]}
    assert {benchmark for benchmark, _ in figures} == {"reminder_lateness", "fanout", "scale"}
    lateness = [f for (benchmark, name), f in figures.items() if benchmark == "reminder_lateness" and "p99" in name]
    assert len(lateness) == 2 and all(f["baseline"] is not None and f["value"] >= 0 for f in lateness)
    fan_out = {name.split(",")[0]: f for (benchmark, name), f in figures.items() if benchmark == "fanout"}
    # What the bot guarantees at any size: nobody lost or reminded twice, no 429 met.
    assert fan_out["lost"]["value"] == fan_out["duplicated"]["value"] == fan_out["429s received"]["value"] == 0
    assert 0 < fan_out["share of the 50/s limit used"]["value"] <= 100
    scale = {name: f for (benchmark, name), f in figures.items() if benchmark == "scale"}
    assert all(scale[f"SQLite: {op} p99"]["value"] > 0 for op in ("subscribe", "unsubscribe", "list"))
    assert scale["SQLite: … reminder_deliveries (table and indexes)"]["value"] > 0
    if not any(name.startswith("PostgreSQL: ") for name in scale):
        reason = next((line for line in done.stderr.splitlines() if "PostgreSQL skipped" in line), "no reason given")
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the scale benchmark ran without PostgreSQL: {reason}")
        pytest.skip(f"SQLite measured; {reason}")
    assert all(scale[f"PostgreSQL: {op} p99"]["value"] > 0 for op in ("subscribe", "unsubscribe", "list"))
    assert scale["PostgreSQL: … reminder_deliveries (table and indexes)"]["value"] > 0
    busiest = next(f for name, f in scale.items() if name.startswith("PostgreSQL: who is due p99 (the most followed"))
    assert busiest["value"] > 0 and busiest["baseline"] > 0, "in pages, beside one query"
