"""Main window operations: import/export, duplicate/rename/delete, store problems, errors."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QStandardPaths

from app.controllers.tunnel import TunnelState
from app.views.profile_list import Roles
from app.views.transfer import ExportDialog, ImportCommandDialog
from kcpcore.config import TunnelConfig
from kcpcore.profiles import MUST_MATCH, Profile, ProfileStore, parse_command_line
from tests.app.conftest import run

pytestmark = pytest.mark.gui


def test_profiles_live_where_qstandardpaths_says(
    qloop: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from kcpcore.profiles import config_dir

    monkeypatch.delenv("KCPDESK_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    qt = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    assert Path(qt) == config_dir() == tmp_path / "xdg" / "kcpdesk"


def test_import_json_then_save(window: Any) -> None:
    text = json.dumps(
        {
            "remoteaddr": "h.example:4000",
            "localaddr": ":7000",
            "key": "k9",
            "crypt": "xtea",
            "datashard": 4,
        }
    )
    assert window.import_json_text(text, "from-file") == ""
    ed = window.editor
    assert ed.is_new and ed.name_edit.text() == "from-file"
    assert ed.field_input("remoteaddr").text() == "h.example:4000"
    assert ed.save() is not None
    cfg = ProfileStore().get("from-file").config
    assert (cfg.role, cfg.crypt, cfg.datashard, cfg.key) == ("client", "xtea", 4, "k9")
    assert "client profile" not in window.import_json_text('{"key": 1}')  # error string back
    assert window.import_json_text("not json") != ""


def test_import_command_line_then_save(window: Any) -> None:
    assert (
        window.import_command(
            "kcptun-server -l :4000 -t 127.0.0.1:22 --key abc --crypt salsa20 --mode fast3"
        )
        == ""
    )
    ed = window.editor
    assert ed.role == "server" and ed.name_edit.text() == "Imported server"
    ed.save()
    cfg = ProfileStore().get("Imported server").config
    assert (cfg.listen, cfg.target, cfg.crypt, cfg.mode) == (
        ":4000",
        "127.0.0.1:22",
        "salsa20",
        "fast3",
    )
    assert "must start with" in window.import_command("ls -l")


def test_import_dialog_previews_and_rejects(qtbot: Any, qloop: Any) -> None:
    dlg = ImportCommandDialog()
    qtbot.addWidget(dlg)
    dlg.set_text("kcptun-client -r h:1 --mtu 9000")
    assert dlg.config is not None and "mtu" in dlg.summary.text()  # imported, flagged
    dlg.set_text("kcptun-client --nope")
    assert dlg.config is None and "not defined" in dlg.summary.text()


@pytest.mark.parametrize("fmt", ["kcptun", "kcpdesk", "json"])
def test_export_for_the_other_end_agrees(qtbot: Any, qloop: Any, fmt: str) -> None:
    cfg = TunnelConfig(
        role="client",
        remoteaddr="vps.example:4000",
        key="sekrit",
        crypt="cast5",
        datashard=7,
        parityshard=2,
        nocomp=True,
        smuxver=2,
    )
    dlg = ExportDialog(Profile("laptop", cfg))
    qtbot.addWidget(dlg)
    dlg.format_combo.setCurrentIndex(dlg.format_combo.findData(fmt))
    dlg.address.setText("127.0.0.1:8080")
    text = dlg.text()
    if fmt == "json":
        from kcpcore.profiles import import_kcptun_json

        other = import_kcptun_json(text, "server")
    else:
        other, _ = parse_command_line(text)
    assert other.role == "server" and other.listen == ":4000" and other.target == "127.0.0.1:8080"
    for name in MUST_MATCH:
        assert getattr(other, name) == getattr(cfg, name)
    dlg.this_end.setChecked(True)
    this = dlg.text()
    back = import_kcptun_json(this, "client") if fmt == "json" else parse_command_line(this)[0]
    assert back == cfg
    assert "contains the key" in dlg.note.text()


def test_duplicate_rename_delete_undo(window: Any, qloop: Any) -> None:
    window.manager.save(Profile("a", TunnelConfig(role="client", key="k")))
    window.select("a")
    copy = window.duplicate_current()
    assert copy == "a copy" and window.current_name == "a copy"
    assert window.rename_profile("a copy", "b") == ""
    assert window.rename_profile("b", "a") != ""  # taken
    assert window.rename_profile("b", "") == "a profile needs a name"
    assert sorted(ProfileStore().names()) == ["a", "b"]
    asked: list[str] = []
    window.ask = lambda title, text: asked.append(text) or False
    assert not run(qloop, window.delete_profile("b"))
    assert "b" in window.manager.names() and "'b'" in asked[0]
    window.ask = lambda _t, _x: True
    assert run(qloop, window.delete_profile("b"))
    assert ProfileStore().names() == ["a"]
    assert window.undo_delete() == "b"
    assert sorted(ProfileStore().names()) == ["a", "b"]


def test_damaged_store_file_is_reported_in_the_window(
    qloop: Any, qtbot: Any, config_dir: Path
) -> None:
    from app.controllers.manager import ProfileManager
    from app.models.logbook import LogBook
    from app.views.main_window import MainWindow

    store = ProfileStore()
    store.save(Profile("ok", TunnelConfig(role="server")))
    (store.directory / "junk.json").write_text("{")
    lb = LogBook()
    win = MainWindow(ProfileManager(store, lb), lb, use_tray=False)
    qtbot.addWidget(win)
    win.load_profiles()
    assert "junk.json" in win.statusBar().currentMessage()
    assert win.manager.names() == ["ok"] and win.current_name == "ok"
    assert any(p.name.startswith("junk.json.corrupt-") for p in store.directory.iterdir())
    run(qloop, win.shutdown())


def test_start_error_is_shown_on_the_profile(window: Any, qloop: Any) -> None:
    """Port in use: the profile turns red with a sentence; nothing raises."""
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    try:
        window.manager.save(
            Profile(
                "busy",
                TunnelConfig(
                    role="client",
                    localaddr=f"127.0.0.1:{port}",
                    remoteaddr="127.0.0.1:9",
                    key="topsecretkey",
                ),
            )
        )
        window.select("busy")
        assert run(qloop, window.start_profile("busy")) is False
    finally:
        blocker.close()
    ctrl = window.manager.controller("busy")
    assert ctrl.state is TunnelState.ERROR and "already in use" in ctrl.detail
    row = window.model.index(window.model.row_of("busy"))
    assert row.data(Roles.STATE) is TunnelState.ERROR
    assert "already in use" in row.data(Roles.DETAIL)
    assert "already in use" in window.detail.text()
    assert window.toggle_button.text() == "Start"
    assert "already in use" in window.log_view.plain_text()
    assert "topsecretkey" not in window.log_view.plain_text()


def test_unresolvable_server_is_an_error(window: Any, qloop: Any) -> None:
    window.manager.save(
        Profile(
            "nowhere",
            TunnelConfig(
                role="client", localaddr="127.0.0.1:0", remoteaddr="no-such-host.invalid:4000"
            ),
        )
    )
    assert run(qloop, window.start_profile("nowhere")) is False
    ctrl = window.manager.controller("nowhere")
    assert ctrl.state is TunnelState.ERROR and "cannot resolve" in ctrl.detail


def test_invalid_saved_profile_does_not_start(window: Any, qloop: Any, config_dir: Path) -> None:
    bad = Profile("bad", TunnelConfig(role="server", mtu=10))
    (config_dir / "profiles").mkdir(parents=True, exist_ok=True)
    (config_dir / "profiles" / "bad.json").write_text(bad.to_json_text())
    window.load_profiles()
    assert run(qloop, window.start_profile("bad")) is False
    assert "fix the settings first" in window.manager.controller("bad").detail


def test_quit_stops_everything_and_resolves_the_future(window: Any, qloop: Any) -> None:
    window.quit_future = qloop.create_future()
    run(qloop, window.request_quit())
    assert window.quit_future.result() == 0 and not window.isVisible()


def test_log_pane_filters(window: Any, qloop: Any, qtbot: Any) -> None:
    import logging

    from app.models.logbook import CURRENT_PROFILE

    window.manager.save(Profile("p1", TunnelConfig(role="client", key="k1-secret")))
    window.manager.save(Profile("p2", TunnelConfig(role="client")))
    window.select("p1")
    lg = logging.getLogger("kcpcore.aio.tunnel")
    for name, text in (("p1", "stream opened one"), ("p2", "stream opened two")):
        token = CURRENT_PROFILE.set(name)
        lg.info(text)
        CURRENT_PROFILE.reset(token)
    lg.warning("key k1-secret rejected", extra={"profile": "p1"})
    view = window.log_view
    text = view.plain_text()
    assert "one" in text and "two" not in text and "k1-secret" not in text
    view.all_profiles.setChecked(True)
    assert "[p2]" in view.plain_text()
    view.filter_edit.setText("rejected")
    assert view.plain_text().count("\n") == 0 and "rejected" in view.plain_text()
    view.filter_edit.setText("")
    view.level_combo.setCurrentIndex(2)  # warnings
    assert "opened" not in view.plain_text()


def test_pyside_bool_refcount_guard(qapp: Any) -> None:
    """PySide6 6.12.0 loses a reference to True per bool emit; the guard makes that harmless."""
    import sys

    from app import qtcompat

    before = sys.getrefcount(True)
    qtcompat.check()
    probe = qtcompat._Probe()
    probe.flag.connect(lambda _v: None)
    for _ in range(50):
        probe.flag.emit(True)
    assert sys.getrefcount(True) >= before - 60  # never drifting towards zero
    assert not qtcompat.bool_emit_leaks() or sys.getrefcount(True) > 1 << 39
