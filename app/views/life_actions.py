"""The app's life around its tunnels: close and quit, the tray, Start/Stop all, login start,
reconnect at launch, requests from a second launch.

Kept out of ``main_window.py`` so the window's hooks are one object (``window.life``), its
``closeEvent`` and its Quit action. Menu entries: Profile -> Start all / Stop all, and a
Settings menu (start at login, reconnect tunnels at launch, what closing does).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu
from qasync import asyncSlot

from app.autostart import Autostart
from app.controllers.session import SessionKeeper
from app.i18n import translate
from app.notify import Sink, tray_sink
from app.views.close_dialog import CloseChoice, CloseDialog, decide
from app.views.tray import Tray

from .menu_lookup import menu_named

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

log = logging.getLogger(__name__)

__all__ = ["LifeActions"]


class LifeActions(QObject):
    """Owns the tray, the close question, the session keeper and their menu entries."""

    def __init__(
        self, window: MainWindow, *, use_tray: bool, autostart: Autostart | None = None
    ) -> None:
        super().__init__(window)
        self.window = window
        self.settings = window.settings
        self.session = SessionKeeper(window.desk, window.settings, self)
        self.autostart = autostart or Autostart()
        self.tray = Tray(window) if use_tray and Tray.available() else None
        self.dialog: CloseDialog | None = None
        self._told_tray = False
        self._tray_count = 0
        self._build_actions()
        self._build_menus()
        window.desk.show_requested.connect(window.show_raise)
        if self.tray is not None:
            self.tray.show()

    # --- actions and menus ------------------------------------------------------------------

    def _build_actions(self) -> None:
        w = self.window
        self.act_start_all = QAction(translate("LifeActions", "Start &all"), w)
        self.act_start_all.setShortcut("Ctrl+Shift+R")
        self.act_start_all.setStatusTip(
            translate("LifeActions", "Start every saved profile that is not running")
        )
        self.act_start_all.triggered.connect(self._on_start_all)
        self.act_stop_all = QAction(translate("LifeActions", "Stop a&ll"), w)
        self.act_stop_all.setShortcut("Ctrl+Shift+T")
        self.act_stop_all.setStatusTip(translate("LifeActions", "Stop every running tunnel"))
        self.act_stop_all.triggered.connect(self._on_stop_all)
        self.act_autostart = QAction(translate("LifeActions", "Start KCP Desk at &login"), w)
        self.act_autostart.setCheckable(True)
        self.act_autostart.setStatusTip(
            translate("LifeActions", "Starts in the tray when you log in (%1)").replace(
                "%1", self.autostart.location()
            )
        )
        try:
            self.act_autostart.setChecked(self.autostart.enabled())
        except OSError as exc:
            log.warning("start at login: %s", exc)
        self.act_autostart.toggled.connect(self._on_autostart_toggled)
        self.act_restore = QAction(translate("LifeActions", "&Reconnect tunnels at launch"), w)
        self.act_restore.setCheckable(True)
        self.act_restore.setStatusTip(
            translate("LifeActions", "Start the tunnels that were running when KCP Desk last quit")
        )
        self.act_restore.setChecked(self.settings.restore_tunnels())
        self.act_restore.toggled.connect(self.settings.set_restore_tunnels)
        self.close_group = QActionGroup(w)
        self.close_actions: dict[str, QAction] = {}
        texts = {
            "ask": translate("LifeActions", "Ask"),
            "tray": translate("LifeActions", "Keep running in the tray"),
            "quit": translate("LifeActions", "Stop tunnels and quit"),
        }
        for key, text in texts.items():
            a = QAction(text, self.close_group)
            a.setCheckable(True)
            a.setEnabled(key != "tray" or self.tray is not None)
            a.triggered.connect(lambda _c=False, k=key: self.settings.set_close_action(k))
            self.close_actions[key] = a
        self.close_actions[self.settings.close_action()].setChecked(True)

    def _build_menus(self) -> None:
        w = self.window
        profile_menu = menu_named(w, "Profile")
        if profile_menu is not None:
            profile_menu.addSeparator()
            profile_menu.addAction(self.act_start_all)
            profile_menu.addAction(self.act_stop_all)
        menu = QMenu(translate("LifeActions", "&Settings"), w)
        menu.setObjectName("menuSettings")
        menu.addAction(self.act_autostart)
        menu.addAction(self.act_restore)
        when = menu.addMenu(translate("LifeActions", "&When closing with tunnels running"))
        for a in self.close_actions.values():
            when.addAction(a)
        self.settings_menu = menu
        help_menu = menu_named(w, "Help")
        bar = w.menuBar()
        if help_menu is not None:
            bar.insertMenu(help_menu.menuAction(), menu)
        else:
            bar.addMenu(menu)

    def update(self) -> None:
        """Enable Start all / Stop all as they would do something; the tray's tooltip says
        how many tunnels run."""
        m = self.window.manager
        saved = [n for n in m.names() if not m.is_transient(n)]
        running = set(m.running())
        self.act_start_all.setEnabled(any(n not in running for n in saved))
        self.act_stop_all.setEnabled(bool(running))
        if self.tray is not None and len(running) != self._tray_count:
            self._tray_count = len(running)
            self.tray.icon.setToolTip(
                translate("LifeActions", "KCP Desk: %1 running").replace("%1", str(len(running)))
                if running
                else "KCP Desk"
            )

    # --- close and quit ---------------------------------------------------------------------

    def request_close(self, *, quitting: bool, tray: bool = True) -> None:
        """The window's close button (``quitting=False``) or Quit: act, or ask first.

        Args:
            tray: offer "keep running in the tray" (not from the tray's own Quit).
        """
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        names = self.window.desk.saved_running()
        has_tray = self.tray is not None and self.tray.is_visible()
        choice = decide(
            quitting=quitting,
            running=len(names),
            remembered=self.settings.close_action(),
            tray=has_tray,
        )
        if choice is CloseChoice.ASK:
            dialog = CloseDialog(names, tray=has_tray and tray, parent=self.window)
            dialog.finished.connect(lambda _r, d=dialog: self._on_dialog_finished(d))
            self.dialog = dialog
            dialog.open()
            return
        self.apply(choice)

    def _on_dialog_finished(self, dialog: CloseDialog) -> None:
        choice = dialog.choice
        if dialog.remember:
            self.settings.set_close_action(choice.value)
            self.close_actions[choice.value].setChecked(True)
        dialog.deleteLater()
        if self.dialog is dialog:
            self.dialog = None
        self.apply(choice)

    def apply(self, choice: CloseChoice) -> None:
        w = self.window
        if choice is CloseChoice.TRAY:
            w.hide()
            if not self._told_tray and self.tray is not None:
                self._told_tray = True
                self.tray.notify(
                    "KCP Desk",
                    translate("LifeActions", "Tunnels keep running. The tray icon brings it back."),
                )
        elif choice is CloseChoice.QUIT:
            w.desk.spawn(w.request_quit())

    def notify_sink(self) -> Sink | None:
        """Where ``app.notify.Notifier`` sends connect/drop/error notifications: the tray."""
        return tray_sink(self.tray.icon) if self.tray is not None else None

    def notify(self, title: str, text: str, level: str = "info") -> bool:
        """A desktop notification through the tray; False when there is none."""
        return self.tray.notify(title, text, level) if self.tray is not None else False

    def shutdown(self) -> None:
        """Quitting: remember what runs before the tunnels stop, drop the tray icon."""
        self.session.freeze()
        if self.tray is not None:
            self.tray.hide()

    # --- slots --------------------------------------------------------------------------------

    @asyncSlot()
    async def _on_start_all(self) -> None:
        failed = await self.window.desk.start_all()
        if failed:
            self.window.statusBar().showMessage(
                translate("LifeActions", "Not started: %1 (see each profile's status)").replace(
                    "%1", ", ".join(failed)
                ),
                15000,
            )
        self.window.refresh_after_tunnels()

    @asyncSlot()
    async def _on_stop_all(self) -> None:
        await self.window.desk.stop_all()
        self.window.refresh_after_tunnels()

    def _on_autostart_toggled(self, on: bool) -> None:
        try:
            self.autostart.set_enabled(on)
        except OSError as exc:
            self.window.statusBar().showMessage(
                translate("LifeActions", "Start at login: %1").replace("%1", str(exc)), 15000
            )
            self.act_autostart.blockSignals(True)
            self.act_autostart.setChecked(not on)
            self.act_autostart.blockSignals(False)
