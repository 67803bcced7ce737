"""The Chinese translation: the catalogue covers the source, every entry is translated, the
compiled .qm is current, and with zh_CN loaded no screen still shows an English word.

The screen walk reads what a user reads: every widget's text, tooltip, status tip,
placeholder, window title, tab and group titles, combo items, table headers and menu/action
texts, on each screen in the state that shows the most (a profile with field errors, the demo
with its panel, findings in the diagnostics strip, the dialogs). Words allowed through are
kcptun's technical tokens (flag names, cipher and mode names, units, KCP/FEC...), which
Chinese kcptun users read as they are.
"""

from __future__ import annotations

import ast
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTableWidget,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from app import core_text, i18n
from kcpcore.config import CRYPT_CHOICES, FIELD_SPECS, MANUAL_MODE, MODES

from .conftest import run, wait_for

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
TS = i18n.ts_path("zh_CN")


def _messages(ts: Path) -> list[ET.Element]:
    return list(ET.parse(ts).getroot().iter("message"))


def _key(msg: ET.Element, context: str) -> tuple[str, str]:
    return context, msg.findtext("source") or ""


def _entries(ts: Path) -> set[tuple[str, str]]:
    root = ET.parse(ts).getroot()
    return {
        (ctx.findtext("name") or "", m.findtext("source") or "")
        for ctx in root.iter("context")
        for m in ctx.iter("message")
    }


# --- the catalogue ----------------------------------------------------------------------------


def test_core_catalog_is_generated_from_kcpcore() -> None:
    """kcpcore's fixed texts reach lupdate through app/core_catalog.py: it must be current."""
    current = (REPO / "app" / "core_catalog.py").read_text("utf-8")
    assert current == core_text.catalog_source(), "run: .venv/bin/python -m app.i18n update"


def test_catalogue_has_every_marked_string(tmp_path: Path) -> None:
    """lupdate over today's source finds nothing the checked-in .ts lacks (nor keeps stale
    entries): a string marked since the last ``python -m app.i18n update`` fails here."""
    fresh = tmp_path / TS.name
    shutil.copy(TS, fresh)
    i18n.update(REPO, fresh)
    assert _entries(fresh) == _entries(TS), "run: .venv/bin/python -m app.i18n update"


def test_every_entry_is_translated() -> None:
    untranslated = []
    for msg in _messages(TS):
        tr = msg.find("translation")
        assert tr is not None
        forms = [f.text or "" for f in tr.iter("numerusform")] or [tr.text or ""]
        if tr.get("type") in ("unfinished", "vanished", "obsolete") or not all(forms):
            untranslated.append(msg.findtext("source"))
    assert untranslated == []


def test_translations_keep_placeholders_and_markup() -> None:
    """A translation uses the same ``{fields}`` (str.format would raise otherwise), keeps
    ``%n`` in plural forms and the same HTML tags."""
    fields = re.compile(r"\{\w*\}|%\d")
    tags = re.compile(r"</?\w+")
    bad = []
    for msg in _messages(TS):
        src = msg.findtext("source") or ""
        tr = msg.find("translation")
        assert tr is not None
        for text in [f.text or "" for f in tr.iter("numerusform")] or [tr.text or ""]:
            same = sorted(fields.findall(src)) == sorted(fields.findall(text))
            same &= sorted(tags.findall(src)) == sorted(tags.findall(text))
            same &= ("%n" in src) == ("%n" in text)
            if not same:
                bad.append((src, text))
    assert bad == []


def test_compiled_catalogue_matches_the_source(tmp_path: Path) -> None:
    qm = tmp_path / "out.qm"
    i18n.release(TS, qm)
    assert qm.read_bytes() == TS.with_suffix(".qm").read_bytes(), (
        "run: .venv/bin/python -m app.i18n release"
    )


def _marked_calls() -> Iterator[tuple[str, int, ast.Call]]:
    for path in sorted((REPO / "app").rglob("*.py")):
        if path.name == "i18n.py":  # the wrapper itself
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and len(node.args) >= 2:
                f = node.func
                bare = isinstance(f, ast.Name) and f.id in ("translate", "QT_TRANSLATE_NOOP")
                qt = (
                    isinstance(f, ast.Attribute)
                    and f.attr in ("translate", "tr")
                    and getattr(f.value, "id", "") == "QCoreApplication"
                )
                if bare or qt:
                    yield str(path.relative_to(REPO)), node.lineno, node


def test_marked_strings_are_literals() -> None:
    """lupdate reads literals only: an f-string, a variable or a concatenation would never be
    found (or found with its braces, and never match at run time). Translating a value
    marked elsewhere (``translate(ctx, LABELS[name])``) is the exception: its first argument
    is still a literal and the text a name or subscript."""
    bad = []
    for path, line, call in _marked_calls():
        ctx, text = call.args[0], call.args[1]
        if not (isinstance(ctx, ast.Constant) and isinstance(ctx.value, str)):
            bad.append(f"{path}:{line} context")
        if isinstance(text, ast.JoinedStr | ast.BinOp | ast.Call):
            bad.append(f"{path}:{line} text")
    assert bad == []


# --- choosing the language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "system", "expected"),
    [
        ("", "zh_CN", "zh_CN"),
        ("", "zh_TW", "zh_CN"),
        ("", "en_US", "en"),
        ("", "de_DE", "en"),
        ("en", "zh_CN", "en"),
        ("zh_CN", "en_US", "zh_CN"),
        ("xx", "zh_CN", "zh_CN"),
    ],
)
def test_language_follows_the_system_unless_set(setting: str, system: str, expected: str) -> None:
    assert i18n.resolve(setting, QLocale(system)) == expected


@pytest.fixture
def zh(qapp: Any) -> Iterator[None]:
    assert i18n.install("zh_CN", qapp) == "zh_CN"
    yield
    assert i18n.install("en", qapp) == "en"


def test_installing_chinese_translates_and_english_restores(zh: None, qapp: Any) -> None:
    assert i18n.translate("MainWindow", "Start") != "Start"
    assert i18n.translate("QPlatformTheme", "Cancel") == "取消"  # Qt's own, for its buttons
    i18n.install("en", qapp)
    assert i18n.translate("MainWindow", "Start") == "Start"
    i18n.install("zh_CN", qapp)


def test_language_menu_keeps_the_choice(window: Any) -> None:
    menu = window.findChild(QMenu, "languageMenu")
    chosen = next(a for a in menu.actions() if a.data() == "zh_CN")
    chosen.trigger()
    assert window.settings.language() == "zh_CN"
    assert "KCP Desk" in window.statusBar().currentMessage()


# --- no English left on screen --------------------------------------------------------------------

_ACRONYMS = "KCP FEC RTT RTO MTU ACK TCP UDP JSON CSV DSCP QPP QR SNMP IP CPU URL NAT EOF BBR GF"
_NAMES = (
    "kcptun kcptun-client kcptun-server kcpdesk kcp go smux snappy Desk Debian Go Linux Reed "
    "Solomon DiffServ English stderr SSH unix LostSegs RetransSegs FastRetransSegs InCsumErrors"
)
_UNITS = "ms kB KB MB GB MiB KiB GiB Mbit EF AF CS"
TOKENS = frozenset(
    {
        *FIELD_SPECS,
        *(f for s in FIELD_SPECS.values() for f in s.flags),
        *MODES,
        MANUAL_MODE,
        *CRYPT_CHOICES,
        *f"{_ACRONYMS} {_NAMES} {_UNITS}".split(),
    }
)
"""Technical tokens kept in the Chinese text: kcptun's flag, mode and cipher names, acronyms,
program names, units (and "English", the language menu's name for itself)."""
_CHUNK = re.compile(r"[A-Za-z0-9_.:/=+-]+")
_DROP = (
    re.compile(r"<code>.*?</code>|<[^>]+>|&\w+;"),  # code samples, markup
    re.compile(r"'[^']*'|\"[^\"]*\""),  # quoted values (what the user typed, examples)
    re.compile(r"[\w-]+\u2026"),  # a word cut short by an elided label
    re.compile(r"kcpdesk \w+ --profile NAME"),  # the command line, in the name's tooltip
)


def english_words(text: str) -> list[str]:
    """Words of ``text`` that are English and not technical tokens.

    A chunk with a digit, ``_ : / . = +`` or a leading ``-`` is technical as a whole
    (``aes-128``, ``host:port``, ``kcptun_gclient``, ``--pacing=false``, ``-bogus``); a
    hyphenated chunk passes when each part does (``kcp-go``)."""
    for rx in _DROP:
        text = rx.sub(" ", text)
    words = []
    for chunk in _CHUNK.findall(text.replace("&", "")):
        flag = chunk.startswith("-")
        chunk = chunk.strip(".:-")
        if not chunk or flag or re.search(r"[\d_:/=+.]", chunk):
            continue
        parts = [w for w in chunk.split("-") if w]
        if chunk not in TOKENS and not all(_allowed(w) for w in parts):
            words.append(chunk)
    return words


def _allowed(word: str) -> bool:
    return len(word) < 2 or word in TOKENS or word.upper() in TOKENS


def _texts(w: QWidget) -> Iterator[tuple[str, str]]:
    """(what, text) pairs a user can read on ``w``."""
    name = type(w).__name__
    yield f"{name}.toolTip", w.toolTip()
    yield f"{name}.statusTip", w.statusTip()
    if w.isWindow():
        yield f"{name}.windowTitle", w.windowTitle()
    if isinstance(w, QLabel | QAbstractButton):
        yield f"{name}.text", w.text()
    if isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit):
        yield f"{name}.placeholder", w.placeholderText()
    if isinstance(w, QGroupBox):
        yield f"{name}.title", w.title()
    if isinstance(w, QTabWidget):
        for i in range(w.count()):
            yield f"{name}.tab", w.tabText(i)
            yield f"{name}.tabToolTip", w.tabToolTip(i)
    if isinstance(w, QComboBox):
        for i in range(w.count()):
            yield f"{name}.item", w.itemText(i)
            yield f"{name}.itemToolTip", str(w.itemData(i, 3) or "")  # ToolTipRole
    if isinstance(w, QTableWidget):
        for i in range(w.columnCount()):
            item = w.horizontalHeaderItem(i)
            yield f"{name}.header", item.text() if item else ""
        for i in range(w.rowCount()):
            item = w.verticalHeaderItem(i)
            yield f"{name}.header", item.text() if item else ""
    for a in w.actions():
        yield f"{name}.action", a.text()
        yield f"{name}.actionTip", a.statusTip()
        if a.menu() is not None:
            yield f"{name}.menu", a.menu().title()


def untranslated(top: QWidget) -> list[str]:
    """Every English word left on ``top`` and its children (those not hidden on purpose)."""
    found = []
    for w in [top, *top.findChildren(QWidget)]:
        if w is not top and not w.isVisibleTo(top) and not isinstance(w, QMenu):
            continue
        if w.objectName() in SKIP_OBJECTS or (
            w.parent() and w.parent().objectName() in SKIP_OBJECTS
        ):
            continue
        for what, text in _texts(w):
            words = english_words(text)
            if words:
                found.append(f"{what} {text[:90]!r}: {words}")
    return sorted(set(found))


def assert_chinese(top: QWidget) -> None:
    left = untranslated(top)
    assert not left, f"{len(left)} untranslated on {type(top).__name__}:\n" + "\n".join(left)


SKIP_OBJECTS: frozenset[str] = frozenset()
"""Object names not walked (none: log lines stay English but the log pane's text is not read)."""


def _client_with_errors(window: Any) -> None:
    window.new_profile("client")
    ed = window.editor
    ed.name_edit.setText("")
    ed.field_input("sndwnd").setText("0")
    ed.field_input("mtu").setText("abc")
    ed.field_input("remoteaddr").setText("example.com:99999")
    ed.field_input("datashard").setText("200")
    ed.field_input("parityshard").setText("100")
    ed.field_input("smuxbuf").setText("1024")
    ed.field_input("target" if "target" in ed._rows else "localaddr").setText("")
    ed.save()


def test_main_window_and_editor_with_errors_are_chinese(zh: None, window: Any) -> None:
    _client_with_errors(window)
    assert window.editor.errors, "the editor shows errors"
    assert_chinese(window)
    for menu in window.menuBar().findChildren(QMenu):
        assert_chinese(menu)


def test_demo_and_diagnostics_are_chinese(zh: None, window: Any, qloop: Any) -> None:
    assert run(qloop, window.start_demo(), timeout=20)
    run(qloop, wait_for(lambda: window.diagnostics.findings(), timeout=15), timeout=20)
    window.demo_panel._update_stats()
    assert window.demo_panel.isVisible()
    assert_chinese(window)
    run(qloop, window.demo.stop(), timeout=20)


def test_dialogs_are_chinese(zh: None, window: Any, qtbot: Any) -> None:
    from app.views import tune_actions
    from app.views.transfer import ExportDialog, ImportCommandDialog

    window.new_profile("client")
    window.editor.save()
    dialogs = [
        ExportDialog(window.manager.profile(window.current_name), window),
        ImportCommandDialog(window),
        tune_actions.open_share(window),
        tune_actions.open_tune(window),
        tune_actions.open_import(window),
    ]
    for dlg in dialogs:
        assert dlg is not None
        dlg.show()
        assert_chinese(dlg)
        dlg.close()


def test_tray_close_question_restart_bar_and_notices_are_chinese(zh: None, window: Any) -> None:
    from app.models.health import Health
    from app.notify import Note
    from app.views.close_dialog import CloseDialog
    from app.views.tray import Tray

    window.new_profile("client")
    window.editor.save()
    tray = Tray(window)
    tray.fill()
    assert tray.menu.actions() and untranslated(tray.menu) == []
    for with_tray in (True, False):
        dialog = CloseDialog([window.current_name], tray=with_tray, parent=window)
        dialog.show()
        assert_chinese(dialog)
        dialog.close()
    window.restart_bar.set_needed(True)
    assert window.restart_bar.isVisibleTo(window)
    assert_chinese(window.restart_bar)
    # a wrong key, as the header line and the notification say it
    health = Health(role="client", peer="203.0.113.7:29900")
    texts = [health._problem_detail(f) for f in _reachability_findings()]
    texts += [
        Note("家里", event, "x", folded=n).title for event in ("dropped", "error") for n in (0,)
    ]
    texts += [Note("家里", "connected", "x", folded=n).body for n in (1, 2)]
    assert [(t, english_words(t)) for t in texts if english_words(t)] == []


def _reachability_findings() -> list[Any]:
    from app.models.diagnostics import diagnose

    wrong_key = diagnose({"InCsumErrors": 50, "InPkts": 0}, role="server", seconds=5)
    silent = diagnose({"OutPkts": 50}, role="client", seconds=5, peer="203.0.113.7:29900")
    return [*wrong_key, *silent]


def test_every_finding_kind_and_status_line_is_chinese(zh: None, qapp: Any) -> None:
    """Every kind of finding, the remembered-problem texts, notifications, the restart bar."""
    from app.models.diagnostics import diagnose
    from app.models.health import Health
    from app.notify import Note
    from app.views.restart_bar import RestartBar

    lossy = {"InPkts": 900, "OutPkts": 1000, "OutSegs": 1000, "BytesSent": 10**6}
    cases = [
        ({"InCsumErrors": 50}, "server", {}),
        ({"OutPkts": 50}, "client", {}),
        ({"OutPkts": 50}, "server", {}),
        ({"OutPkts": 2}, "client", {}),
        ({}, "client", {}),
        ({"InPkts": 4, "OutPkts": 4}, "client", {}),
        (dict(lossy, PassiveOpens=3, FECErrs=9), "server", {}),
        (dict(lossy, RetransSegs=300, LostSegs=300), "client", {"mode": "fast2"}),
        (dict(lossy, RetransSegs=300, LostSegs=300), "client", {"mode": "fast3", "datashard": 10}),
        (dict(lossy, RetransSegs=300, LostSegs=300), "client", {"mode": "manual"}),
        (dict(lossy, RetransSegs=300, FastRetransSegs=300), "client", {"mode": "normal"}),
        (dict(lossy, RetransSegs=300, FastRetransSegs=300), "client", {"mode": "fast"}),
    ]
    texts = []
    for delta, role, kw in cases:
        for f in diagnose(delta, role=role, seconds=5, peer="vps:29900", **kw):
            texts += [f.title, f.advice]
    for f in diagnose({}, role="client", seconds=5, last_error="smux: frame version 2, expected 1"):
        texts += [f.title, f.advice]
    [no_reply] = diagnose({"OutPkts": 50}, role="client", seconds=5)
    for answered in (False, True):
        health = Health(role="client", peer="vps:29900")
        if answered:
            texts.append(health.update(now=0.0, tick={"InPkts": 5}, findings=[]).event_text)
        health.update(now=1.0, tick={"OutPkts": 9}, findings=[])
        texts.append(health.update(now=1.5, tick={"OutPkts": 9}, findings=[no_reply]).detail)
        v = health.update(now=4.0, tick={"OutPkts": 9}, findings=[no_reply])
        texts += [v.detail, v.event_text]
        v = health.update(now=9.0, tick={}, findings=[])
        texts += [v.detail, v.findings[0].advice]
    texts += [Note("家", e, "x", folded=n).title for e, n in (("connected", 0), ("error", 2))]
    texts += [Note("家", "dropped", "x", folded=n).body for n in (1, 3)]
    bar = RestartBar()
    texts += [bar.label.text(), bar.button.text(), bar.button.toolTip()]
    left = [(t, english_words(t)) for t in texts if english_words(t)]
    assert not left, left


@pytest.mark.parametrize(
    "bad",
    [
        ("json", "{not json"),
        ("json", "[1, 2]"),
        ("json", '{"mode": "fast"}'),
        ("command", "ssh example.com"),
        ("command", "kcptun-client --bogus 1"),
        ("command", "kcptun-client -r"),
        ("command", "kcptun-client 'unclosed"),
        ("link", "kcptun://%%%"),
    ],
)
def test_import_errors_are_chinese(zh: None, bad: tuple[str, str]) -> None:
    """What an import says about a file, a pasted command line or a share link it refuses."""
    from app.core_text import problem_text
    from kcpcore.errors import ConfigError
    from kcpcore.profiles import import_kcptun_json, parse_command_line
    from kcpcore.sharelink import parse_link

    kind, text = bad
    parse = {"json": import_kcptun_json, "command": parse_command_line, "link": parse_link}[kind]
    with pytest.raises(ConfigError) as caught:
        parse(text)
    shown = problem_text(str(caught.value))
    assert english_words(shown) == [], shown


def test_the_language_setting_applies_at_start(tmp_path: Path) -> None:
    """View > Language is kept in ui.ini and read when the app starts (``python -m app``,
    offscreen), whatever the system locale says."""
    import os
    import subprocess
    import sys

    from app.settings import UiSettings

    base = tmp_path / "cfg"
    base.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LANGUAGE="en", KCPDESK_CONFIG_DIR=str(base))
    cmd = [sys.executable, "-m", "app", "--basedir", str(base), "--smoke-test", "300"]
    for choice, expected in (("", "en"), ("zh_CN", "zh_CN")):
        settings = UiSettings(str(base / "ui.ini"))
        settings.set_language(choice)
        settings.sync()
        proc = subprocess.run(
            cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert proc.returncode == 0, proc.stderr
        assert f" lang={expected}" in proc.stdout, proc.stdout


def _tune_texts() -> list[str]:
    """Every reason and finding the Tune rules give over a spread of measurements: the cases
    of tests/core/test_tune_rules.py plus a grid of loss, RTT, CPU, windows and settings."""
    import itertools
    from dataclasses import replace as with_

    from kcpcore.tune import DirectionFigures, LinkFigures, recommend
    from tests.core.test_tune_rules import CASES, CLIENT, SERVER

    texts: list[str] = []
    for _name, fig, cli, srv, *_ in CASES:
        advice = recommend(fig, with_(CLIENT, **cli), with_(SERVER, **srv))
        texts += [r.reason for r in advice.changes] + list(advice.findings)
    grid = itertools.product(
        (None, 0.0, 0.003, 0.02, 0.1),  # loss
        (None, "sender", "receiver"),  # window limit
        (None, 0.3, 0.95),  # cpu
        ({}, {"mode": "normal", "datashard": 0, "sockbuf": 65536, "mtu": 900}, {"mode": "x"}),
    )
    for loss, limit, cpu_share, cli in grid:
        for cap in (None, 4e6, 40e6):
            down = DirectionFigures(
                rate_bps=5e6, busy=True, loss=loss, window_limit=limit, capacity_bps=cap
            )
            fig = LinkFigures(rtt_min_ms=40, srtt_ms=90, cpu=cpu_share, down=down)
            advice = recommend(fig, with_(CLIENT, **cli), SERVER)
            texts += [r.reason for r in advice.changes] + list(advice.findings)
    texts.append(recommend(LinkFigures(rtt_min_ms=40, srtt_ms=40), CLIENT, SERVER).findings[0])
    return sorted(set(texts))


def test_tune_advice_is_chinese(zh: None) -> None:
    from app.tune_text import advice_text, change_line

    texts = _tune_texts()
    assert len(texts) > 20
    left = [(t, advice_text(t)) for t in texts if english_words(advice_text(t))]
    assert left == [], "\n".join(f"{t}\n  -> {z}" for t, z in left)
    assert english_words(change_line("client", "sndwnd", 128, 1024)) == []


def test_import_warnings_are_chinese(zh: None) -> None:
    """What an import warns about (status bar, import preview): unknown keys, cipher, mode,
    settings only kcptun 2025 has."""
    from app.core_text import problem_text
    from kcpcore.flags import json_key_warnings
    from kcpcore.profiles import parse_command_line

    _cfg, warnings = parse_command_line(
        "kcptun-client -r 203.0.113.7:29900 --crypt rot13 --mode turbo --closewait 5"
    )
    warnings += json_key_warnings("client", '{"remoteaddr": "a:1", "pacing_v2": 1}', "a.json")
    assert len(warnings) >= 4
    shown = [problem_text(w) for w in warnings]
    assert [(w, english_words(w)) for w in shown if english_words(w)] == []


def test_why_a_link_dropped_is_chinese(zh: None) -> None:
    """The notification and header text when a session ends on its own (smux's reasons)."""
    from app.models.health import Health

    for reason in (
        "smux: no frame from the peer in 30 s (keepalive timeout)",
        "smux: frame version 2, expected 1",
    ):
        health = Health(role="client", peer="203.0.113.7:29900")
        health.link = "up"
        _event, text = health._link_event(False, reason)
        assert text and english_words(text) == [], text
