"""The window's command-line options (``python -m app``, ``kcpdesk --demo``...): one table.

Qt-free on purpose: ``app.launcher`` reads the option names from here to decide whether a
``kcpdesk`` command line means "open the window" before anything imports Qt, and
``app.main`` parses with the parser built from the same table, so the two cannot drift apart.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, Final

from kcpcore.profiles import CONFIG_DIR_ENV

__all__ = ["GUI_OPTIONS", "parse_args", "parser"]

_OPTIONS: Final[tuple[tuple[str, dict[str, Any]], ...]] = (
    (
        "--demo",
        {
            "action": "store_true",
            "help": "start the built-in loopback demo (server, lossy link, client, traffic)",
        },
    ),
    (
        "--basedir",
        {"metavar": "DIR", "help": f"keep profiles and settings in DIR (like ${CONFIG_DIR_ENV})"},
    ),
    (
        "--smoke-test",
        {
            "metavar": "MS",
            "type": int,
            "default": 0,
            "help": "quit by itself after MS milliseconds (packaging and CI checks)",
        },
    ),
    (
        "--screenshot",
        {
            "metavar": "PNG",
            "help": "with --smoke-test: save the window as PNG just before quitting",
        },
    ),
    ("--debug", {"action": "store_true", "help": "debug-level log, also on stderr"}),
    (
        "--start",
        {
            "metavar": "NAME",
            "action": "append",
            "default": [],
            "help": "start the profile NAME in the running KCP Desk (or open KCP Desk and "
            "start it); may be repeated",
        },
    ),
    (
        "--stop",
        {
            "metavar": "NAME",
            "action": "append",
            "default": [],
            "help": "stop the profile NAME in the running KCP Desk; may be repeated",
        },
    ),
    (
        "--minimized",
        {
            "action": "store_true",
            "help": "start in the tray without showing the window (start at login uses it)",
        },
    ),
)

GUI_OPTIONS: Final = frozenset(name for name, _ in _OPTIONS)
"""Options that mean "open the window" when they start a ``kcpdesk`` command line."""


def parser() -> argparse.ArgumentParser:
    """The window's options (Qt's own, like ``-platform``, pass through ``parse_args``)."""
    p = argparse.ArgumentParser(prog="kcpdesk", description="KCP Desk, the desktop app.")
    for name, kwargs in _OPTIONS:
        p.add_argument(name, **kwargs)
    return p


def parse_args(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """(the window's options, the arguments left for ``QApplication``)."""
    return parser().parse_known_args(argv)
