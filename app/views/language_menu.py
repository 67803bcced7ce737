"""View > Language: follow the system, or English, or 简体中文, kept in ui.ini.

The choice takes effect at the next start: every widget sets its text once when it is built,
and rebuilding them all on the fly is not worth it for a choice made once. The languages are
named in themselves (a user who cannot read the current language can still find theirs).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from app.i18n import LANGUAGES, SYSTEM, translate


def install(window: Any, view_menu: QMenu) -> QMenu:
    """Add the Language submenu to ``view_menu``; ``window.settings`` keeps the choice."""
    menu = view_menu.addMenu(translate("LanguageMenu", "&Language"))
    menu.setObjectName("languageMenu")
    group = QActionGroup(menu)
    current = window.settings.language()
    choices = {SYSTEM: translate("LanguageMenu", "System default"), **LANGUAGES}
    for code, label in choices.items():
        action = QAction(label, menu)
        action.setCheckable(True)
        action.setChecked(code == current or (code == SYSTEM and current not in LANGUAGES))
        action.setData(code)
        group.addAction(action)
        menu.addAction(action)
    group.triggered.connect(lambda a: _chosen(window, str(a.data())))
    return menu


def _chosen(window: Any, code: str) -> None:
    if code == window.settings.language():
        return
    window.settings.set_language(code)
    window.settings.sync()
    window.statusBar().showMessage(
        translate("LanguageMenu", "The language changes when KCP Desk starts again."), 15000
    )
