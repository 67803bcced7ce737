"""``python -m app [--demo] [--basedir DIR] [--smoke-test MS] [--screenshot PNG] [--debug]``."""

from __future__ import annotations

import sys

from app.main import main

if __name__ == "__main__":
    sys.exit(main())
