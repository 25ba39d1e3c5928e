from __future__ import annotations

import pytest

from tests.world import ALEX, KIM, SAM, World


@pytest.fixture
def may(world: World) -> World:
    """May 2021 with every auditor's allocation sent on the 4th (SQLite and PostgreSQL)."""
    world.write_allocations(
        "2021-05",
        [
            (SAM[1], "CR-1001", "case_audit"),
            (ALEX[1], "CR-2001", "case_audit"),
            (KIM[1], "CR-3001", "case_audit"),
        ],
    )
    world.tick("2021-05-04T09:30")
    world.new_mail()
    return world
