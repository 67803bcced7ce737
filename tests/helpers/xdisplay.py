"""A virtual X display with a window manager, for real-window checks and screenshots.

``x_display("1366x768")`` starts ``Xvfb`` on a free display (``-displayfd``: the server picks
the number, no race with other runs) and ``openbox`` on it when installed (a window manager
draws frames and places windows, which is what decides whether a window fits a screen), and
yields the environment to run a Qt program there. Both are always stopped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator

WM_SETTLE: float = 0.5  # s for the window manager to take the display before a window maps


def available() -> bool:
    return shutil.which("Xvfb") is not None


@contextlib.contextmanager
def x_display(size: str = "1366x768") -> Iterator[dict[str, str]]:
    """Xvfb at ``size`` (WxH) plus openbox; the environment (DISPLAY, QT_QPA_PLATFORM=xcb)."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        number = f.readline().strip()
    wm = None
    try:
        if not number:
            raise RuntimeError("Xvfb did not start")
        env = dict(os.environ, DISPLAY=f":{number}", QT_QPA_PLATFORM="xcb")
        if shutil.which("openbox"):
            wm = subprocess.Popen(
                ["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(WM_SETTLE)
        yield env
    finally:
        for proc in (wm, xvfb):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
