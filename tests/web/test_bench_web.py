"""The web benchmark (`python -m bench --only web`) runs end to end, on a small plan, so it cannot rot."""

from __future__ import annotations

from bench import web as web_bench


async def test_the_web_benchmark_measures_feed_and_page_beside_the_baseline(monkeypatch):
    monkeypatch.setattr(web_bench, "CLIENTS", 10)
    monkeypatch.setattr(web_bench, "EVENTS", 20)
    monkeypatch.setattr(web_bench, "QUICK", web_bench.Plan(requests=40))
    figures = await web_bench.run(quick=True)
    assert [figure.name.split(" (")[0] for figure in figures] == [
        "feed GET p50", "feed GET p99", "page GET p50", "page GET p99",
    ]
    assert all(figure.value > 0 and figure.baseline and figure.baseline > 0 for figure in figures)
