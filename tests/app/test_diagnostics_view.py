"""The diagnostics cards: rebuilt when the problems change, numbers refreshed sparingly."""

from __future__ import annotations

from typing import Any

import pytest

from app.models.diagnostics import Finding
from app.views import diagnostics

pytestmark = pytest.mark.gui


def _texts(view: Any) -> list[str]:
    return [c.text.text() for c in view._cards]


def test_cards_follow_the_findings(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    view = diagnostics.DiagnosticsView()
    qtbot.addWidget(view)
    a = Finding("retrans", "warning", "Heavy retransmits: 12%", "advice")
    view.show_findings([a])
    assert [c.finding.code for c in view._cards] == ["retrans"]
    first = view._cards[0]
    newer = Finding("retrans", "warning", "Heavy retransmits: 13%", "advice")
    view.show_findings([newer])  # same problem, new number, within NUMBERS_REFRESH: kept
    assert view._cards[0] is first and "12%" in _texts(view)[0]
    monkeypatch.setattr(diagnostics, "NUMBERS_REFRESH", 0.0)
    view.show_findings([newer])  # refresh due: same card, new text (no flicker)
    assert view._cards[0] is first and "13%" in _texts(view)[0]
    view.show_findings([newer, Finding("window-full", "info", "The send window is full", "")])
    assert [c.finding.code for c in view._cards] == ["retrans", "window-full"]
    view.show_findings([])
    assert view._cards == [] and view.findings() == ()
