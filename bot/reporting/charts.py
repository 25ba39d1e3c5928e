"""Charts for the digests and the QA report: small PNGs made with plain matplotlib.

Each chart is its own Figure on an Agg canvas (no pyplot, so no global figure state). The
style is applied through matplotlib's rcParams while a chart is made (``rc_context``), so
charts are made one at a time. Every chart has a table with the same figures next to it in
the mail, and an alt text from ``bot.reporting.digests``: the picture is never the only way
to read a number.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator, PercentFormatter

from bot.core.completion import Group, RatePoint, furthest_behind
from bot.core.quality import GradeMix, Targets
from bot.core.records import Month

WIDTH_INCHES = 6.0
DPI = 150  # 900 px wide, shown at up to 600: sharp on a high-density screen

# Colour-blind-safe (Okabe-Ito), and each series also differs by position or marker.
COMPLETE = "#009E73"
SELF_REPORTED = "#56B4E9"
EXEMPTED = "#BBBBBB"
OUTSTANDING = "#E69F00"
MISSED = "#D55E00"
GOOD = "#009E73"
INADEQUATE = "#D55E00"
INK = "#333333"
GRID = "#e5e5e5"

STYLE: dict[Any, Any] = {  # matplotlib's rcParams, for every chart
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": "#999999",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": INK,
    "ytick.color": INK,
}

P = ParamSpec("P")


def _with_style(function: Callable[P, bytes]) -> Callable[P, bytes]:
    @functools.wraps(function)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> bytes:
        with rc_context(STYLE):
            return function(*args, **kwargs)

    return wrapped


def _figure(height: float) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _percent_axis(axis: Axis, step: int) -> None:
    """Ticks every ``step`` percent, labelled ``20%``."""
    axis.set_major_locator(MultipleLocator(step))
    axis.set_major_formatter(PercentFormatter(decimals=0))


def _label(month: Month) -> str:
    return (
        f"{month.first_day:%b}\n{month.first_day:%y}"
        if month.month == 1
        else (f"{month.first_day:%b}")
    )


def _margins(figure: Figure, left: float, right: float, top: float, bottom: float) -> None:
    """Margins in inches, whatever the figure's height: room for the labels and the key."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(
        left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height
    )


@_with_style
def completion_by_team(groups: Sequence[Group], title: str) -> bytes:
    """Horizontal bars, one per team, each split into shares of its allocated auditors."""
    shown = furthest_behind(groups)
    if len(shown) < len(groups):
        title = f"{title}\nthe {len(shown)} teams furthest behind, of {len(groups)}"
    top = 0.35 + 0.17 * title.count("\n")
    ordered = shown[::-1]  # barh draws from the bottom up: the furthest behind on top
    height = 0.8 + top + 0.24 * max(len(ordered), 1)
    figure, axes = _figure(height)
    y = list(range(len(ordered)))
    left = [0.0] * len(ordered)
    series = (
        ("complete", COMPLETE, "Complete"),
        ("self_reported", SELF_REPORTED, "Says complete"),
        ("exempted", EXEMPTED, "Exempted"),
        ("outstanding", OUTSTANDING, "Outstanding"),
        ("missed", MISSED, "Missed or late"),
    )
    for field, colour, name in series:
        widths = []
        for group in ordered:
            tally = group.tally
            value = getattr(tally, field) + (tally.late if field == "missed" else 0)
            widths.append(100 * value / tally.allocated if tally.allocated else 0)
        if any(widths):
            axes.barh(y, widths, left=left, color=colour, label=name, height=0.72)
            left = [a + b for a, b in zip(left, widths, strict=True)]
    for position, group in zip(y, ordered, strict=True):
        tally = group.tally
        if tally.allocated:
            rate = f"{tally.rate}%" if tally.rate is not None else "all exempted"
            text = f"{rate} ({tally.complete} of {tally.counted})"
        else:
            text = "nobody allocated"
        axes.text(101.5, position, text, va="center", fontsize=8, color=INK)
    labels = [_short(g.label) for g in ordered]
    axes.set_yticks(y, labels)
    axes.tick_params(axis="y", length=0)
    axes.set_xlim(0, 100)
    axes.set_ylim(-0.6, len(ordered) - 0.4)
    _percent_axis(axes.xaxis, 20)
    # From the figure's left edge: the team names take the left of the axes.
    figure.text(0.1 / WIDTH_INCHES, 1 - 0.08 / height, title, va="top", fontsize=10, color=INK)
    handles, names = axes.get_legend_handles_labels()
    if handles:
        figure.legend(
            handles, names, loc="lower center", ncol=len(handles), frameon=False, fontsize=8
        )
    longest = max((len(label) for label in labels), default=8)
    _margins(figure, left=0.2 + 0.068 * longest, right=1.15, top=top, bottom=0.75)
    return _png(figure)


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@_with_style
def completion_trend(points: Sequence[RatePoint], title: str) -> bytes:
    """The monthly completion rate; the current month, still open, as a hollow point."""
    figure, axes = _figure(2.5)
    x = list(range(len(points)))
    closed = [p.rate if p.rate is not None and not p.so_far else math.nan for p in points]
    axes.plot(
        x,
        closed,
        color=COMPLETE,
        marker="o",
        markersize=4,
        linewidth=1.8,
        label="Complete by the deadline",
    )
    current = [(i, p.rate) for i, p in enumerate(points) if p.so_far and p.rate is not None]
    if current:
        axes.plot(
            [current[0][0]],
            [current[0][1]],
            linestyle="none",
            marker="o",
            markersize=6,
            markerfacecolor="white",
            markeredgecolor=COMPLETE,
            markeredgewidth=1.5,
            label="This month so far",
        )
    for i, point in enumerate(points):
        if point.rate is not None:
            axes.annotate(
                f"{point.rate}%",
                (i, point.rate),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=7,
                color=INK,
            )
    axes.set_xticks(x, [_label(p.month) for p in points])
    axes.set_ylim(0, 112)
    _percent_axis(axes.yaxis, 25)
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    axes.set_title(title, loc="left", fontsize=10, color=INK)
    _legend_below(figure, axes)
    return _png(figure)


@_with_style
def grade_trend(points: Sequence[tuple[Month, GradeMix]], title: str, targets: Targets) -> bytes:
    """Good or better and inadequate shares by month against the target lines; months of
    fewer than ``targets.small`` graded audits drawn hollow, months without any left out."""
    figure, axes = _figure(2.9)
    x = list(range(len(points)))
    axes.axhline(
        float(targets.good_or_better_min * 100),
        color=GOOD,
        linestyle="--",
        linewidth=1,
        label=f"Target: at least {targets.good}%",
    )
    axes.axhline(
        float(targets.inadequate_max * 100),
        color=INADEQUATE,
        linestyle="--",
        linewidth=1,
        label=f"Limit: under {targets.inadequate}%",
    )
    for share, colour, marker, name in (
        ("good_or_better_share", GOOD, "o", "Good or better"),
        ("inadequate_share", INADEQUATE, "s", "Inadequate"),
    ):
        values = [getattr(mix, share) for _, mix in points]
        line = [math.nan if v is None else v for v in values]
        axes.plot(x, line, color=colour, linewidth=1.8, label=name)
        solid = [(i, v) for i, v in enumerate(values) if v is not None and not points[i][1].small]
        hollow = [(i, v) for i, v in enumerate(values) if v is not None and points[i][1].small]
        if solid:
            axes.plot(
                *zip(*solid, strict=True),
                linestyle="none",
                marker=marker,
                markersize=4.5,
                color=colour,
            )
        if hollow:
            axes.plot(
                *zip(*hollow, strict=True),
                linestyle="none",
                marker=marker,
                markersize=5.5,
                markerfacecolor="white",
                markeredgecolor=colour,
            )
    if any(mix.small for _, mix in points):
        axes.plot(
            [],
            [],
            linestyle="none",
            marker="o",
            markerfacecolor="white",
            markeredgecolor=INK,
            label=f"Fewer than {targets.small} graded",
        )
    axes.set_xticks(x, [_label(m) for m, _ in points])
    axes.set_ylim(0, 100)
    axes.set_xlim(-0.5, len(points) - 0.5)
    _percent_axis(axes.yaxis, 20)
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    axes.set_title(title, loc="left", fontsize=10, color=INK)
    _legend_below(figure, axes)
    return _png(figure)


def _legend_below(figure: Figure, axes: Axes) -> None:
    handles, names = axes.get_legend_handles_labels()
    order = sorted(range(len(names)), key=lambda i: names[i].startswith(("Target", "Limit")))
    handles, names = [handles[i] for i in order], [names[i] for i in order]
    # Filled column by column: the series in the first, the target lines in the second.
    figure.legend(
        handles, names, loc="lower center", ncol=2, frameon=False, fontsize=8, handlelength=2.2
    )
    rows = (len(handles) + 1) // 2
    _margins(figure, left=0.6, right=0.2, top=0.35, bottom=0.62 + 0.17 * rows)
