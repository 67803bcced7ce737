"""A scroll area that scrolls only vertically and asks for its content's full width.

A plain ``QScrollArea`` asks for almost nothing: put a tab's content in one and the window may
shrink below what the content needs, which then is cut at the right (the horizontal bar being
off) or scrolls sideways. This one passes the content's minimum width on (plus room for the
vertical bar), so the window keeps it, and lets only the height shrink: on a short screen the
tab scrolls instead of the window growing past the screen's bottom edge.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class VerticalScrollArea(QScrollArea):
    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)
        content.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """The content's layout changed (a panel shown, a card added): so may its width, and
        the window's layout must ask again (a scroll area does not pass that on)."""
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        content = self.widget()
        base = super().minimumSizeHint()
        if content is None:
            return base
        width = content.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return QSize(max(width, base.width()), base.height())
