"""Start the desktop app: QApplication identity, the qasync loop, the window, clean exit.

One instance per user and config directory (``app.single_instance``): a second launch hands
its request (show the window, ``--start NAME``, ``--stop NAME``) to the first and exits.

Shutdown path (no spinning anywhere): Quit (menu, tray, window close, as the user chose in
``app.views.close_dialog``; Ctrl+C, SIGTERM, --smoke-test without asking)
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

from app import i18n, qtcompat, resources
from app.controllers import netwatch
from app.controllers.manager import ProfileManager
from app.handover import hand_over
from app.i18n import translate
from app.loop import ContextQEventLoop
from app.models.logbook import LogBook
from app.options import parse_args
from app.settings import UiSettings
from app.single_instance import InstanceServer, instance_key
from app.theme import Scheme, Theme
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
    Theme.install(app, Scheme(UiSettings().theme()))  # palette and style sheet
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
    handed = hand_over(argv)  # again: app.launcher tried, but python -m app comes here
    if handed is not None:
        return handed
    app = make_app(qt_args)
    i18n.install(UiSettings().language(), app)  # before any widget is built
    key = instance_key(config_dir())
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
    netwatch.attach(
        manager, parent=app, loop=loop
    )  # clients reconnect after a sleep or network change
    window = MainWindow(manager, logbook, use_tray=not args.smoke_test)
    window.quit_future = loop.create_future()
    server = InstanceServer(key, window.desk.handle_request, window.desk.spawn, window)
    if not server.listen():
        log.warning("another KCP Desk may be starting over the same profiles")
    window.load_profiles()
    _show(window, minimized=args.minimized)
    freeze_startup_objects()
    result = {"rc": 0}
    loop.call_soon(_start_at_launch, window, args.start)
    if args.demo:
        loop.call_soon(window.desk.spawn, _start_demo(window, result))
    if args.smoke_test:
        QTimer.singleShot(args.smoke_test, lambda: _end_smoke(window, args.screenshot, result))
    rc = _run(loop, window)
    server.close()
    logbook.uninstall()
    return result["rc"] or rc


def _run(loop: ContextQEventLoop, window: MainWindow) -> int:
    """Run until the window quits; Ctrl+C and SIGTERM (logout, ``kill``) quit like the menu
    does, without asking: tunnels stop, totals and the running set are written."""
    poll = QTimer()
    poll.start(SIGNAL_POLL_MS)
    poll.timeout.connect(lambda: None)
    signals = [signal.SIGINT] + ([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])
    previous = {
        s: signal.signal(s, lambda *_a: window.desk.spawn(window.request_quit())) for s in signals
    }
    assert window.quit_future is not None
    try:
        with loop:
            return int(loop.run_until_complete(window.quit_future))
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _show(window: MainWindow, *, minimized: bool) -> None:
    """Show the window; ``--minimized`` (start at login) leaves it in the tray (or
    minimised where there is no tray)."""
    if not minimized:
        window.show()
    elif window.tray is None:
        window.showMinimized()


def _start_at_launch(window: MainWindow, names: list[str]) -> None:
    """Reconnect what ran at the last quit (when the user chose so) and ``--start NAME``."""
    for name in names:
        if name not in window.manager:
            print(f"kcpdesk: no profile named {name!r}", file=sys.stderr)
            window.statusBar().showMessage(
                translate("main", "No profile named '{name}' to start").format(name=name), 15000
            )
    for name in window.life.session.to_restore(names):
        window.desk.spawn(window.start_profile(name))


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
        f" demo_bytes={moved} lang={i18n.current()}",
        flush=True,
    )
    window.desk.spawn(window.request_quit())
