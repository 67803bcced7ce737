"""The selected profile's traffic totals: today, this month, all time, down and up.

One compact row in the Monitor tab. The figures are UDP bytes on the network (what a
provider counts); the tooltip adds the payload the tunnel's applications moved. The figures'
labels have a fixed size, as wide as the widest figure ("8.88 GB" both ways; they grow if a
text ever needs more, never cut it): their text changes twice a second while traffic flows,
and a label whose size may change makes Qt lay out the whole window again each time.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from app.controllers.traffic import TrafficMeter
from app.format import si
from app.i18n import translate
from app.models.traffic import Counts

__all__ = ["TrafficTotalsView"]


def _pair(down: float, up: float) -> str:
    return f"\u2193 {si(down, 'B')}  \u2191 {si(up, 'B')}"


class TrafficTotalsView(QWidget):
    """Today / this month / all time for one profile, updated as the meter counts."""

    def __init__(self, meter: TrafficMeter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meter = meter
        self.name = ""
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(0)
        title = QLabel(translate("TrafficTotalsView", "Traffic"))
        title.setObjectName("trafficTitle")
        title.setToolTip(
            translate(
                "TrafficTotalsView",
                "UDP bytes this profile's tunnel received (\u2193) and sent (\u2191) on the "
                "network, FEC and retransmissions included: what a provider counts. "
                "Kept across restarts.",
            )
        )
        grid.addWidget(title, 0, 0, 2, 1, Qt.AlignmentFlag.AlignVCenter)
        fm = self.fontMetrics()
        widest = max(fm.horizontalAdvance(_pair(8.88 * 10**e, 8.88 * 10**e)) for e in (6, 9, 12))
        width = widest + 4
        self.values: list[QLabel] = []
        headings = (
            translate("TrafficTotalsView", "Today"),
            translate("TrafficTotalsView", "This month"),
            translate("TrafficTotalsView", "All time"),
        )
        for col, heading in enumerate(headings, start=1):
            head = QLabel(heading)
            head.setObjectName("trafficHeading")
            grid.addWidget(head, 0, col)
            value = QLabel(_pair(0, 0))
            value.setFixedSize(width, fm.height() + 2)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, 1, col)
            self.values.append(value)
        grid.setColumnStretch(len(headings) + 1, 1)
        meter.changed.connect(self._on_changed)

    def set_profile(self, name: str) -> None:
        self.name = name
        self.refresh()

    def refresh(self) -> None:
        periods = self.meter.totals(self.name) if self.name else (Counts(),) * 3
        for label, counts in zip(self.values, periods, strict=True):
            text = _pair(counts.wire_in, counts.wire_out)
            if label.text() != text:
                need = label.fontMetrics().horizontalAdvance(text) + 4
                if need > label.width():  # another font, or terabytes: grow, never cut
                    label.setFixedWidth(need)
                label.setText(text)
                label.setToolTip(
                    translate("TrafficTotalsView", "payload: %1").replace(
                        "%1", _pair(counts.payload_in, counts.payload_out)
                    )
                )

    def _on_changed(self, name: str) -> None:
        if name == self.name:
            self.refresh()
