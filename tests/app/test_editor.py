"""The profile editor and its round trip through the window and the store (pytest-qt)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from app.controllers.tunnel import TunnelState
from app.views.field_message import MessageLabel
from app.views.profile_editor import ProfileEditor, tooltip_for
from app.views.transfer import ExportDialog
from kcpcore.config import DEFAULT_KEY, FIELD_SPECS, MODES, TunnelConfig, fields_for
from kcpcore.profiles import Profile, ProfileStore
from tests.app.conftest import run
from tests.app.test_i18n import untranslated, zh  # noqa: F401  (zh: the fixture)

pytestmark = pytest.mark.gui


def set_text(editor: ProfileEditor, name: str, text: str) -> None:
    w = editor.field_input(name)
    if isinstance(w, QComboBox):
        if w.isEditable():
            w.setEditText(text)
        else:
            w.setCurrentText(text)
    elif isinstance(w, QCheckBox):
        w.setChecked(text == "on")
    else:
        assert isinstance(w, QLineEdit)
        w.setText(text)


@pytest.fixture
def editor(qtbot: Any) -> ProfileEditor:
    ed = ProfileEditor(name_taken=lambda n: n == "taken")
    qtbot.addWidget(ed)
    ed.show()
    return ed


def test_every_cli_field_has_a_row_with_its_tooltip(editor: ProfileEditor) -> None:
    editor.load(Profile("x", TunnelConfig(role="server")))
    for spec in FIELD_SPECS.values():
        w = editor.field(spec.name)
        assert spec.tooltip in w.toolTip()
        assert spec.tooltip in tooltip_for(spec, "server")
    shown = {s.name for s in fields_for("server")} - {"nodelay", "interval", "resend", "nc"}
    for name in FIELD_SPECS:
        assert editor.is_row_visible(name) is (name in shown), name


def test_role_switch_shows_the_roles_fields(editor: ProfileEditor) -> None:
    editor.load(Profile("x", TunnelConfig(role="client")), new=True)
    assert editor.is_row_visible("remoteaddr") and not editor.is_row_visible("target")
    assert editor.field_input("sndwnd").text() == "128"
    editor.role_combo.setCurrentText("server")
    assert editor.is_row_visible("target") and not editor.is_row_visible("remoteaddr")
    assert editor.field_input("sndwnd").text() == "1024"  # untouched default follows the role
    profile, errors = editor.current()
    assert errors == {} and profile is not None and profile.config == TunnelConfig(role="server")


def test_manual_mode_reveals_the_four_knobs(editor: ProfileEditor) -> None:
    editor.load(Profile("x", TunnelConfig(role="client", mode="fast")))
    manual = ("nodelay", "interval", "resend", "nc")
    assert not any(editor.is_row_visible(n) for n in manual)
    set_text(editor, "mode", "manual")
    assert all(editor.is_row_visible(n) for n in manual)
    set_text(editor, "interval", "5")
    assert "10..5000" in editor.error_text("interval")
    set_text(editor, "mode", "fast2")  # presets override them: no error for a hidden field
    assert editor.error_text("interval") == "" and editor.save_button.isEnabled()


def test_key_is_masked_with_reveal(editor: ProfileEditor, qtbot: Any) -> None:
    editor.load(Profile("x", TunnelConfig(role="client", key="s3cret")))
    key = editor.field_input("key")
    assert isinstance(key, QLineEdit) and key.echoMode() == QLineEdit.EchoMode.Password
    reveal = editor._rows["key"].field.reveal  # type: ignore[attr-defined]
    qtbot.mouseClick(reveal, Qt.MouseButton.LeftButton)
    assert key.echoMode() == QLineEdit.EchoMode.Normal and key.text() == "s3cret"
    qtbot.mouseClick(reveal, Qt.MouseButton.LeftButton)
    assert key.echoMode() == QLineEdit.EchoMode.Password


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("46 \u2014 EF, expedited (voice, games)", 46),
        ("EF", 46),
        ("af41", 34),
        ("CS1", 8),
        ("63", 63),
    ],
)
def test_dscp_presets_and_names(editor: ProfileEditor, text: str, value: int) -> None:
    editor.load(Profile("x", TunnelConfig(role="client")))
    set_text(editor, "dscp", text)
    profile, errors = editor.current()
    assert errors == {} and profile is not None and profile.config.dscp == value


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("mtu", "20000", "50..1500"),
        ("mtu", "abc", "not a whole number"),
        ("remoteaddr", "no-port", "missing port"),
        ("dscp", "64", "0..63"),
        ("dscp", "fast please", "0..63 or a name"),
        ("parityshard", "250", "datashard + parityshard"),
        ("keepalive", "", "enter a number"),
        ("streambuf", "99999999", "must not exceed smuxbuf"),
        ("crypt", "rot13", "unknown cipher"),
        ("remoteaddr", "999.1.2.3:29900", "999 is above 255"),
        ("remoteaddr", "vps..example.com:29900", "empty part between dots"),
        ("localaddr", "[fe80::zz]:1080", "not an IPv6 address"),
        ("key", "", "empty key"),
    ],
)
def test_bad_field_shows_its_message_and_blocks_saving(
    editor: ProfileEditor, field: str, text: str, message: str
) -> None:
    editor.load(Profile("x", TunnelConfig(role="client")))
    saved: list[Any] = []
    editor.save_requested.connect(lambda p, old: saved.append(p))
    if field == "crypt":
        editor._rows["crypt"].field.set("rot13")  # e.g. imported from a JSON file
        editor._on_changed()
    else:
        set_text(editor, field, text)
    assert message in editor.error_text(field)
    assert not editor.save_button.isEnabled()
    assert editor.save() is None and saved == []
    assert "Not saved" in editor.note.text()


def test_name_rules(editor: ProfileEditor) -> None:
    editor.load(Profile("x", TunnelConfig(role="client")), new=True)
    editor.name_edit.setText("")
    assert editor.error_text("name") == "a profile needs a name"
    editor.name_edit.setText("taken")
    assert "already has this name" in editor.error_text("name")
    editor.name_edit.setText("fine")
    assert editor.error_text("name") == "" and editor.save_button.isEnabled()


def test_dirty_tracking_and_revert(editor: ProfileEditor) -> None:
    cfg = TunnelConfig(role="client", mtu=1200)
    editor.load(Profile("x", cfg))
    assert not editor.is_dirty()
    set_text(editor, "mtu", "1300")
    assert editor.is_dirty()
    set_text(editor, "mtu", "1200")
    assert not editor.is_dirty()  # typed back: nothing to save
    set_text(editor, "mtu", "1300")
    editor.revert()
    assert editor.field_input("mtu").text() == "1200" and not editor.is_dirty()


def test_create_edit_save_and_reload_through_the_window(window: Any, config_dir: Any) -> None:
    """New profile -> edit -> save -> a fresh store reads back exactly what was typed."""
    window.new_profile("client")
    ed = window.editor
    assert ed.is_new and ed.name_edit.text() == "New client"
    ed.name_edit.setText("office")
    set_text(ed, "remoteaddr", "office.example.com:4000")
    set_text(ed, "key", "correct horse")
    set_text(ed, "crypt", "salsa20")
    set_text(ed, "mode", "manual")
    set_text(ed, "interval", "15")
    set_text(ed, "nodelay", "1")
    set_text(ed, "dscp", "EF")
    set_text(ed, "nocomp", "on")
    assert ed.save() is not None
    assert window.manager.names() == ["office"] and not ed.is_dirty()
    # edit and save again: same file, new values
    set_text(ed, "mtu", "1280")
    ed.save()
    loaded = ProfileStore().get("office").config
    assert (
        loaded.remoteaddr,
        loaded.key,
        loaded.crypt,
        loaded.mode,
        loaded.interval,
        loaded.nodelay,
        loaded.dscp,
        loaded.nocomp,
        loaded.mtu,
    ) == ("office.example.com:4000", "correct horse", "salsa20", "manual", 15, 1, 46, True, 1280)
    assert [p.name for p in (config_dir / "profiles").iterdir()] == ["office.json"]


def test_invalid_edit_is_not_saved(window: Any) -> None:
    window.new_profile("server")
    ed = window.editor
    ed.name_edit.setText("srv")
    ed.save()
    set_text(ed, "target", "")
    assert "empty target" in ed.error_text("target")
    assert ed.save() is None
    assert ProfileStore().get("srv").config.target == "127.0.0.1:12948"


def test_mode_choices_come_from_the_config(editor: ProfileEditor) -> None:
    combo = editor.field_input("mode")
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == [*MODES, "manual"]


# --- issue 16: keys, hosts, FEC, shared ports, messages that do not move the form -------------


def key_field(editor: ProfileEditor) -> Any:
    return editor._rows["key"].field


def test_new_profiles_get_a_generated_key_not_kcptuns_public_one(window: Any) -> None:
    keys = []
    for role in ("client", "server"):
        window.new_profile(role)
        key = window.editor.field_input("key").text()
        assert key != DEFAULT_KEY and len(key) >= 43
        assert window.editor.error_text("key") == ""
        keys.append(key)
    assert keys[0] != keys[1]


def test_default_key_is_flagged_and_generate_replaces_it(editor: ProfileEditor, qtbot: Any) -> None:
    editor.load(Profile("x", TunnelConfig(role="client")))  # e.g. imported from a kcptun file
    assert "published default key" in editor.error_text("key")
    assert editor.message_label("key").objectName() == "fieldWarning"
    assert editor.save_button.isEnabled()  # kcptun runs it, so it may be saved
    qtbot.mouseClick(key_field(editor).generate, Qt.MouseButton.LeftButton)
    key = editor.field_input("key")
    assert key.text() not in ("", DEFAULT_KEY) and editor.error_text("key") == ""
    assert key.echoMode() == QLineEdit.EchoMode.Password and editor.is_dirty()
    first = key.text()
    qtbot.mouseClick(key_field(editor).generate, Qt.MouseButton.LeftButton)
    assert key.text() not in (first, DEFAULT_KEY)  # each click: a new key
    editor._rows["peer"].field.set("kcptun-2025")
    set_text(editor, "qpp", "on")
    qtbot.mouseClick(key_field(editor).generate, Qt.MouseButton.LeftButton)
    assert len(key.text()) >= 211  # QPP's pads want a seed this long


def test_show_key_is_reset_when_another_profile_opens(window: Any, qtbot: Any) -> None:
    window.manager.save(Profile("a", TunnelConfig(role="client", key="first")))
    window.manager.save(Profile("b", TunnelConfig(role="client", key="second")))
    window.select("a")
    ed = window.editor
    qtbot.mouseClick(key_field(ed).reveal, Qt.MouseButton.LeftButton)
    assert ed.field_input("key").echoMode() == QLineEdit.EchoMode.Normal
    window.select("b")
    assert ed.field_input("key").echoMode() == QLineEdit.EchoMode.Password
    assert not key_field(ed).reveal.isChecked() and key_field(ed).reveal.text() == "Show"
    qtbot.mouseClick(key_field(ed).reveal, Qt.MouseButton.LeftButton)
    assert window.import_command("kcptun-client -r vps:4000 --key imported") == ""
    assert ed.field_input("key").text() == "imported"
    assert ed.field_input("key").echoMode() == QLineEdit.EchoMode.Password


def test_fec_off_is_shown_beside_the_shards(editor: ProfileEditor) -> None:
    editor.load(Profile("x", TunnelConfig(role="client", key="k")))
    unit = editor._rows["parityshard"].unit
    assert unit.text() == "shards"
    set_text(editor, "datashard", "0")
    assert "FEC is off" in editor.error_text("datashard") and "parityshard 3" in (
        editor.error_text("datashard")
    )
    assert unit.text() == "shards, FEC off" and editor.save_button.isEnabled()
    set_text(editor, "parityshard", "0")  # both 0: off on purpose, nothing to warn about
    assert editor.error_text("datashard") == "" and unit.text() == "shards, FEC off"
    set_text(editor, "datashard", "10")
    assert unit.text() == "shards, FEC off"  # parityshard 0 alone is the usual way off
    set_text(editor, "parityshard", "3")
    assert unit.text() == "shards"


def test_a_shared_local_port_is_flagged_at_save_and_named_at_start(window: Any, qloop: Any) -> None:
    with socket.socket() as probe:  # a free TCP port for the first profile
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    home = TunnelConfig(
        role="client", key="k", localaddr=f"127.0.0.1:{port}", remoteaddr="127.0.0.1:9"
    )
    window.manager.save(Profile("home", home))
    assert run(qloop, window.start_profile("home"))
    window.new_profile("client")
    ed = window.editor
    ed.name_edit.setText("office")
    set_text(ed, "localaddr", f":{port}")
    set_text(ed, "remoteaddr", "127.0.0.1:9")
    assert "'home' listens on this port too" in ed.error_text("localaddr")
    assert ed.save() is not None  # two profiles may share a port to run one at a time
    assert "'home'" in ed.note.text() and "office" in window.manager.names()
    assert not run(qloop, window.start_profile("office"))
    ctrl = window.manager.controller("office")
    assert ctrl.state is TunnelState.ERROR and "running profile 'home'" in ctrl.detail
    run(qloop, window.stop_profile("home"))
    set_text(ed, "localaddr", f":{port + 1}")
    assert ed.error_text("localaddr") == ""


@pytest.mark.parametrize("width", [1100, 600, 560])  # 560: the editor in a 900 px window
def test_a_message_does_not_move_the_next_field(
    editor: ProfileEditor, qtbot: Any, width: int
) -> None:
    editor.resize(width, 700)
    editor.load(Profile("x", TunnelConfig(role="client", key="k")))
    nxt = editor.field_input("remoteaddr")
    qtbot.waitUntil(lambda: nxt.isVisible())
    before = nxt.mapTo(editor, nxt.rect().topLeft()), nxt.size()
    set_text(editor, "localaddr", "a-very-long-host-name-nobody-could-resolve..example.com:1080")
    label = editor.message_label("localaddr")
    assert "empty part between dots" in editor.error_text("localaddr")
    qtbot.wait(10)  # one event loop turn: let the layout settle
    assert (nxt.mapTo(editor, nxt.rect().topLeft()), nxt.size()) == before
    viewport = editor._scroll.viewport()
    left = label.mapTo(viewport, label.rect().topLeft()).x()
    right = label.mapTo(viewport, label.rect().topRight()).x()
    assert left >= 0 and right - left >= 200 and right <= viewport.width() + 1, (left, right)
    if label.text() != label.message:  # cut to fit: the whole text is one hover away
        assert label.text().endswith("\u2026") and label.toolTip() == label.message
    set_text(editor, "localaddr", "127.0.0.1:1080")
    qtbot.wait(10)
    assert (nxt.mapTo(editor, nxt.rect().topLeft()), nxt.size()) == before


@pytest.mark.parametrize("width", [1100, 560])  # 560: the editor in a 900 px window
def test_the_form_never_scrolls_sideways(editor: ProfileEditor, qtbot: Any, width: int) -> None:
    """At 900 px the units sat beyond a sideways scroll bar ("sessi"): the field column
    gives way and long combo items (dscp) no longer set the form's width."""
    editor.resize(width, 700)
    editor.load(Profile("x", TunnelConfig(role="client", key="k")))
    qtbot.waitUntil(lambda: editor.field_input("remoteaddr").isVisible())
    bar = editor._scroll.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() == 0)
    unit = editor._rows["conn"].unit
    right = unit.mapTo(editor._scroll.viewport(), unit.rect().topRight()).x()
    assert right <= editor._scroll.viewport().width()


def test_export_asks_for_the_servers_target_and_writes_0600(qtbot: Any, tmp_path: Any) -> None:
    cfg = TunnelConfig(role="client", key="sekrit", remoteaddr="vps:4000")
    dlg = ExportDialog(Profile("laptop", cfg))
    qtbot.addWidget(dlg)
    assert dlg.address.text() == "" and "127.0.0.1:22" in dlg.address.placeholderText()
    assert "12948" not in dlg.output.toPlainText()
    assert "e.g. 127.0.0.1:22" in dlg.address_error.message
    assert not dlg.copy_button.isEnabled() and not dlg.save_button.isEnabled()
    dlg.address.setText("999.1.2.3:22")
    assert "999 is above 255" in dlg.address_error.message and dlg.text() == ""
    dlg.address.setText("127.0.0.1:22")
    assert dlg.address_error.message == "" and dlg.save_button.isEnabled()
    assert "--target 127.0.0.1:22" in dlg.text() or "-t 127.0.0.1:22" in dlg.text()
    dlg.format_combo.setCurrentIndex(dlg.format_combo.findData("json"))
    path = tmp_path / "laptop-server.json"
    path.write_text("old")
    path.chmod(0o644)  # overwriting a readable file must not keep it readable
    assert dlg.save_to(str(path))
    assert (path.stat().st_mode & 0o777) == 0o600 and '"sekrit"' in path.read_text()


def test_export_prefills_the_target_of_a_known_server_profile(qtbot: Any) -> None:
    cfg = TunnelConfig(role="client", key="sekrit", remoteaddr="vps:4000")
    server = Profile(
        "srv", TunnelConfig(role="server", key="sekrit", listen=":4000", target="10.0.0.5:22")
    )
    stranger = Profile(
        "x", TunnelConfig(role="server", key="other", listen=":4000", target="1.1.1.1:1")
    )
    dlg = ExportDialog(Profile("laptop", cfg), others=[stranger, server])
    qtbot.addWidget(dlg)
    assert dlg.address.text() == "10.0.0.5:22" and dlg.save_button.isEnabled()


@pytest.mark.usefixtures("zh")
def test_editor_and_export_messages_are_chinese(window: Any, qtbot: Any) -> None:
    """Every message this issue added reaches the screen translated (app/core_text.py)."""
    window.manager.save(Profile("家", TunnelConfig(role="client", key="k", localaddr=":1080")))
    window.new_profile("client")
    ed = window.editor
    ed.name_edit.setText("办公室")
    left: list[str] = []
    for changes in (
        {"localaddr": ":1080", "remoteaddr": "999.1.2.3:1", "key": "", "datashard": "0"},
        {"key": DEFAULT_KEY, "remoteaddr": "a..b:1", "localaddr": "[fe80::zz]:1"},
        {"remoteaddr": "010.1.1.1:1", "localaddr": "1.2.3:1"},
        {"remoteaddr": "-a.b:1", "localaddr": "a b:1"},
    ):
        for name, text in changes.items():
            set_text(ed, name, text)
        assert ed.errors and ed.warnings
        left += untranslated(window)
    dlg = ExportDialog(Profile("家", TunnelConfig(role="client", key="k")), window)
    qtbot.addWidget(dlg)
    dlg.show()
    left += untranslated(dlg)
    dlg.address.setText("999.1.2.3:22")
    left += untranslated(dlg)
    assert not left, "\n".join(sorted(set(left)))


def test_a_message_uses_both_lines_before_it_is_cut(qtbot: Any) -> None:
    """Chinese has no spaces: it still wraps (QLabel breaks between characters), so a message
    that fits two lines is shown whole, and a longer one is cut with its text in the tooltip."""
    label = MessageLabel(20)
    qtbot.addWidget(label)
    label.resize(300, label.height())
    per_line = 300 // label.fontMetrics().horizontalAdvance("\u5bc6")
    fits = "\u5bc6" * int(per_line * 1.5)
    label.show_message(fits)
    assert label.text() == fits and label.toolTip() == ""
    label.show_message(fits * 3, "warning")
    assert label.text().endswith("\u2026") and label.toolTip() == fits * 3
    assert label.objectName() == "fieldWarning" and label.height() == label.minimumHeight()
