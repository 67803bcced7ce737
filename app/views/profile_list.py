"""The profile list: one row per profile with its status light, role, addresses and rate.

``ProfileListModel`` is a thin adapter over ``ProfileManager`` (names as rows, everything else
through item roles); ``ProfileDelegate`` paints the two-line rows. Client and server profiles
sit in the same list, each tagged with its role, so a loopback pair is seen side by side.
"""

from __future__ import annotations

import time
from enum import IntEnum
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.controllers.manager import ProfileManager
from app.controllers.tunnel import TunnelState
from app.format import rate_pair
from app.i18n import translate
from app.views.labels import role_label, state_label
from kcpcore.config import TunnelConfig

STATE_COLORS: Final[dict[TunnelState, str]] = {
    TunnelState.STOPPED: "#9ca3af",
    TunnelState.CONNECTING: "#f2a900",
    TunnelState.RUNNING: "#27ae60",
    TunnelState.ERROR: "#d93025",
}

_Index = QModelIndex | QPersistentModelIndex
LEFT_V: Final = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
RIGHT_V: Final = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
RATE_REFRESH: Final = 1.0  # s between repaints of a row whose rate alone changed
RATE_TURN: Final = 0.25  # s between two rows' rate repaints (more rows: each less often)
ROW_CACHE: Final = 256  # rows kept (one per profile; cleared if profiles come and go a lot)


class Roles(IntEnum):
    """Item data roles beyond DisplayRole (the name)."""

    ROLE = Qt.ItemDataRole.UserRole + 1
    STATE = ROLE + 1
    DETAIL = ROLE + 2
    RATE = ROLE + 3
    ADDRESSES = ROLE + 4
    TRANSIENT = ROLE + 5


class ProfileListModel(QAbstractListModel):
    """Rows are ``manager.names()``; rebuilt when profiles come and go."""

    def __init__(self, manager: ProfileManager) -> None:
        super().__init__(manager)
        self.manager = manager
        self._names = manager.names()
        self._shown: dict[str, tuple[object, float]] = {}
        """per row: the (state, detail) last painted, and when"""
        self._rate_due: set[str] = set()
        """rows whose rate is due for a repaint"""
        self._turns = QTimer(self)
        self._turns.setInterval(int(RATE_TURN * 1000))
        self._turns.timeout.connect(self._next_rate_row)
        manager.profiles_changed.connect(self._on_profiles_changed)
        manager.profile_changed.connect(self._on_profile_changed)

    def _on_profiles_changed(self) -> None:
        self.beginResetModel()
        self._names = self.manager.names()
        self.endResetModel()

    def _on_profile_changed(self, name: str) -> None:
        """Repaint the row: a change of state or error at once; a change of rate alone at
        most every ``RATE_REFRESH`` s, the rows taking turns (``_next_rate_row``).

        Every sample (twice a second per running profile) changes the rate, and each row
        repaint is a paint pass on the thread the tunnels run on. The profiles sample in
        step, so rows refreshed as they came were all redrawn in the same pass."""
        if name not in self._names:
            return
        ctrl = self.manager.controller(name)
        shown = (ctrl.state, ctrl.detail) if ctrl is not None else None
        now = time.monotonic()
        last = self._shown.get(name)
        if last is not None and last[0] == shown:
            if now - last[1] >= RATE_REFRESH:
                self._rate_due.add(name)
                if not self._turns.isActive():
                    self._turns.start()
            return
        self._shown[name] = (shown, now)
        self._rate_due.discard(name)
        i = self.index(self._names.index(name))
        self.dataChanged.emit(i, i, [])

    def _next_rate_row(self) -> None:
        """The due row whose rate has waited longest: one row each ``RATE_TURN`` s."""
        due = [n for n in self._rate_due if n in self._names and n in self._shown]
        if not due:
            self._rate_due.clear()
            self._turns.stop()
            return
        name = min(due, key=lambda n: self._shown[n][1])
        self._rate_due.discard(name)
        self._shown[name] = (self._shown[name][0], time.monotonic())
        i = self.index(self._names.index(name))
        self.dataChanged.emit(i, i, [Roles.RATE])

    def row_view(self, row: int) -> tuple[str, str, str, TunnelState, str] | None:
        """Everything row ``row`` shows: name, role tag, addresses, state, and the third line
        (state and rate, or the error). One Python call a row where the item roles took one
        each: the delegate asks for every row each time the list repaints."""
        if not 0 <= row < len(self._names) or self._names[row] not in self.manager:
            return None
        name = self._names[row]
        profile = self.manager.profile(name)
        ctrl = self.manager.controller(name)
        state = ctrl.state if ctrl is not None else TunnelState.STOPPED
        tag = role_label(profile.role) + (
            " \u00b7 " + translate("ProfileList", "demo") if self.manager.is_transient(name) else ""
        )
        addresses = _addresses(profile.config)
        if state is TunnelState.ERROR:
            third = translate("ProfileList", "error: {detail}").format(
                detail=ctrl.detail if ctrl is not None else ""
            )
        elif ctrl is not None and ctrl.engine is not None:
            third = f"{state_label(state)}   {rate_pair(*ctrl.rates())}"
        else:
            third = state_label(state)
        return name, tag, addresses, state, third

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._names)

    def name_at(self, row: int) -> str:
        return self._names[row]

    def row_of(self, name: str) -> int:
        return self._names.index(name) if name in self._names else -1

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._names):
            return None
        name = self._names[index.row()]
        if name not in self.manager:
            return None
        profile = self.manager.profile(name)
        ctrl = self.manager.controller(name)
        state = ctrl.state if ctrl is not None else TunnelState.STOPPED
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return name
        if role == Qt.ItemDataRole.ToolTipRole:
            detail = ctrl.detail if ctrl is not None else ""
            return f"{name} ({role_label(profile.role)}): {state_label(state)}" + (
                f"\n{detail}" if detail else ""
            )
        if role == Roles.ROLE:
            return profile.role
        if role == Roles.STATE:
            return state
        if role == Roles.DETAIL:
            return ctrl.detail if ctrl is not None else ""
        if role == Roles.RATE:
            return ctrl.rates() if ctrl is not None and ctrl.engine is not None else None
        if role == Roles.ADDRESSES:
            return _addresses(profile.config)
        if role == Roles.TRANSIENT:
            return self.manager.is_transient(name)
        return None


class ProfileListView(QListView):
    """A list view that repaints only the row that changed.

    ``QListView`` answers a one-row ``dataChanged`` by repainting its whole viewport, every
    row and the empty space below (``benchmarks/gui_lag.py --trace``, paint rectangles): with
    every running profile's rate changing each second, that was the costliest regular paint
    pass on the thread the tunnels share. A change of rate alone (``Roles.RATE``) repaints
    its row's rectangle and nothing else; any other change goes the usual way (the view's
    bookkeeping, accessibility)."""

    def dataChanged(  # noqa: N802 - Qt override
        self, top_left: _Index, bottom_right: _Index, roles: Any = ()
    ) -> None:
        if top_left == bottom_right and top_left.isValid() and list(roles) == [Roles.RATE]:
            self.viewport().update(self.visualRect(top_left))
            return
        super().dataChanged(top_left, bottom_right, roles)


def _addresses(cfg: TunnelConfig) -> str:
    if cfg.role == "client":
        return f"{cfg.localaddr} \u2192 {cfg.remoteaddr}"
    return f"{cfg.listen} \u2192 {cfg.target}"


class ProfileDelegate(QStyledItemDelegate):
    """Three short lines, so a narrow list still shows everything:

    ``(light) name  role``, then the addresses, then the state with the current rate (or the
    error message in red).
    """

    PAD: Final = 7
    LIGHT: Final = 12
    GAP: Final = 2

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        fm = QFontMetrics(option.font)
        return QSize(220, fm.height() * 3 + self.GAP * 2 + self.PAD * 2)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: dict[str, tuple[tuple[Any, ...], QPixmap]] = {}
        """per profile: everything its row shows, and the row drawn from it"""
        self._tops: dict[str, tuple[tuple[Any, ...], QPixmap]] = {}
        """per profile: the row without its third line (state and rate), which changes most"""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Rows come from cached pictures, redrawn only when something shown changed.

        The list view repaints all its rows whenever one changes (every sample changes a
        rate), and shaping every row's text each time cost milliseconds on the thread the
        tunnels run on: an unchanged row is a pixmap copy, a row whose rate alone changed
        redraws only that line over its cached top (``benchmarks/gui_lag.py --trace``)."""
        model = index.model()
        row = model.row_view(index.row()) if isinstance(model, ProfileListModel) else None
        if row is None:
            return
        name, tag, addresses, state, third = row
        top_key = (
            name,
            tag,
            addresses,
            state,
            bool(option.state & QStyle.StateFlag.State_Selected),
            bool(option.state & QStyle.StateFlag.State_MouseOver),
            option.rect.size().toTuple(),
            option.font.key(),
            painter.device().devicePixelRatioF(),
            option.palette.cacheKey(),  # the theme switched: draw the row again
        )
        cached = self._rows.get(name)
        if cached is None or cached[0] != (top_key, third):
            if len(self._rows) > ROW_CACHE:
                self._rows.clear()
            top = self._tops.get(name)
            if top is None or top[0] != top_key:
                top = self._tops[name] = (top_key, self._render_top(option, top_key))
            cached = self._rows[name] = ((top_key, third), self._with_third(option, top, third))
        painter.drawPixmap(option.rect.topLeft(), cached[1])

    def _colors(self, option: QStyleOptionViewItem, selected: bool) -> tuple[QColor, QColor]:
        text = option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = QColor(text)
        muted.setAlpha(170)
        return text, muted

    def _render_top(self, option: QStyleOptionViewItem, key: tuple[Any, ...]) -> QPixmap:
        name, tag, addresses, state, selected, hover, _size, _font, ratio, _pal = key
        pixmap = QPixmap(option.rect.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        if selected:  # by hand: the style sheet's CE_ItemViewItem cost ms per row and sample
            pixmap.fill(option.palette.color(QPalette.ColorRole.Highlight))
        elif hover:
            pixmap.fill(option.palette.color(QPalette.ColorRole.AlternateBase))
        else:
            pixmap.fill(option.palette.color(QPalette.ColorRole.Base))
        painter = QPainter(pixmap)
        try:
            self._paint_top(painter, option, name, tag, addresses, state, selected)
        finally:
            painter.end()
        return pixmap

    def _with_third(
        self, option: QStyleOptionViewItem, top: tuple[tuple[Any, ...], QPixmap], third: str
    ) -> QPixmap:
        """The cached top with the third line drawn on a copy of it."""
        key, pixmap = top
        row = pixmap.copy()
        painter = QPainter(row)
        try:
            self._paint_third_line(painter, option, third, key[3], key[4])
        finally:
            painter.end()
        return row

    def _paint_top(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        name: str,
        tag: str,
        addresses: str,
        state: TunnelState,
        selected: bool,
    ) -> None:
        """The status light, the name with its role tag, the addresses."""
        text_color, muted = self._colors(option, selected)
        r = QRect(0, 0, option.rect.width(), option.rect.height()).adjusted(
            self.PAD, self.PAD, -self.PAD, -self.PAD
        )
        fm = QFontMetrics(option.font)
        line_h = fm.height()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor(STATE_COLORS[state])
        painter.setBrush(color)
        painter.setPen(color.darker(130))
        painter.drawEllipse(r.left(), r.top() + (line_h - self.LIGHT) // 2, self.LIGHT, self.LIGHT)
        x = r.left() + self.LIGHT + self.PAD
        width = r.right() - x
        tag_w = fm.horizontalAdvance(tag) + 6
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_color)
        name = QFontMetrics(bold).elidedText(
            name, Qt.TextElideMode.ElideRight, max(width - tag_w, 20)
        )
        painter.drawText(QRect(x, r.top(), width - tag_w, line_h), LEFT_V, name)
        painter.setFont(option.font)
        painter.setPen(muted)
        painter.drawText(QRect(r.right() - tag_w, r.top(), tag_w, line_h), RIGHT_V, tag)
        y2 = r.top() + line_h + self.GAP
        addresses = fm.elidedText(addresses, Qt.TextElideMode.ElideMiddle, width)
        painter.drawText(QRect(x, y2, width, line_h), LEFT_V, addresses)

    def _paint_third_line(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        third: str,
        state: TunnelState,
        selected: bool,
    ) -> None:
        """State and rate, or the error in red."""
        _text, muted = self._colors(option, selected)
        r = QRect(0, 0, option.rect.width(), option.rect.height()).adjusted(
            self.PAD, self.PAD, -self.PAD, -self.PAD
        )
        fm = QFontMetrics(option.font)
        line_h = fm.height()
        x = r.left() + self.LIGHT + self.PAD
        width = r.right() - x
        painter.setFont(option.font)
        painter.setPen(muted)
        if state is TunnelState.ERROR and not selected:
            painter.setPen(QColor(STATE_COLORS[TunnelState.ERROR]))
        painter.drawText(
            QRect(x, r.top() + 2 * (line_h + self.GAP), width, line_h),
            LEFT_V,
            fm.elidedText(third, Qt.TextElideMode.ElideRight, width),
        )
