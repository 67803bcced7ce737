"""Light or dark: follows the desktop (Qt 6.5+ ``QStyleHints.colorScheme``), or the user's choice.

The choice (System, Light, Dark) is a UI setting (``UiSettings.theme``). ``Theme.apply`` sets
the application palette (Fusion's light one, or the dark one below), the matching style sheet
(``resources/styles/light.qss`` / ``dark.qss``) and, on Qt 6.8+, tells the platform the scheme
(window title bars follow where the platform draws them). While the choice is System, a
desktop switch (``colorSchemeChanged``) re-applies at once.

Widgets that paint themselves (the charts, the profile list's status text) read the palette
they are given: a palette change reaches them as ``QEvent.PaletteChange``. Their accent colours
come from ``chart_colors``, which has a variant for each background: the light theme's
saturated blue is hard to read on a dark grey.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from app import resources


class Scheme(StrEnum):
    """What the user chose in View -> Theme."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True, slots=True)
class ChartColors:
    """A chart's colours on one background."""

    background: QColor
    foreground: QColor
    """title, legend and tick labels"""
    grid: QColor
    series: dict[str, QColor]
    """accent name (``Curve.color``) -> colour"""


_SERIES_LIGHT: Final = {
    "blue": "#2f80ed",
    "orange": "#e07b24",
    "red": "#d93025",
    "green": "#27ae60",
    "purple": "#9b51e0",
    "grey": "#6b7280",
}
_SERIES_DARK: Final = {
    "blue": "#6ea8fe",
    "orange": "#f5a55a",
    "red": "#ff6b61",
    "green": "#5dd68b",
    "purple": "#c39bf5",
    "grey": "#aab2bf",
}


PALETTE_BLIND: Final = frozenset({"windowsvista", "windows"})
"""styles that ignore the application palette (a dark palette would not show)"""


def is_dark(palette: QPalette) -> bool:
    """A dark palette: its window colour is darker than its text."""
    return (
        palette.color(QPalette.ColorRole.Window).lightness()
        < palette.color(QPalette.ColorRole.WindowText).lightness()
    )


def chart_colors(palette: QPalette) -> ChartColors:
    """The chart colours for ``palette`` (a widget's): background and text from it, accents
    from the light or dark set."""
    dark = is_dark(palette)
    fg = QColor(palette.color(QPalette.ColorRole.WindowText))
    grid = QColor(fg)
    grid.setAlpha(50 if dark else 40)
    series = _SERIES_DARK if dark else _SERIES_LIGHT
    return ChartColors(
        background=QColor(palette.color(QPalette.ColorRole.Base)),
        foreground=fg,
        grid=grid,
        series={k: QColor(v) for k, v in series.items()},
    )


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style (greys with enough contrast, blue highlight)."""
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    p = QPalette()
    colours = {
        role.Window: "#2b2d31",
        role.WindowText: "#e6e6e6",
        role.Base: "#1f2023",
        role.AlternateBase: "#2b2d31",
        role.ToolTipBase: "#3a3d42",
        role.ToolTipText: "#f0f0f0",
        role.PlaceholderText: "#8b9098",
        role.Text: "#e6e6e6",
        role.Button: "#36383d",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff6b61",
        role.Light: "#4a4d53",
        role.Midlight: "#3f4247",
        role.Mid: "#2f3135",
        role.Dark: "#1b1c1f",
        role.Shadow: "#101113",
        role.Highlight: "#3d7bd9",
        role.HighlightedText: "#ffffff",
        role.Link: "#6ea8fe",
        role.LinkVisited: "#c39bf5",
    }
    for r, c in colours.items():
        p.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7c818a"))
    p.setColor(group.Disabled, role.Base, QColor("#26282b"))
    p.setColor(group.Disabled, role.Button, QColor("#2f3135"))
    return p


def system_dark() -> bool:
    """The desktop asks for dark (Qt 6.5+; an unknown scheme counts as light)."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


class Theme(QObject):
    """Applies the chosen scheme to the application; follows the desktop while on System."""

    changed = Signal(bool)
    """the scheme now shown is dark (True) or light"""

    def __init__(self, app: QApplication, choice: Scheme = Scheme.SYSTEM) -> None:
        super().__init__(app)
        self.app = app
        self.choice = choice
        self.dark = False
        self._applying = False
        styles = QStyleFactory.keys()
        if app.style().name().lower() in PALETTE_BLIND and "Fusion" in styles:
            app.setStyle("Fusion")  # Windows' classic styles draw their own colours
        self._light = QPalette(app.style().standardPalette())
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_changed)

    @classmethod
    def install(cls, app: QApplication, choice: Scheme = Scheme.SYSTEM) -> Theme:
        """The application's theme, created and applied on the first call."""
        theme = current(app)
        if theme is None:
            theme = cls(app, choice)
            theme.apply()
        return theme

    def set_choice(self, choice: Scheme) -> None:
        self.choice = choice
        self.apply()

    def wants_dark(self) -> bool:
        if self.choice is Scheme.SYSTEM:
            return system_dark()
        return self.choice is Scheme.DARK

    def apply(self) -> None:
        """Palette, style sheet and (Qt 6.8+) the platform's scheme for the current choice."""
        if self._applying:
            return
        self._applying = True
        try:
            dark = self.wants_dark()
            hints = QGuiApplication.styleHints()
            if hasattr(hints, "setColorScheme"):  # Qt 6.8+
                hints.setColorScheme(
                    Qt.ColorScheme.Unknown
                    if self.choice is Scheme.SYSTEM
                    else (Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
                )
            self.app.setPalette(dark_palette() if dark else self._light)
            self.app.setStyleSheet(resources.stylesheet("dark" if dark else "light"))
            self.dark = dark
        finally:
            self._applying = False
        self.changed.emit(dark)

    def _on_system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.choice is Scheme.SYSTEM and not self._applying:
            self.apply()


def current(app: QApplication | None = None) -> Theme | None:
    """The theme installed on ``app`` (the running application by default), if any."""
    app = app or QApplication.instance()  # type: ignore[assignment]
    return app.findChild(Theme) if app is not None else None
