"""``python -m kcpcore client|server [kcptun flags]``: the command line without the GUI.

Unlike the ``kcpdesk`` console script (``app.launcher``), running with no arguments prints the
usage: kcpcore never imports Qt or ``app``.
"""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
