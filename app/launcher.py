"""``kcpdesk``, the console script: open the window, or run the headless command.

Bare ``kcpdesk`` and ``kcpdesk --demo``/``--basedir``/... (``app.options``) open the window;
everything else (``client``, ``server``, ``--help``...) is ``kcpcore.cli.main``. Qt is imported
only when the window is wanted, so a headless ``pip install kcpdesk`` (no ``[gui]`` extra) runs
``kcpdesk client|server`` as before and says what to install when asked for the window.

This is the only place that chooses between the two; kcpcore never imports ``app``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from app.options import GUI_OPTIONS
from kcpcore import cli

__all__ = ["main", "wants_window"]


def wants_window(args: Sequence[str]) -> bool:
    """Whether a ``kcpdesk`` command line asks for the window rather than a subcommand."""
    return not args or args[0].partition("=")[0] in GUI_OPTIONS


def open_window(args: Sequence[str]) -> int:
    """``app.main.main(args)``, or one error line when PySide6 & co. are not installed.

    A KCP Desk already running over the same profiles gets the request instead
    (``app.handover``), before the window's heavy modules are imported.
    """
    try:
        from app.handover import hand_over

        handed = hand_over(list(args))
        if handed is not None:
            return handed
        from app.main import main as gui_main
    except ImportError as exc:
        cli.error(
            f"the GUI is not installed ({exc}): pip install kcpdesk[gui], or use "
            f"'{cli.PROG} client --help' / '{cli.PROG} server --help'"
        )
        return cli.EXIT_USAGE
    rc = gui_main(list(args))
    return rc if isinstance(rc, int) else cli.EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """The ``kcpdesk`` console script (and the frozen bundle's entry point)."""
    args = sys.argv[1:] if argv is None else list(argv)
    return open_window(args) if wants_window(args) else cli.main(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
