"""View -> Theme: System (follow the desktop), Light, Dark; the choice is kept in the settings.

Installed into the main window with one call, like ``tune_actions``; the theme itself
(palette, style sheet, following the desktop) is ``app.theme``.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMenu

from app import theme as theme_mod
from app.i18n import QT_TRANSLATE_NOOP, translate
from app.theme import Scheme, Theme

LABELS: Final = (
    (Scheme.SYSTEM, QT_TRANSLATE_NOOP("ThemeMenu", "&System (follow the desktop)")),
    (Scheme.LIGHT, QT_TRANSLATE_NOOP("ThemeMenu", "&Light")),
    (Scheme.DARK, QT_TRANSLATE_NOOP("ThemeMenu", "&Dark")),
)


def install(window: Any, view_menu: QMenu) -> dict[Scheme, QAction]:
    """Add the Theme submenu to ``view_menu``; returns its actions by scheme (tests use them)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme = theme_mod.current(app) or Theme.install(app, Scheme(window.settings.theme()))
    menu = view_menu.addMenu(translate("ThemeMenu", "&Theme"))
    group = QActionGroup(menu)
    group.setExclusive(True)
    actions: dict[Scheme, QAction] = {}
    for scheme, label in LABELS:
        a = menu.addAction(translate("ThemeMenu", label))
        a.setCheckable(True)
        a.setChecked(theme.choice is scheme)
        group.addAction(a)
        a.triggered.connect(lambda _c=False, s=scheme: choose(window, theme, s))
        actions[scheme] = a
    return actions


def choose(window: Any, theme: Theme, scheme: Scheme) -> None:
    window.settings.set_theme(scheme.value)
    theme.set_choice(scheme)
