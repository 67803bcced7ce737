"""The profile editor's peer-generation choice and the 2025 fields (pytest-qt)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit

from app.models.diagnostics import diagnose
from app.views.profile_editor import ProfileEditor
from kcpcore.config import TunnelConfig
from kcpcore.profiles import Profile

pytestmark = pytest.mark.gui


@pytest.fixture
def editor(qtbot: Any) -> ProfileEditor:
    ed = ProfileEditor()
    qtbot.addWidget(ed)
    ed.show()
    return ed


def text(editor: ProfileEditor, name: str) -> str:
    w = editor.field_input(name)
    assert isinstance(w, QLineEdit)
    return w.text()


def test_choosing_kcptun_2025_moves_the_untouched_defaults(editor: ProfileEditor) -> None:
    editor.load(Profile("x", TunnelConfig(role="server")))
    for name in ("peer", "closewait", "ratelimit", "framesize"):
        assert editor.is_row_visible(name)
    peer = editor.field_input("peer")
    assert isinstance(peer, QComboBox) and peer.currentText() == "kcptun 2021 (Debian)"
    editor.field_input("framesize").setText("4096")  # the user's own value stays
    peer.setCurrentIndex(peer.findData("kcptun-2025"))
    assert (text(editor, "smuxver"), text(editor, "closewait"), text(editor, "framesize")) == (
        "2",
        "30",
        "4096",
    )
    profile, errors = editor.current()
    assert errors == {} and profile is not None
    assert (profile.config.peer, profile.config.smuxver) == ("kcptun-2025", 2)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("listen", ":5000-4000", "backwards"),
        ("listen", ":1-65535", "more than the 4096"),
        ("ratelimit", "5", "at least one datagram"),
        ("framesize", "0", "1..65535"),
    ],
)
def test_bad_value_gets_a_message_beside_its_field(
    editor: ProfileEditor, field: str, value: str, words: str
) -> None:
    editor.load(Profile("x", TunnelConfig(role="server")))
    editor.field_input(field).setText(value)  # type: ignore[attr-defined]
    assert words in editor.error_text(field)
    assert not editor.save_button.isEnabled()


def test_diagnostics_name_a_generation_mismatch() -> None:
    [finding, *_] = diagnose(
        {"OutPkts": 10, "InPkts": 10},
        role="client",
        seconds=5,
        last_error="smux: frame version 2, expected 1",
    )
    assert finding.code == "generation"
    assert "another kcptun generation" in finding.title
    assert "v20251205" in finding.advice and "Peer" in finding.advice
    quiet = diagnose(
        {"OutPkts": 10, "InPkts": 10},
        role="client",
        seconds=5,
        last_error="smux: no frame from the peer in 30 s (keepalive timeout)",
    )
    assert all(f.code != "generation" for f in quiet)


def test_export_dialog_for_a_2021_peer_says_what_it_left_out(qtbot: Any) -> None:
    from dataclasses import replace

    from app.views.transfer import ExportDialog

    cfg = replace(TunnelConfig(role="client"), remoteaddr="vps:3000-3010", ratelimit=100_000)
    dlg = ExportDialog(Profile("laptop", cfg))
    qtbot.addWidget(dlg)
    dlg.address.setText("127.0.0.1:22")
    text = dlg.text()
    assert text.startswith("kcptun-server") and "--ratelimit" not in text
    note = dlg.note.text()
    assert "kcptun 2021 (Debian) cannot use the port range" in note
    dlg.this_end.setChecked(True)
    assert "--ratelimit" not in dlg.text()
    assert "has no --ratelimit" in dlg.note.text()
    dlg2 = ExportDialog(Profile("laptop", replace(cfg, peer="kcptun-2025")))
    qtbot.addWidget(dlg2)
    dlg2.this_end.setChecked(True)
    assert "--ratelimit 100000" in dlg2.text() and "cannot use" not in dlg2.note.text()


def test_importing_a_2025_json_with_unknown_keys_says_so(window: Any) -> None:
    text = (
        '{"remoteaddr": "vps:3000-3100", "smuxver": 2, "closewait": 5, '
        '"someday": 1, "Mystery": "x"}'
    )
    assert window.import_json_text(text, "vps2025") == ""
    message = window.statusBar().currentMessage()
    assert "ignoring 2 unknown keys (someday, Mystery)" in message
    assert "the tunnel runs without them" in message
    profile, errors = window.editor.current()
    assert errors == {} and profile is not None
    assert (profile.config.smuxver, profile.config.closewait) == (2, 5)
