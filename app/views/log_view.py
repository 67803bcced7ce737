"""The log pane: the selected profile's log (or every profile's), filtered by level and text.

Entries arrive from ``LogBook`` on any thread; a bridge signal queues them to the GUI thread,
and the pane appends them in batches every 200 ms, so a burst of stream lines costs one
repaint. The text widget keeps a bounded number of lines.
"""

from __future__ import annotations

import logging
from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import QT_TRANSLATE_NOOP, translate
from app.models.logbook import LogBook, LogEntry

MAX_LINES: Final = 5000
FLUSH_MS: Final = 200
LEVELS: Final = (
    (QT_TRANSLATE_NOOP("LogView", "Debug"), logging.DEBUG),
    (QT_TRANSLATE_NOOP("LogView", "Info"), logging.INFO),
    (QT_TRANSLATE_NOOP("LogView", "Warnings"), logging.WARNING),
    (QT_TRANSLATE_NOOP("LogView", "Errors"), logging.ERROR),
)
"""(label, shown through ``translate("LogView", ...)``; the lowest level shown)"""


class _Bridge(QObject):
    entry = Signal(object)


class LogView(QWidget):
    """Shows ``logbook`` entries for ``profile`` (plus app-wide ones) or for all profiles."""

    def __init__(self, logbook: LogBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.logbook = logbook
        self.profile = ""
        self._shown: set[str] = {""}
        """the log book keys the selected profile shows (its own, app-wide, the demo's)"""
        self._pending: list[LogEntry] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.all_profiles = QCheckBox(translate("LogView", "All profiles"))
        self.all_profiles.setToolTip(
            translate("LogView", "Show every profile's lines, not just the selected one")
        )
        self.level_combo = QComboBox()
        for label, level in LEVELS:
            self.level_combo.addItem(translate("LogView", label), level)
        self.level_combo.setCurrentIndex(1)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(translate("LogView", "Filter (text in the line)"))
        self.filter_edit.setClearButtonEnabled(True)
        self.clear_button = QPushButton(translate("LogView", "Clear view"))
        bar.addWidget(self.all_profiles)
        bar.addWidget(QLabel(translate("LogView", "Level")))
        bar.addWidget(self.level_combo)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.clear_button)
        lay.addLayout(bar)
        self.text = QPlainTextEdit()
        self.text.setObjectName("logText")
        self.text.setReadOnly(True)
        self.text.setMaximumBlockCount(MAX_LINES)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        lay.addWidget(self.text, 1)

        self._bridge = _Bridge(self)
        self._bridge.entry.connect(self._on_entry)
        self._listener = self._bridge.entry.emit
        logbook.subscribe(self._listener)
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self._flush)
        self._timer.start()
        self.all_profiles.toggled.connect(lambda _b: self.rebuild())
        self.level_combo.currentIndexChanged.connect(lambda _i: self.rebuild())
        self.filter_edit.textChanged.connect(lambda _t: self.rebuild())
        self.clear_button.clicked.connect(self.text.clear)
        self.destroyed.connect(lambda _o=None, lb=logbook, f=self._listener: lb.unsubscribe(f))

    def set_profile(self, name: str) -> None:
        shown = self.logbook.shown_with(name)
        if name != self.profile or shown != self._shown:
            self.profile, self._shown = name, shown
            self.rebuild()

    def _matches(self, e: LogEntry) -> bool:
        if e.level < int(self.level_combo.currentData()):
            return False
        if not self.all_profiles.isChecked() and e.profile not in self._shown:
            return False
        needle = self.filter_edit.text().strip().lower()
        return not needle or needle in e.message.lower() or needle in e.profile.lower()

    def _line(self, e: LogEntry) -> str:
        who = f"[{e.profile.strip()}] " if self.all_profiles.isChecked() and e.profile else ""
        return who + e.format()

    def rebuild(self) -> None:
        self._pending.clear()
        profiles = None if self.all_profiles.isChecked() else sorted(self._shown)
        lines = [self._line(e) for e in self.logbook.entries(profiles) if self._matches(e)]
        self.text.setPlainText("\n".join(lines[-MAX_LINES:]))
        self.text.verticalScrollBar().setValue(self.text.verticalScrollBar().maximum())

    def _on_entry(self, entry: LogEntry) -> None:
        if self._matches(entry):
            self._pending.append(entry)

    def _flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending[-MAX_LINES:], []
        self.text.appendPlainText("\n".join(self._line(e) for e in batch))

    def plain_text(self) -> str:
        self._flush()
        return self.text.toPlainText()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.logbook.unsubscribe(self._listener)
        super().closeEvent(event)
