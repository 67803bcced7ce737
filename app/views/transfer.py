"""Import a pasted kcptun command line; export a profile for this end or the other one.

Parsing and rendering live in ``kcpcore.profiles`` (shared with the CLI and tested without
Qt); these dialogs only show previews and errors as the user types.

An export for the other end never invents the server's target: kcptun's default
(127.0.0.1:12948) is a client's listen port, not a service. The field starts with the real
target when a saved server profile is this client's other end, else empty with an example,
and Copy/Save wait until it is filled in. Saved files hold the key, so they are written
owner-only (0600), like profiles.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core_text import problem_text, spec_text
from app.i18n import translate
from app.views.field_message import MessageLabel
from app.views.labels import role_label
from kcpcore.config import DEFAULT_KEY, TunnelConfig
from kcpcore.errors import ConfigError
from kcpcore.generations import generation, peer_label
from kcpcore.profiles import (
    Profile,
    atomic_write_text,
    command_line,
    export_json,
    known_peer_address,
    omitted_flags,
    parse_command_line,
    peer_config,
    range_problem,
)

TARGET_EXAMPLE = "127.0.0.1:22"
EXAMPLE = (
    "kcptun-client -r vps.example.com:29900 -l :12948 --key 'my secret' "
    "--crypt aes-128 --mode fast2"
)


class ImportCommandDialog(QDialog):
    """Paste ``kcptun-client ...`` or ``kcptun-server ...``; see the result before importing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("ImportCommandDialog", "Import a kcptun command line"))
        self.config: TunnelConfig | None = None
        self.warnings: list[str] = []
        lay = QVBoxLayout(self)
        lay.addWidget(
            QLabel(
                translate(
                    "ImportCommandDialog",
                    "Paste the command you run kcptun with (client or server). Flags, "
                    "quoting and KCPTUN_KEY=... in front all work.",
                )
            )
        )
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(EXAMPLE)
        self.text.setMinimumSize(560, 110)
        lay.addWidget(self.text)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.summary)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            translate("ImportCommandDialog", "Import")
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.text.textChanged.connect(self._on_text_changed)
        self._on_text_changed()

    def set_text(self, text: str) -> None:
        self.text.setPlainText(text)

    def _on_text_changed(self) -> None:
        text = self.text.toPlainText().strip()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.config, self.warnings = None, []
        if not text:
            self.summary.setText("")
            ok.setEnabled(False)
            return
        try:
            cfg, warnings = parse_command_line(text)
        except ConfigError as exc:
            self.summary.setText(
                f"<span style='color:#c0392b'>{_esc(problem_text(str(exc)))}</span>"
            )
            ok.setEnabled(False)
            return
        self.config, self.warnings = cfg, warnings
        addr = (
            f"{cfg.localaddr} \u2192 {cfg.remoteaddr}"
            if cfg.role == "client"
            else f"{cfg.listen} \u2192 {cfg.target}"
        )
        lines = [
            translate(
                "ImportCommandDialog",
                "A <b>{role}</b> profile: {addr}, crypt {crypt}, mode {mode}.",
            ).format(role=role_label(cfg.role), addr=_esc(addr), crypt=cfg.crypt, mode=cfg.mode)
        ]
        lines += [f"<span style='color:#9a6700'>{_esc(problem_text(w))}</span>" for w in warnings]
        problems = cfg.validate()
        if problems:
            marked = "; ".join(f"{p.field}: {problem_text(p.message)}" for p in problems)
            lines.append(
                "<span style='color:#9a6700'>{}</span>".format(
                    translate(
                        "ImportCommandDialog", "The editor will mark these: {problems}"
                    ).format(problems=_esc(marked))
                )
            )
        self.summary.setText("<br>".join(lines))
        ok.setEnabled(True)


class ExportDialog(QDialog):
    """The profile as kcptun JSON or a command line, for this end or the matching other end."""

    def __init__(
        self, profile: Profile, parent: QWidget | None = None, others: Iterable[Profile] = ()
    ) -> None:
        super().__init__(parent)
        self.profile = profile
        self._others = list(others)
        cfg = profile.config
        self.setWindowTitle(translate("ExportDialog", "Export {name}").format(name=profile.name))
        lay = QVBoxLayout(self)
        form = QFormLayout()
        other = role_label("server" if cfg.role == "client" else "client")
        self.other_end = QRadioButton(
            translate(
                "ExportDialog", "The other end (the {other} that matches this profile)"
            ).format(other=other)
        )
        self.this_end = QRadioButton(
            translate("ExportDialog", "This {role}").format(role=role_label(cfg.role))
        )
        self.other_end.setChecked(True)
        ends = QButtonGroup(self)
        ends.addButton(self.other_end)
        ends.addButton(self.this_end)
        end_box = QVBoxLayout()
        end_box.addWidget(self.other_end)
        end_box.addWidget(self.this_end)
        form.addRow(translate("ExportDialog", "For"), end_box)
        self.format_combo = QComboBox()
        self.format_combo.addItem(translate("ExportDialog", "Command line (kcptun)"), "kcptun")
        self.format_combo.addItem(translate("ExportDialog", "Command line (kcpdesk)"), "kcpdesk")
        self.format_combo.addItem(translate("ExportDialog", "kcptun JSON config (-c file)"), "json")
        form.addRow(translate("ExportDialog", "Format"), self.format_combo)
        self._build_address(form, cfg)
        lay.addLayout(form)
        self._build_output(lay)
        for sig in (
            self.other_end.toggled,
            self.format_combo.currentIndexChanged,
            self.address.textChanged,
        ):
            sig.connect(lambda *_a: self.refresh())
        self.refresh()

    def _build_address(self, form: QFormLayout, cfg: TunnelConfig) -> None:
        """The other end's address row: the server's target, or this server's public address."""
        self.address = QLineEdit()
        peer = peer_config(cfg)
        known = known_peer_address(cfg, self._others)
        if cfg.role == "client":
            self.address.setText(known)
            self.address.setPlaceholderText(
                translate("ExportDialog", "host:port, e.g. {example} for SSH").format(
                    example=TARGET_EXAMPLE
                )
            )
            self.address_label = QLabel(translate("ExportDialog", "Server's target"))
            self.address.setToolTip(
                translate(
                    "ExportDialog",
                    "Where the server delivers the tunnelled streams: the service your "
                    "applications reach through the tunnel (host:port as seen from the server, "
                    "or a unix socket path)",
                )
            )
        else:
            self.address.setText(known or peer.remoteaddr)
            self.address_label = QLabel(translate("ExportDialog", "Server address"))
            self.address.setToolTip(
                translate(
                    "ExportDialog",
                    "The host:port clients use to reach this server (its public address)",
                )
            )
        form.addRow(self.address_label, self.address)
        self.address_error = MessageLabel(self.address.sizeHint().height())
        form.addRow("", self.address_error)

    def _build_output(self, lay: QVBoxLayout) -> None:
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setMinimumSize(600, 160)
        lay.addWidget(self.output, 1)
        self.note = QLabel()
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        row = QHBoxLayout()
        self.copy_button = QPushButton(translate("ExportDialog", "Copy"))
        self.save_button = QPushButton(translate("ExportDialog", "Save to file\u2026"))
        close = QPushButton(translate("ExportDialog", "Close"))
        row.addStretch(1)
        row.addWidget(self.copy_button)
        row.addWidget(self.save_button)
        row.addWidget(close)
        lay.addLayout(row)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        close.clicked.connect(self.accept)

    def exported_config(self) -> TunnelConfig:
        cfg = self.profile.config
        if self.this_end.isChecked():
            return cfg
        return peer_config(cfg, self.address.text().strip() or None)

    def address_problem(self) -> str:
        """Why the other end's address cannot be exported yet, or ""."""
        if self.this_end.isChecked():
            return ""
        if not self.address.text().strip():
            if self.profile.config.role == "client":
                return translate(
                    "ExportDialog",
                    "enter where the server delivers the streams, e.g. "
                    "{example} for an SSH server on the server's machine",
                ).format(example=TARGET_EXAMPLE)
            return translate("ExportDialog", "enter the address clients use to reach this server")
        field = "target" if self.profile.config.role == "client" else "remoteaddr"
        return next(
            (
                problem_text(e.message)
                for e in self.exported_config().validate()
                if e.field == field
            ),
            "",
        )

    def runs(self) -> str | None:
        """The generation of the Go kcptun that reads a kcptun export: the profile's peer for
        the other end; for this end, the peer's generation too (None: kcpdesk itself)."""
        if self.format_combo.currentData() == "kcpdesk":
            return None
        peer = generation(self.profile.config.peer)
        return peer.name if peer.go else "kcptun-2025"

    def text(self) -> str:
        """The export, or "" while the other end's address is missing or invalid."""
        if self.address_problem():
            return ""
        cfg = self.exported_config()
        fmt = self.format_combo.currentData()
        if fmt == "json":
            return export_json(cfg, runs=self.runs())
        return command_line(
            cfg, ["kcpdesk", cfg.role] if fmt == "kcpdesk" else None, runs=self.runs()
        )

    def refresh(self) -> None:
        other = self.other_end.isChecked()
        self.address.setEnabled(other)
        self.address_label.setEnabled(other)
        problem = self.address_problem()
        self.address_error.show_message(problem)
        self.output.setPlainText(self.text())
        self.copy_button.setEnabled(not problem)
        self.save_button.setEnabled(not problem)
        self.note.setText("\n".join(self._notes(address_ok=not problem)))

    def _notes(self, *, address_ok: bool) -> list[str]:
        """What to know before sharing the text (the address's own problem is beside it)."""
        notes = []
        if self.profile.config.key == DEFAULT_KEY:
            notes.append(
                translate(
                    "ExportDialog",
                    "This profile uses kcptun's public default key: anyone can connect. "
                    "Set your own key before using it on the Internet.",
                )
            )
        else:
            notes.append(
                translate(
                    "ExportDialog",
                    "The text contains the key: share it only over a channel you trust.",
                )
            )
        runs = self.runs()
        if runs is not None:
            left_out = omitted_flags(self.exported_config(), runs)
            if left_out:
                notes.append(
                    translate(
                        "ExportDialog",
                        "{peer} has no {flags}: left out, so "
                        "those settings apply only to the KCP Desk end.",
                    ).format(peer=spec_text(peer_label(runs)), flags=", ".join(left_out))
                )
            gap = range_problem(self.exported_config(), runs)
            if gap:
                notes.append(
                    translate("ExportDialog", "Check: {problem}.").format(problem=problem_text(gap))
                )
        problems = self.exported_config().validate() if address_ok else []
        if problems:
            notes.append(
                translate("ExportDialog", "Check: {problem}.").format(
                    problem="; ".join(f"{p.field}: {problem_text(p.message)}" for p in problems)
                )
            )
        return notes

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.copy_button.setText(translate("ExportDialog", "Copied"))

    def _on_save_clicked(self) -> None:
        is_json = self.format_combo.currentData() == "json"
        role = self.exported_config().role
        default = f"{self.profile.name}-{role}.{'json' if is_json else 'sh'}"
        path, _f = QFileDialog.getSaveFileName(
            self,
            translate("ExportDialog", "Save export"),
            default,
            "JSON (*.json)" if is_json else translate("ExportDialog", "Shell (*.sh)"),
        )
        if path:
            self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Write the export owner-only (it holds the key), atomically; False after a note."""
        is_json = self.format_combo.currentData() == "json"
        try:
            atomic_write_text(Path(path), self.text() if is_json else self.text() + "\n")
        except OSError as exc:
            self.note.setText(
                translate("ExportDialog", "Could not save: {error}").format(
                    error=exc.strerror or exc
                )
            )
            return False
        return True


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
