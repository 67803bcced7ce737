"""Real tunnels in-process on the qasync loop: charts get data, diagnosis, logs, the demo."""

from __future__ import annotations

import asyncio
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.controllers.tunnel import TunnelState
from app.demo.traffic import EchoServer, TrafficGenerator
from kcpcore.config import TunnelConfig
from kcpcore.profiles import Profile
from tests.app.conftest import run, wait_for

pytestmark = pytest.mark.gui


async def _pair(
    window: Any,
    *,
    client_key: str = "pair-key-1",
    rate: float = 400_000,
    server_key: str = "pair-key-1",
) -> tuple[EchoServer, TrafficGenerator]:
    """Echo target, server profile, client profile, traffic: all on 127.0.0.1, port 0."""
    echo = EchoServer()
    echo_port = await echo.start()
    m = window.manager
    m.save(
        Profile(
            "srv",
            TunnelConfig(
                role="server", listen="127.0.0.1:0", target=f"127.0.0.1:{echo_port}", key=server_key
            ),
        )
    )
    assert await window.start_profile("srv")
    server_port = m.controller("srv").engine.local_port
    m.save(
        Profile(
            "cli",
            TunnelConfig(
                role="client",
                localaddr="127.0.0.1:0",
                remoteaddr=f"127.0.0.1:{server_port}",
                key=client_key,
            ),
        )
    )
    assert await window.start_profile("cli")
    gen = TrafficGenerator("127.0.0.1", m.controller("cli").engine.local_port, rate=rate)
    gen.start()
    return echo, gen


def test_client_server_pair_feeds_the_charts(window: Any, qloop: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        echo, gen = await _pair(window)
        cli = window.manager.controller("cli")
        window.select("cli")
        bandwidth = window.charts.plots["Bandwidth"]
        try:
            await wait_for(
                lambda: (
                    len(cli.recorder.ring) >= 4
                    and gen.received > 100_000
                    and len(bandwidth.line_data("payload_out")[0]) >= 2
                ),
                timeout=10,
            )
        finally:
            await gen.stop()
            await echo.stop()
        assert cli.state is TunnelState.RUNNING and "listening on 127.0.0.1:" in cli.detail
        ring = cli.recorder.ring
        assert np.nanmax(ring.column("payload_out")) > 10_000
        assert np.nanmax(ring.column("payload_in")) > 10_000
        assert np.nanmax(ring.column("wire_out")) > 0
        rtt = ring.column("rtt")
        assert np.any(np.isfinite(rtt)) and np.nanmax(rtt) < 1.0
        srv = window.manager.controller("srv")
        assert np.nanmax(srv.recorder.ring.column("payload_in")) > 10_000
        # the window shows it: rate in the list, findings, charts drawn with data
        assert "running" in window.model.index(window.model.row_of("cli")).data(Qt_ToolTipRole())
        assert window.charts.controller is cli
        x, y = bandwidth.line_data("payload_out")
        assert len(x) >= 2 and np.nanmax(y) > 0 and bandwidth.y_top >= np.nanmax(y)
        assert [f.code for f in cli.findings] in (["healthy"], [])
        assert window.charts.export_csv(tmp_path / "cli.csv") >= 4
        # stream lines land in the client's own log, not the server's
        cli_log = [e.message for e in window.logbook.entries(["cli"])]
        srv_log = [e.message for e in window.logbook.entries(["srv"])]
        assert any("stream opened" in m for m in cli_log), cli_log
        assert any("remote address" in m or "stream opened" in m for m in srv_log), srv_log
        assert not any("pair-key-1" in e.message for e in window.logbook.entries())
        await window.stop_profile("cli")
        await window.stop_profile("srv")
        assert cli.state is TunnelState.STOPPED and cli.engine is None
        assert len(cli.recorder.ring) >= 4  # kept for export after stopping

    run(qloop, scenario(), timeout=30)
    header = (tmp_path / "cli.csv").read_text().splitlines()[0]
    assert header.startswith("unix_time,iso_time,payload_in_Bps")


def Qt_ToolTipRole() -> int:  # noqa: N802 - reads like the Qt constant it returns
    from PySide6.QtCore import Qt

    return int(Qt.ItemDataRole.ToolTipRole)


def test_a_wrong_key_stays_an_error_until_good_packets_arrive(
    window: Any, qloop: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ends go red and stay red after the client's session gave up and the diagnosis
    window emptied (it used to turn green, "Idle", and blame the link); the client clears by
    itself once the server has the same key and answers. The stall timeout and the window are
    shortened so this takes seconds, not the 15 s + 5 s a user waits."""
    import kcpcore.aio.tunnel as tunnel_mod
    from app.models import series
    from app.views.profile_list import Roles

    monkeypatch.setattr(tunnel_mod, "STALL_TIMEOUT", 1.0)
    monkeypatch.setattr(series, "DIAGNOSIS_WINDOW", 1.0)

    def row_state(name: str) -> TunnelState:
        m = window.model
        return m.index(m.row_of(name)).data(Roles.STATE)

    window.notifier.throttle.gap = 0.0  # every change, in order
    notes: list[str] = []
    window.notifier.shown.connect(lambda title, _text: notes.append(title))

    async def scenario() -> None:
        echo, gen = await _pair(window, client_key="client-key", server_key="server-key")
        cli = window.manager.controller("cli")
        srv = window.manager.controller("srv")
        try:
            await wait_for(lambda: cli.state is srv.state is TunnelState.ERROR, timeout=10)
            assert "no reply from the server" in cli.detail
            assert "fail the checksum" in srv.detail
            await wait_for(lambda: cli.last_error is not None, timeout=10)
            await gen.stop()
            remembered = "this stays until packets"
            await wait_for(
                lambda: (
                    remembered in cli.findings[0].advice and remembered in srv.findings[0].advice
                ),
                timeout=10,
            )
            assert cli.state is srv.state is TunnelState.ERROR
            assert row_state("cli") is row_state("srv") is TunnelState.ERROR
            cli_log = [e.message for e in window.logbook.entries(["cli"])]
            assert any("session ended" in m and "key or crypt" in m for m in cli_log), cli_log
            assert not any("link down" in m for m in cli_log)
            # the server gets the client's key: the client's next session is answered
            port = srv.engine.local_port
            await window.stop_profile("srv")
            cfg = replace(srv.profile.config, listen=f"127.0.0.1:{port}", key="client-key")
            window.manager.save(Profile("srv", cfg))
            assert await window.start_profile("srv")
            gen = TrafficGenerator("127.0.0.1", cli.engine.local_port, rate=100_000)
            gen.start()
            await wait_for(lambda: cli.state is TunnelState.RUNNING, timeout=10)
            assert row_state("cli") is TunnelState.RUNNING
            assert notes[-1] == "cli: connected" and {"cli: error", "srv: error"} <= set(notes)
        finally:
            await gen.stop()
            await echo.stop()

    run(qloop, scenario(), timeout=40)


def test_several_profiles_run_at_once_and_quit_stops_them(window: Any, qloop: Any) -> None:
    async def scenario() -> None:
        for i in range(3):
            window.manager.save(Profile(f"s{i}", TunnelConfig(role="server", listen="127.0.0.1:0")))
            assert await window.start_profile(f"s{i}")
        assert sorted(window.manager.running()) == ["s0", "s1", "s2"]
        engines = [window.manager.controller(f"s{i}").engine for i in range(3)]
        await window.shutdown()
        assert window.manager.running() == [] and not any(e.running for e in engines)

    run(qloop, scenario(), timeout=20)


def test_demo_moves_the_charts_and_cleans_up(window: Any, qloop: Any) -> None:
    async def scenario() -> None:
        assert await window.start_demo()
        demo = window.demo
        assert window.demo_panel.isVisible()
        names = window.manager.names()
        assert demo.client_name in names and demo.server_name in names
        assert all(window.manager.is_transient(n) for n in (demo.client_name, demo.server_name))
        cli = window.manager.controller(demo.client_name)
        assert window.current_name == demo.client_name
        await wait_for(
            lambda: demo.traffic.received > 50_000 and len(cli.recorder.ring) >= 3, timeout=15
        )
        window.demo_panel.loss_slider.setValue(20)
        window.demo_panel.delay_spin.setValue(5)
        assert demo.relay.loss == pytest.approx(0.2) and demo.relay.delay == pytest.approx(0.005)
        await wait_for(lambda: demo.relay.stats.dropped > 20, timeout=10)
        ring = cli.recorder.ring
        assert np.nanmax(ring.column("payload_in")) > 0
        assert not math.isnan(ring.last("payload_out"))
        # the transient profiles were never written to disk, and the editor will not save them
        from kcpcore.profiles import ProfileStore

        assert ProfileStore().names() == []
        window.editor.save()
        assert "not saved" in window.editor.error_text("name")
        assert ProfileStore().names() == []
        assert window.duplicate_current() == f"{demo.client_name} copy"
        assert ProfileStore().names() == [f"{demo.client_name} copy"]  # a keepable copy
        await demo.stop()
        assert window.manager.names() == ["Demo client copy"] and demo.relay is None
        assert not window.demo_panel.isVisible()

    run(qloop, scenario(), timeout=40)


def test_demo_survives_a_port_clash_by_design(window: Any, qloop: Any) -> None:
    """Every demo port is chosen by the OS, so two demos' worth of ports never collide."""

    async def scenario() -> None:
        assert await window.start_demo()
        first = window.demo.relay.port
        await window.demo.stop()
        assert await window.start_demo()
        assert window.demo.relay.port != 0 and first != 0
        await window.demo.stop()

    run(qloop, scenario(), timeout=30)


def test_engine_runs_on_the_qt_loop(window: Any, qloop: Any) -> None:
    """The engine's tasks live on the qasync loop, not a thread of their own."""

    async def scenario() -> None:
        window.manager.save(Profile("s", TunnelConfig(role="server", listen="127.0.0.1:0")))
        assert await window.start_profile("s")
        assert asyncio.get_running_loop() is qloop

    run(qloop, scenario(), timeout=10)
