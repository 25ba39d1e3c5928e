"""The Graph benchmark still runs and still meets its targets (a small run)."""

from __future__ import annotations

from benchmarks.graph import run


def test_the_graph_benchmark_meets_its_targets_on_a_small_run():
    rows = run(messages=12, polls=5)
    assert [r[0] for r in rows if r[3] == "NO"] == []
    assert {r[0]: r[1] for r in rows}["HTTP requests per idle poll"] == "1.00"
