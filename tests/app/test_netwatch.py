"""The app's network watcher: QNetworkInformation's signals (a fake with the same signals),
the clock check with injected clocks, and running clients reconnecting at once through it."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QNetworkInformation

import kcpcore.aio.tunnel as tunnel_mod
from app.controllers import netwatch
from app.controllers.netwatch import NetworkWatcher, follow, load_network_information
from app.demo.traffic import EchoServer
from app.models.logbook import CURRENT_PROFILE
from kcpcore.config import TunnelConfig
from kcpcore.profiles import Profile
from tests.app.conftest import run, wait_for
from tests.helpers.peers import free_port

pytestmark = pytest.mark.gui

Reach = QNetworkInformation.Reachability
Medium = QNetworkInformation.TransportMedium


class FakeInfo(QObject):
    """QNetworkInformation's two signals, emitted by the test."""

    reachabilityChanged = Signal(object)  # noqa: N815 - Qt's name
    transportMediumChanged = Signal(object)  # noqa: N815 - Qt's name

    def backendName(self) -> str:  # noqa: N802 - Qt's name
        return "fake"


def test_a_burst_of_changes_is_one_hint_and_disconnected_is_none(qtbot: Any) -> None:
    info = FakeInfo()
    w = NetworkWatcher(info=info, debounce_ms=100)
    assert w.backend == "fake"
    seen: list[str] = []
    w.changed.connect(seen.append)
    with qtbot.waitSignal(w.changed, timeout=3000):
        info.reachabilityChanged.emit(Reach.Online)
        info.transportMediumChanged.emit(Medium.WiFi)
        info.reachabilityChanged.emit(Reach.Online)
    assert seen == ["network online; network now over WiFi"]
    with qtbot.assertNotEmitted(w.changed, wait=400):
        info.reachabilityChanged.emit(Reach.Disconnected)
    w.close()


def test_no_backend_is_said_once_and_the_clock_still_runs(
    qtbot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    class NoBackend:
        @staticmethod
        def loadDefaultBackend() -> bool:  # noqa: N802 - Qt's name
            return False

    assert load_network_information(NoBackend) == (
        None,
        "this system has no network information backend",
    )
    clocks = {"mono": 0.0, "wall": 0.0}
    with caplog.at_level("INFO"):
        w = NetworkWatcher(
            load=True,
            clock=lambda: clocks["mono"],
            wall=lambda: clocks["wall"],
            resume_period=0.05,
        )
    # whatever this machine offers, the watcher came up and says what it follows
    assert w.backend or "watching the clock only" in caplog.text
    with qtbot.waitSignal(w.resumed, timeout=3000) as blocker:
        clocks["mono"] += 0.05
        clocks["wall"] += 900.0  # the wall clock ran on while the machine slept
    assert blocker.args[0] == pytest.approx(900.0 - 0.05, abs=0.01)
    w.close()


def test_follow_reaches_running_clients_only_under_their_profile(qtbot: Any) -> None:
    calls: list[tuple[str, str, object]] = []

    class FakeEngine:
        def __init__(self, name: str) -> None:
            self.name = name

        def network_changed(self, reason: str) -> None:
            calls.append((self.name, CURRENT_PROFILE.get(), reason))

        def resumed(self, slept: float) -> None:
            calls.append((self.name, CURRENT_PROFILE.get(), slept))

    class Ctrl:
        def __init__(self, name: str, role: str, running: bool) -> None:
            self.name = name
            self.engine = FakeEngine(name) if running else None
            self.profile = Profile(name, TunnelConfig(role=role))

    ctrls = [Ctrl("a", "client", True), Ctrl("b", "server", True), Ctrl("c", "client", False)]
    w = NetworkWatcher(info=FakeInfo(), debounce_ms=10)
    follow(w, lambda: ctrls)  # type: ignore[arg-type, return-value]
    w.changed.emit("network online")
    w.resumed.emit(42.0)
    assert calls == [("a", "a", "network online"), ("a", "a", 42.0)]
    w.close()


def test_running_client_reconnects_at_once_when_the_network_comes_back(
    window: Any, qloop: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server was unreachable for a while with data in flight; reachability comes back:
    the client replaces its stuck session within ~1 s (the stall watch would wait 15 s),
    the open connection is reset, a new one works, and the profile's log says why."""
    monkeypatch.setattr(tunnel_mod, "SCAVENGE_PERIOD", 0.2)  # the stall watch samples faster
    info = FakeInfo()
    watcher = netwatch.attach(window.manager, parent=window, info=info, debounce_ms=50)
    m = window.manager
    sport = free_port()

    async def scenario() -> None:
        echo = EchoServer()
        echo_port = await echo.start()
        srv = TunnelConfig(
            role="server", listen=f"127.0.0.1:{sport}", target=f"127.0.0.1:{echo_port}"
        )
        m.save(Profile("srv", srv))
        m.save(
            Profile(
                "cli",
                TunnelConfig(
                    role="client", localaddr="127.0.0.1:0", remoteaddr=f"127.0.0.1:{sport}"
                ),
            )
        )
        assert await window.start_profile("srv")
        assert await window.start_profile("cli")
        port = m.controller("cli").engine.local_port
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"a")
            assert await reader.readexactly(1) == b"a"
            await m.stop("srv")  # the network goes away
            writer.write(b"stuck")
            await asyncio.sleep(tunnel_mod.HINT_STALL + 0.5)  # the outage lasts a while
            assert await window.start_profile("srv")
            back = asyncio.get_running_loop().time()
            info.reachabilityChanged.emit(Reach.Online)
            with pytest.raises(ConnectionResetError):
                await asyncio.wait_for(reader.read(-1), 5)
            r2, w2 = await asyncio.open_connection("127.0.0.1", port)
            w2.write(b"b")
            assert await asyncio.wait_for(r2.readexactly(1), 5) == b"b"
            assert asyncio.get_running_loop().time() - back < 4.0  # ~1.1 s; stall watch: 15 s
            for w in (writer, w2):
                w.close()
            await wait_for(
                lambda: any(
                    "reconnecting conv" in e.message for e in window.logbook.entries(["cli"])
                ),
                timeout=5,
            )
        finally:
            with contextlib.suppress(Exception):
                await echo.stop()

    run(qloop, scenario(), timeout=30)
    watcher.close()
