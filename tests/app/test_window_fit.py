"""The window fits small screens and does not grow with changing text (issue 16, item 1).

Offscreen: the minimum size stays put while the demo relay's counters and a profile's name
grow. Under Xvfb with a window manager: the demo window, frame included, lies inside the
screen's available area at 1366x768 and 900x600 (``scripts/screens.py`` drives the real app).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QScrollArea

from app.widgets.elided_label import ElidedLabel
from kcpcore.config import TunnelConfig
from kcpcore.profiles import Profile
from tests.app.conftest import run, wait_for
from tests.helpers import xdisplay

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
FRAME = (12, 40)
"""px a window manager's frame may add (openbox: 2 + 2 wide, 20 + 4 tall, with slack)"""


def test_minimum_width_is_bounded_while_counters_and_names_grow(window: Any, qloop: Any) -> None:
    async def scenario() -> None:
        assert await window.start_demo()
        demo, panel = window.demo, window.demo_panel
        await wait_for(lambda: demo.traffic.received > 0, timeout=15)
        panel._update_stats()
        before = window.minimumSizeHint()
        for digits in (6, 9, 12, 15):
            demo.relay.stats.up = demo.relay.stats.down = 10**digits
            demo.traffic.received = 10**digits
            panel._update_stats()
            assert str(10**digits * 2) in panel.stats.text()
            window.layout().activate()
            assert window.minimumSizeHint().width() <= before.width()
        assert panel.stats.is_elided() and panel.stats.toolTip() == panel.stats.text()
        # a long profile name: the title and the charts' caption are cut, the window is not
        name = "Office link to the Frankfurt data centre, second uplink (backup)"
        window.manager.save(Profile(name.strip(), TunnelConfig(role="server")))
        window.select(name.strip())
        window.layout().activate()
        assert window.title.text().startswith(name.strip())
        assert window.minimumSizeHint().width() <= before.width()
        # the whole demo window fits a 900x600 screen with its frame (1366x768 a fortiori)
        hint = window.minimumSizeHint()
        assert hint.width() + FRAME[0] <= 900 and hint.height() + FRAME[1] <= 600, hint
        # at that size the Monitor tab scrolls up and down, but nothing is cut at the right
        window.select(demo.client_name)
        window.resize(hint)
        scroll = window.findChild(QScrollArea, "monitorScroll")
        await wait_for(lambda: window.size() == hint and scroll.widget().width() > 0)
        assert scroll.widget().width() <= scroll.viewport().width()
        assert scroll.widget().minimumSizeHint().width() <= scroll.viewport().width()
        await demo.stop()
        window.layout().activate()
        assert window.minimumSizeHint().width() <= before.width()  # and stays so after the demo

    run(qloop, scenario(), timeout=40)


def test_elided_label_asks_little_and_tells_the_whole_text(qtbot: Any) -> None:
    label = ElidedLabel("short")
    qtbot.addWidget(label)
    label.resize(300, 20)
    label.show()
    assert not label.is_elided() and label.toolTip() == ""
    narrow = label.minimumSizeHint().width()
    label.setText("x" * 500)
    assert label.minimumSizeHint().width() == narrow  # the text does not set the minimum
    assert label.is_elided() and label.toolTip() == "x" * 500
    label.setText("short again")
    assert not label.is_elided() and label.toolTip() == ""


@pytest.mark.slow
@pytest.mark.skipif(not xdisplay.available(), reason="Xvfb is not installed")
@pytest.mark.parametrize("size", ["1366x768", "900x600"])
def test_demo_window_fits_the_screen_with_its_frame(size: str, tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "scripts/screens.py",
            *("--sizes", size, "--themes", "light", "--scenes", "demo"),
            *("--warmup", "3", "--out", str(tmp_path)),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith(f"{size}-light-demo"))
    m = re.search(r"frame (\d+)x(\d+)\+(-?\d+)\+(-?\d+) in (\d+)x(\d+)", line)
    assert m, line
    w, h, x, y, aw, ah = map(int, m.groups())
    assert x >= 0 and y >= 0 and x + w <= aw and y + h <= ah, line
    assert (tmp_path / f"{size}-light-demo.png").stat().st_size > 10_000
