"""pyqtgraph charts. pyqtgraph is imported and configured here once; views import from here.

Light background to match the window, antialiasing on (four small plots at 2 Hz are cheap).
"""

from __future__ import annotations

import pyqtgraph as pg

pg.setConfigOptions(antialias=False, background="w", foreground="#374151")

__all__ = ["pg"]
