"""Finding the window's menus by object name, for modules that add actions to them."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMenu


def menu_named(window: Any, title: str) -> QMenu | None:
    """The menu bar's menu named ``menu<title>`` (by object name: its text is translated)."""
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and menu.objectName() == "menu" + title:
            return menu
    return None
