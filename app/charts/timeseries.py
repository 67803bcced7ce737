"""A rolling time-series plot over ``app.models.series.Ring`` columns.

Charts sample, they are not driven by packets: the controller records every 0.5 s, and a plot
redraws only when its panel is visible. The x axis is wall-clock time (``DateAxisItem``), the y
axis starts at zero with SI-prefixed units (``B/s`` becomes kB/s or MB/s, RTT in ``s`` becomes
ms). Curves clip to the view and downsample by peak, so the 1 h span stays cheap. Only the
major grid is drawn (see the comment in ``__init__``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.charts import pg

GRID_ALPHA = 60  # of 255: light lines under the curves


@dataclass(frozen=True, slots=True)
class Curve:
    """One line on a plot."""

    column: str
    """Ring column name (app.models.series.COLUMNS)"""
    label: str
    color: str
    dashed: bool = False


class TimeSeriesPlot(pg.PlotWidget):  # type: ignore[misc]
    """Title, y label/unit and curves are fixed at construction; data is pushed by ``show``."""

    def __init__(self, title: str, y_label: str, y_unit: str, curves: Sequence[Curve],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent=parent, axisItems={"bottom": pg.DateAxisItem()})
        self.curves_spec = tuple(curves)
        item = self.getPlotItem()
        item.setTitle(title, size="10pt")
        item.setLabel("left", y_label, units=y_unit)
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setGrid(GRID_ALPHA)
            # major ticks and grid lines only: pyqtgraph's finer levels tripled the redraw
            # time (measured with benchmarks/gui_lag.py: 10 ms timer p99 from ~120 to ~30 ms)
            axis.setStyle(maxTickLevel=0)
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        item.setMenuEnabled(False)
        item.getAxis("left").setWidth(64)
        legend = item.addLegend(offset=(6, 4), labelTextSize="8pt", verSpacing=-6)
        legend.setBrush(pg.mkBrush(255, 255, 255, 200))
        self._lines: dict[str, pg.PlotDataItem] = {}
        for c in self.curves_spec:
            pen = pg.mkPen(c.color, width=2,
                           style=Qt.PenStyle.DashLine if c.dashed else Qt.PenStyle.SolidLine)
            self._lines[c.column] = item.plot([], [], pen=pen, name=c.label)
        self.setMinimumHeight(150)

    def show_data(self, t: np.ndarray, columns: Mapping[str, np.ndarray], t_end: float,
                  span: float) -> None:
        """Plot the given samples over ``[t_end - span, t_end]``, y from 0."""
        top = 0.0
        for c in self.curves_spec:
            y = columns.get(c.column)
            if y is None or not len(t):
                self._lines[c.column].setData([], [])
                continue
            self._lines[c.column].setData(t, y, connect="finite")
            finite = y[np.isfinite(y)]
            if finite.size:
                top = max(top, float(finite.max()))
        item = self.getPlotItem()
        item.setXRange(t_end - span, t_end, padding=0)
        item.setYRange(0, _nice_top(top), padding=0)

    def line(self, column: str) -> pg.PlotDataItem:
        return self._lines[column]


def _nice_top(top: float) -> float:
    """A round axis maximum a little above the data (1, 2, 5 x 10^n), so labels are tidy."""
    if not top > 0 or math.isnan(top):
        return 1.0
    exp = math.floor(math.log10(top * 1.1))
    for m in (1, 2, 2.5, 5, 10):
        if m * 10**exp >= top * 1.1:
            return m * 10**exp
    return 10 ** (exp + 1)
