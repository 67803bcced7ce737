"""kcptun:// share links in the window: show one (text + QR code) and import a pasted one.

The key goes into a link only when the user ticks the box (off each time the dialog opens).
QR codes come from segno (a kept library: QR encoding is a standard with Reed-Solomon error
correction and mask scoring, not worth writing again).
"""

from __future__ import annotations

import io

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core_text import problem_text
from app.i18n import translate
from kcpcore.errors import ConfigError
from kcpcore.profiles import Profile
from kcpcore.sharelink import ShareLink, parse_link, to_link

QR_PIXELS = 240


def qr_pixmap(text: str, size: int = QR_PIXELS) -> QPixmap:
    """A QR code of ``text`` (error correction M: survives a smudge on a phone screen)."""
    import segno  # lazy: only this dialog needs it

    buf = io.BytesIO()
    qr = segno.make(text, error="m", micro=False)
    qr.save(buf, kind="png", scale=max(1, size // (qr.symbol_size()[0])), border=2)
    pix = QPixmap()
    pix.loadFromData(buf.getvalue(), "PNG")
    return pix


class ShareLinkDialog(QDialog):
    """A client profile as a kcptun:// link and its QR code."""

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.setWindowTitle(translate("ShareLinkDialog", "Share {name}").format(name=profile.name))
        lay = QVBoxLayout(self)
        lay.addWidget(
            QLabel(
                translate(
                    "ShareLinkDialog",
                    "A kcptun_gclient share link: paste it into another KCP Desk or "
                    "kcptun_gclient, or scan the code.",
                )
            )
        )
        self.include_key = QCheckBox(
            translate(
                "ShareLinkDialog", "Include the key (anyone with the link can use the server)"
            )
        )
        self.include_key.toggled.connect(self.refresh)
        lay.addWidget(self.include_key)
        row = QHBoxLayout()
        self.link = QLineEdit()
        self.link.setReadOnly(True)
        copy = QPushButton(translate("ShareLinkDialog", "Copy"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.link.text()))
        row.addWidget(self.link, 1)
        row.addWidget(copy)
        lay.addLayout(row)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setMinimumSize(QR_PIXELS, QR_PIXELS)
        lay.addWidget(self.qr, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        text = to_link(
            self.profile.config, remark=self.profile.name, include_key=self.include_key.isChecked()
        )
        self.link.setText(text)
        self.link.setCursorPosition(0)
        self.qr.setPixmap(qr_pixmap(text))


class ImportLinkDialog(QDialog):
    """Paste a kcptun:// link; a bad one gets a message under the box, never a traceback."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("ImportLinkDialog", "Import a kcptun:// link"))
        self.result_link: ShareLink | None = None
        lay = QVBoxLayout(self)
        lay.addWidget(
            QLabel(
                translate(
                    "ImportLinkDialog", "Paste a kcptun:// share link (kcptun_gclient's format):"
                )
            )
        )
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("kcptun://...")
        self.text.textChanged.connect(self.check)
        lay.addWidget(self.text, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("fieldError")
        lay.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.check()

    def set_text(self, text: str) -> None:
        self.text.setPlainText(text)

    def check(self) -> None:
        raw = self.text.toPlainText().strip()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.result_link = None
        if not raw:
            self.message.setText("")
            ok.setEnabled(False)
            return
        try:
            self.result_link = parse_link(raw)
        except ConfigError as exc:
            self.message.setText(problem_text(str(exc)))
            ok.setEnabled(False)
            return
        link = self.result_link
        text = translate("ImportLinkDialog", "Server {address}, mode {mode}.").format(
            address=link.config.remoteaddr, mode=link.config.mode
        )
        if not link.has_key:
            text += translate("ImportLinkDialog", " The link has no key: set it in the profile.")
        self.message.setText(text)
        ok.setEnabled(True)
