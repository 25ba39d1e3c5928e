"""The charts' PNGs: what a reader sees in them (teams, colours, target lines, the key)."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from bot.config import TargetSettings
from bot.core.completion import MAX_BARS, Group, RatePoint, Tally, furthest_behind
from bot.core.quality import GradeMix
from bot.core.records import Month
from bot.reporting import charts
from bot.reporting.chart_cache import ChartCache

MAY = Month(2021, 5)
TARGETS = TargetSettings().rules


def _teams(count: int) -> list[Group]:
    """Teams of 20: some complete, one saying so, the rest outstanding."""
    teams = []
    for i in range(count):
        done = i % 19
        tally = Tally(20, done, self_reported=1, outstanding=19 - done)
        teams.append(Group(f"Team {i:02d}", f"Team {i:02d}", "Head", tally))
    return teams


TREND = [RatePoint(MAY.plus(i - 11), 60 + i, 100, so_far=i == 11) for i in range(12)]
GRADES = [
    (MAY.plus(i - 12), GradeMix(good=3 + i, inadequate=1, requires_improvement=4 - i // 3))
    for i in range(12)
]


def _pixels(png: bytes) -> np.ndarray:
    """The PNG's pixels as RGB, once it is known to be an opaque 900-pixel-wide PNG."""
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.width) == ("PNG", 900)
    assert image.info["dpi"] == pytest.approx((charts.DPI, charts.DPI), abs=0.1)
    rgba = np.asarray(image.convert("RGBA"))
    assert (rgba[:, :, 3] == 255).all()  # no transparency: mail clients show it on any background
    return rgba[:, :, :3]


def _has(pixels: np.ndarray, colour: str, at_least: int = 100) -> bool:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], np.uint8)
    return int((pixels == rgb).all(axis=2).sum()) >= at_least


def test_the_team_chart_draws_each_standing_in_its_own_colour() -> None:
    closed = [  # a closed month (missed and late) and an open one (says complete, outstanding)
        Group("A", "Adoption", "H", Tally(20, 10, exempted=2, missed=6, late=2)),
        Group("F", "Fostering", "H", Tally(20, 5, self_reported=4, exempted=1, outstanding=10)),
    ]
    pixels = _pixels(charts.completion_by_team(closed, "April 2021: completion by team"))
    for colour in (
        charts.COMPLETE,
        charts.SELF_REPORTED,
        charts.EXEMPTED,
        charts.OUTSTANDING,
        charts.MISSED,
    ):
        assert _has(pixels, colour), colour
    assert (pixels[0, 0] == 255).all()  # a white background, no transparency


def test_the_chart_keeps_the_teams_furthest_behind_lowest_first() -> None:
    teams = _teams(60)  # rates 0-90%, three teams at each
    shown = furthest_behind(teams)
    rates = [g.tally.rate for g in shown]
    assert len(shown) == MAX_BARS == 30
    assert rates == sorted(rates)
    assert max(rates) <= min(g.tally.rate for g in teams if g not in shown)
    nobody = Group("Z", "Zeta", "H", Tally())
    assert furthest_behind([nobody, *teams[:3]])[-1] is nobody  # no figures: last


def test_the_team_chart_shows_the_30_furthest_behind_however_many_teams() -> None:
    many = _pixels(charts.completion_by_team(_teams(60), "May 2021: completion by team"))
    most = _pixels(charts.completion_by_team(_teams(MAX_BARS), "May 2021: completion by team"))
    few = _pixels(charts.completion_by_team(_teams(3), "May 2021: completion by team"))
    # As many bars: the 60-team chart only has a second title line (furthest behind, of 60).
    assert 0 < many.shape[0] - most.shape[0] <= 0.2 * charts.DPI
    assert few.shape[0] < most.shape[0]


def test_the_trend_charts_draw_their_series_and_targets() -> None:
    trend = _pixels(charts.completion_trend(TREND, "Completion rate by month, all teams"))
    assert _has(trend, charts.COMPLETE)
    grades = _pixels(charts.grade_trend(GRADES, "Grades of audits by month, all teams", TARGETS))
    assert _has(grades, charts.GOOD) and _has(grades, charts.INADEQUATE)
    # The target lines alone, with no graded month to draw: dashed rows of their colours.
    empty = [(month, GradeMix()) for month, _ in GRADES]
    targets = _pixels(charts.grade_trend(empty, "Grades of audits by month, all teams", TARGETS))
    for colour in (charts.GOOD, charts.INADEQUATE):
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], np.uint8)
        per_row = (targets == rgb).all(axis=2).sum(axis=1)
        assert per_row.max() > 0.3 * targets.shape[1], colour  # a line across the axes


@pytest.mark.parametrize(
    "chart",
    [
        lambda: charts.completion_by_team([], "No teams"),
        lambda: charts.completion_by_team([Group("X", "X", "H", Tally())], "Nobody allocated"),
        lambda: charts.completion_trend([RatePoint(MAY, 0, 0, so_far=True)], "No rate yet"),
        lambda: charts.grade_trend([(MAY.plus(-1), GradeMix())], "Nothing graded", TARGETS),
    ],
)
def test_charts_of_nothing_are_still_pictures(chart: Callable[[], bytes]) -> None:
    assert _pixels(chart()).shape[0] > 100


def test_the_same_chart_comes_out_the_same_after_others() -> None:
    def draw() -> bytes:
        return charts.completion_trend(TREND, "Completion rate by month, all teams")

    first = draw()
    charts.completion_trend(TREND[::-1], "Another trend")
    charts.completion_by_team(_teams(3), "Teams")
    assert draw() == first


def test_each_chart_has_its_key_below_the_axes() -> None:
    """The key sits along the bottom of the picture: a swatch of every series' colour there,
    the dashed target lines' included."""
    bottom = round(0.6 * charts.DPI)  # below the tick labels: the axes start 0.75 inches up
    grades = _pixels(charts.grade_trend(GRADES, "Grades of audits by month, all teams", TARGETS))
    for colour in (charts.GOOD, charts.INADEQUATE):
        assert _has(grades[-bottom:], colour, at_least=20), colour
    trend = _pixels(charts.completion_trend(TREND, "Completion rate by month, all teams"))
    assert _has(trend[-bottom:], charts.COMPLETE, at_least=20)
    teams = [
        Group("F", "Fostering", "H", Tally(20, 5, self_reported=4, exempted=1, outstanding=10))
    ]
    bars = _pixels(charts.completion_by_team(teams, "May 2021: completion by team"))
    for colour in (charts.COMPLETE, charts.SELF_REPORTED, charts.EXEMPTED, charts.OUTSTANDING):
        assert _has(bars[-bottom:], colour, at_least=20), colour


def test_a_chart_is_drawn_once_while_its_figures_stay_the_same() -> None:
    drawn: list[tuple] = []

    def draw(points: list[RatePoint], title: str) -> bytes:
        drawn.append((points, title))
        return f"png {len(drawn)}".encode()

    cache = ChartCache()
    first = cache.png(draw, TREND, "Completion rate by month, all teams")
    assert cache.png(draw, list(TREND), "Completion rate by month, all teams") == first
    assert len(drawn) == 1
    cache.png(draw, TREND, "Completion rate by month, Hana's service")  # another title
    changed = [*TREND[:-1], RatePoint(MAY, 80, 100, so_far=True)]  # the month moved on
    cache.png(draw, changed, "Completion rate by month, all teams")
    assert len(drawn) == 3


def test_the_chart_cache_forgets_the_least_recently_used_beyond_its_size() -> None:
    drawn: list[str] = []

    def draw(title: str) -> bytes:
        drawn.append(title)
        return title.encode()

    cache = ChartCache(size=2)
    cache.png(draw, "a")
    cache.png(draw, "b")
    cache.png(draw, "a")  # used again: now "b" is the least recent
    cache.png(draw, "c")
    assert len(cache) == 2
    cache.png(draw, "a")
    cache.png(draw, "b")
    assert drawn == ["a", "b", "c", "b"]
