"""Screenshots of the real window, as a user's screen shows it (frame and all), to look at.

For each screen size and theme: a virtual X server with a window manager
(``tests/helpers/xdisplay.py``), the app started as ``kcpdesk`` starts it, driven through a
few scenes, the whole screen saved as PNG after each. Prints, per scene, the window's frame
against the screen's available area (``fits`` or ``OUT``).

    .venv/bin/python scripts/screens.py --out /tmp/shots
    .venv/bin/python scripts/screens.py --sizes 900x600 --themes dark --scenes demo,rename
    .venv/bin/python scripts/screens.py --langs zh_CN --scenes wrong-key,checksum

``--langs en,zh_CN`` takes each screen in each language (default: English).

Scenes: empty (first start), rename (the Rename dialog over a saved profile), settings (that
profile's Settings tab), errors (a new client profile with bad values, after Save), demo
(``--demo`` running, Monitor tab), demo-settings, log, wrong-key (a client whose server has
another key, past the 15 s stall watch) and checksum (a server whose client has another key);
the other ends are our headless engine.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SCENES = (
    "empty",
    "rename",
    "settings",
    "errors",
    "demo",
    "demo-settings",
    "log",
    "wrong-key",
    "checksum",
)
MISMATCH_WAIT = 20.0  # s after the first packets: past the client's 15 s stall watch
DEMO_WARMUP = 10.0  # s of demo traffic before its screenshot: the charts have a history


def parent(args: argparse.Namespace) -> int:
    from tests.helpers.xdisplay import x_display

    args.out.mkdir(parents=True, exist_ok=True)
    rc = 0
    for size in args.sizes.split(","):
        for theme, lang in (
            (t, la) for t in args.themes.split(",") for la in args.langs.split(",")
        ):
            with x_display(size) as env, tempfile.TemporaryDirectory() as base:
                env = dict(env, KCPDESK_CONFIG_DIR=base)
                cmd = [sys.executable, __file__, "--child", "--theme", theme, "--lang", lang]
                stem = f"{size}-{theme}-" + ("" if lang == "en" else f"{lang}-")
                cmd += ["--scenes", args.scenes, "--prefix", str(args.out / stem)]
                cmd += ["--warmup", str(args.warmup)]
                proc = subprocess.run(cmd, env=env, cwd=REPO, timeout=180, check=False)
                rc = rc or proc.returncode
    return rc


def child(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app import i18n
    from app.controllers.manager import ProfileManager
    from app.loop import ContextQEventLoop
    from app.main import make_app
    from app.models.logbook import LogBook
    from app.settings import UiSettings
    from app.views.main_window import MainWindow
    from kcpcore.profiles import ProfileStore

    UiSettings().set_theme(args.theme)
    UiSettings().set_language(args.lang)
    app = make_app()
    i18n.install(args.lang, app)  # as app.main does, before any widget is built
    loop = ContextQEventLoop(app)
    asyncio.set_event_loop(loop)
    logbook = LogBook()
    logbook.install()
    manager = ProfileManager(ProfileStore(), logbook)
    window = MainWindow(manager, logbook, use_tray=False)
    window.load_profiles()
    window.show()
    window.ask = lambda _title, _text: True  # no modal question in the middle of a scene
    scenes = args.scenes.split(",")

    def shot(name: str) -> None:
        screen = window.screen()
        frame, avail = window.frameGeometry(), screen.availableGeometry()
        fits = avail.contains(frame)
        path = f"{args.prefix}{name}.png"
        screen.grabWindow(0).save(path)
        print(
            f"{Path(path).name}: frame {frame.width()}x{frame.height()}+{frame.x()}+{frame.y()}"
            f" in {avail.width()}x{avail.height()}: {'fits' if fits else 'OUT'};"
            f" minimum {window.minimumSizeHint().width()}x{window.minimumSizeHint().height()}",
            flush=True,
        )

    async def scenario() -> None:
        await run_scenes(window, scenes, shot, QTimer, QApplication, args.warmup)
        await window.request_quit()

    with loop:
        loop.run_until_complete(scenario())
    logbook.uninstall()
    return 0


async def run_scenes(
    window: object,
    scenes: list[str],
    shot: Callable[[str], None],
    qtimer: type,
    qapp: type,
    warmup: float,
) -> None:
    from app.views.main_window import TAB_LOG, TAB_MONITOR, TAB_SETTINGS
    from kcpcore.config import TunnelConfig
    from kcpcore.profiles import Profile

    w: object = window
    await asyncio.sleep(1.5)
    if "empty" in scenes:
        shot("empty")
    name = "Office tunnel to Frankfurt"
    w.manager.save(  # type: ignore[attr-defined]
        Profile(name, TunnelConfig(role="client", remoteaddr="203.0.113.7:29900"))
    )
    w.select(name)  # type: ignore[attr-defined]
    if "rename" in scenes:
        qtimer.singleShot(0, w._on_rename)  # type: ignore[attr-defined]  # exec()s its dialog
        await asyncio.sleep(1.0)
        shot("rename")
        dialog = qapp.activeModalWidget()  # type: ignore[attr-defined]
        if dialog is not None:
            dialog.reject()
        await asyncio.sleep(0.3)
    if "settings" in scenes:
        w.tabs.setCurrentIndex(TAB_SETTINGS)  # type: ignore[attr-defined]
        await asyncio.sleep(0.8)
        shot("settings")
    if "errors" in scenes:
        await errors_scene(window, shot)
    if {"demo", "demo-settings", "log"} & set(scenes):
        await w.start_demo()  # type: ignore[attr-defined]
        await asyncio.sleep(warmup)
        for scene, tab in (
            ("demo", TAB_MONITOR),
            ("demo-settings", TAB_SETTINGS),
            ("log", TAB_LOG),
        ):
            if scene in scenes:
                w.tabs.setCurrentIndex(tab)  # type: ignore[attr-defined]
                await asyncio.sleep(1.0)
                shot(scene)
        await w.demo.stop()  # type: ignore[attr-defined]
    if {"wrong-key", "checksum"} & set(scenes):
        await mismatch_scenes(window, scenes, shot)


async def errors_scene(window: object, shot: Callable[[str], None]) -> None:
    """A new client profile with an unusable value in several fields, after Save."""
    w: object = window
    w.new_profile("client")  # type: ignore[attr-defined]
    editor = w.editor  # type: ignore[attr-defined]
    for field, text in (
        ("remoteaddr", "999.1.2.3:29900"),
        ("sndwnd", "0"),
        ("mtu", "abc"),
        ("datashard", "200"),
        ("parityshard", "100"),
    ):
        editor.field_input(field).setText(text)
    editor.save()
    await asyncio.sleep(0.8)
    shot("errors")


async def mismatch_scenes(window: object, scenes: list[str], shot: Callable[[str], None]) -> None:
    """Our client against a server with another key, and our server against such a client
    (both other ends headless engines, not in the list); one TCP connection each."""
    from app.views.main_window import TAB_MONITOR
    from kcpcore.aio.engine import Engine
    from kcpcore.config import TunnelConfig
    from kcpcore.profiles import Profile

    w: object = window
    theirs = "the-other-ends-key"
    far_server = Engine(TunnelConfig(role="server", listen="127.0.0.1:0", key=theirs))
    await far_server.start()
    m = w.manager  # type: ignore[attr-defined]
    ours = "Our-Key-2026-x7"
    m.save(Profile("Home server", TunnelConfig(role="server", listen="127.0.0.1:0", key=ours)))
    m.save(
        Profile(
            "Office (server has another key)",
            TunnelConfig(role="client", remoteaddr=f"127.0.0.1:{far_server.local_port}", key=ours),
        )
    )
    for name in ("Home server", "Office (server has another key)"):
        await w.start_profile(name)  # type: ignore[attr-defined]
    home = m.controller("Home server").engine
    far_client = Engine(
        TunnelConfig(
            role="client",
            localaddr="127.0.0.1:0",
            remoteaddr=f"127.0.0.1:{home.local_port}",
            key=theirs,
        )
    )
    await far_client.start()
    office = m.controller("Office (server has another key)").engine
    writers = []
    for port in (office.local_port, far_client.local_port):
        _r, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"hello" * 100)
        writers.append(writer)
    await asyncio.sleep(MISMATCH_WAIT)
    for scene, name in (
        ("wrong-key", "Office (server has another key)"),
        ("checksum", "Home server"),
    ):
        if scene in scenes:
            w.select(name)  # type: ignore[attr-defined]
            w.tabs.setCurrentIndex(TAB_MONITOR)  # type: ignore[attr-defined]
            await asyncio.sleep(1.0)
            shot(scene)
    for writer in writers:
        writer.close()
    await far_client.stop()
    await far_server.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("shots"))
    ap.add_argument("--sizes", default="1366x768,900x600")
    ap.add_argument("--themes", default="light,dark")
    ap.add_argument("--scenes", default=",".join(SCENES))
    ap.add_argument("--warmup", type=float, default=DEMO_WARMUP, help="s of demo before its shot")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--langs", default="en", help="en, zh_CN or both (comma-separated)")
    ap.add_argument("--theme", default="light", help=argparse.SUPPRESS)
    ap.add_argument("--lang", default="en", help=argparse.SUPPRESS)
    ap.add_argument("--prefix", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
