"""The profile list repaints only the row whose rate changed, not the whole list."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, QRect, QStringListModel

from app.views.profile_list import ProfileListView, Roles

pytestmark = pytest.mark.gui


class _PaintRects(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())  # type: ignore[attr-defined]
        return False


def test_a_rate_change_repaints_its_row_only(qtbot: Any) -> None:
    model = QStringListModel([f"profile {i}" for i in range(8)])
    view = ProfileListView()
    qtbot.addWidget(view)
    view.setUniformItemSizes(True)
    view.setModel(model)
    view.resize(300, 400)
    rects = _PaintRects()
    view.viewport().installEventFilter(rects)
    view.show()
    qtbot.waitExposed(view)
    full = view.viewport().rect()
    qtbot.waitUntil(lambda: full in rects.rects)  # the first, whole paint is done
    rects.rects.clear()
    row = model.index(3)
    model.dataChanged.emit(row, row, [Roles.RATE])
    qtbot.waitUntil(lambda: bool(rects.rects))
    assert rects.rects[-1] == view.visualRect(row)
    assert rects.rects[-1].height() < view.viewport().height() / 4


def test_rows_take_turns_for_their_rate(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Profiles sample in step; their rows' rate repaints come one at a time, oldest first,
    while a change of state repaints at once."""
    from app.controllers.manager import ProfileManager
    from app.views import profile_list
    from kcpcore.config import TunnelConfig
    from kcpcore.profiles import Profile, ProfileStore

    monkeypatch.setattr(profile_list, "RATE_REFRESH", 0.0)
    manager = ProfileManager(ProfileStore())
    for name in ("a", "b", "c"):
        manager.add_transient(Profile(name, TunnelConfig(role="client")))
    model = profile_list.ProfileListModel(manager)
    seen: list[tuple[str, list[int]]] = []
    model.dataChanged.connect(lambda i, _j, roles: seen.append((model.name_at(i.row()), roles)))
    for name in ("c", "a", "b"):
        model._on_profile_changed(name)  # first sight: at once
    assert [n for n, _r in seen] == ["c", "a", "b"]
    seen.clear()
    for name in ("a", "b", "c"):  # the next sample, rates only
        model._on_profile_changed(name)
    assert seen == []  # not in this pass
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert seen[0] == ("c", [profile_list.Roles.RATE])  # it waited longest
    qtbot.waitUntil(lambda: len(seen) == 3)
    assert sorted(n for n, _r in seen) == ["a", "b", "c"]
