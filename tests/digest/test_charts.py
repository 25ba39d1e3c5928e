"""The charts' PNGs: what they hold, and that the parts bot.charts draws by hand (ticks, grid,
key, PNG) come out as matplotlib's own would.

bot.charts draws tick labels, grid lines and the key as plain artists and writes the PNG
itself, because matplotlib's ticks, legend and savefig cost most of a chart's time. The
comparisons below draw the same figure both ways and compare the pixels, so a matplotlib
upgrade that moves its own ticks or legend shows up here, not in the mail.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

import numpy as np
import pytest
from matplotlib import rc_context
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from PIL import Image

from bot import chart_parts, charts
from bot.core.completion import MAX_BARS, Group, RatePoint, Tally, furthest_behind
from bot.core.quality import GradeMix
from bot.core.records import Month

MAY = Month(2021, 5)


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
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.mode, image.width) == ("PNG", "RGB", 900)
    assert image.info["dpi"] == pytest.approx((chart_parts.DPI, chart_parts.DPI), abs=0.1)
    return np.asarray(image)


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
    assert 0 < many.shape[0] - most.shape[0] <= 0.2 * chart_parts.DPI
    assert few.shape[0] < most.shape[0]


def test_the_trend_charts_draw_their_series_and_targets() -> None:
    trend = _pixels(charts.completion_trend(TREND, "Completion rate by month, all teams"))
    assert _has(trend, charts.COMPLETE)
    grades = _pixels(charts.grade_trend(GRADES, "Grades of audits by month, all teams"))
    assert _has(grades, charts.GOOD) and _has(grades, charts.INADEQUATE)
    # The target lines alone, with no graded month to draw: dashed rows of their colours.
    empty = [(month, GradeMix()) for month, _ in GRADES]
    targets = _pixels(charts.grade_trend(empty, "Grades of audits by month, all teams"))
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
        lambda: charts.grade_trend([(MAY.plus(-1), GradeMix())], "Nothing graded"),
    ],
)
def test_charts_of_nothing_are_still_pictures(chart: Callable[[], bytes]) -> None:
    assert _pixels(chart()).shape[0] > 100


def test_the_same_chart_comes_out_the_same_after_others_and_in_another_thread() -> None:
    def draw() -> bytes:
        return charts.completion_trend(TREND, "Completion rate by month, all teams")

    first = draw()
    charts.completion_trend(TREND[::-1], "Another trend, drawn with the same renderer")
    for count in range(1, 6):  # more sizes than a thread keeps renderers for
        charts.completion_by_team(_teams(count), "Teams")
    assert draw() == first
    assert len(chart_parts._thread.renderers) <= chart_parts.RENDERERS
    elsewhere: list[bytes] = []
    thread = threading.Thread(target=lambda: elsewhere.append(draw()))
    thread.start()
    thread.join()
    assert elsewhere == [first]


# -- the hand-drawn parts against matplotlib's own ----------------------------------------------


def _drawn(make: Callable[[Figure, object], None], height: float = 2.9) -> np.ndarray:
    with rc_context(chart_parts.STYLE):
        figure, axes = chart_parts.new_figure(height)
        axes.set_xlim(-0.5, 11.5)
        axes.set_ylim(0, 100)
        make(figure, axes)
        figure.subplots_adjust(left=0.3, right=0.8, top=0.8, bottom=0.4)
        return _pixels(chart_parts.png_bytes(figure))


def _same(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Equal but for antialiasing: no more than 0.02% of pixels off by more than a quarter."""
    assert ours.shape == theirs.shape
    off = np.abs(ours.astype(int) - theirs.astype(int)).max(axis=2)
    assert (off > 64).sum() <= ours.shape[0] * ours.shape[1] // 5000, (off > 0).sum()


def test_the_png_holds_what_savefig_would() -> None:
    def line(figure: Figure, axes) -> None:
        axes.plot([0, 5, 11], [10, 90, 40], color=charts.COMPLETE, marker="o")
        figure.text(0.1, 0.9, "Title", fontsize=10)

    with rc_context(chart_parts.STYLE):
        figure, axes = chart_parts.new_figure(2.5)
        line(figure, axes)
        ours = _pixels(chart_parts.png_bytes(figure))
        saved = io.BytesIO()
        figure.savefig(saved, format="png", dpi=chart_parts.DPI)
    assert np.array_equal(ours, np.asarray(Image.open(saved).convert("RGB")))


def test_ticks_and_grid_are_where_matplotlibs_would_be() -> None:
    months = [charts._label(point.month) for point in TREND]  # "Jan\n21" on two lines
    shares = [0, 20, 40, 60, 80, 100]

    def ours(figure: Figure, axes) -> None:
        chart_parts.draw_ticks(axes, "x", range(12), months)
        chart_parts.draw_ticks(axes, "y", shares, [f"{s}%" for s in shares])
        chart_parts.grid_lines(axes, shares)

    def theirs(figure: Figure, axes) -> None:
        axes.set_xticks(range(12), months)
        axes.set_yticks(shares, [f"{s}%" for s in shares])
        axes.grid(axis="y", color=chart_parts.GRID, linewidth=0.8)
        axes.set_axisbelow(True)

    _same(_drawn(ours), _drawn(theirs))


def test_unmarked_ticks_are_where_matplotlibs_would_be() -> None:
    names = ["Fostering", "Looked After Children North 3", "Adoption"]

    def ours(figure: Figure, axes) -> None:
        chart_parts.draw_ticks(axes, "y", [10, 50, 90], names, length=0)
        chart_parts.draw_ticks(axes, "x", [], [])

    def theirs(figure: Figure, axes) -> None:
        axes.set_yticks([10, 50, 90], names)
        axes.tick_params(axis="y", length=0)
        axes.set_xticks([])

    _same(_drawn(ours), _drawn(theirs))


def _series(axes) -> None:
    """Each kind of key entry the charts have: bars, a line with markers, hollow markers
    alone, dashed lines; five of them, so two columns of three and two."""
    bars = [[(0, 0), (1, 0), (1, 1)]]
    axes.add_collection(
        PolyCollection(bars, facecolors=charts.COMPLETE, edgecolors="none", label="Complete")
    )
    axes.plot([0, 1], [5, 6], color=charts.GOOD, marker="o", markersize=4, label="Good or better")
    axes.plot(
        [],
        [],
        linestyle="none",
        marker="s",
        markerfacecolor="white",
        markeredgecolor=charts.INADEQUATE,
        label="Fewer than 10 graded",
    )
    axes.axhline(40, color=charts.GOOD, linestyle="--", linewidth=1, label="Target: at least 40%")
    axes.axhline(12, color=charts.INADEQUATE, linestyle="--", linewidth=1, label="Limit: 12%")


@pytest.mark.parametrize(("columns", "handle_length"), [(5, 2.0), (2, 2.2), (3, 2.0)])
def test_the_key_is_where_matplotlibs_legend_would_be(columns: int, handle_length: float) -> None:
    def ours(figure: Figure, axes) -> None:
        _series(axes)
        handles, names = axes.get_legend_handles_labels()
        chart_parts.draw_key(figure, handles, names, columns=columns, handle_length=handle_length)

    def theirs(figure: Figure, axes) -> None:
        _series(axes)
        handles, names = axes.get_legend_handles_labels()
        figure.legend(
            handles,
            names,
            loc="lower center",
            ncol=columns,
            frameon=False,
            fontsize=8,
            handlelength=handle_length,
        )

    ours_pixels, theirs_pixels = _drawn(ours), _drawn(theirs)
    _same(ours_pixels, theirs_pixels)
    # And the key is there at all: the dashed target line's colour below the axes.
    key = ours_pixels[-round(0.4 * chart_parts.DPI) :]
    assert _has(key, charts.GOOD, at_least=20) and _has(key, charts.INADEQUATE, at_least=20)
