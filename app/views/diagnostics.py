"""The diagnostics strip: each finding as a coloured card with a title and what to do."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Final

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.i18n import translate
from app.models.diagnostics import Finding

MARKS: Final = {"error": "\u2716", "warning": "\u26a0", "info": "\u2139", "ok": "\u2714"}
COLORS: Final = {"error": "#d93025", "warning": "#b26a00", "info": "#2f80ed", "ok": "#1e8e3e"}


NUMBERS_REFRESH: Final = 2.0  # s between updates of the same findings' numbers


class FindingCard(QFrame):
    def __init__(self, finding: Finding, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.finding = finding
        self.setObjectName("finding")
        self.setProperty("level", finding.level)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        mark = QLabel(MARKS[finding.level])
        mark.setStyleSheet(f"color: {COLORS[finding.level]}; font-size: 14pt;")
        lay.addWidget(mark)
        self.text = QLabel()
        self.text.setWordWrap(True)
        lay.addWidget(self.text, 1)
        self.update_text(finding)

    def update_text(self, finding: Finding) -> None:
        self.finding = finding
        self.text.setText(f"<b>{finding.title}</b><br>{finding.advice}")


class DiagnosticsView(QWidget):
    """Rebuilt only when the findings change (they are recomputed every 0.5 s)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.setSpacing(4)
        self._shown: tuple[Finding, ...] = ()
        self._numbers_at = 0.0
        self._cards: list[FindingCard] = []
        self.show_findings([])

    def findings(self) -> tuple[Finding, ...]:
        return self._shown

    def show_findings(self, findings: Sequence[Finding]) -> None:
        key = tuple(findings)
        if key == self._shown and self._lay.count():
            return
        cards = self._cards
        if findings and [c.finding.code for c in cards] == [f.code for f in findings]:
            # same problems, new numbers: no flicker, and at most every NUMBERS_REFRESH s
            # (new text reflows the cards, a layout pass on the thread the tunnels run on)
            now = time.monotonic()
            if now - self._numbers_at < NUMBERS_REFRESH:
                return
            self._numbers_at = now
            for card, f in zip(cards, findings, strict=True):
                card.update_text(f)
            self._shown = key
            return
        self._shown = key
        self._cards = []
        self._numbers_at = time.monotonic()
        while self._lay.count():
            item = self._lay.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        if not findings:
            self._lay.addWidget(
                QLabel(
                    translate("DiagnosticsView", "Diagnostics appear here while the profile runs.")
                )
            )
            return
        for f in findings:
            card = FindingCard(f)
            self._cards.append(card)
            self._lay.addWidget(card)
