"""The improvement plan's targets: judged exactly, on the shares config.yaml gives."""

from __future__ import annotations

import pytest

from bot.core.quality import GradeMix, Targets


@pytest.mark.parametrize(
    ("good_min", "inadequate_max", "counts", "meets"),
    [
        # (outstanding, good, requires improvement, inadequate) -> (good target, inadequate limit)
        (0.40, 0.12, (1, 3, 5, 1), (True, True)),  # 4 of 10 is exactly 40%; 1 of 10 under 12%
        (0.40, 0.12, (9, 30, 49, 12), (False, False)),  # 39%; 12 of 100 is not under 12%
        (0.40, 0.12, (0, 10, 12, 3), (True, False)),  # 10 of 25 is 40%; 3 of 25 is 12%, not under
        (0.40, 0.12, (0, 10, 13, 3), (False, True)),  # 10 of 26 is 38.5%; 3 of 26 is 11.5%
        (0.45, 0.10, (1, 3, 5, 1), (False, False)),  # the same audits against harder targets
        (0.375, 0.125, (0, 3, 4, 1), (True, False)),  # 3 of 8 is exactly 37.5%; 1 of 8 is not
        (0.40, 0.12, (0, 0, 0, 0), (None, None)),  # nothing graded: no verdict
    ],
)
def test_a_verdict_is_exact_against_the_configured_targets(
    good_min: float,
    inadequate_max: float,
    counts: tuple[int, int, int, int],
    meets: tuple[bool | None, bool | None],
) -> None:
    targets = Targets.of(good_min, inadequate_max)
    mix = GradeMix(*counts)
    assert (targets.meets_good(mix), targets.meets_inadequate(mix)) == meets


@pytest.mark.parametrize(
    ("good_min", "inadequate_max", "shown"),
    [(0.40, 0.12, ("40", "12")), (0.375, 0.1, ("37.5", "10")), (0.5, 0.05, ("50", "5"))],
)
def test_the_targets_are_shown_as_plain_percentages(
    good_min: float, inadequate_max: float, shown: tuple[str, str]
) -> None:
    targets = Targets.of(good_min, inadequate_max)
    assert (targets.good, targets.inadequate) == shown
