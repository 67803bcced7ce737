"""Live controls for the demo's simulated link: loss, delay, jitter and offered traffic."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.demo.controller import DemoController
from app.format import si
from app.i18n import QT_TRANSLATE_NOOP, translate
from app.widgets.elided_label import ElidedLabel

RATES: Final[tuple[tuple[str, float | None], ...]] = (
    ("256 kB/s", 256_000),
    ("1 MB/s", 1_000_000),
    ("4 MB/s", 4_000_000),
    ("16 MB/s", 16_000_000),
    (QT_TRANSLATE_NOOP("DemoPanel", "as fast as possible"), None),
)
"""(label, shown through ``translate("DemoPanel", ...)``; bytes/s or None for unlimited)"""
MAX_LOSS_PCT: Final = 30


class DemoPanel(QFrame):
    """Shown while the demo runs; every change applies to the running relay at once."""

    def __init__(self, demo: DemoController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.demo = demo
        self.setObjectName("demoPanel")
        rows = QVBoxLayout(self)
        rows.setContentsMargins(8, 4, 8, 4)
        rows.setSpacing(2)
        lay = QHBoxLayout()
        second = QHBoxLayout()  # two rows: the window fits a 900 px wide screen
        rows.addLayout(lay)
        rows.addLayout(second)
        self._build_link_row(lay)
        self._build_traffic_row(second)
        self._connect()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._update_stats)
        self._timer.start()

    def _build_link_row(self, lay: QHBoxLayout) -> None:
        """Loss, delay and jitter: what the relay does to the demo's datagrams."""
        demo = self.demo
        title = QLabel("<b>{}</b>".format(translate("DemoPanel", "Demo link")))
        title.setToolTip(
            translate(
                "DemoPanel",
                "A relay on this machine between the demo client and server drops and "
                "delays packets like a poor Internet path. Change it while it runs.",
            )
        )
        lay.addWidget(title)
        lay.addWidget(QLabel(translate("DemoPanel", "Loss")))
        self.loss_slider = QSlider(Qt.Orientation.Horizontal)
        self.loss_slider.setRange(0, MAX_LOSS_PCT)
        self.loss_slider.setValue(round(demo.loss * 100))
        self.loss_slider.setFixedWidth(110)
        self.loss_slider.setToolTip(
            translate("DemoPanel", "Share of datagrams the relay drops, each direction")
        )
        self.loss_label = QLabel()
        self.loss_label.setMinimumWidth(30)
        lay.addWidget(self.loss_slider)
        lay.addWidget(self.loss_label)
        lay.addWidget(QLabel(translate("DemoPanel", "Delay")))
        self.delay_spin = QSpinBox()
        self.delay_spin.setRange(0, 1000)
        self.delay_spin.setSuffix(" ms")
        self.delay_spin.setValue(round(demo.delay * 1000))
        self.delay_spin.setToolTip(
            translate("DemoPanel", "One-way delay added by the relay (RTT is twice this)")
        )
        lay.addWidget(self.delay_spin)
        lay.addWidget(QLabel(translate("DemoPanel", "Jitter")))
        self.jitter_spin = QSpinBox()
        self.jitter_spin.setRange(0, 200)
        self.jitter_spin.setSuffix(" ms")
        self.jitter_spin.setValue(round(demo.jitter * 1000))
        self.jitter_spin.setToolTip(
            translate("DemoPanel", "Random extra delay per packet; it also reorders packets")
        )
        lay.addWidget(self.jitter_spin)
        lay.addStretch(1)

    def _build_traffic_row(self, lay: QHBoxLayout) -> None:
        """The traffic generator's rate, the live figures and the stop button."""
        demo = self.demo
        lay.addWidget(QLabel(translate("DemoPanel", "Traffic")))
        self.rate_combo = QComboBox()
        for label, rate in RATES:
            self.rate_combo.addItem(translate("DemoPanel", label), rate)
        i = self.rate_combo.findData(demo.rate)
        self.rate_combo.setCurrentIndex(i if i >= 0 else 1)
        self.rate_combo.setToolTip(
            translate(
                "DemoPanel",
                "What the traffic generator offers (echoed back, so both directions carry it)",
            )
        )
        lay.addWidget(self.rate_combo)
        # its text changes every second: it neither relayouts the tab (which would resize and
        # redraw the charts on the tunnels' thread) nor widens the window; cut text ends in
        # "..." with the whole line as its tooltip
        self.stats = ElidedLabel(relayout=False)
        self.stats.setObjectName("fieldUnit")
        self.stats.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.stats, 1)
        self.stop_button = QPushButton(translate("DemoPanel", "Stop demo"))
        lay.addWidget(self.stop_button)

    def _connect(self) -> None:
        demo = self.demo
        self.loss_slider.valueChanged.connect(self._on_loss_changed)
        self.delay_spin.valueChanged.connect(lambda ms: demo.set_delay(ms / 1000))
        self.jitter_spin.valueChanged.connect(lambda ms: demo.set_jitter(ms / 1000))
        self.rate_combo.currentIndexChanged.connect(
            lambda _i: demo.set_rate(self.rate_combo.currentData())
        )
        self._on_loss_changed(self.loss_slider.value())

    def _on_loss_changed(self, pct: int) -> None:
        self.loss_label.setText(f"{pct}%")
        self.demo.set_loss(pct / 100)

    def _update_stats(self) -> None:
        relay, traffic = self.demo.relay, self.demo.traffic
        if relay is None or traffic is None:
            self.stats.setText("")
            return
        s = relay.stats
        self.stats.setText(
            translate(
                "DemoPanel", "relay: {datagrams} datagrams, {dropped} dropped; echoed {echoed}"
            ).format(datagrams=s.up + s.down, dropped=s.dropped, echoed=si(traffic.received, "B"))
        )
