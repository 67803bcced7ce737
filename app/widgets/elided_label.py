"""A one-line label that never widens the window: text that does not fit ends in "…".

A plain ``QLabel`` asks for its whole text as its minimum width, so a label whose text
changes (a profile's name, the demo relay's packet count) made the window's minimum width
grow with it, past the screen's edge at 1366x768. This one asks for a few characters at
least, draws what fits, and shows the whole text as its tooltip when it is cut. Its text
changes need not relayout the window (``relayout=False``) when they come every second.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

MIN_CHARS: Final = 6
"""characters the label keeps room for, however narrow the window"""


class ElidedLabel(QWidget):
    """``text``/``setText`` like a QLabel (plain text, one line); styled by the style sheet's
    ``color`` and ``font`` through its palette and font, like a QLabel."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        relayout: bool = True,
    ) -> None:
        """``relayout=False`` for text that changes all the time (a counter): the layout
        keeps the size it gave, and a new text only repaints the label."""
        super().__init__(parent)
        self._text = text
        self._relayout = relayout
        self._align = align | Qt.AlignmentFlag.AlignVCenter
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name
        if text != self._text:
            self._text = text
            self._update_tooltip()
            if self._relayout:
                self.updateGeometry()
            self.update()

    def is_elided(self) -> bool:
        """The text is cut to fit the label's width."""
        return self.fontMetrics().horizontalAdvance(self._text) > self.contentsRect().width()

    def _update_tooltip(self) -> None:
        self.setToolTip(self._text if self.is_elided() else "")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self._text) + 2, fm.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        fm = self.fontMetrics()
        return QSize(fm.averageCharWidth() * MIN_CHARS, fm.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._update_tooltip()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, rect.width())
        p = QPainter(self)
        try:
            self.style().drawItemText(
                p,
                rect,
                int(self._align),
                self.palette(),
                self.isEnabled(),
                shown,
                self.foregroundRole(),
            )
        finally:
            p.end()
