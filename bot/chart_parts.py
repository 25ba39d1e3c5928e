"""The drawing pieces under bot.charts, made here rather than by matplotlib's axes, legend
and savefig, which took most of a chart's time when a big day's digests need 63 charts
(benchmarks/charts.py): a canvas that reuses its renderer, figures copied from a blank one,
tick marks and labels, grid lines, the key, and the PNG. tests/digest/test_charts.py holds
them to matplotlib's own pixels.
"""

from __future__ import annotations

import functools
import pickle
import struct
import threading
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import TICKDOWN, TICKLEFT, Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import Affine2D, ScaledTranslation

WIDTH_INCHES = 6.0
DPI = 150  # 900 px wide, shown at up to 600: sharp on a high-density screen
INK = "#333333"
GRID = "#e5e5e5"
TICK = 3.5  # points: matplotlib's tick length, and the gap between a tick and its label

STYLE = {
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


def new_figure(height: float) -> tuple[Figure, Any]:
    """A new figure with its axes, as a copy of a blank one: making the axes afresh (spines,
    axes, their first ticks) takes twice as long as unpickling a made one."""
    figure = pickle.loads(_blank())  # noqa: S301 (pickled by _blank, in this process)
    figure.set_size_inches(WIDTH_INCHES, height)
    _Canvas(figure)
    return figure, figure.axes[0]


@functools.cache
def _blank() -> bytes:
    with rc_context(STYLE):  # the spines take their colour as they are made
        figure = Figure(figsize=(WIDTH_INCHES, 1), dpi=DPI)
        axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return pickle.dumps(figure)


def draw_ticks(
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


def grid_lines(axes: Any, at: Sequence[float]) -> None:
    """Light lines across the axes at these heights, beneath everything else."""
    lines = [[(0, y), (1, y)] for y in at]
    grid = LineCollection(
        lines, colors=GRID, linewidths=0.8, zorder=0.5, transform=axes.get_yaxis_transform()
    )
    axes.add_collection(grid, autolim=False)


def png_bytes(figure: Figure) -> bytes:
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


# matplotlib's legend settings, in font sizes (all defaults but the handle length).
KEY_FONT = 8  # points
HANDLE_HEIGHT, TEXT_PAD, ROW_GAP, COLUMN_GAP, BORDER_PAD, EDGE_PAD = 0.7, 0.8, 0.5, 2.0, 0.4, 0.5


def draw_key(
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
