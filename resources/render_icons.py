"""Render ``icons/kcpdesk.svg`` to the PNG sizes desktops want (run after editing the SVG).

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/render_icons.py

Uses QtSvg from PySide6-Essentials; the PNGs are committed so the app needs no SVG plugin.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SIZES = (16, 32, 48, 64, 128, 256)


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(HERE / "icons" / "kcpdesk.svg"))
    if not renderer.isValid():
        print("kcpdesk.svg did not parse", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        name = "kcpdesk.png" if size == 256 else f"kcpdesk-{size}.png"
        image.save(str(HERE / "icons" / name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
