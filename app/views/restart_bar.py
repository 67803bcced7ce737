"""The "saved, but the running tunnel still uses its old settings" notice, with Restart.

Saving a running profile does not touch its engine: the new settings apply at the next start.
The editor's note used to say so and stayed after the restart (it only went away with the next
edit). This bar is shown from state instead, while the saved settings differ from the ones the
engine runs with (``ProfileManager.needs_restart``), so a restart, or undoing the edit, hides it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.i18n import translate


class RestartBar(QFrame):
    """A one-line notice with a Restart button; hidden while nothing waits for a restart."""

    restart_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restartBar")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(
            translate(
                "RestartBar",
                "It still runs with the old settings; the saved ones apply at a restart.",
            )
        )
        self.label.setObjectName("editorNote")
        self.label.setWordWrap(True)
        self.button = QPushButton(translate("RestartBar", "Restart"))
        self.button.setToolTip(
            translate("RestartBar", "Stop and start this tunnel with the saved settings")
        )
        self.button.clicked.connect(self.restart_requested)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.button)
        self.setVisible(False)

    def set_needed(self, needed: bool) -> None:
        if needed == self.isHidden():  # only on a change: showing re-lays the window out
            self.setVisible(needed)
