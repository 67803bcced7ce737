"""The real window under Xvfb (the xcb platform, not offscreen): it starts, draws, quits.

Runs ``python -m app --smoke-test`` as a user would launch it, in a virtual X server that
``xvfb-run -a`` starts on a free display and always stops. The screenshot goes to pytest's
tmp dir; stderr must stay empty (Qt's own warnings go to the log pane, not the terminal).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(
        shutil.which("xvfb-run") is None,
        reason="xvfb-run is not installed (scripts/bootstrap.sh does)",
    ),
]

REPO = Path(__file__).resolve().parents[2]


def run_app(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", KCPDESK_CONFIG_DIR=str(tmp_path / "cfg"))
    cmd = [
        "xvfb-run",
        "-a",
        "-s",
        "-screen 0 1440x900x24",
        sys.executable,
        "-m",
        "app",
        "--basedir",
        str(tmp_path / "cfg"),
        *args,
    ]
    return subprocess.run(
        cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def distinct_colours(path: Path) -> int:
    img = QImage(str(path))
    assert not img.isNull(), f"{path} is not an image"
    step = max(img.width() // 80, 1)
    return len(
        {img.pixel(x, y) for x in range(0, img.width(), step) for y in range(0, img.height(), step)}
    )


def test_real_window_starts_and_draws(tmp_path: Path, qapp: object) -> None:
    shot = tmp_path / "window.png"
    proc = run_app(tmp_path, "--smoke-test", "1500", "--screenshot", str(shot))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "smoke: profiles=0 running=0" in proc.stdout
    img = QImage(str(shot))
    assert img.width() >= 800 and img.height() >= 500
    assert distinct_colours(shot) > 20  # a drawn window, not a blank rectangle


@pytest.mark.slow
def test_demo_under_xvfb_moves_data(tmp_path: Path, qapp: object) -> None:
    shot = tmp_path / "demo.png"
    proc = run_app(tmp_path, "--demo", "--smoke-test", "6000", "--screenshot", str(shot))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("smoke:"))
    fields = dict(kv.split("=") for kv in line.split()[1:])
    assert fields["running"] == "2" and int(fields["demo_bytes"]) > 100_000
    assert distinct_colours(shot) > 40
