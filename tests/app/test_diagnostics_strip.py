"""The diagnostics strip: a card whose text grows does not move or resize the charts below it;
cards that come or go do."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.models.diagnostics import Finding
from app.views import diagnostics, diagnostics_strip
from app.views.diagnostics_strip import MAX_HEIGHT, DiagnosticsStrip

pytestmark = pytest.mark.gui

SHORT = "Raise sndwnd."
LONG = " ".join(["Raise sndwnd here and rcvwnd on the other end for more speed."] * 4)


def _monitor(qtbot: Any) -> tuple[QWidget, diagnostics.DiagnosticsView, QWidget]:
    page = QWidget()
    qtbot.addWidget(page)
    lay = QVBoxLayout(page)
    view = diagnostics.DiagnosticsView()
    lay.addWidget(DiagnosticsStrip(view))
    below = QWidget()  # where the charts go
    lay.addWidget(below, 1)
    page.resize(500, 500)
    page.show()
    qtbot.waitExposed(page)
    return page, view, below


def test_a_growing_card_leaves_the_charts_alone(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _page, view, below = _monitor(qtbot)
    view.show_findings([Finding("sndwnd", "info", "The send window is full", SHORT)])
    qtbot.waitUntil(lambda: below.height() < 480)  # the card took its room
    qtbot.wait(50)  # any further layout pass has run
    geometry = below.geometry()
    monkeypatch.setattr(diagnostics, "NUMBERS_REFRESH", 0.0)
    view.show_findings([Finding("sndwnd", "info", "The send window is full", LONG)])
    assert view._cards[0].text.text().endswith("speed.")
    qtbot.wait(50)  # layout requests delivered
    assert below.geometry() == geometry


def test_cards_that_come_or_go_resize_the_strip(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagnostics_strip, "SHRINK_AFTER", 1.0)
    _page, view, below = _monitor(qtbot)
    one = [Finding("sndwnd", "info", "The send window is full", SHORT)]
    view.show_findings(one)
    qtbot.waitUntil(lambda: below.height() < 480)
    qtbot.wait(50)
    with_one = below.height()
    view.show_findings([*one, Finding("retrans", "warning", "Heavy retransmits", SHORT)])
    qtbot.waitUntil(lambda: below.height() < with_one)
    assert 500 - below.height() <= MAX_HEIGHT + 40  # layout margins and spacing
    with_two = below.height()
    view.show_findings(one)  # one goes: the room comes back only if that holds
    qtbot.wait(50)
    assert below.height() == with_two
    qtbot.waitUntil(lambda: below.height() == with_one, timeout=5000)
    view.show_findings([])
    qtbot.waitUntil(lambda: below.height() > with_one, timeout=5000)
