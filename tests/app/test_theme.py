"""Light and dark (issue 16): the View -> Theme choice and the desktop's scheme recolour the
window and the charts, and the choice is kept."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app import theme as theme_mod
from app.settings import UiSettings
from app.theme import Scheme

pytestmark = pytest.mark.gui


def lightness_at_corner(widget: Any) -> int:
    """The painted background of a chart (its bottom-right corner is never a line or label)."""
    img = widget.grab().toImage()
    return QColor(img.pixel(img.width() - 3, img.height() - 3)).lightness()


def window_lightness() -> int:
    return QApplication.palette().color(QPalette.ColorRole.Window).lightness()


@pytest.fixture
def light_again(qapp: Any) -> Any:
    yield
    theme = theme_mod.current(qapp)
    if theme is not None:
        theme.set_choice(Scheme.LIGHT)


def test_dark_and_light_recolour_window_and_charts(
    window: Any, qtbot: Any, light_again: Any
) -> None:
    plot = next(iter(window.charts.plots.values()))
    window.theme_actions[Scheme.LIGHT].trigger()
    qtbot.waitUntil(lambda: lightness_at_corner(plot) > 200)
    assert window_lightness() > 200
    light_pen = plot._pens[plot.curves_spec[0].column].color()

    window.theme_actions[Scheme.DARK].trigger()
    qtbot.waitUntil(lambda: lightness_at_corner(plot) < 60)
    assert window_lightness() < 80
    assert theme_mod.is_dark(window.palette()) and theme_mod.is_dark(plot.palette())
    assert plot.colors.foreground.lightness() > 180  # labels readable on the dark ground
    assert plot._pens[plot.curves_spec[0].column].color() != light_pen  # accents for dark
    assert "#1f2023" in QApplication.instance().styleSheet()  # the dark sheet
    assert UiSettings().theme() == "dark"  # kept for the next start

    window.theme_actions[Scheme.LIGHT].trigger()
    qtbot.waitUntil(lambda: lightness_at_corner(plot) > 200)
    assert UiSettings().theme() == "light"


def test_system_choice_follows_the_desktop(
    window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, light_again: Any
) -> None:
    plot = next(iter(window.charts.plots.values()))
    desktop = {"dark": False}
    monkeypatch.setattr(theme_mod, "system_dark", lambda: desktop["dark"])
    window.theme_actions[Scheme.SYSTEM].trigger()
    qtbot.waitUntil(lambda: lightness_at_corner(plot) > 200)
    desktop["dark"] = True  # the desktop switches: Qt emits colorSchemeChanged
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: lightness_at_corner(plot) < 60)
    assert window_lightness() < 80
    # an explicit choice wins over the desktop
    window.theme_actions[Scheme.LIGHT].trigger()
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: lightness_at_corner(plot) > 200)
    assert window_lightness() > 200


def test_unknown_setting_reads_as_system(config_dir: Any) -> None:
    s = UiSettings()
    s.set_theme("purple")
    assert s.theme() == "system"
