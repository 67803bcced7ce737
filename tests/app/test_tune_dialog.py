"""The Tune dialog against an in-process KCP Desk pair over the lossy relay: measure,
recommend, apply (with restart), measure again; and the share-link dialogs."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.demo.relay import LossyRelay
from app.views import tune_actions
from kcpcore.aio.engine import Engine
from kcpcore.config import TunnelConfig
from kcpcore.profiles import Profile
from tests.app.conftest import run, wait_for

pytestmark = pytest.mark.gui


async def _server_and_relay() -> tuple[Engine, LossyRelay]:
    server = Engine(
        TunnelConfig(
            role="server", listen="127.0.0.1:0", target="127.0.0.1:9", quiet=True, tuneserve=True
        )
    )
    await server.start()
    relay = LossyRelay(("127.0.0.1", server.local_port), loss=0.01, delay=0.02, seed=7)
    await relay.start()
    return server, relay


def test_measure_recommend_apply_remeasure(window: Any, qloop: Any, qtbot: Any) -> None:
    server, relay = run(qloop, _server_and_relay())
    try:
        cfg = TunnelConfig(
            role="client",
            localaddr="127.0.0.1:0",
            quiet=True,
            remoteaddr=f"127.0.0.1:{relay.port}",
            sndwnd=8,
            rcvwnd=8,
        )
        window.manager.save(Profile("cli", cfg))
        assert run(qloop, window.start_profile("cli"))
        window.select("cli")
        dialog = tune_actions.open_tune(window)
        assert dialog is not None
        ctrl = dialog.controller
        ctrl.seconds = 1.0
        dialog.ask = lambda _title, _text: True
        assert not dialog.apply_button.isEnabled()

        qtbot.mouseClick(dialog.measure_button, Qt.MouseButton.LeftButton)
        run(qloop, wait_for(lambda: ctrl.before is not None and not dialog._tasks, 60), 70)
        assert ctrl.before is not None and ctrl.before.active
        assert dialog.table.item(2, 0).text().endswith("Mbit/s")  # download, before
        assert "rcvwnd" in dialog.advice.toPlainText()  # an 8-segment window limits it
        assert dialog.server_json.toPlainText().startswith("{")
        assert dialog.apply_button.isEnabled()

        engine_before = window.manager.controller("cli").engine
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
        run(qloop, wait_for(lambda: not dialog._tasks, 30), 40)
        applied = window.manager.profile("cli").config
        assert applied.rcvwnd > 8 and applied.sndwnd > 8
        ctrl_cli = window.manager.controller("cli")
        assert ctrl_cli.engine is not None and ctrl_cli.engine is not engine_before  # restarted
        assert ctrl_cli.engine.cfg.rcvwnd == applied.rcvwnd

        assert dialog.remeasure_button.isEnabled() and not dialog.apply_button.isEnabled()
        qtbot.mouseClick(dialog.remeasure_button, Qt.MouseButton.LeftButton)
        run(qloop, wait_for(lambda: ctrl.after is not None and not dialog._tasks, 60), 70)
        assert dialog.table.item(2, 1).text().endswith("Mbit/s")  # download, after
        assert ctrl.after is not None and ctrl.before is not None
        assert ctrl.after.down.rate_bps > ctrl.before.down.rate_bps  # the advice helped
        dialog.close()
    finally:
        run(qloop, relay.stop())
        run(qloop, server.stop())


def test_share_link_dialog_key_only_when_ticked(window: Any, qtbot: Any) -> None:
    cfg = TunnelConfig(role="client", remoteaddr="vps.example:4000", key="s3cret-key")
    window.manager.save(Profile("vps", cfg))
    window.select("vps")
    dialog = tune_actions.open_share(window)
    assert dialog is not None
    body = base64.b64decode(dialog.link.text()[len("kcptun://") :]).decode()
    assert "server=vps.example:4000" in body and "key=" not in body
    assert not dialog.qr.pixmap().isNull() and dialog.qr.pixmap().width() >= 100
    dialog.include_key.setChecked(True)
    body = base64.b64decode(dialog.link.text()[len("kcptun://") :]).decode()
    assert "key=" + base64.b64encode(b"s3cret-key").decode() in body
    dialog.close()


def test_import_link_dialog_explains_bad_links(window: Any, qtbot: Any) -> None:
    dialog = tune_actions.open_import(window)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.set_text("kcptun://bm90IGEgbGluaw")  # "not a link", cut short
    assert not ok.isEnabled() and "cut short" in dialog.message.text()
    good = (
        "kcptun://"
        + base64.b64encode(
            b"server=h.example:29900;mode=fast3;remark=" + base64.b64encode(b"Home") + b";"
        ).decode()
    )
    dialog.set_text(good)
    assert ok.isEnabled() and "no key" in dialog.message.text()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert window.editor.is_new
    shown = window.editor.current_profile() if hasattr(window.editor, "current_profile") else None
    if shown is not None:
        assert shown.config.remoteaddr == "h.example:29900"


def test_tune_needs_a_client_profile(window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        tune_actions.QMessageBox, "information", lambda _w, _t, text: shown.append(text)
    )
    window.manager.save(Profile("srv", TunnelConfig(role="server")))
    window.select("srv")
    assert tune_actions.open_tune(window) is None and shown
    assert asyncio.get_event_loop() is not None
