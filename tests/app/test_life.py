"""Closing and quitting with tunnels running, the tray menu, Start/Stop all, reconnecting at
launch (``app.views.life_actions``, ``app.views.close_dialog``, ``app.controllers.session``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from app.views.close_dialog import CloseChoice, decide
from kcpcore.config import TunnelConfig
from kcpcore.profiles import Profile
from tests.app.conftest import run, wait_for

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("quitting", "running", "remembered", "tray", "expected"),
    [
        (False, 0, "ask", True, CloseChoice.QUIT),  # nothing to lose
        (False, 0, "tray", True, CloseChoice.TRAY),  # the user wants it in the tray
        (False, 0, "tray", False, CloseChoice.QUIT),  # ... but there is no tray now
        (True, 0, "tray", True, CloseChoice.QUIT),
        (False, 2, "ask", True, CloseChoice.ASK),
        (False, 2, "ask", False, CloseChoice.ASK),
        (False, 2, "tray", True, CloseChoice.TRAY),
        (False, 2, "tray", False, CloseChoice.ASK),  # never hide with no way back
        (True, 2, "tray", True, CloseChoice.ASK),  # Quit means quit: ask, never hide silently
        (False, 2, "quit", True, CloseChoice.QUIT),
        (True, 2, "quit", False, CloseChoice.QUIT),
    ],
)
def test_decide(
    quitting: bool, running: int, remembered: str, tray: bool, expected: CloseChoice
) -> None:
    assert decide(quitting=quitting, running=running, remembered=remembered, tray=tray) is expected


def _server(window: Any, name: str) -> None:
    window.manager.save(Profile(name, TunnelConfig(role="server", listen="127.0.0.1:0")))


def _start(window: Any, qloop: Any, *names: str) -> None:
    for n in names:
        _server(window, n)
        assert run(qloop, window.start_profile(n))


def on_loop(qloop: Any, action: Any, until: Any) -> None:
    """Run a click/close/trigger the way the app does, inside the running event loop (the
    tasks it spawns need one), and keep the loop running until ``until()`` holds."""

    async def go() -> None:
        action()
        await wait_for(until, timeout=10)

    run(qloop, go(), timeout=15)


def _dialog(window: Any, qtbot: Any) -> Any:
    qtbot.waitUntil(lambda: window.life.dialog is not None and window.life.dialog.isVisible())
    return window.life.dialog


def test_close_with_tunnels_running_asks_and_cancel_keeps_everything(
    window: Any, qloop: Any, qtbot: Any
) -> None:
    _start(window, qloop, "a", "b")
    window.quit_future = qloop.create_future()
    window.close()
    dialog = _dialog(window, qtbot)
    assert dialog.tray_button is None  # no system tray offscreen: not offered
    assert "a, b" in dialog.text()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: window.life.dialog is None)
    assert window.isVisible() and sorted(window.manager.running()) == ["a", "b"]
    assert not window.quit_future.done() and window.settings.close_action() == "ask"


def test_ctrl_q_asks_then_stop_and_quit_remembered(window: Any, qloop: Any, qtbot: Any) -> None:
    _start(window, qloop, "a")
    window.quit_future = qloop.create_future()
    window.act_quit.trigger()
    dialog = _dialog(window, qtbot)
    dialog.remember_box.setChecked(True)
    on_loop(qloop, dialog.quit_button.click, until=window.quit_future.done)
    assert window.manager.running() == [] and not window.isVisible()
    assert window.settings.close_action() == "quit"
    assert window.life.close_actions["quit"].isChecked()


def test_nothing_running_quits_without_asking(window: Any, qloop: Any) -> None:
    window.quit_future = qloop.create_future()
    on_loop(qloop, window.close, until=window.quit_future.done)
    assert window.life.dialog is None


@pytest.fixture
def tray_window(qloop: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A window with a tray icon (offscreen Qt has no system tray: pretend it has)."""
    from app.controllers.manager import ProfileManager
    from app.models.logbook import LogBook
    from app.views.main_window import MainWindow
    from app.views.tray import Tray
    from kcpcore.profiles import ProfileStore

    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    logbook = LogBook()
    win = MainWindow(ProfileManager(ProfileStore(), logbook), logbook, use_tray=True)
    win.load_profiles()
    win.show()
    yield win
    run(qloop, win.shutdown())
    win.close()
    win.deleteLater()


def test_keep_running_in_the_tray_then_remembered(tray_window: Any, qloop: Any, qtbot: Any) -> None:
    win = tray_window
    assert win.tray is not None and win.tray.is_visible()
    _start(win, qloop, "a")
    win.close()
    dialog = _dialog(win, qtbot)
    assert dialog.defaultButton() is dialog.tray_button
    dialog.remember_box.setChecked(True)
    dialog.tray_button.click()
    qtbot.waitUntil(lambda: not win.isVisible())
    assert win.manager.running() == ["a"] and win.settings.close_action() == "tray"
    win.show_raise()
    win.close()  # remembered: hides at once, no question
    assert not win.isVisible() and win.life.dialog is None and win.manager.running() == ["a"]
    # the tray's Quit asks (without the tray option) and never stops silently
    win.tray.fill()
    quit_action = win.tray.menu.actions()[-1]
    assert quit_action.text() == "Quit"
    quit_action.trigger()
    dialog = _dialog(win, qtbot)
    assert dialog.tray_button is None
    dialog.cancel_button.click()
    assert win.manager.running() == ["a"]


def test_tray_menu_has_show_start_stop_all_toggles_and_quit(
    tray_window: Any, qloop: Any, qtbot: Any
) -> None:
    win = tray_window
    _start(win, qloop, "on")
    _server(win, "off")
    win.tray.fill()
    actions = [a for a in win.tray.menu.actions() if not a.isSeparator()]
    texts = [a.text() for a in actions]
    assert texts == ["Show KCP Desk", "Start &all", "Stop a&ll", "off", "on", "Quit"]
    assert win.tray.icon.toolTip() == "KCP Desk: 1 running"
    toggles = {a.text(): a for a in actions if a.isCheckable()}
    assert toggles["on"].isChecked() and not toggles["off"].isChecked()
    on_loop(qloop, toggles["off"].trigger, until=lambda: "off" in win.manager.running())
    win.hide()
    actions[0].trigger()
    assert win.isVisible()


def test_notifications_go_through_the_tray(
    tray_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QSystemTrayIcon

    win = tray_window
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QSystemTrayIcon, "supportsMessages", staticmethod(lambda: True))
    monkeypatch.setattr(win.tray.icon, "showMessage", lambda t, x, *_a: shown.append((t, x)))
    win.notifier.tunnel_event("vps", "dropped", "no reply for 15 s")
    assert shown == [("vps: link dropped", "no reply for 15 s")]
    assert win.life.notify("KCP Desk", "hello") and shown[-1] == ("KCP Desk", "hello")


def test_start_all_and_stop_all(window: Any, qloop: Any, qtbot: Any) -> None:
    bar = [a.menu().objectName() for a in window.menuBar().actions() if a.menu()]
    assert bar.index("menuSettings") == bar.index("menuHelp") - 1  # found by name, any language
    profile_menu = next(a.menu() for a in window.menuBar().actions() if a.menu() is not None
                        and a.menu().objectName() == "menuProfile")  # fmt: skip
    assert window.life.act_start_all in profile_menu.actions()
    for n in ("x", "y", "z"):
        _server(window, n)
    assert window.life.act_start_all.isEnabled() and not window.life.act_stop_all.isEnabled()
    on_loop(
        qloop,
        window.life.act_start_all.trigger,
        until=lambda: len(window.manager.running()) == 3,
    )
    qtbot.waitUntil(lambda: window.life.act_stop_all.isEnabled())
    assert not window.life.act_start_all.isEnabled()
    on_loop(qloop, window.life.act_stop_all.trigger, until=lambda: window.manager.running() == [])


def test_running_tunnels_reconnect_at_next_launch_when_chosen(window: Any, qloop: Any) -> None:
    from app.controllers.desk import DeskController
    from app.controllers.session import SessionKeeper
    from app.settings import UiSettings

    _start(window, qloop, "keep", "also")
    _server(window, "idle")
    run(qloop, window.stop_profile("also"))
    window.life.act_restore.setChecked(True)
    run(qloop, window.shutdown())  # quitting stops "keep" but remembers it ran
    assert window.manager.running() == []
    settings = UiSettings()  # the next launch reads the same file
    keeper = SessionKeeper(DeskController(window.manager), settings)
    assert settings.restore_tunnels() and keeper.to_restore() == ["keep"]
    assert keeper.to_restore(["idle", "nope", "keep"]) == ["keep", "idle"]
    settings.set_restore_tunnels(False)
    assert keeper.to_restore() == [] and keeper.to_restore(["idle"]) == ["idle"]


def test_close_dialog_buttons_and_texts(qapp: Any) -> None:
    from app.views.close_dialog import CloseDialog

    d = CloseDialog(["vps", "home"], tray=True)
    roles = {d.buttonRole(b) for b in d.buttons()}
    assert QMessageBox.ButtonRole.RejectRole in roles and d.escapeButton() is d.cancel_button
    assert "vps, home" in d.text() and "tray" in d.informativeText()
    assert d.choice is CloseChoice.CANCEL and not d.remember
