"""The message beside a form field: an error (red) or a warning (amber) that never moves the form.

A label that grows when a message appears pushes every row below it down, so the click a user
aimed at the next field lands on the wrong one. This label has a fixed height (the row's, or
two text lines if taller) reserved whether or not it shows anything; a message too long for it
is cut with an ellipsis and shown whole in its tooltip.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel, QSizePolicy

__all__ = ["MessageLabel"]


class MessageLabel(QLabel):
    """An error (objectName ``fieldError``) or warning (``fieldWarning``) of fixed height;
    ``message`` holds the whole text, which the tooltip shows when it is cut."""

    LINES: Final = 2

    def __init__(self, row_height: int) -> None:
        super().__init__()
        self.message = ""
        self.level = ""
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(max(row_height, self.fontMetrics().lineSpacing() * self.LINES))

    def show_message(self, text: str, level: str = "error") -> None:
        """Show ``text`` ("" clears) as an "error" or a "warning"."""
        level = level if text else ""
        if (text, level) == (self.message, self.level):
            return
        self.message, self.level = text, level
        name = "fieldWarning" if level == "warning" else "fieldError"
        if self.objectName() != name:
            self.setObjectName(name)
            self.style().unpolish(self)
            self.style().polish(self)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fits(self, text: str, width: int) -> bool:
        """Laid out as QLabel wraps (Unicode line breaks: between any two Chinese
        characters too, unlike QFontMetrics' word wrap), does ``text`` fit the box?"""
        layout = QTextLayout(text, self.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        lines = 0
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            lines += 1
            if line.naturalTextWidth() > width:
                lines = self.LINES + 1  # one unbreakable run wider than the box
        layout.endLayout()
        return lines * self.fontMetrics().lineSpacing() <= self.height()

    def _fit(self) -> None:
        text, width = self.message, max(self.width(), 1)
        if text and not self._fits(text, width):
            lo, hi = 0, len(text)  # the longest prefix that fits with an ellipsis
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if self._fits(text[:mid].rstrip() + "\u2026", width):
                    lo = mid
                else:
                    hi = mid - 1
            text = text[:lo].rstrip() + "\u2026"
        super().setText(text)
        self.setToolTip(self.message if text != self.message else "")
