"""`python -m bench --quick` runs the interaction and footprint benchmarks end to end, so their code cannot rot."""

from __future__ import annotations

import json
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
