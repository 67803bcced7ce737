"""The Tune and share-link menu entries, installed into the main window with one call.

Kept out of ``main_window.py`` (which is being split into a controller) so the window's only
hook is ``tune_actions.install(self)``. Each entry opens a dialog on the selected profile.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from app.controllers.tune import TuneController
from app.i18n import translate
from kcpcore.sharelink import SCHEME

from .menu_lookup import menu_named
from .share_link import ImportLinkDialog, ShareLinkDialog
from .tune_dialog import TuneDialog


def _client_selected(window: Any) -> str:
    name = window.current_name
    if name and name in window.manager and window.manager.profile(name).role == "client":
        return str(name)
    QMessageBox.information(
        window,
        translate("TuneActions", "KCP Desk"),
        translate("TuneActions", "Select a client profile first."),
    )
    return ""


def open_tune(window: Any) -> TuneDialog | None:
    name = _client_selected(window)
    if not name:
        return None
    dialog = TuneDialog(TuneController(window.manager, name, parent=window), window)
    dialog.open()
    return dialog


def open_share(window: Any) -> ShareLinkDialog | None:
    name = _client_selected(window)
    if not name:
        return None
    dialog = ShareLinkDialog(window.manager.profile(name), window)
    dialog.open()
    return dialog


def open_import(window: Any) -> ImportLinkDialog:
    dialog = ImportLinkDialog(window)
    clip = QGuiApplication.clipboard().text().strip()
    if clip.lower().startswith(SCHEME):
        dialog.set_text(clip)

    def accepted() -> None:
        link = dialog.result_link
        if link is not None:
            window.new_profile(
                "client", link.config, link.remark or translate("TuneActions", "Imported link")
            )

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog


def install(window: Any) -> None:
    """Add "Tune this link", "Share link / QR code" (Profile menu) and "Import kcptun://
    link" (File menu) to ``window``."""
    entries = (
        (
            "Profile",
            translate("TuneActions", "T&une this link\u2026"),
            open_tune,
            translate("TuneActions", "Measure, and what to change and why"),
        ),
        (
            "Profile",
            translate("TuneActions", "S&hare link / QR code\u2026"),
            open_share,
            translate("TuneActions", "kcptun:// link of this client"),
        ),
        (
            "File",
            translate("TuneActions", "Import kcptun:// lin&k\u2026"),
            open_import,
            translate("TuneActions", "Paste a kcptun_gclient link"),
        ),
    )
    for menu_title, text, opener, tip in entries:
        action = QAction(text, window)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _c=False, o=opener: o(window))
        menu = menu_named(window, menu_title)
        if menu is not None:
            menu.addAction(action)
        setattr(window, "act_" + opener.__name__, action)
