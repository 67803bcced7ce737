"""The four live charts of one profile, a span selector and CSV export.

* Bandwidth: payload in/out (what applications get) solid, UDP bytes in/out (what the link
  carries, with FEC, headers and retransmits) dashed, in B/s.
* RTT: the sessions' mean smoothed RTT, and the RTO the sender uses.
* Retransmits: the parts FastRetransSegs, EarlyRetransSegs, LostSegs (timeouts), and
  RetransSegs (the total, dashed and drawn last, so a part equal to it does not hide it),
  per second.
* FEC: parity shards received (kcptun's FECSegs), FECRecovered and FECErrs, per second.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Final

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.charts.timeseries import Curve, TimeSeriesPlot
from app.controllers.tunnel import TunnelController
from app.i18n import QT_TRANSLATE_NOOP, translate
from app.widgets.elided_label import ElidedLabel

SPANS: Final[tuple[tuple[str, float], ...]] = (
    (QT_TRANSLATE_NOOP("ChartsPanel", "1 min"), 60.0),
    (QT_TRANSLATE_NOOP("ChartsPanel", "5 min"), 300.0),
    (QT_TRANSLATE_NOOP("ChartsPanel", "1 h"), 3600.0),
)
STAGGER_MS: Final = 25
"""between two charts' redraws (4 charts fit in 75 ms of the 500 ms sampling period)"""
BLUE, ORANGE, RED, GREEN, PURPLE, GREY = "blue", "orange", "red", "green", "purple", "grey"
"""accent names: each theme has its own shade of each (app.theme.chart_colors)"""

CHARTS: Final = (
    (
        QT_TRANSLATE_NOOP("ChartsPanel", "Bandwidth"),
        QT_TRANSLATE_NOOP("ChartsPanel", "rate"),
        "B/s",
        (
            Curve("payload_in", QT_TRANSLATE_NOOP("ChartsPanel", "received"), BLUE),
            Curve("payload_out", QT_TRANSLATE_NOOP("ChartsPanel", "sent"), ORANGE),
            Curve("wire_in", QT_TRANSLATE_NOOP("ChartsPanel", "UDP in"), BLUE, dashed=True),
            Curve("wire_out", QT_TRANSLATE_NOOP("ChartsPanel", "UDP out"), ORANGE, dashed=True),
        ),
    ),
    (
        QT_TRANSLATE_NOOP("ChartsPanel", "Round-trip time"),
        "RTT",
        "s",
        (
            Curve("rtt", QT_TRANSLATE_NOOP("ChartsPanel", "smoothed RTT"), BLUE),
            Curve("rto", QT_TRANSLATE_NOOP("ChartsPanel", "RTO"), PURPLE, dashed=True),
        ),
    ),
    (
        QT_TRANSLATE_NOOP("ChartsPanel", "Retransmits"),
        QT_TRANSLATE_NOOP("ChartsPanel", "segments"),
        "/s",
        # the parts first, the total last and dashed: where a part is the whole total (all
        # retransmits were timeouts) both lines stay visible, the grey through the red dashes
        (
            Curve("fast_retrans", QT_TRANSLATE_NOOP("ChartsPanel", "fast"), ORANGE),
            Curve("early_retrans", QT_TRANSLATE_NOOP("ChartsPanel", "early"), PURPLE),
            Curve("lost", QT_TRANSLATE_NOOP("ChartsPanel", "lost (timeout)"), GREY),
            Curve("retrans", QT_TRANSLATE_NOOP("ChartsPanel", "all"), RED, dashed=True),
        ),
    ),
    (
        QT_TRANSLATE_NOOP("ChartsPanel", "Forward error correction"),
        QT_TRANSLATE_NOOP("ChartsPanel", "shards"),
        "/s",
        (
            Curve("fec_segs", QT_TRANSLATE_NOOP("ChartsPanel", "FEC parity in"), BLUE),
            Curve("fec_recovered", QT_TRANSLATE_NOOP("ChartsPanel", "recovered"), GREEN),
            Curve("fec_errs", QT_TRANSLATE_NOOP("ChartsPanel", "errors"), RED),
        ),
    ),
)


class ChartsPanel(QWidget):
    """Shows the controller given to ``set_controller``; redraws when it samples."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller: TunnelController | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.caption = ElidedLabel(
            translate("ChartsPanel", "Start a profile to see its charts.")
        )  # names can be long
        self.span_combo = QComboBox()
        for label, seconds in SPANS:
            self.span_combo.addItem(translate("ChartsPanel", label), seconds)
        self.span_combo.setToolTip(
            translate("ChartsPanel", "How much history the charts show (up to 1 h is recorded)")
        )
        self.export_button = QPushButton(translate("ChartsPanel", "Export CSV\u2026"))
        self.export_button.setToolTip(
            translate("ChartsPanel", "Save every recorded sample of this profile as CSV")
        )
        bar.addWidget(self.caption, 1)
        bar.addWidget(QLabel(translate("ChartsPanel", "Span")))
        bar.addWidget(self.span_combo)
        bar.addWidget(self.export_button)
        lay.addLayout(bar)
        grid = QGridLayout()
        grid.setSpacing(6)
        self.plots: dict[str, TimeSeriesPlot] = {}
        for i, (title, label, unit, curves) in enumerate(CHARTS):
            plot = TimeSeriesPlot(
                translate("ChartsPanel", title),
                translate("ChartsPanel", label),
                unit,
                tuple(replace(c, label=translate("ChartsPanel", c.label)) for c in curves),
            )
            plot.setObjectName(label)
            self.plots[title] = plot
            grid.addWidget(plot, i // 2, i % 2)
        lay.addLayout(grid, 1)
        self.span_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.export_button.clicked.connect(self._on_export_clicked)
        self.export_button.setEnabled(False)
        self._queue: list[TimeSeriesPlot] = []
        self._stagger = QTimer(self)
        self._stagger.setInterval(STAGGER_MS)
        self._stagger.timeout.connect(self._draw_next)

    @property
    def span(self) -> float:
        return float(self.span_combo.currentData())

    def set_span(self, seconds: float) -> None:
        i = self.span_combo.findData(seconds)
        if i >= 0:
            self.span_combo.setCurrentIndex(i)

    def set_controller(self, ctrl: TunnelController | None) -> None:
        if self.controller is ctrl:
            return
        if self.controller is not None:
            self.controller.sampled.disconnect(self.refresh)
        self.controller = ctrl
        if ctrl is not None:
            ctrl.sampled.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Caption now; the charts one at a time, ``STAGGER_MS`` apart (the first one too:
        the sample's list row and header paint first), so each paint pass is small and never
        four charts back to back while datagrams wait."""
        ctrl = self.controller
        ring = ctrl.recorder.ring if ctrl is not None else None
        has_data = ring is not None and len(ring) > 0
        self.export_button.setEnabled(has_data)
        if ctrl is None:
            self.caption.setText(translate("ChartsPanel", "Start a profile to see its charts."))
        elif ctrl.engine is None and not has_data:
            self.caption.setText(
                translate("ChartsPanel", "{name}: not running. Start it to see its charts.").format(
                    name=ctrl.name
                )
            )
        elif ctrl.engine is not None:
            self.caption.setText(
                translate("ChartsPanel", "{name}: live, one sample every 0.5 s").format(
                    name=ctrl.name
                )
            )
        else:
            self.caption.setText(
                translate(
                    "ChartsPanel", "{name}: stopped; last recorded data, one sample every 0.5 s"
                ).format(name=ctrl.name)
            )
        if not self.isVisible() or self.window().isMinimized():
            self._queue.clear()  # showEvent / the window's restore calls refresh again
            self._stagger.stop()
            return
        self._queue = list(self.plots.values())
        self._stagger.start()

    def _draw_next(self) -> None:
        if not self._queue:
            self._stagger.stop()
            return
        plot = self._queue.pop(0)
        ctrl = self.controller
        ring = ctrl.recorder.ring if ctrl is not None else None
        span = self.span
        if ctrl is None or ring is None or not len(ring):
            plot.show_data(_EMPTY, {}, time.time(), span)
            return
        live = ctrl.engine is not None
        t_end = time.time() if live else float(ring.times()[-1])
        t, cols = ring.since(t_end - span - 1.0, [c.column for c in plot.curves_spec])
        plot.show_data(t, cols, t_end, span, live=live)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.refresh()

    def export_csv(self, path: str | Path) -> int:
        """Write the recorded series to ``path``; returns the number of samples."""
        if self.controller is None:
            return 0
        text = self.controller.recorder.to_csv()
        Path(path).write_text(text, "utf-8")
        return max(text.count("\n") - 1, 0)

    def _on_export_clicked(self) -> None:
        if self.controller is None:
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in self.controller.name)
        path, _filter = QFileDialog.getSaveFileName(
            self,
            translate("ChartsPanel", "Export chart data"),
            f"{safe}-{stamp}.csv",
            translate("ChartsPanel", "CSV files (*.csv)"),
        )
        if path:
            try:
                self.export_csv(path)
            except OSError as exc:
                self.caption.setText(
                    translate("ChartsPanel", "Export failed: {error}").format(
                        error=exc.strerror or exc
                    )
                )


_EMPTY: Final = np.zeros(0)
