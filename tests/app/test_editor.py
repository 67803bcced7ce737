"""The profile editor and its round trip through the window and the store (pytest-qt)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from app.views.profile_editor import ProfileEditor, tooltip_for
from kcpcore.config import FIELD_SPECS, MODES, TunnelConfig, fields_for
from kcpcore.profiles import Profile, ProfileStore

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
