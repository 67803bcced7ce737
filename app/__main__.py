"""``python -m app [--demo] [--basedir DIR] [--smoke-test MS] [--screenshot PNG] [--debug]``."""

from __future__ import annotations

import sys

from app.launcher import open_window

if __name__ == "__main__":
    # through the launcher: a second launch hands over before the window's modules load
    sys.exit(open_window(sys.argv[1:]))
