"""``kcpdesk``, the console script (``app.launcher``): window or headless command, and the
promise that a headless install (no PySide6) still runs ``kcpdesk client|server``."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from app import launcher
from app.options import GUI_OPTIONS, parser

REPO = Path(__file__).resolve().parents[1]


def _fake_gui(monkeypatch: pytest.MonkeyPatch, rc: int = 0) -> list[list[str]]:
    """Replace ``app.main`` (which would open a window) by a recorder."""
    calls: list[list[str]] = []
    mod = types.ModuleType("app.main")
    mod.main = lambda args: calls.append(args) or rc  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.main", mod)
    return calls


@pytest.mark.parametrize(
    "argv",
    [
        ["--demo"],
        ["--basedir", "/x", "--demo"],
        ["--debug"],
        ["--smoke-test=100"],
        ["--screenshot", "a.png"],
    ],
)
def test_gui_options_open_the_window(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    calls = _fake_gui(monkeypatch)
    assert launcher.main(argv) == 0 and calls == [argv]


def test_no_arguments_open_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_gui(monkeypatch, rc=7)
    assert launcher.main([]) == 7 and calls == [[]]


def test_commands_run_headless(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = _fake_gui(monkeypatch)
    assert launcher.main(["server", "--help"]) == 0
    assert "--target value" in capsys.readouterr().out
    assert launcher.main(["--help"]) == 0 and "kcpdesk client" in capsys.readouterr().out
    assert launcher.main(["frob"]) == 2 and calls == []


def test_every_window_option_is_a_launcher_option() -> None:
    """The launcher's list and the window's parser are one table (they once drifted)."""
    parsed = {
        name
        for action in parser()._actions
        for name in action.option_strings
        if name.startswith("--") and name != "--help"
    }
    assert parsed == GUI_OPTIONS


def test_gui_missing_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "app.main", None)  # makes the import fail
    assert launcher.main([]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "pip install kcpdesk[gui]" in line


_WITHOUT_QT = """
import importlib.abc, sys
class NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "qasync", "pyqtgraph"):
            raise ImportError(f"No module named {name!r}")
sys.meta_path.insert(0, NoQt())
from app.launcher import main
rc = main(sys.argv[1:])
print("rc", rc, sorted(m for m in sys.modules if m.startswith(("PySide6", "app.main"))))
"""


@pytest.mark.parametrize(
    ("argv", "rc", "err"),
    [
        (["client", "--help"], 0, ""),
        (["server", "--mtu", "abc"], 2, "kcpdesk: error: invalid value"),
        ([], 2, "kcpdesk: error: the GUI is not installed"),
        (["--demo"], 2, "kcpdesk: error: the GUI is not installed"),
    ],
)
def test_headless_install_without_qt(argv: list[str], rc: int, err: str) -> None:
    """What ``pip install kcpdesk`` (no ``[gui]``) gets: the commands work, the window says
    what to install."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", _WITHOUT_QT, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=REPO,
    )
    assert proc.stdout.splitlines()[-1] == f"rc {rc} []", proc.stderr
    assert proc.stderr.startswith(err) and len(proc.stderr.splitlines()) == (1 if err else 0)
    if not err:
        assert "--remoteaddr" in proc.stdout
