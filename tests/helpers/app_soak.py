"""The window with the demo running, sampled faster than a user's: a quick soak for leaks.

``python -m tests.helpers.app_soak --seconds 40 --period 0.1`` builds the window as
``kcpdesk --demo`` does, starts the demo (256 kB/s each way through the lossy relay), makes
the demo client's sampling (and so the charts' redraws, the diagnostics and the list row) run
every ``--period`` s instead of 0.5 s, and prints one JSON line every ``--every`` s:
seconds since the demo started, RSS in MB, the window's QObject count and the Python objects
the collector tracks. ``tests/app/test_memory_guard.py`` reads them; a steady leak per
sample shows up ``0.5 / period`` times faster than in a real run.

``--leak-kb N`` keeps N kB more per sample (the test's proof that the guard can fail).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def soak(window: Any, args: argparse.Namespace) -> None:
    from PySide6.QtCore import QObject

    assert await window.start_demo(), "the demo did not start"
    window.demo.set_rate(args.rate)
    hoard: list[bytes] = []
    for name in (window.demo.client_name, window.demo.server_name):
        ctrl = window.manager.controller(name)
        ctrl._timer.setInterval(int(args.period * 1000))  # faster sampling, same code path
        if args.leak_kb and name == window.demo.client_name:
            ctrl.sampled.connect(lambda *_a: hoard.append(b"\x01" * args.leak_kb * 1024))
    t0 = time.monotonic()
    while (elapsed := time.monotonic() - t0) < args.seconds:
        await asyncio.sleep(args.every)
        row = {
            "t": round(elapsed, 1),
            "rss_mb": round(rss_mb(), 2),
            "qobjects": len(window.findChildren(QObject)),
            "py_objects": len(gc.get_objects()),
            "received": window.demo.traffic.received,
        }
        print(json.dumps(row), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=40.0)
    ap.add_argument("--period", type=float, default=0.1, help="sampling period, s")
    ap.add_argument("--every", type=float, default=2.0, help="s between report lines")
    ap.add_argument("--leak-kb", type=int, default=0)
    ap.add_argument(
        "--rate",
        type=float,
        default=256_000,
        help="demo traffic, B/s each way; below what the lossy link carries, so the tunnel's "
        "queues do not fill up during the run (that is warm-up, not a leak)",
    )
    args = ap.parse_args()

    from app.controllers.manager import ProfileManager
    from app.loop import ContextQEventLoop
    from app.main import freeze_startup_objects, make_app
    from app.models.logbook import LogBook
    from app.views.main_window import MainWindow
    from kcpcore.profiles import ProfileStore

    app = make_app()
    loop = ContextQEventLoop(app)
    asyncio.set_event_loop(loop)
    logbook = LogBook()
    logbook.install()
    window = MainWindow(ProfileManager(ProfileStore(), logbook), logbook, use_tray=False)
    window.resize(1240, 700)
    window.load_profiles()
    window.show()
    freeze_startup_objects()

    async def run() -> None:
        try:
            await soak(window, args)
        finally:
            await window.shutdown()

    with loop:
        loop.run_until_complete(run())
    logbook.uninstall()
    return 0


if __name__ == "__main__":
    sys.exit(main())
