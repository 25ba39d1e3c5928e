"""Charts for the digests and the QA report: small PNGs made with matplotlib (Agg, no pyplot).

No global pyplot state: each chart is its own Figure on an Agg canvas, so charts can be made
from any thread. Every chart has a table with the same figures next to it in the mail, and
an alt text from ``bot.digest``: the picture is never the only way to read a number.

A big day's digests take 63 charts, so time counts: the ticks, the key and the PNG are made
here rather than by matplotlib's axes, legend and savefig, which took most of a chart's time
(benchmarks/charts.py). tests/digest/test_charts.py holds them to matplotlib's own pixels.
"""

from __future__ import annotations

import functools
import math
import pickle
import struct
import threading
import zlib
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import TICKDOWN, TICKLEFT, Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import Affine2D, ScaledTranslation

from bot.core.completion import Group, RatePoint, furthest_behind
from bot.core.quality import GOOD_OR_BETTER_TARGET, INADEQUATE_LIMIT, SMALL_NUMBER, GradeMix
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
TICK = 3.5  # points: matplotlib's tick length, and the gap between a tick and its label
PERCENTS = range(0, 101, 20)

P = ParamSpec("P")

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": "#999999",
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
}


_thread = threading.local()
RENDERERS = 3  # per thread: the director's team chart alone holds 4.6 MB of pixels


class _Canvas(FigureCanvasAgg):
    """An Agg canvas that draws with this thread's renderer for a figure of the same size.

    matplotlib caches the measurements of text per renderer, and every new canvas makes a
    new renderer. Reusing one keeps the measurements of the labels that recur from chart to
    chart (months, percentages, the legends): a tenth of the time of a chart. The renderer
    is cleared before each drawing, and a chart's pixels are copied out before the next.
    """

    def get_renderer(self) -> RendererAgg:
        renderers: dict[tuple[float, float, float], RendererAgg]
        renderers = _thread.__dict__.setdefault("renderers", {})
        key = (*self.figure.bbox.size, self.figure.dpi)
        renderer = renderers.pop(key, None)
        if renderer is None:
            renderer = super().get_renderer()
        renderers[key] = renderer  # the most recently used last
        while len(renderers) > RENDERERS:
            del renderers[next(iter(renderers))]
        self.renderer = renderer
        return renderer


def _figure(height: float) -> tuple[Figure, Any]:
    """A new figure with its axes, as a copy of a blank one: making the axes afresh (spines,
    axes, their first ticks) takes twice as long as unpickling a made one."""
    figure = pickle.loads(_blank())  # noqa: S301 (pickled by _blank, in this process)
    figure.set_size_inches(WIDTH_INCHES, height)
    _Canvas(figure)
    return figure, figure.axes[0]


@functools.cache
def _blank() -> bytes:
    with rc_context(_RC):  # the spines take their colour as they are made
        figure = Figure(figsize=(WIDTH_INCHES, 1), dpi=DPI)
        axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return pickle.dumps(figure)


def _ticks(
    axes: Any, axis: str, at: Sequence[float], labels: Sequence[str], length: float = TICK
) -> None:
    """Tick marks and labels drawn where matplotlib draws its own, as a few plain artists.

    matplotlib makes five artists for every tick and measures each label three times in a
    draw; on these charts that was a third of the time. ``axis`` is "x" (below the axes)
    or "y" (left of them); the axis itself is hidden. The labels are the figure's texts,
    placed by the axes' transforms: a text added to the axes costs twice as much, for the
    clipping to them that these labels, outside them, must not have anyway.
    """
    pad = (length + TICK) / 72  # inches
    figure = axes.get_figure()
    scale = figure.dpi_scale_trans
    if axis == "x":
        axes.xaxis.set_visible(False)
        where, marker = axes.get_xaxis_transform(), TICKDOWN
        points = (at, [0] * len(at))
        text = {"transform": where + ScaledTranslation(0, -pad, scale), "ha": "center", "va": "top"}
    else:
        axes.yaxis.set_visible(False)
        where, marker = axes.get_yaxis_transform(), TICKLEFT
        points = ([0] * len(at), at)
        text = {
            "transform": where + ScaledTranslation(-pad, 0, scale),
            "ha": "right",
            "va": "center_baseline",
        }
    if length:
        marks = Line2D(
            *points,
            transform=where,
            linestyle="none",
            marker=marker,
            color=INK,
            markersize=length,
            markeredgewidth=0.8,
            clip_on=False,
            zorder=0.5,
        )
        axes.add_artist(marks)
    for x, y, label in zip(*points, labels, strict=True):
        figure.text(x, y, label, fontsize=9, color=INK, **text)


def _grid(axes: Any, at: Sequence[float]) -> None:
    """Light lines across the axes at these heights, beneath everything else."""
    lines = [[(0, y), (1, y)] for y in at]
    grid = LineCollection(
        lines, colors=GRID, linewidths=0.8, zorder=0.5, transform=axes.get_yaxis_transform()
    )
    axes.add_collection(grid, autolim=False)


def _png(figure: Figure) -> bytes:
    """The figure as an opaque RGB PNG, written here rather than by savefig (Pillow).

    The background is white, so the alpha channel savefig writes holds nothing. Pillow
    also tries five filters on every row; on flat colours and text, rows left unfiltered
    compress as well or better. So: a quarter of the time, and about 20% smaller.
    """
    canvas = figure.canvas
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    height, width = pixels.shape[:2]
    rows = np.zeros((height, 1 + 3 * width), np.uint8)  # each row: filter 0 (none), RGB
    # Into a view of the rows: one copy, where reshaping the RGB first would make two.
    np.copyto(rows[:, 1:].reshape(height, width, 3), pixels[:, :, :3])
    per_metre = round(DPI / 0.0254)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
            _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            _chunk(b"IDAT", zlib.compress(rows, 3)),  # level 3: 6 is twice as slow, 7% smaller
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _label(month: Month) -> str:
    return (
        f"{month.first_day:%b}\n{month.first_day:%y}"
        if month.month == 1
        else (f"{month.first_day:%b}")
    )


def _with_style(function: Callable[P, bytes]) -> Callable[P, bytes]:
    @functools.wraps(function)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> bytes:
        with rc_context(_RC):
            return function(*args, **kwargs)

    return wrapped


def _margins(figure: Figure, left: float, right: float, top: float, bottom: float) -> None:
    """Fixed margins in inches: tight_layout would lay the text out twice."""
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
    ordered = shown[::-1]  # bar 0 at the bottom: the furthest behind on top
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
            # One collection per series, not a Rectangle per bar: 150 patches cost more
            # to add and draw than everything else on the chart.
            bars = [
                [(x0, i - 0.36), (x0 + w, i - 0.36), (x0 + w, i + 0.36), (x0, i + 0.36)]
                for i, x0, w in zip(y, left, widths, strict=True)
                if w
            ]
            axes.add_collection(
                PolyCollection(bars, facecolors=colour, edgecolors="none", label=name),
                autolim=False,
            )
            left = [a + b for a, b in zip(left, widths, strict=True)]
    data = axes.transData  # on the figure, not the axes: see _ticks
    for position, group in zip(y, ordered, strict=True):
        tally = group.tally
        if tally.allocated:
            rate = f"{tally.rate}%" if tally.rate is not None else "all exempted"
            text = f"{rate} ({tally.complete} of {tally.counted})"
        else:
            text = "nobody allocated"
        figure.text(101.5, position, text, va="center", fontsize=8, color=INK, transform=data)
    labels = [_short(g.label) for g in ordered]
    _ticks(axes, "y", y, labels, length=0)
    _ticks(axes, "x", PERCENTS, [f"{p}%" for p in PERCENTS])
    axes.set_xlim(0, 100)
    axes.set_ylim(-0.6, len(ordered) - 0.4)
    # From the figure's left edge: the team names take the left of the axes.
    figure.text(0.1 / WIDTH_INCHES, 1 - 0.08 / height, title, va="top", fontsize=10, color=INK)
    handles, names = axes.get_legend_handles_labels()
    _key(figure, handles, names, columns=len(handles))
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
    above = axes.transData + ScaledTranslation(0, 6 / 72, figure.dpi_scale_trans)
    for i, point in enumerate(points):
        if point.rate is not None:
            figure.text(
                i, point.rate, f"{point.rate}%", transform=above, ha="center", fontsize=7, color=INK
            )
    _ticks(axes, "x", x, [_label(p.month) for p in points])
    # The months' own width, as matplotlib's margins would give it with data at both ends.
    margin = 0.05 * max(len(points) - 1, 1)
    axes.set_xlim(-margin, len(points) - 1 + margin)
    axes.set_ylim(0, 112)
    quarters = (0, 25, 50, 75, 100)
    _ticks(axes, "y", quarters, [f"{q}%" for q in quarters])
    _grid(axes, quarters)
    axes.set_title(title, loc="left", fontsize=10, color=INK, y=1.0)  # y: not placed by a draw
    _legend_below(figure, axes)
    return _png(figure)


@_with_style
def grade_trend(points: Sequence[tuple[Month, GradeMix]], title: str) -> bytes:
    """Good or better and inadequate shares by month against the target lines; months of
    fewer than 10 graded audits drawn hollow (a small number), months without any left out."""
    figure, axes = _figure(2.9)
    x = list(range(len(points)))
    axes.axhline(
        GOOD_OR_BETTER_TARGET,
        color=GOOD,
        linestyle="--",
        linewidth=1,
        label=f"Target: at least {GOOD_OR_BETTER_TARGET}%",
    )
    axes.axhline(
        INADEQUATE_LIMIT,
        color=INADEQUATE,
        linestyle="--",
        linewidth=1,
        label=f"Limit: under {INADEQUATE_LIMIT}%",
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
            label=f"Fewer than {SMALL_NUMBER} graded",
        )
    _ticks(axes, "x", x, [_label(m) for m, _ in points])
    axes.set_ylim(0, 100)
    axes.set_xlim(-0.5, len(points) - 0.5)
    _ticks(axes, "y", PERCENTS, [f"{p}%" for p in PERCENTS])
    _grid(axes, PERCENTS)
    axes.set_title(title, loc="left", fontsize=10, color=INK, y=1.0)  # y: not placed by a draw
    _legend_below(figure, axes)
    return _png(figure)


def _legend_below(figure: Figure, axes: Any) -> None:
    handles, names = axes.get_legend_handles_labels()
    order = sorted(range(len(names)), key=lambda i: names[i].startswith(("Target", "Limit")))
    handles, names = [handles[i] for i in order], [names[i] for i in order]
    # Filled column by column: the series in the first, the target lines in the second.
    _key(figure, handles, names, columns=2, handle_length=2.2)
    rows = (len(handles) + 1) // 2
    _margins(figure, left=0.6, right=0.2, top=0.35, bottom=0.62 + 0.17 * rows)


# matplotlib's legend settings, in font sizes (all defaults but the handle length).
KEY_FONT = 8  # points
HANDLE_HEIGHT, TEXT_PAD, ROW_GAP, COLUMN_GAP, BORDER_PAD, EDGE_PAD = 0.7, 0.8, 0.5, 2.0, 0.4, 0.5


def _key(
    figure: Figure,
    handles: Sequence[Any],
    names: Sequence[str],
    columns: int,
    handle_length: float = 2.0,
) -> None:
    """The key to the chart's series, centred along the bottom of the figure, its columns
    filled in turn: each swatch and (one-line) label where ``figure.legend(handles, names,
    loc="lower center", ncol=columns, frameon=False, fontsize=8, handlelength=handle_length)``
    puts it (tests/digest/test_charts.py compares the pixels), but as plain artists:
    matplotlib's legend packs boxes in boxes and measures each label six times over.
    """
    if not handles:
        return
    size = KEY_FONT
    points = Affine2D().scale(figure.dpi / 72)  # everything here is in points
    renderer = figure.canvas.get_renderer()
    labels, entries = [], []  # entries: width, ascent, descent, in points
    for name in names:
        label = figure.text(0, 0, name, fontsize=size, transform=points)  # left, baseline
        extent = label.get_window_extent(renderer).transformed(points.inverted())
        labels.append(label)
        width = (handle_length + TEXT_PAD) * size + extent.width
        entries.append((width, max(extent.y1, HANDLE_HEIGHT * size), max(-extent.y0, 0)))
    # As numpy.array_split: the first len % columns columns take one entry more.
    per, extra = divmod(len(entries), columns)
    counts = [n for n in (per + (c < extra) for c in range(columns)) if n]
    starts = [sum(counts[:c]) for c in range(len(counts))]
    # Each column hangs from the baseline of its first row, as do the columns side by side.
    placed: list[tuple[float, float]] = []  # each entry's x and baseline, from that first
    widths, bottoms, x = [], [], 0.0
    for start, count in zip(starts, counts, strict=True):
        column = entries[start : start + count]
        y = 0.0
        for i, (_, ascent, descent) in enumerate(column):
            if i:
                y -= ascent + ROW_GAP * size
            placed.append((x, y))
            y -= descent
        widths.append(max(width for width, _, _ in column))
        bottoms.append(y)
        x += widths[-1] + COLUMN_GAP * size
    across = sum(widths) + COLUMN_GAP * size * (len(widths) - 1)
    pad = BORDER_PAD * size
    left = (figure.bbox.width / points.get_matrix()[0, 0] - across) / 2  # as pixels / scale
    baseline = EDGE_PAD * size + pad - min(bottoms)
    handle = handle_length * size
    for (x, y), label, original in zip(placed, labels, handles, strict=True):
        x, y = left + x, baseline + y
        label.set_position((x + handle + TEXT_PAD * size, y))
        for swatch in _swatch(original, x, y, handle, HANDLE_HEIGHT * size):
            swatch.set_transform(points)
            figure.add_artist(swatch)


def _swatch(original: Any, x: float, y: float, width: float, height: float) -> list[Any]:
    """What matplotlib's legend draws for a series: a filled box for bars; for a line, the
    line across and its marker in the middle."""
    if isinstance(original, PolyCollection):
        colour = original.get_facecolor()[0]
        return [Rectangle((x, y), width, height, facecolor=colour, edgecolor="none")]
    line = Line2D([x, x + width], [y + height / 2] * 2)
    marker = Line2D([x + width / 2], [y + height / 2])
    for artist in (line, marker):
        artist.update_from(original)
        artist.set_clip_box(None)
        artist.set_clip_path(None)
    line.set_marker("")
    marker.set_linestyle("None")
    return [line, marker]
