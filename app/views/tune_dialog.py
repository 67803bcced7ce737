"""The Tune dialog: measure, read the advice with its reasons, apply this end's part, hand the
server's part over (flags, JSON, share link), measure again and compare side by side.

Widgets only: every action goes to ``TuneController``; questions go through ``self.ask`` so a
test can answer them.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.controllers.tune import TuneController
from app.i18n import QT_TRANSLATE_NOOP, translate
from app.tune_text import advice_text, change_line
from kcpcore.sharelink import to_link
from kcpcore.tune import LinkFigures
from kcpcore.tune.rules import mbit, pct


def _unknown() -> str:
    return translate("TuneDialog", "unknown")


def _no() -> str:
    return translate("TuneDialog", "no")


ROWS: tuple[tuple[str, Callable[[LinkFigures], str]], ...] = (
    (QT_TRANSLATE_NOOP("TuneDialog", "Lowest RTT"), lambda f: f"{f.rtt_min_ms:.0f} ms"),
    (QT_TRANSLATE_NOOP("TuneDialog", "Smoothed RTT"), lambda f: f"{f.srtt_ms:.0f} ms"),
    (
        QT_TRANSLATE_NOOP("TuneDialog", "Download"),
        lambda f: mbit(f.down.rate_bps) if f.down.busy else "-",
    ),
    (
        QT_TRANSLATE_NOOP("TuneDialog", "  with large windows"),
        lambda f: mbit(f.down.capacity_bps) if f.down.capacity_bps is not None else "-",
    ),
    (
        QT_TRANSLATE_NOOP("TuneDialog", "  loss"),
        lambda f: pct(f.down.loss) if f.down.loss is not None else _unknown(),
    ),
    (QT_TRANSLATE_NOOP("TuneDialog", "  window-limited"), lambda f: f.down.window_limit or _no()),
    (
        QT_TRANSLATE_NOOP("TuneDialog", "Upload"),
        lambda f: mbit(f.up.rate_bps) if f.up.busy else "-",
    ),
    (
        QT_TRANSLATE_NOOP("TuneDialog", "  with large windows"),
        lambda f: mbit(f.up.capacity_bps) if f.up.capacity_bps is not None else "-",
    ),
    (
        QT_TRANSLATE_NOOP("TuneDialog", "  loss"),
        lambda f: pct(f.up.loss) if f.up.loss is not None else _unknown(),
    ),
    (QT_TRANSLATE_NOOP("TuneDialog", "  window-limited"), lambda f: f.up.window_limit or _no()),
    (
        QT_TRANSLATE_NOOP("TuneDialog", "CPU (this end)"),
        lambda f: pct(f.cpu) if f.cpu is not None else "-",
    ),
    (
        QT_TRANSLATE_NOOP("TuneDialog", "Measured by"),
        lambda f: (
            translate("TuneDialog", "active test")
            if f.active
            else translate("TuneDialog", "passive counters")
        ),
    ),
)
"""The figures table's rows: (label, marked for translation; how to show the value)"""


class TuneDialog(QDialog):
    def __init__(self, controller: TuneController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.ask: Callable[[str, str], bool] = self._ask
        self._tasks: set[asyncio.Future[Any]] = set()
        self.setWindowTitle(translate("TuneDialog", "Tune {name}").format(name=controller.name))
        self.resize(860, 560)
        self._build()
        controller.progress.connect(lambda text: self.status.setText(advice_text(text)))
        controller.failed.connect(self._on_failed)
        controller.measured.connect(self._on_measured)
        controller.applied.connect(self._on_applied)

    def _build(self) -> None:
        lay = QVBoxLayout(self)
        intro = QLabel(
            translate(
                "TuneDialog",
                "Measures this link, then says what to change on each end and why. "
                "The active test needs a KCP Desk server started with --tuneserve; "
                "otherwise the running tunnel's counters are read while you use it.",
            )
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        row = QHBoxLayout()
        self.measure_button = QPushButton(translate("TuneDialog", "Measure"))
        self.apply_button = QPushButton(translate("TuneDialog", "Apply this end's part"))
        self.remeasure_button = QPushButton(translate("TuneDialog", "Measure again"))
        for b, slot in (
            (self.measure_button, self.measure),
            (self.apply_button, self.apply),
            (self.remeasure_button, self.measure),
        ):
            b.clicked.connect(lambda _c=False, s=slot: s())
            row.addWidget(b)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        lay.addLayout(row)
        split = QSplitter()
        self.table = QTableWidget(len(ROWS), 2)
        self.table.setHorizontalHeaderLabels(
            [translate("TuneDialog", "Before"), translate("TuneDialog", "After")]
        )
        self.table.setVerticalHeaderLabels([translate("TuneDialog", r[0]) for r in ROWS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        split.addWidget(self.table)
        self.advice = QTextBrowser()
        split.addWidget(self.advice)
        split.setSizes([330, 530])
        lay.addWidget(split, 3)
        lay.addWidget(
            QLabel(translate("TuneDialog", "The server's part (it is not changed from here):"))
        )
        self.server_tabs = QTabWidget()
        self.server_flags = self._copy_tab(translate("TuneDialog", "Flags to add"))
        self.server_json = self._copy_tab(translate("TuneDialog", "JSON keys"))
        self.server_command = self._copy_tab(translate("TuneDialog", "Whole command line"))
        self.share_link = self._copy_tab(translate("TuneDialog", "Share link (this end, no key)"))
        lay.addWidget(self.server_tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._update_buttons()

    def _copy_tab(self, title: str) -> QPlainTextEdit:
        page = QWidget()
        lay = QHBoxLayout(page)
        text = QPlainTextEdit()
        text.setReadOnly(True)
        copy = QPushButton(translate("TuneDialog", "Copy"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(text.toPlainText()))
        lay.addWidget(text, 1)
        lay.addWidget(copy)
        self.server_tabs.addTab(page, title)
        return text

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _t: self._update_buttons())
        self._update_buttons()

    def _update_buttons(self) -> None:
        c = self.controller
        busy = c.busy or bool(self._tasks)
        self.measure_button.setEnabled(not busy and c.before is None)
        self.apply_button.setEnabled(
            not busy
            and not c.was_applied
            and c.advice is not None
            and bool(c.advice.for_end("client"))
        )
        self.remeasure_button.setEnabled(not busy and c.before is not None)

    # --- actions ------------------------------------------------------------------------------

    def measure(self) -> None:
        self.status.setText(translate("TuneDialog", "measuring..."))
        self._spawn(self.controller.measure())

    def apply(self) -> None:
        ctrl = self.controller.manager.controller(self.controller.name)
        restart = bool(ctrl is not None and ctrl.active) and self.ask(
            translate("TuneDialog", "Restart the tunnel?"),
            translate(
                "TuneDialog",
                "The new settings take effect when the tunnel restarts. "
                "Restart it now (open connections through it are closed)?",
            ),
        )
        self._spawn(self.controller.apply(restart))

    # --- results ------------------------------------------------------------------------------

    def _on_failed(self, message: str) -> None:
        self.status.setText(message)

    def _on_applied(self) -> None:
        self.status.setText(
            translate(
                "TuneDialog",
                "Applied to this profile. Change the server as shown below, then measure again.",
            )
        )
        self._update_buttons()

    def _on_measured(self) -> None:
        c = self.controller
        for col, fig in ((0, c.before), (1, c.after)):
            for row, (_label, fmt) in enumerate(ROWS):
                self.table.setItem(row, col, QTableWidgetItem(fmt(fig) if fig else ""))
        self.status.setText(translate("TuneDialog", "Measured: {note}.").format(note=c.note))
        self._show_advice()
        self._update_buttons()

    def _show_advice(self) -> None:
        c = self.controller
        if c.advice is None or c.outcome is None:
            return
        parts = []
        if c.advice.changes:
            parts.append("<h3>{}</h3><ul>".format(translate("TuneDialog", "Recommendations")))
            for reason in c.advice.reasons():
                lines = translate("TuneText", "; ").join(
                    change_line(r.end, r.setting, r.current, r.proposed)
                    for r in c.advice.changes
                    if r.reason == reason
                )
                why = advice_text(reason)
                parts.append(f"<li><b>{html.escape(lines)}</b><br>{html.escape(why)}</li>")
            parts.append("</ul>")
        else:
            parts.append(
                translate(
                    "TuneDialog",
                    "<p><b>Nothing to change:</b> the settings fit what was measured.</p>",
                )
            )
        if c.advice.findings:
            parts.append("<h3>{}</h3><ul>".format(translate("TuneDialog", "Findings")))
            parts += [f"<li>{html.escape(advice_text(f))}</li>" for f in c.advice.findings]
            parts.append("</ul>")
        self.advice.setHtml("".join(parts))
        out = c.outcome
        self.server_flags.setPlainText(
            out.server_flags() or translate("TuneDialog", "(nothing to change)")
        )
        self.server_json.setPlainText(out.server_json_changes())
        self.server_command.setPlainText(out.server_command())
        self.share_link.setPlainText(to_link(out.new_client, remark=c.name))
