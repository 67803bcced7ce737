"""The profile list: one row per profile with its status light, role, addresses and rate.

``ProfileListModel`` is a thin adapter over ``ProfileManager`` (names as rows, everything else
through item roles); ``ProfileDelegate`` paints the two-line rows. Client and server profiles
sit in the same list, each tagged with its role, so a loopback pair is seen side by side.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Final

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.controllers.manager import ProfileManager
from app.controllers.tunnel import TunnelState
from app.format import rate_pair

STATE_COLORS: Final[dict[TunnelState, str]] = {
    TunnelState.STOPPED: "#9ca3af",
    TunnelState.CONNECTING: "#f2a900",
    TunnelState.RUNNING: "#27ae60",
    TunnelState.ERROR: "#d93025",
}

_Index = QModelIndex | QPersistentModelIndex


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
        manager.profiles_changed.connect(self._on_profiles_changed)
        manager.profile_changed.connect(self._on_profile_changed)

    def _on_profiles_changed(self) -> None:
        self.beginResetModel()
        self._names = self.manager.names()
        self.endResetModel()

    def _on_profile_changed(self, name: str) -> None:
        if name in self._names:
            i = self.index(self._names.index(name))
            self.dataChanged.emit(i, i)

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
            return f"{name} ({profile.role}): {state.value}" + (f"\n{detail}" if detail else "")
        if role == Roles.ROLE:
            return profile.role
        if role == Roles.STATE:
            return state
        if role == Roles.DETAIL:
            return ctrl.detail if ctrl is not None else ""
        if role == Roles.RATE:
            return ctrl.rates() if ctrl is not None and ctrl.engine is not None else None
        if role == Roles.ADDRESSES:
            cfg = profile.config
            if cfg.role == "client":
                return f"{cfg.localaddr} \u2192 {cfg.remoteaddr}"
            return f"{cfg.listen} \u2192 {cfg.target}"
        if role == Roles.TRANSIENT:
            return self.manager.is_transient(name)
        return None


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

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        style = option.widget.style() if option.widget else None
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_color = option.palette.color(QPalette.ColorRole.HighlightedText if selected
                                          else QPalette.ColorRole.Text)
        muted = QColor(text_color)
        muted.setAlpha(170)
        r = option.rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        fm = QFontMetrics(option.font)
        line_h = fm.height()
        state: TunnelState = index.data(Roles.STATE) or TunnelState.STOPPED
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor(STATE_COLORS[state])
        painter.setBrush(color)
        painter.setPen(color.darker(130))
        painter.drawEllipse(r.left(), r.top() + (line_h - self.LIGHT) // 2, self.LIGHT, self.LIGHT)
        x = r.left() + self.LIGHT + self.PAD
        width = r.right() - x
        left_v = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        right_v = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # line 1: name, role tag on the right
        tag = (index.data(Roles.ROLE) or "") + (" \u00b7 demo" if index.data(Roles.TRANSIENT)
                                                 else "")
        tag_w = fm.horizontalAdvance(tag) + 6
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_color)
        name = QFontMetrics(bold).elidedText(index.data() or "", Qt.TextElideMode.ElideRight,
                                             max(width - tag_w, 20))
        painter.drawText(QRect(x, r.top(), width - tag_w, line_h), left_v, name)
        painter.setFont(option.font)
        painter.setPen(muted)
        painter.drawText(QRect(r.right() - tag_w, r.top(), tag_w, line_h), right_v, tag)
        # line 2: addresses
        y2 = r.top() + line_h + self.GAP
        addresses = fm.elidedText(index.data(Roles.ADDRESSES) or "",
                                  Qt.TextElideMode.ElideMiddle, width)
        painter.drawText(QRect(x, y2, width, line_h), left_v, addresses)
        # line 3: state and rate, or the error
        y3 = y2 + line_h + self.GAP
        rate = index.data(Roles.RATE)
        if state is TunnelState.ERROR:
            third = "error: " + (index.data(Roles.DETAIL) or "")
            if not selected:
                painter.setPen(QColor(STATE_COLORS[TunnelState.ERROR]))
        elif rate is not None:
            third = f"{state.value}   {rate_pair(*rate)}"
        else:
            third = state.value
        painter.drawText(QRect(x, y3, width, line_h), left_v,
                         fm.elidedText(third, Qt.TextElideMode.ElideRight, width))
        painter.restore()
