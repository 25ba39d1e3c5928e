"""Killed at any point and restarted, the bot sends every due message exactly once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults.harness import (
    NAMED_STEPS,
    Run,
    outbox_keys,
    plan_faults,
    refused_duplicates,
    run_month,
)
from tests.world import World

# CI runs a bounded form; AUDITBOT_FAULT_KILLS=60 gives the full run (see benchmarks/README).
RANDOM_KILLS = int(os.environ.get("AUDITBOT_FAULT_KILLS", "12"))


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    world = World.create(tmp_path_factory.mktemp("clean") / "council")
    run_month(world, {}, Run())
    return dict(outbox_keys(world))


def test_a_month_killed_at_every_named_step_and_at_random_points_loses_and_repeats_nothing(
    tmp_path: Path, store_url: str, expected: dict[str, int]
) -> None:
    world = World.create(tmp_path / "council", store=store_url)
    run = Run()
    run_month(world, plan_faults(seed=20210501, random_kills=RANDOM_KILLS), run)
    landed = outbox_keys(world)
    assert dict(landed) == expected  # same keys, each exactly once
    assert refused_duplicates(world) == []
    assert set(run.kills) >= set(NAMED_STEPS), run.kills
    print(f"{sum(run.kills.values())} kills in {run.ticks} ticks: {dict(run.kills)}")
    assert sum(run.kills.values()) >= len(NAMED_STEPS) + RANDOM_KILLS // 2
    assert len(expected) > 15 and "exemption/EXM-2021-05-001/outcome" in expected


def test_two_instances_hot_on_postgresql_with_one_killed_part_way(
    tmp_path: Path, pg_url: str, expected: dict[str, int]
) -> None:
    world = World.create(tmp_path / "council", store=pg_url)
    run = Run()
    # Kill points land on whichever instance holds the tick; the other carries on.
    run_month(world, plan_faults(seed=7, random_kills=RANDOM_KILLS // 2), run, instances=2)
    assert dict(outbox_keys(world)) == expected
    assert refused_duplicates(world) == []
    assert sum(run.kills.values()) >= 4
