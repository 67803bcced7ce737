"""One rolling time-series chart, painted directly with QPainter.

Charts share the Qt thread with the tunnel engine (qasync), so a redraw delays every datagram
waiting behind it. A general plotting scene (pyqtgraph's: items, axis pictures, a legend of
text items, bounding-rect bookkeeping, all in Python) cost several milliseconds per chart per
update; this widget draws title, legend, grid, labels and a few polylines in a fraction of
that (``benchmarks/gui_lag.py``, figures in benchmarks/README.md). What keeps it cheap:

* it paints only when ``show_data`` gave it something new and it is visible (Qt sends no paint
  events to hidden widgets; the panel does not feed hidden or minimised charts);
* at most two points per pixel column reach the painter (``decimate_peaks``: min and max, so
  a one-sample spike still shows), however long the span;
* points go to a ``QPolygonF`` through its memory, not one ``QPointF`` per sample;
* title, legend, grid and labels (text is what costs) are drawn once into a pixmap and
  reused until the size, the y scale or the span changes;
* it is opaque (``WA_OpaquePaintEvent``): its parent repaints nothing under it.

The x axis is relative to the newest sample (``-60 s`` ... ``now``), the y axis starts at zero
and ends at a round number with SI-prefixed units (``B/s`` becomes ``MB/s``, RTT in ``s``
becomes ``ms``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.charts.scale import nice_top, si_unit, tick_label, x_label, x_ticks, y_ticks
from app.i18n import translate
from app.models.series import decimate_peaks
from app.theme import ChartColors, chart_colors

MARGIN_LEFT: Final = 60  # y label + tick labels
MARGIN_RIGHT: Final = 12
MARGIN_BOTTOM: Final = 18  # x tick labels
TEXT_CACHE: Final = 200  # laid-out labels kept per chart (tick values repeat)
SHRINK_BELOW: Final = 0.35  # of the y maximum: the scale shrinks when the data drops under it
FRAME_GAP: Final = 0.02
"""s: at most one chart's labels redrawn in this long after a resize (``_frame``)"""
TITLE_H: Final = 17
LEGEND_H: Final = 15
LEGEND_LINE: Final = 16  # px of sample line before each legend label
LEGEND_GAP: Final = 12  # px between legend entries


@dataclass(frozen=True, slots=True)
class Curve:
    """One line on a plot."""

    column: str
    """Ring column name (app.models.series.COLUMNS)"""
    label: str
    color: str
    """accent name, resolved per theme (``app.theme.chart_colors``): blue, orange, red..."""
    dashed: bool = False


@dataclass(slots=True)
class _View:
    """What the next paint shows."""

    t: np.ndarray
    columns: dict[str, np.ndarray]
    t_end: float
    span: float
    top: float
    live: bool


def _polygon(x: np.ndarray, y: np.ndarray) -> QPolygonF:
    """``x``/``y`` as a QPolygonF, written through its memory (no QPointF per point)."""
    poly = QPolygonF()
    poly.resize(len(x))
    # the stubs say data() is a QPointF; at run time it is the array's address
    buf = shiboken6.VoidPtr(poly.data(), len(x) * 16, True)  # type: ignore[call-arg, arg-type]
    xy = np.frombuffer(buf, np.float64).reshape(-1, 2)  # type: ignore[call-overload]
    xy[:, 0] = x
    xy[:, 1] = y
    return poly


def _finite_runs(y: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index ranges of consecutive finite values (NaN is a gap in the line)."""
    finite = np.isfinite(y)
    if finite.all():
        return [(0, len(y))]
    edges = np.flatnonzero(np.diff(finite.astype(np.int8))) + 1
    bounds = [0, *edges.tolist(), len(y)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if finite[a]]


class TimeSeriesPlot(QWidget):
    """Title, y label/unit and curves are fixed at construction; data comes via ``show_data``."""

    _rebuilt_at: ClassVar[float] = 0.0
    """when any chart last redrew its labels (``time.perf_counter``)"""

    def __init__(
        self,
        title: str,
        y_label: str,
        y_unit: str,
        curves: Sequence[Curve],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.y_label = y_label
        self.y_unit = y_unit
        self.curves_spec = tuple(curves)
        self.colors: ChartColors = chart_colors(self.palette())
        """background, text and accents for the palette now in force (light or dark)"""
        self._pens: dict[str, QPen] = {}
        self._make_pens()
        self._view = _View(np.zeros(0), {}, time.time(), 60.0, 1.0, True)
        self.paints = 0
        """paint events so far (tests check that hidden charts stay idle)"""
        self.frames = 0
        """times the static part (title, legend, grid, labels) was redrawn"""
        self._frame_pixmap = QPixmap()
        self._frame_key: tuple[object, ...] = ()
        self._texts: dict[tuple[str, bool], QStaticText] = {}
        self._legend: tuple[int, list[tuple[float, int]]] = (-1, [])
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 110)
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF() - 1.5, 7.0))
        self._small = small
        bold = QFont(self.font())
        bold.setBold(True)
        self._bold = bold

    def _make_pens(self) -> None:
        self._pens = {
            c.column: QPen(
                self.colors.series.get(c.color) or QColor(c.color),
                1,
                Qt.PenStyle.DashLine if c.dashed else Qt.PenStyle.SolidLine,
            )
            for c in self.curves_spec
        }

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        """A new palette (the theme switched): new colours, the frame drawn again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.colors = chart_colors(self.palette())
            self._make_pens()
            self._frame_key = ()
            self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(420, 200)

    def show_data(
        self,
        t: np.ndarray,
        columns: Mapping[str, np.ndarray],
        t_end: float,
        span: float,
        *,
        live: bool = True,
    ) -> None:
        """Show the samples over ``[t_end - span, t_end]``, y from 0; repaints once."""
        top = 0.0
        kept: dict[str, np.ndarray] = {}
        for c in self.curves_spec:
            y = columns.get(c.column)
            if y is None or not len(t):
                continue
            kept[c.column] = y
            finite = y[np.isfinite(y)]
            if finite.size:
                top = max(top, float(finite.max()))
        self._view = _View(t, kept, t_end, span, self._steady_top(top), live)
        if self.isVisible():
            # labels now, curves in the paint pass: two short stretches of the thread the
            # tunnels share instead of one long one (a new y scale redraws every label)
            self._frame()
        self.update()

    def _steady_top(self, data_max: float) -> float:
        """The y maximum: up at once when the data needs it, down only when the data has
        fallen well below it. A scale that jitters with every sample is hard to read, and
        each change redraws the labels (``_frame``)."""
        top, old = nice_top(data_max), self._view.top
        if top < old and data_max > old * SHRINK_BELOW:
            return old
        return top

    def line_data(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """The samples shown for ``column`` (x = Unix time), before decimation."""
        y = self._view.columns.get(column)
        return (self._view.t, y) if y is not None else (np.zeros(0), np.zeros(0))

    @property
    def y_top(self) -> float:
        """The y axis maximum now shown (a round number above the data)."""
        return self._view.top

    def plot_rect(self) -> QRectF:
        """Where the curves go, in widget coordinates."""
        legend_h = LEGEND_H * (1 + max((row for _x, row in self.legend_layout()), default=0))
        return QRectF(
            MARGIN_LEFT,
            TITLE_H + legend_h + 4,
            max(self.width() - MARGIN_LEFT - MARGIN_RIGHT, 1),
            max(self.height() - TITLE_H - legend_h - 4 - MARGIN_BOTTOM, 1),
        )

    def legend_layout(self) -> list[tuple[float, int]]:
        """(x, row) of each curve's legend entry: one row above the plot when it fits there,
        else from the left edge, wrapping onto more rows (a narrow window cut the last ones)."""
        width = self.width()
        if self._legend[0] != width:
            metrics = QFontMetricsF(self._small)
            widths = [
                LEGEND_LINE + 4 + metrics.horizontalAdvance(c.label) for c in self.curves_spec
            ]
            right = width - MARGIN_RIGHT
            one_row = sum(widths) + LEGEND_GAP * (len(widths) - 1)
            left = float(MARGIN_LEFT if MARGIN_LEFT + one_row <= right else 4)
            x, row, out = left, 0, []
            for w in widths:
                if x + w > right and x > left:
                    x, row = left, row + 1
                out.append((x, row))
                x += w + LEGEND_GAP
            self._legend = (width, out)
        return self._legend[1]

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        self.paints += 1
        rect = self.plot_rect()
        p = QPainter(self)
        try:
            frame = self._frame(may_defer=True)
            if frame.deviceIndependentSize().toSize() == self.size():
                p.drawPixmap(0, 0, frame)
            else:  # resized, labels redrawn a moment later: the old ones stretched meanwhile
                p.drawPixmap(QRectF(self.rect()), frame, QRectF(frame.rect()))
            p.setClipRect(rect.adjusted(-1, -2, 1, 1))
            self._paint_curves(p, rect)
        finally:
            p.end()

    def _frame(self, *, may_defer: bool = False) -> QPixmap:
        """Everything but the curves, redrawn only when size, y scale, span or end label change.

        Text is the expensive part of a chart (shaping every label each time cost more than
        all the curves together), and between two samples none of it changes. A resize
        (a diagnostics card came, the window changed) reaches all four charts in one paint
        pass; with ``may_defer`` a chart whose size alone changed leaves its labels to a
        later pass if another chart redrew its own within ``FRAME_GAP`` s, so the four
        redraws are spread over as many passes with the tunnels' work in between.
        """
        view = self._view
        end = (
            translate("TimeSeriesPlot", "now")
            if view.live
            else time.strftime("%H:%M:%S", time.localtime(view.t_end))
        )
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio, view.top, view.span, end)
        if self._frame_key == key:
            return self._frame_pixmap
        now = time.perf_counter()
        recent = now - TimeSeriesPlot._rebuilt_at < FRAME_GAP
        if may_defer and recent and self._frame_key and self._frame_key[3:] == key[3:]:
            QTimer.singleShot(int(FRAME_GAP * 1000) + 5, self.update)
            return self._frame_pixmap
        TimeSeriesPlot._rebuilt_at = now
        pixmap = self._frame_pixmap
        if pixmap.size() != self.size() * ratio or pixmap.devicePixelRatio() != ratio:
            pixmap = QPixmap(self.size() * ratio)
            pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(self.colors.background)
        p = QPainter(pixmap)
        try:
            self._paint_header(p)
            self._paint_axes(p, self.plot_rect(), end)
        finally:
            p.end()
        self._frame_pixmap, self._frame_key = pixmap, key
        self.frames += 1
        return self._frame_pixmap

    def _text(
        self,
        p: QPainter,
        text: str,
        x: float,
        y: float,
        *,
        bold: bool = False,
        h: float = 0.0,
        v: float = 0.0,
    ) -> None:
        """Draw ``text`` with its box's point (``h``, ``v``) at (x, y): 0 = left/top,
        0.5 = centre, 1 = right/bottom. Laid-out text is cached (``QStaticText``): shaping the
        same labels again each time the frame is redrawn was most of its cost."""
        key = (text, bold)
        static = self._texts.get(key)
        font = self._bold if bold else self._small
        if static is None:
            if len(self._texts) > TEXT_CACHE:
                self._texts.clear()
            static = self._texts[key] = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), font)
        size = static.size()
        p.setFont(font)
        p.drawStaticText(QPointF(x - h * size.width(), y - v * size.height()), static)

    def _paint_header(self, p: QPainter) -> None:
        p.setPen(self.colors.foreground)
        self._text(p, self.title, self.width() / 2, TITLE_H / 2, bold=True, h=0.5, v=0.5)
        for c, (x, row) in zip(self.curves_spec, self.legend_layout(), strict=True):
            y = TITLE_H + LEGEND_H * row + LEGEND_H / 2
            p.setPen(self._pens[c.column])
            p.drawLine(QPointF(x, y), QPointF(x + LEGEND_LINE, y))
            p.setPen(self.colors.foreground)
            self._text(p, c.label, x + LEGEND_LINE + 4, y, v=0.5)

    def _paint_axes(self, p: QPainter, rect: QRectF, end: str) -> None:
        view = self._view
        divisor, unit = si_unit(view.top, self.y_unit)
        for value in y_ticks(view.top):
            y = rect.bottom() - value / view.top * rect.height()
            p.setPen(self.colors.grid)
            p.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            p.setPen(self.colors.foreground)
            self._text(p, tick_label(value, divisor), MARGIN_LEFT - 5, y, h=1.0, v=0.5)
        for offset in x_ticks(view.span):
            x = rect.right() + offset / view.span * rect.width()
            p.setPen(self.colors.grid)
            p.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            p.setPen(self.colors.foreground)
            self._text(
                p,
                x_label(offset, view.span, end),
                x,
                rect.bottom() + 2,
                h=1.0 if offset == 0 else 0.5,
            )
        p.save()
        p.translate(2, rect.center().y())
        p.rotate(-90)
        self._text(p, f"{self.y_label} ({unit})", 0, 0, h=0.5)
        p.restore()

    def _paint_curves(self, p: QPainter, rect: QRectF) -> None:
        view = self._view
        if not len(view.t):
            return
        buckets = max(int(rect.width()), 1)
        for c in self.curves_spec:
            y = view.columns.get(c.column)
            if y is None:
                continue
            t, y = decimate_peaks(view.t, y, buckets)
            xs = rect.right() + (t - view.t_end) / view.span * rect.width()
            ys = rect.bottom() - y / view.top * rect.height()
            p.setPen(self._pens[c.column])
            for a, b in _finite_runs(ys):
                if b - a == 1:
                    p.drawPoint(QPointF(float(xs[a]), float(ys[a])))
                    continue
                line = _polygon(xs[a:b], ys[a:b])
                p.drawPolyline(line)
                # 2 px thick as two 1 px lines: a 2 px pen goes through Qt's stroker, an
                # order of magnitude slower (benchmarks/README.md)
                line.translate(0.0, -1.0)
                p.drawPolyline(line)
