"""Icons and the stylesheet, read from the repository's ``resources/`` folder.

Plain files (no rcc step, no generated modules). When the folder is missing, as in an install
that left the data behind, the app still runs: the icon falls back to one painted here and
the stylesheet to none.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap


def _find_resources() -> Path:
    """The repository's (or the bundle's) ``resources/`` next to ``app/``; in a wheel install,
    ``<prefix>/share/kcpdesk`` (pyproject's data-files)."""
    beside = Path(__file__).resolve().parent.parent / "resources"
    if beside.is_dir():
        return beside
    return Path(sys.prefix) / "share" / "kcpdesk"


RESOURCES = _find_resources()


def path(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


@cache
def app_icon() -> QIcon:
    """The window/tray icon: the committed PNG sizes (no SVG plugin needed)."""
    icon = QIcon()
    icons = path("icons")
    for png in sorted(icons.glob("kcpdesk*.png")) if icons.is_dir() else ():
        icon.addFile(str(png))
    if icon.isNull():
        icon = QIcon(_painted_icon())
    return icon


def _painted_icon(size: int = 64) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor("#2f80ed"))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(2, 2, size - 4, size - 4), size * 0.2, size * 0.2)
    p.setBrush(QColor("white"))
    p.drawRoundedRect(QRectF(size * 0.2, size * 0.4, size * 0.6, size * 0.2), 6, 6)
    p.end()
    return pm


def stylesheet(name: str = "light") -> str:
    qss = path("styles", f"{name}.qss")
    try:
        return qss.read_text("utf-8")
    except OSError:
        return ""


@cache
def status_icon(color: str, size: int = 12) -> QIcon:
    """A filled circle: the status light used in menus and the tray.

    One icon per colour and size, made once: every new QIcon has a new cache key, and each
    ``pixmap()`` of it went into ``QPixmapCache`` under that key. Made afresh on every
    sample (the header's light did that, twice a second), they filled the cache and the heap
    while the app ran (issue 16's growing RSS; benchmarks/README.md, "app_memory.py").
    """
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(color))
    p.setPen(QColor(color).darker(130))
    p.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    p.end()
    return QIcon(pm)
