"""The diagnostics cards above the charts, in a strip whose height moves only when cards come
or go.

A card's numbers change every couple of seconds, and a new line of wrapped text would change
the card's height, lay out the whole Monitor tab again and resize all four charts below it:
each resize redraws every chart's labels in one paint pass, on the thread the tunnels run on
(``benchmarks/gui_lag.py --trace``; figures in benchmarks/README.md). In the strip, a card
whose text grows scrolls inside it instead; the strip takes the cards' height (up to
``MAX_HEIGHT``) again only when the set of findings changes or the window is resized, and
gives room back only once the smaller set has held for ``SHRINK_AFTER`` s.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget

from app.views.diagnostics import DiagnosticsView

MAX_HEIGHT: Final = 150
"""px: about two cards; more scroll (the charts keep most of the tab)"""
SHRINK_AFTER: Final = 10.0
"""s a smaller set of cards must hold before the strip gives the room back to the charts"""


class DiagnosticsStrip(QScrollArea):
    """Holds ``view``; its height follows the cards only when they come or go."""

    def __init__(self, view: DiagnosticsView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setWidget(view)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)  # the tab's own background shows through
        view.setAutoFillBackground(False)
        self._codes: tuple[str, ...] | None = None
        self._width = -1
        self._shrink = QTimer(self)
        self._shrink.setSingleShot(True)
        self._shrink.setInterval(int(SHRINK_AFTER * 1000))
        self._shrink.timeout.connect(self._fit)
        view.installEventFilter(self)
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.view and event.type() == QEvent.Type.LayoutRequest:
            codes = tuple(f.code for f in self.view.findings())
            if codes != self._codes:
                self._codes = codes
                self._fit(shrink_later=True)
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)  # the viewport's resizes come here too: compare widths
        if self.width() != self._width:
            self._fit()

    def _fit(self, *, shrink_later: bool = False) -> None:
        """Take the cards' height at the current width, at most ``MAX_HEIGHT``; with
        ``shrink_later``, a smaller height only after it has held for ``SHRINK_AFTER`` s.

        Findings near a threshold come and go from one sample to the next; a strip that
        followed each would resize the charts each time (all four, labels and all)."""
        self._width = self.width()
        height = min(self._cards_height(self._width), MAX_HEIGHT)
        if shrink_later and height < self.height():
            if not self._shrink.isActive():
                self._shrink.start()
            return
        self._shrink.stop()
        if height != self.height():
            self.setFixedHeight(height)

    def _cards_height(self, width: int) -> int:
        """What the view's layout will need, counted card by card: cards just added are not
        shown yet (they are, a moment later), so the layout itself would leave them out."""
        lay = self.view.layout()
        if lay is None:
            return 0
        heights = []
        for i in range(lay.count()):
            item = lay.itemAt(i)
            w = item.widget() if item is not None else None
            if w is None:
                continue
            w.ensurePolished()
            heights.append(w.heightForWidth(width) if w.hasHeightForWidth() else -1)
            if heights[-1] < 0:
                heights[-1] = w.sizeHint().height()
        margins = lay.contentsMargins()
        gaps = lay.spacing() * max(len(heights) - 1, 0)
        return sum(heights) + gaps + margins.top() + margins.bottom()
