"""What closing the window or Quit does while tunnels run: ask, and remember if told to.

A tunnel manager is left running; closing its window must never stop tunnels without a
word (issue 16). The rules, in one pure function so they are tested without a window:

* nothing running: Quit quits; closing the window quits too, unless the user chose
  "keep running in the tray" (then the window hides, as they asked);
* tunnels running: a remembered "stop tunnels and quit" quits; a remembered "keep running in
  the tray" hides the window when it is *closed* (an explicit Quit still asks: the user said
  quit); everything else asks.

The question offers "Keep running in the tray" only where a system tray exists (without
one, a hidden window could not be brought back except by launching again), "Stop tunnels and
quit" and Cancel, with "Remember my choice". The remembered choice can be changed back in the
Settings menu (``app.views.life_actions``).
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

from app.i18n import translate

__all__ = ["CloseChoice", "CloseDialog", "decide"]


class CloseChoice(Enum):
    ASK = "ask"
    TRAY = "tray"
    """hide the window; tunnels keep running; the tray icon brings it back"""
    QUIT = "quit"
    """stop every tunnel, then quit"""
    CANCEL = "cancel"


def decide(*, quitting: bool, running: int, remembered: str, tray: bool) -> CloseChoice:
    """What to do without asking, or ``ASK``.

    Args:
        quitting: Quit (menu, Ctrl+Q, tray) rather than closing the window.
        running: how many tunnels run (or are starting).
        remembered: the saved choice: "ask", "tray" or "quit".
        tray: whether a system tray icon is shown.
    """
    tray_ok = tray and remembered == "tray"
    if running == 0:
        return CloseChoice.TRAY if tray_ok and not quitting else CloseChoice.QUIT
    if remembered == "quit":
        return CloseChoice.QUIT
    if tray_ok and not quitting:
        return CloseChoice.TRAY
    return CloseChoice.ASK


class CloseDialog(QMessageBox):
    """The question itself; open it with ``open()`` and read ``choice`` and ``remember``
    when ``finished`` is emitted (never ``exec()``-ed: the event loop is asyncio's)."""

    def __init__(self, names: list[str], *, tray: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("CloseDialog", "Tunnels are running"))
        self.setIcon(QMessageBox.Icon.Question)
        shown = ", ".join(names[:5]) + (", \u2026" if len(names) > 5 else "")
        self.setText(
            translate("CloseDialog", "Running now: %1").replace("%1", shown)
            if names
            else translate("CloseDialog", "No tunnel is running.")
        )
        self.setInformativeText(
            translate(
                "CloseDialog",
                "Keep them running in the tray, or stop them and quit? "
                "Connections through them are cut when they stop.",
            )
            if tray
            else translate("CloseDialog", "Stop them and quit? Connections through them are cut.")
        )
        self.tray_button = (
            self.addButton(
                translate("CloseDialog", "Keep running in the tray"),
                QMessageBox.ButtonRole.AcceptRole,
            )
            if tray
            else None
        )
        self.quit_button = self.addButton(
            translate("CloseDialog", "Stop tunnels and quit"),
            QMessageBox.ButtonRole.DestructiveRole,
        )
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.tray_button or self.cancel_button)
        self.setEscapeButton(self.cancel_button)
        self.remember_box = QCheckBox(
            translate("CloseDialog", "Remember my choice (Settings \u2192 When closing)")
        )
        self.setCheckBox(self.remember_box)

    @property
    def choice(self) -> CloseChoice:
        clicked = self.clickedButton()
        if clicked is not None and clicked is self.tray_button:
            return CloseChoice.TRAY
        if clicked is not None and clicked is self.quit_button:
            return CloseChoice.QUIT
        return CloseChoice.CANCEL

    @property
    def remember(self) -> bool:
        return self.remember_box.isChecked() and self.choice is not CloseChoice.CANCEL
