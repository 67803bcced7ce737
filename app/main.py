"""Start the desktop app: QApplication identity, the qasync loop, the window, clean exit.

Shutdown path (no spinning anywhere): Quit (menu, tray, window close, Ctrl+C, --smoke-test)
-> ``MainWindow.request_quit`` stops the demo and every tunnel (sockets closed) -> resolves
``quit_future`` -> ``run_until_complete`` returns -> the loop closes.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from app import qtcompat, resources
from app.controllers.manager import ProfileManager
from app.loop import ContextQEventLoop
from app.models.logbook import LogBook
from app.options import parse_args
from app.views.main_window import MainWindow
from kcpcore import __version__
from kcpcore.profiles import CONFIG_DIR_ENV, DIR_MODE, ProfileStore, config_dir

log = logging.getLogger(__name__)

APP_NAME: Final = "kcpdesk"  # QStandardPaths uses it: ~/.config/kcpdesk (kcpcore.profiles)
DISPLAY_NAME: Final = "KCP Desk"
SIGNAL_POLL_MS: Final = 250  # lets Python see Ctrl+C while Qt's loop has control
QT_NOISE: Final = frozenset(
    {
        "This plugin does not support propagateSizeHints()",  # offscreen platform, harmless
    }
)
_QT_LEVELS: Final = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
qt_log = logging.getLogger("app.qt")


def _on_qt_message(mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's own warnings go to the log pane (and stderr with --debug), not to the terminal."""
    if message not in QT_NOISE:
        qt_log.log(_QT_LEVELS.get(mode, logging.WARNING), "Qt: %s", message)


def make_app(qt_args: Sequence[str] = ()) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME, *qt_args])
    assert isinstance(app, QApplication)
    qtcompat.check()
    qInstallMessageHandler(_on_qt_message)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_NAME)
    app.setWindowIcon(resources.app_icon())
    app.setStyleSheet(resources.stylesheet())
    app.setQuitOnLastWindowClosed(False)  # quitting is ours: tunnels stop first
    return app


def freeze_startup_objects() -> None:
    """Move everything allocated so far (Qt wrappers, numpy, the window) out of
    the garbage collector's view.

    Those objects live until exit, yet every full collection would walk them; with a tunnel
    running flat out, full collections then stall the UI thread for tens of milliseconds
    (``benchmarks/gui_lag.py``; figures in benchmarks/README.md). Frozen, they are skipped.
    """
    gc.collect()
    gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m app`` and ``kcpdesk`` without a subcommand; returns the exit status."""
    args, qt_args = parse_args(argv)
    if args.basedir:
        os.environ[CONFIG_DIR_ENV] = str(Path(args.basedir).resolve())
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s: %(message)s")
    app = make_app(qt_args)
    loop = ContextQEventLoop(app)
    asyncio.set_event_loop(loop)
    logbook = LogBook()
    logbook.install(logging.DEBUG if args.debug else logging.INFO)
    base = config_dir()
    try:
        base.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("cannot create %s: %s", base, exc)
    manager = ProfileManager(ProfileStore(), logbook)
    window = MainWindow(manager, logbook, use_tray=not args.smoke_test)
    window.quit_future = loop.create_future()
    window.load_profiles()
    window.show()
    freeze_startup_objects()
    result = {"rc": 0}
    if args.demo:
        loop.call_soon(window.desk.spawn, _start_demo(window, result))
    if args.smoke_test:
        QTimer.singleShot(args.smoke_test, lambda: _end_smoke(window, args.screenshot, result))
    poll = QTimer()
    poll.start(SIGNAL_POLL_MS)
    poll.timeout.connect(lambda: None)
    previous = signal.signal(signal.SIGINT, lambda *_a: window.desk.spawn(window.request_quit()))
    try:
        with loop:
            rc = loop.run_until_complete(window.quit_future)
    finally:
        signal.signal(signal.SIGINT, previous)
        logbook.uninstall()
    return result["rc"] or rc


async def _start_demo(window: MainWindow, result: dict[str, int]) -> None:
    if not await window.start_demo():
        print("kcpdesk: the demo did not start (see the window's status bar)", file=sys.stderr)
        result["rc"] = 1


def _end_smoke(window: MainWindow, screenshot: str | None, result: dict[str, int]) -> None:
    """Save the screenshot, print one status line (for scripts), quit like the menu does.

    A plain timer callback, not a coroutine: ``grab()`` may deliver posted events, which must
    not happen while an asyncio task is mid-step.
    """
    if screenshot and not window.grab().save(screenshot):
        print(f"kcpdesk: cannot save {screenshot}", file=sys.stderr)
        result["rc"] = 1
    demo = window.demo
    moved = demo.traffic.received if demo.traffic is not None else 0
    print(
        f"smoke: profiles={len(window.manager.names())} running={len(window.manager.running())}"
        f" demo_bytes={moved}",
        flush=True,
    )
    window.desk.spawn(window.request_quit())
