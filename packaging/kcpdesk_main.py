"""The frozen bundle's entry point: the ``kcpdesk`` console script, in one executable.

No arguments (a double click) opens the window; ``kcpdesk client ...`` / ``kcpdesk server ...``
run headless with kcptun's flags (``app.launcher.main`` decides, exactly as for the pip install).

Windows: the GUI executable is built with ``console=False``, so it has no stdout/stderr. When it
is started from a terminal with arguments, it attaches to the parent console and reopens the
standard streams there (output shows up, but the shell does not wait for it);
``kcpdesk-cli.exe`` next to it is the console build for scripts and pipes.
"""

from __future__ import annotations

import os
import sys


def _attach_windows_console() -> None:
    """Give a ``console=False`` Windows build its parent's console for CLI output."""
    if sys.platform != "win32" or sys.stdout is not None:
        return
    import ctypes

    attach_parent_process = -1
    if not ctypes.windll.kernel32.AttachConsole(attach_parent_process):
        sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        return
    sys.stdout = open("CONOUT$", "w", encoding="utf-8", buffering=1)  # noqa: SIM115
    sys.stderr = open("CONOUT$", "w", encoding="utf-8", buffering=1)  # noqa: SIM115
    sys.stdin = open("CONIN$", encoding="utf-8")  # noqa: SIM115


def main() -> int:
    if sys.platform == "darwin":  # Finder on old macOS adds a process serial number argument
        sys.argv[1:] = [a for a in sys.argv[1:] if not a.startswith("-psn_")]
    if len(sys.argv) > 1:
        _attach_windows_console()
    from app.launcher import main as launcher_main

    return launcher_main()


if __name__ == "__main__":
    sys.exit(main())
