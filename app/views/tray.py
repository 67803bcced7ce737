"""The system tray icon: the app's handle while its window is hidden, and its notifier.

Menu: Show KCP Desk, Start all, Stop all, one toggle per profile (checked while it runs,
with its status light), Quit. A left click shows or hides the window. The menu is rebuilt
each time it opens, so it never shows a stale state.

``notify`` is the one way the app shows a desktop notification: through the tray icon's
balloon where there is a tray (``QSystemTrayIcon.showMessage`` goes to the desktop's
notification service on Linux, Windows and macOS). Without a tray there is no notification
(the window's status bar and the profile's status still say it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app import resources
from app.i18n import translate
from app.views.profile_list import STATE_COLORS

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

__all__ = ["Tray"]

NOTIFY_MS: Final = 5000
_LEVELS: Final = {
    "info": QSystemTrayIcon.MessageIcon.Information,
    "warning": QSystemTrayIcon.MessageIcon.Warning,
    "error": QSystemTrayIcon.MessageIcon.Critical,
}


class Tray(QObject):
    """The tray icon and its menu, for one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.icon = QSystemTrayIcon(resources.app_icon(), window)
        self.icon.setToolTip("KCP Desk")
        self.menu = QMenu(window)
        self.menu.aboutToShow.connect(self.fill)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def is_visible(self) -> bool:
        return self.icon.isVisible()

    def notify(self, title: str, text: str, level: str = "info", msecs: int = NOTIFY_MS) -> bool:
        """Show a desktop notification; False when there is no tray to show it."""
        if not self.icon.isVisible() or not QSystemTrayIcon.supportsMessages():
            return False
        self.icon.showMessage(title, text, _LEVELS.get(level, _LEVELS["info"]), msecs)
        return True

    def fill(self) -> None:
        """Rebuild the menu from the profiles' states now."""
        w = self.window
        menu = self.menu
        menu.clear()
        menu.addAction(translate("Tray", "Show KCP Desk"), w.show_raise)
        menu.addSeparator()
        menu.addAction(w.life.act_start_all)
        menu.addAction(w.life.act_stop_all)
        menu.addSeparator()
        for name in w.manager.names():
            ctrl = w.manager.controller(name)
            running = ctrl is not None and ctrl.active
            action = QAction(resources.status_icon(STATE_COLORS[w.manager.state(name)]), name, menu)
            action.setCheckable(True)
            action.setChecked(running)
            action.setToolTip(translate("Tray", "Stop") if running else translate("Tray", "Start"))
            action.triggered.connect(lambda _c=False, n=name: w.desk.spawn(w.desk.toggle(n)))
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(
            translate("Tray", "Quit"), lambda: w.life.request_close(quitting=True, tray=False)
        )

    def _on_activated(self, reason: Any) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            if self.window.isVisible() and not self.window.isMinimized():
                self.window.hide()
            else:
                self.window.show_raise()
