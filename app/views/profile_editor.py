"""The profile editor: one row per kcptun setting, generated from ``kcpcore.config.FIELD_SPECS``.

Nothing about a setting is repeated here: its kind picks the widget, its tooltip, help, range,
unit and default come from the spec, and ``TunnelConfig.validate`` decides what is wrong. The
only GUI-side data are the group a setting is shown in, a friendlier label, and the DSCP preset
names. A setting missing from ``GROUPS`` still gets a row (in "Other"), so a field added to
the config shows up without touching this file.

Every change re-validates the whole config; each problem is shown in red beside its field and
Save stays disabled until there are none, so an invalid profile is never written. What kcptun
would run but is probably not meant (its published default key, FEC half turned off, another
profile on the same local port) is shown in amber beside the field and does not block saving.

Messages never move the form: every message label has a fixed height (the field's, or two text
lines if taller) reserved whether or not it shows anything, and a message too long for it is
cut with an ellipsis and shown whole in its tooltip. A click aimed at the next field lands on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core_text import problem_text, spec_text
from app.format import binary_size
from app.i18n import QT_TRANSLATE_NOOP, translate
from app.views.field_message import MessageLabel
from app.views.labels import role_label
from kcpcore.config import FIELD_SPECS, MANUAL_MODE, ROLES, FieldSpec, Role, TunnelConfig
from kcpcore.errors import ConfigError
from kcpcore.flags import go_parse_int
from kcpcore.generations import DEFAULT_PEER, GENERATIONS, peer_label
from kcpcore.keygen import generate_key
from kcpcore.profiles import Profile, validate_name

GROUPS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    (
        QT_TRANSLATE_NOOP("ProfileEditor", "Connection"),
        (
            "peer",
            "localaddr",
            "remoteaddr",
            "listen",
            "target",
            "key",
            "crypt",
            "qpp",
            "qppcount",
            "conn",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("ProfileEditor", "Speed and reliability"),
        (
            "mode",
            "nodelay",
            "interval",
            "resend",
            "nc",
            "acknodelay",
            "sndwnd",
            "rcvwnd",
            "datashard",
            "parityshard",
            "mtu",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("ProfileEditor", "Network"),
        ("dscp", "sockbuf", "ratelimit", "nocomp", "autoexpire", "scavengettl"),
    ),
    (
        QT_TRANSLATE_NOOP("ProfileEditor", "Multiplexer (smux)"),
        ("smuxver", "framesize", "smuxbuf", "streambuf", "keepalive", "closewait"),
    ),
    (
        QT_TRANSLATE_NOOP("ProfileEditor", "Logging and compatibility"),
        ("quiet", "log", "snmplog", "snmpperiod", "pprof", "tcp"),
    ),
)
LABELS: Final[dict[str, str]] = {
    "localaddr": QT_TRANSLATE_NOOP("ProfileEditor", "Local address"),
    "remoteaddr": QT_TRANSLATE_NOOP("ProfileEditor", "Server address"),
    "listen": QT_TRANSLATE_NOOP("ProfileEditor", "Listen address"),
    "target": QT_TRANSLATE_NOOP("ProfileEditor", "Target"),
    "key": QT_TRANSLATE_NOOP("ProfileEditor", "Key"),
    "crypt": QT_TRANSLATE_NOOP("ProfileEditor", "Cipher"),
    "conn": QT_TRANSLATE_NOOP("ProfileEditor", "Connections"),
    "mode": QT_TRANSLATE_NOOP("ProfileEditor", "Mode"),
    "nodelay": QT_TRANSLATE_NOOP("ProfileEditor", "No-delay"),
    "interval": QT_TRANSLATE_NOOP("ProfileEditor", "Interval"),
    "resend": QT_TRANSLATE_NOOP("ProfileEditor", "Fast resend"),
    "nc": QT_TRANSLATE_NOOP("ProfileEditor", "No congestion control"),
    "acknodelay": QT_TRANSLATE_NOOP("ProfileEditor", "ACK at once"),
    "sndwnd": QT_TRANSLATE_NOOP("ProfileEditor", "Send window"),
    "rcvwnd": QT_TRANSLATE_NOOP("ProfileEditor", "Receive window"),
    "datashard": QT_TRANSLATE_NOOP("ProfileEditor", "FEC data shards"),
    "parityshard": QT_TRANSLATE_NOOP("ProfileEditor", "FEC parity shards"),
    "mtu": QT_TRANSLATE_NOOP("ProfileEditor", "MTU"),
    "dscp": QT_TRANSLATE_NOOP("ProfileEditor", "DSCP"),
    "sockbuf": QT_TRANSLATE_NOOP("ProfileEditor", "Socket buffer"),
    "nocomp": QT_TRANSLATE_NOOP("ProfileEditor", "No compression"),
    "autoexpire": QT_TRANSLATE_NOOP("ProfileEditor", "Auto-expire"),
    "scavengettl": QT_TRANSLATE_NOOP("ProfileEditor", "Scavenge TTL"),
    "smuxver": QT_TRANSLATE_NOOP("ProfileEditor", "smux version"),
    "smuxbuf": QT_TRANSLATE_NOOP("ProfileEditor", "smux buffer"),
    "streambuf": QT_TRANSLATE_NOOP("ProfileEditor", "Stream buffer"),
    "keepalive": QT_TRANSLATE_NOOP("ProfileEditor", "Keepalive"),
    "quiet": QT_TRANSLATE_NOOP("ProfileEditor", "Quiet"),
    "log": QT_TRANSLATE_NOOP("ProfileEditor", "Log file"),
    "snmplog": QT_TRANSLATE_NOOP("ProfileEditor", "SNMP log file"),
    "snmpperiod": QT_TRANSLATE_NOOP("ProfileEditor", "SNMP period"),
    "pprof": QT_TRANSLATE_NOOP("ProfileEditor", "Profiler"),
    "tcp": QT_TRANSLATE_NOOP("ProfileEditor", "TCP emulation"),
    "peer": QT_TRANSLATE_NOOP("ProfileEditor", "Peer runs"),
    "ratelimit": QT_TRANSLATE_NOOP("ProfileEditor", "Rate limit"),
    "framesize": QT_TRANSLATE_NOOP("ProfileEditor", "smux frame size"),
    "closewait": QT_TRANSLATE_NOOP("ProfileEditor", "Close wait"),
    "qpp": QT_TRANSLATE_NOOP("ProfileEditor", "QPP"),
    "qppcount": QT_TRANSLATE_NOOP("ProfileEditor", "QPP pads"),
}


def _label(name: str) -> str:
    """The row label of a setting in the installed language (its own name if it has none)."""
    return translate("ProfileEditor", LABELS[name]) if name in LABELS else name


# RFC 4594 / RFC 2474 code points people actually use; any other 0..63 value can be typed.
DSCP_PRESETS: Final[tuple[tuple[int, str], ...]] = (
    (0, QT_TRANSLATE_NOOP("ProfileEditor", "CS0 / default")),
    (46, QT_TRANSLATE_NOOP("ProfileEditor", "EF, expedited (voice, games)")),
    (34, QT_TRANSLATE_NOOP("ProfileEditor", "AF41 (video)")),
    (26, QT_TRANSLATE_NOOP("ProfileEditor", "AF31")),
    (18, QT_TRANSLATE_NOOP("ProfileEditor", "AF21")),
    (10, QT_TRANSLATE_NOOP("ProfileEditor", "AF11")),
    (8, QT_TRANSLATE_NOOP("ProfileEditor", "CS1, lower effort (bulk)")),
    (24, QT_TRANSLATE_NOOP("ProfileEditor", "CS3")),
    (32, QT_TRANSLATE_NOOP("ProfileEditor", "CS4")),
    (40, QT_TRANSLATE_NOOP("ProfileEditor", "CS5")),
    (48, QT_TRANSLATE_NOOP("ProfileEditor", "CS6 (network control)")),
)
DSCP_NAMES: Final[dict[str, int]] = {
    "cs0": 0,
    "default": 0,
    "be": 0,
    "ef": 46,
    "af41": 34,
    "af42": 36,
    "af43": 38,
    "af31": 26,
    "af32": 28,
    "af33": 30,
    "af21": 18,
    "af22": 20,
    "af23": 22,
    "af11": 10,
    "af12": 12,
    "af13": 14,
    "cs1": 8,
    "le": 1,
    "cs2": 16,
    "cs3": 24,
    "cs4": 32,
    "cs5": 40,
    "cs6": 48,
    "cs7": 56,
}
MANUAL_FIELDS: Final = frozenset({"nodelay", "interval", "resend", "nc"})
FIELD_WIDTH: Final = 280  # px; the field column, equal in every group so rows line up
UNIT_WIDTH: Final = 110  # px; fits "bytes (4 MiB)"
NARROW_FIELD_WIDTH: Final = 160  # px; the field column's least, in a narrow window
QWIDGETSIZE_MAX: Final = (1 << 24) - 1  # Qt's "no maximum" for a widget's size
MESSAGE_MIN_WIDTH: Final = 240  # px; narrower than this, messages go under their field
SCROLL_MARGINS: Final = 12  # px; group box and layout margins around the columns, each side
BYTE_FIELDS_MIN: Final = 1 << 16  # byte-sized settings at least this large get a "= 4 MiB" hint
_LEADING_INT: Final = re.compile(r"\s*(\d+)")


def tooltip_for(spec: FieldSpec, role: Role, peer: str = DEFAULT_PEER) -> str:
    """The field's tooltip: what it trades (FIELD_SPECS), then its flag, default and range."""
    default: Any = spec.default_for(role, peer if peer in GENERATIONS else DEFAULT_PEER)
    if spec.name == "peer":
        default = spec_text(peer_label(str(default)))
    if spec.name == "key":
        default = translate("ProfileEditor", "kcptun's public default")
    elif spec.kind == "bool":
        default = translate("ProfileEditor", "on") if default else translate("ProfileEditor", "off")
    unit = " " + spec_text(spec.unit) if spec.unit and spec.kind == "int" else ""
    bits = [
        f"<p>{spec_text(spec.tooltip)}</p>",
        f"<p><code>--{' / --'.join(spec.flags)}</code>: "
        + translate("ProfileEditor", "{help}.").format(help=spec_text(spec.help))
        + "<br>",
        translate("ProfileEditor", "Default: {value}").format(value=f"{default}{unit}"),
    ]
    if spec.minimum is not None or spec.maximum is not None:
        lo = "" if spec.minimum is None else str(spec.minimum)
        hi = "" if spec.maximum is None or spec.maximum > 2**31 else str(spec.maximum)
        bits.append(translate("ProfileEditor", ". Range: {low}..{high}").format(low=lo, high=hi))
    return "".join(bits) + "</p>"


# --- field widgets ----------------------------------------------------------------------------


class _Field:
    """Adapter between one setting and its widget: get/set plus a change hook."""

    widget: QWidget

    def __init__(self, spec: FieldSpec) -> None:
        self.spec = spec

    def get(self) -> Any:
        """The value, or raise ValueError with a message for the field."""
        raise NotImplementedError

    def set(self, value: Any) -> None:
        raise NotImplementedError

    def on_change(self, callback: Callable[[], None]) -> None:
        raise NotImplementedError


class _TextField(_Field):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(
            str(spec.default_for(spec.roles[0])) or translate("ProfileEditor", "(none)")
        )
        self.widget = self.edit

    def get(self) -> Any:
        return self.edit.text()

    def set(self, value: Any) -> None:
        self.edit.setText(str(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.edit.textChanged.connect(lambda _t: callback())


class _KeyField(_TextField):
    """The pre-shared key: masked, with a button to check what was typed and one to replace
    it with a strong random key (``kcpcore.keygen``)."""

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.edit.setPlaceholderText("")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.reveal = QToolButton()
        self.reveal.setText(translate("ProfileEditor", "Show"))
        self.reveal.setCheckable(True)
        self.reveal.setToolTip(translate("ProfileEditor", "Show or hide the key"))
        self.reveal.toggled.connect(self._on_reveal_toggled)
        self.generate = QToolButton()
        self.generate.setText(translate("ProfileEditor", "Generate"))
        self.generate.setToolTip(
            translate(
                "ProfileEditor",
                "Replace the key with a new random one (256 bits). The other end needs the same "
                "key: Export gives it the matching settings.",
            )
        )
        self.qpp_on: Callable[[], bool] = lambda: False
        self.generate.clicked.connect(lambda: self.edit.setText(generate_key(qpp=self.qpp_on())))
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.reveal)
        lay.addWidget(self.generate)
        self.widget = box

    def hide_key(self) -> None:
        """Back to masked: each profile opens with its key hidden, whatever the last one did."""
        self.reveal.setChecked(False)

    def _on_reveal_toggled(self, on: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        self.reveal.setText(
            translate("ProfileEditor", "Hide") if on else translate("ProfileEditor", "Show")
        )


class _ChoiceField(_Field):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.combo = QComboBox()
        narrow_combo(self.combo)
        self.combo.addItems(list(spec.choices))
        self.widget = self.combo

    def get(self) -> Any:
        return self.combo.currentText()

    def set(self, value: Any) -> None:
        if self.combo.findText(str(value)) < 0:
            self.combo.addItem(str(value))  # keep an unknown imported value visible (and flagged)
        self.combo.setCurrentText(str(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.combo.currentTextChanged.connect(lambda _t: callback())


class _BoolField(_Field):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.box = QCheckBox()
        self.widget = self.box

    def get(self) -> Any:
        return self.box.isChecked()

    def set(self, value: Any) -> None:
        self.box.setChecked(bool(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.box.toggled.connect(lambda _b: callback())


class _IntField(_TextField):
    """Integers as text, parsed like the CLI (Go syntax), so out-of-range values are shown and
    explained instead of silently clamped by a spin box."""

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.edit.setMaximumWidth(160)

    def get(self) -> Any:
        text = self.edit.text().strip()
        if not text:
            raise ValueError(translate("ProfileEditor", "enter a number"))
        try:
            return go_parse_int(text)
        except ValueError:
            raise ValueError(
                translate("ProfileEditor", "{text} is not a whole number").format(text=repr(text))
            ) from None


class _DscpField(_Field):
    """DSCP: an editable list of named presets; a typed number or name works too."""

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.combo = QComboBox()
        narrow_combo(self.combo)
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for value, name in DSCP_PRESETS:
            self.combo.addItem(f"{value} \u2014 {translate('ProfileEditor', name)}", value)
        self.combo.setMaximumWidth(FIELD_WIDTH)
        self.widget = self.combo

    def get(self) -> Any:
        text = self.combo.currentText().strip()
        m = _LEADING_INT.match(text)
        if m:
            return int(m.group(1))
        word = text.split()[0].lower() if text else ""
        if word in DSCP_NAMES:
            return DSCP_NAMES[word]
        raise ValueError(
            translate(
                "ProfileEditor", "{text}: enter 0..63 or a name such as EF, AF41, CS1"
            ).format(text=repr(text))
        )

    def set(self, value: Any) -> None:
        i = self.combo.findData(value)
        if i >= 0:
            self.combo.setCurrentIndex(i)
        else:
            self.combo.setEditText(str(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.combo.editTextChanged.connect(lambda _t: callback())


class _PeerField(_Field):
    """The other end's kcptun generation, by its label (``kcpcore.generations``)."""

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.combo = QComboBox()
        narrow_combo(self.combo)
        for name in spec.choices:
            self.combo.addItem(spec_text(peer_label(name)), name)
            self.combo.setItemData(
                self.combo.count() - 1,
                spec_text(GENERATIONS[name].note),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.widget = self.combo

    def get(self) -> Any:
        return self.combo.currentData()

    def set(self, value: Any) -> None:
        i = self.combo.findData(value)
        if i < 0:  # keep an unknown imported value visible (and flagged)
            self.combo.addItem(str(value), value)
            i = self.combo.count() - 1
        self.combo.setCurrentIndex(i)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.combo.currentIndexChanged.connect(lambda _i: callback())


def make_field(spec: FieldSpec) -> _Field:
    if spec.name == "key":
        return _KeyField(spec)
    if spec.name == "peer":
        return _PeerField(spec)
    if spec.name == "dscp":
        return _DscpField(spec)
    if spec.kind == "bool":
        return _BoolField(spec)
    if spec.choices:
        return _ChoiceField(spec)
    if spec.kind == "int":
        return _IntField(spec)
    return _TextField(spec)


def narrow_combo(combo: QComboBox) -> None:
    """A combo whose longest item (dscp's names) must not set the form's least width: at
    900 px that forced a sideways scroll bar. The popup still shows whole items."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)


@dataclass
class _Row:
    field: _Field
    label: QLabel
    unit: QLabel
    error: MessageLabel
    group: QGroupBox
    grid: QGridLayout
    line: int
    """the row's grid line (each setting owns two: the field's, and one under it)"""

    def place_message(self, wide: bool) -> None:
        """Beside the unit when there is room, else under the field (never off screen)."""
        self.grid.removeWidget(self.error)
        if wide:
            self.grid.addWidget(self.error, self.line, 3)
        else:
            self.grid.addWidget(self.error, self.line + 1, 1, 1, 3)

    def set_visible(self, on: bool) -> None:
        for w in (self.field.widget, self.label, self.unit, self.error):
            w.setVisible(on)


PortOwner = Callable[[TunnelConfig, "str | None"], str]
"""(config, the profile's saved name or None) -> the other profile on its local port, or """ ""

# --- the editor -------------------------------------------------------------------------------


class ProfileEditor(QWidget):
    """Edits one profile at a time; emits ``save_requested`` with a valid profile only."""

    save_requested = Signal(object, object)
    """(Profile, old name or None for a new profile)"""
    dirty_changed = Signal(bool)

    def __init__(
        self,
        parent: QWidget | None = None,
        name_taken: Callable[[str], bool] | None = None,
        port_owner: PortOwner | None = None,
    ) -> None:
        super().__init__(parent)
        self._name_taken = name_taken or (lambda _n: False)
        self._port_owner: PortOwner = port_owner or (lambda _c, _n: "")
        self.warnings: dict[str, str] = {}
        self._row_height = max(QLineEdit().sizeHint().height(), QComboBox().sizeHint().height())
        self._original: Profile | None = None
        self._is_new = False
        self._loading = False
        self._dirty = False
        self._baseline: tuple[Any, ...] = ()
        self.errors: dict[str, str] = {}
        self._rows: dict[str, _Row] = {}
        self._last_peer = DEFAULT_PEER
        self._build()

    # --- construction -------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self._build_head())
        outer.addWidget(self._build_groups(), 1)
        key = self._rows["key"].field
        if isinstance(key, _KeyField):  # QPP wants a longer key (kcpcore.keygen)
            key.qpp_on = lambda: bool(self._rows["qpp"].field.get())
        outer.addLayout(self._build_buttons())
        save_action = QAction(self)
        save_action.setShortcut(QKeySequence.StandardKey.Save)
        save_action.triggered.connect(self.save)
        self.addAction(save_action)

        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.name_edit.textChanged.connect(lambda _t: self._on_changed())
        self.role_combo.currentTextChanged.connect(self._on_role_changed)
        self.setEnabled(False)

    def _build_head(self) -> QGridLayout:
        """Name and role: above the scrolled settings, always in view."""
        head = QGridLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip(
            translate(
                "ProfileEditor", "The profile's name; 'kcpdesk client --profile NAME' runs it."
            )
        )
        self.name_error = self._error_label()
        self.role_combo = QComboBox()
        for role in ROLES:
            self.role_combo.addItem(role_label(role), role)
        self.role_combo.setToolTip(
            translate(
                "ProfileEditor",
                "Which end of the tunnel this profile is: the client runs "
                "next to your applications, the server next to the target.",
            )
        )
        head.addWidget(QLabel(translate("ProfileEditor", "Name")), 0, 0)
        head.addWidget(self.name_edit, 0, 1)
        head.addWidget(self.name_error, 0, 2)
        head.addWidget(QLabel(translate("ProfileEditor", "Role")), 1, 0)
        head.addWidget(self.role_combo, 1, 1)
        head.setColumnMinimumWidth(1, FIELD_WIDTH)  # a long name stays readable at 900 px
        head.setColumnStretch(2, 1)
        return head

    def _build_groups(self) -> QScrollArea:
        """One group box per settings group, label and field columns aligned across them."""
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self._scroll = scroll
        self._wide_messages = True
        scroll.viewport().installEventFilter(self)
        body = QWidget()
        body_lay = QVBoxLayout(body)
        shown = {n for _g, names in GROUPS for n in names}
        fm = self.fontMetrics()
        label_w = max(fm.horizontalAdvance(_label(n)) for n in FIELD_SPECS) + 16
        # the widest unit, not a guess in pixels: at 900 px "sessions" was cut to "sessi"
        unit_w = max(
            UNIT_WIDTH,
            *(fm.horizontalAdvance(spec_text(s.unit)) + 12 for s in FIELD_SPECS.values()),
        )
        self._columns_width = label_w + FIELD_WIDTH + unit_w
        self._label_width = label_w
        other = QT_TRANSLATE_NOOP("ProfileEditor", "Other")
        groups = [*GROUPS, (other, tuple(n for n in FIELD_SPECS if n not in shown))]
        for title, names in groups:
            if not names:
                continue
            box = QGroupBox(translate("ProfileEditor", title))
            grid = QGridLayout(box)
            grid.setColumnStretch(3, 1)
            grid.setColumnMinimumWidth(0, label_w)  # same columns in every group box
            grid.setColumnMinimumWidth(1, FIELD_WIDTH)
            grid.setColumnMinimumWidth(2, unit_w)
            for r, name in enumerate(names):
                self._add_row(grid, 2 * r, FIELD_SPECS[name], box)
            body_lay.addWidget(box)
        body_lay.addStretch(1)
        scroll.setWidget(body)
        return scroll

    def _build_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        self.note = QLabel()
        self.note.setObjectName("editorNote")
        self.note.setWordWrap(True)
        self.save_button = QPushButton(translate("ProfileEditor", "Save"))
        self.save_button.setDefault(True)
        self.revert_button = QPushButton(translate("ProfileEditor", "Revert"))
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        return buttons

    def _error_label(self) -> MessageLabel:
        return MessageLabel(self._row_height)

    def _add_row(self, grid: QGridLayout, r: int, spec: FieldSpec, box: QGroupBox) -> None:
        field = make_field(spec)
        label = QLabel(_label(spec.name))
        label.setToolTip(f"--{spec.flags[0]}")
        unit = QLabel(spec_text(spec.unit))
        unit.setObjectName("fieldUnit")
        error = self._error_label()
        grid.addWidget(label, r, 0)
        grid.addWidget(field.widget, r, 1)
        grid.addWidget(unit, r, 2)
        grid.addWidget(error, r, 3)
        label.setBuddy(field.widget)
        if spec.name == "peer":
            field.on_change(self._on_peer_changed)  # first: defaults follow, then validate
        field.on_change(self._on_changed)
        self._rows[spec.name] = _Row(field, label, unit, error, box, grid, r)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._place_messages()
        return super().eventFilter(watched, event)

    def _place_messages(self) -> None:
        """Messages beside the fields when the columns leave room for them, else under each
        field: a message in a column scrolled off to the right is a message nobody reads."""
        viewport = self._scroll.viewport().width()
        wide = viewport - self._columns_width - 4 * SCROLL_MARGINS >= MESSAGE_MIN_WIDTH
        # under the field, a message ends at the viewport's edge even when the columns
        # above it are wider (the form then scrolls sideways, the message need not)
        width = viewport - self._label_width - 4 * SCROLL_MARGINS
        for row in self._rows.values():
            row.error.setMaximumWidth(QWIDGETSIZE_MAX if wide else max(width, MESSAGE_MIN_WIDTH))
        # and the field column gives way (down to NARROW_FIELD_WIDTH) before the form needs
        # a sideways scroll bar: at 900 px the units were scrolled off to the right
        spare = viewport - self._columns_width - 6 * SCROLL_MARGINS  # and the grids' spacing
        field_w = max(NARROW_FIELD_WIDTH, min(FIELD_WIDTH, FIELD_WIDTH + spare))
        for grid in {id(row.grid): row.grid for row in self._rows.values()}.values():
            grid.setColumnMinimumWidth(1, field_w)
        if wide != self._wide_messages:
            self._wide_messages = wide
            for row in self._rows.values():
                row.place_message(wide)

    # --- public API ---------------------------------------------------------------------------

    @property
    def role(self) -> Role:
        return "server" if self.role_combo.currentData() == "server" else "client"

    @property
    def original(self) -> Profile | None:
        return self._original

    @property
    def is_new(self) -> bool:
        return self._is_new

    def is_dirty(self) -> bool:
        return self._dirty

    def field(self, name: str) -> QWidget:
        """The input widget of one setting (tests, focus)."""
        return self._rows[name].field.widget

    def field_input(self, name: str) -> QWidget:
        """The widget typed or clicked in (``field`` may be a box around it)."""
        f = self._rows[name].field
        if isinstance(f, _TextField):
            return f.edit
        if isinstance(f, _ChoiceField | _DscpField | _PeerField):
            return f.combo
        if isinstance(f, _BoolField):
            return f.box
        return f.widget

    def error_text(self, name: str) -> str:
        """The whole message beside a field (error or warning; "" when none)."""
        if name == "name":
            return self.name_error.message
        return self._rows[name].error.message

    def message_label(self, name: str) -> MessageLabel:
        return self.name_error if name == "name" else self._rows[name].error

    def is_row_visible(self, name: str) -> bool:
        return not self._rows[name].label.isHidden()

    def load(self, profile: Profile | None, *, new: bool = False) -> None:
        """Show ``profile`` (None clears and disables the editor)."""
        self._loading = True
        try:
            self._original, self._is_new = profile, new
            self.setEnabled(profile is not None)
            if profile is None:
                self.name_edit.clear()
                self._set_note("")
                return
            self.name_edit.setText(profile.name)
            self.role_combo.setCurrentIndex(max(self.role_combo.findData(profile.role), 0))
            self.role_combo.setEnabled(new)
            self._last_peer = profile.config.peer
            key_field = self._rows["key"].field
            if isinstance(key_field, _KeyField):
                key_field.hide_key()
            for name, row in self._rows.items():
                spec = row.field.spec
                row.field.set(getattr(profile.config, name))
                tip = tooltip_for(spec, profile.role, profile.config.peer)
                row.label.setToolTip(tip)
                row.field.widget.setToolTip(tip)
            self._set_note("")
        finally:
            self._loading = False
        self._update_rows()
        self._validate()
        self._baseline = self._snapshot()
        self._set_dirty(new)

    def current(self) -> tuple[Profile | None, dict[str, str]]:
        """What the form says now: the profile if it is valid, and the problems by field."""
        cfg, errors = self._read_form()
        if errors or cfg is None:
            return None, errors
        return Profile(self.name_edit.text(), cfg), errors

    def _read_form(self) -> tuple[TunnelConfig | None, dict[str, str]]:
        """The config the form describes (unusable fields at their default) and its errors."""
        errors: dict[str, str] = {}
        name = self.name_edit.text()
        problem = validate_name(name)
        if (
            not problem
            and self._name_taken(name)
            and (self._original is None or name != self._original.name or self._is_new)
        ):
            problem = translate("ProfileEditor", "another profile already has this name")
        if problem:
            errors["name"] = problem_text(problem)
        values: dict[str, Any] = {}
        role = self.role
        base = TunnelConfig.default(role)
        for fname, row in self._rows.items():
            if role not in row.field.spec.roles:
                continue
            try:
                values[fname] = row.field.get()
            except ValueError as exc:
                errors[fname] = str(exc)
                values[fname] = getattr(base, fname)
        try:
            cfg = TunnelConfig(role=role, **values)
        except ConfigError as exc:  # only role can fail here, and the combo prevents it
            errors[exc.field or "name"] = problem_text(str(exc))
            return None, errors
        for fe in cfg.validate():
            errors.setdefault(fe.field, problem_text(fe.message))
        return cfg, errors

    def _warnings_for(self, cfg: TunnelConfig) -> dict[str, str]:
        """Allowed but probably not meant (``TunnelConfig.warnings``), and a local port that
        another profile listens on too (two profiles may share one to run one at a time)."""
        notes = {w.field: problem_text(w.message) for w in cfg.warnings()}
        own = None if self._original is None or self._is_new else self._original.name
        other = self._port_owner(cfg, own)
        if other:
            field = "localaddr" if cfg.role == "client" else "listen"
            notes[field] = translate(
                "ProfileEditor",
                "the profile '{other}' listens on this port too: only one of them can run "
                "at a time",
            ).format(other=other)
        return notes

    def save(self) -> Profile | None:
        """Emit ``save_requested`` if the form is valid; otherwise show why and return None."""
        if self._original is None:
            return None
        profile, errors = self.current()
        self._show_errors(errors)
        if profile is None:
            self._set_note(
                translate(
                    "ProfileEditor", "Not saved: fix the marked fields first ({count})."
                ).format(count=len(errors))
            )
            return None
        old = None if self._is_new else self._original.name
        self.save_requested.emit(profile, old)
        return profile

    def _saved_note(self, note: str) -> str:
        """The save note, with what still deserves a look (warnings do not block saving)."""
        if not self.warnings:
            return note
        first = next(iter(self.warnings.items()))
        label = _label(first[0])
        more = len(self.warnings) - 1
        text = translate("ProfileEditor", "{note} Check {label}: {warning}").format(
            note=note, label=label, warning=first[1]
        )
        if more:
            text += translate("ProfileEditor", " (and {more} more)").format(more=more)
        return text

    def mark_saved(self, profile: Profile, note: str = "") -> None:
        """The window wrote ``profile``: it becomes the new baseline."""
        self._original, self._is_new = profile, False
        self.role_combo.setEnabled(False)
        self._baseline = self._snapshot()
        self._set_dirty(False)
        self._set_note(self._saved_note(note or translate("ProfileEditor", "Saved.")))

    def show_name_error(self, message: str) -> None:
        message = problem_text(message)
        self.name_error.show_message(message)
        self._set_note(translate("ProfileEditor", "Not saved: {problem}").format(problem=message))

    def revert(self) -> None:
        self.load(self._original, new=self._is_new)

    # --- reactions ----------------------------------------------------------------------------

    def _on_role_changed(self, _text: str) -> None:
        if self._loading:
            return
        old: Role = "client" if self.role == "server" else "server"
        peer = self._peer()
        self._follow_defaults(old, peer)
        self._on_changed()

    def _peer(self) -> str:
        value = self._rows["peer"].field.get()
        return value if isinstance(value, str) else ""

    def _on_peer_changed(self) -> None:
        if self._loading:
            return
        self._follow_defaults(self.role, self._last_peer)
        self._last_peer = self._peer()

    def _follow_defaults(self, old_role: Role, old_peer: str) -> None:
        """Settings left at the old role's or peer generation's default take the new one."""
        role, peer = self.role, self._peer()
        self._loading = True
        try:
            for row in self._rows.values():
                spec = row.field.spec
                try:
                    if spec.name != "peer" and row.field.get() == spec.default_for(
                        old_role, old_peer
                    ):
                        row.field.set(spec.default_for(role, peer))
                except ValueError:
                    pass
                row.label.setToolTip(tooltip_for(spec, role, peer))
                row.field.widget.setToolTip(tooltip_for(spec, role, peer))
        finally:
            self._loading = False

    def _snapshot(self) -> tuple[Any, ...]:
        """The raw form contents, to tell a real edit from one that was undone by hand."""
        raw = []
        for row in self._rows.values():
            try:
                raw.append(row.field.get())
            except ValueError as exc:
                raw.append(("invalid", str(exc)))
        return (self.name_edit.text(), self.role, *raw)

    def _on_changed(self) -> None:
        if self._loading:
            return
        self._update_rows()
        self._validate()
        self._set_dirty(self._is_new or self._snapshot() != self._baseline)
        self._set_note("")

    def _update_rows(self) -> None:
        role = self.role
        manual = self._rows["mode"].field.get() == MANUAL_MODE
        for name, row in self._rows.items():
            visible = role in row.field.spec.roles and (name not in MANUAL_FIELDS or manual)
            row.set_visible(visible)
        for box in {row.group for row in self._rows.values()}:
            box.setVisible(
                any(r.group is box and not r.label.isHidden() for r in self._rows.values())
            )
        self._update_hints()

    def _update_hints(self) -> None:
        for row in self._rows.values():
            spec = row.field.spec
            if spec.unit == "bytes" and (spec.maximum or 0) > BYTE_FIELDS_MIN:
                try:
                    n = row.field.get()
                    unit = spec_text("bytes")
                    row.unit.setText(f"{unit} ({binary_size(n)})" if n >= 1024 else unit)
                except ValueError:
                    row.unit.setText(spec_text("bytes"))

    def _validate(self) -> None:
        cfg, errors = self._read_form()
        self.warnings = {} if cfg is None else self._warnings_for(cfg)
        self._show_errors(errors)
        self._show_fec_state(cfg)

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors
        self.name_error.show_message(errors.get("name", ""))
        for name, row in self._rows.items():
            if name in errors:
                row.error.show_message(errors[name])
            else:
                row.error.show_message(self.warnings.get(name, ""), "warning")
        self.save_button.setEnabled(not errors and self._original is not None)

    def _show_fec_state(self, cfg: TunnelConfig | None) -> None:
        """kcptun runs FEC only when both shard counts are above 0: say when it is off."""
        off = cfg is not None and not cfg.fec_on()
        for name in ("datashard", "parityshard"):
            self._rows[name].unit.setText(
                translate("ProfileEditor", "shards, FEC off") if off else spec_text("shards")
            )

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        self.revert_button.setEnabled(dirty and not self._is_new)

    def _set_note(self, text: str) -> None:
        self.note.setText(text)
