"""The main window: composition of the profile list, editor, charts, diagnostics and log.

Layout: profiles on the left; on the right, the selected profile's header (status, Start/Stop)
above three tabs: Monitor (demo controls, diagnostics, charts), Settings (the editor), Log.

The operations themselves (save, duplicate, rename, delete and undo, import, start/stop,
shutdown) are ``app.controllers.desk.DeskController``'s; the window builds widgets, forwards to
it and shows the outcome (selection, status bar, dialogs). Its plain methods
(``new_profile``, ``import_command``, ``rename_profile``, coroutine ``start_profile``...) are
what the menu slots call after their dialogs, and what tests call. Questions go through
``self.ask`` so tests can answer them. Async work runs in ``asyncSlot`` coroutines; no dialog
is ``exec()``-ed inside one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from app import resources
from app.charts.panel import ChartsPanel
from app.controllers.desk import DeskController
from app.controllers.manager import ProfileManager
from app.controllers.tunnel import TunnelState
from app.core_text import problem_text
from app.format import rate_pair
from app.i18n import translate
from app.models.logbook import LogBook
from app.notify import Notifier
from app.settings import UiSettings
from app.views import language_menu, theme_menu, tune_actions
from app.views.demo_panel import DemoPanel
from app.views.diagnostics import DiagnosticsView
from app.views.diagnostics_strip import DiagnosticsStrip
from app.views.labels import role_label, state_label
from app.views.life_actions import LifeActions
from app.views.log_view import LogView
from app.views.profile_editor import ProfileEditor
from app.views.profile_list import (
    STATE_COLORS,
    ProfileDelegate,
    ProfileListModel,
    ProfileListView,
)
from app.views.restart_bar import RestartBar
from app.views.traffic_totals import TrafficTotalsView
from app.views.transfer import ExportDialog, ImportCommandDialog
from app.widgets.elided_label import ElidedLabel
from app.widgets.vertical_scroll import VerticalScrollArea
from kcpcore.config import Role, TunnelConfig
from kcpcore.errors import ConfigError
from kcpcore.flags import json_key_warnings
from kcpcore.profiles import Profile

log = logging.getLogger(__name__)

TAB_MONITOR, TAB_SETTINGS, TAB_LOG = range(3)


def _ask_user(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


class MainWindow(QMainWindow):
    """Everything the user sees; owns the profile manager and the demo."""

    quit_finished = Signal()

    def __init__(
        self,
        manager: ProfileManager,
        logbook: LogBook,
        settings: UiSettings | None = None,
        *,
        use_tray: bool = True,
    ) -> None:
        super().__init__()
        self.manager = manager
        self.logbook = logbook
        self.settings = settings or UiSettings()
        self.desk = DeskController(manager, self)
        """the operations; this class builds widgets and forwards to it"""
        self.demo = self.desk.demo
        self.current_name = ""
        self.ask: Callable[[str, str], bool] = lambda t, x: _ask_user(self, t, x)
        self.quit_future: asyncio.Future[int] | None = None
        self.setWindowTitle(translate("MainWindow", "KCP Desk"))
        self.setWindowIcon(resources.app_icon())
        self._build()
        self._build_actions()
        self.life = LifeActions(self, use_tray=use_tray)
        """tray, close/quit question, Start/Stop all, login start, reconnect at launch"""
        self.tray = self.life.tray
        self.notifier = Notifier(self)
        """connect/drop/error notifications; the tray (if any) shows them"""
        self.notifier.attach(self.life.notify_sink())
        manager.link_event.connect(self.notifier.tunnel_event)
        manager.profiles_changed.connect(self._on_profiles_changed)
        manager.profile_changed.connect(self._on_profile_changed)
        self.demo.running_changed.connect(self._on_demo_running_changed)
        self.demo.failed.connect(
            lambda msg: self.statusBar().showMessage(
                translate("MainWindow", "Demo failed: {error}").format(error=msg), 15000
            )
        )
        self.desk.undo_changed.connect(self._on_undo_changed)
        self._restore_settings()
        self._update_actions()

    # --- construction -------------------------------------------------------------------------

    def _build(self) -> None:
        split = QSplitter(Qt.Orientation.Horizontal)
        self.splitter = split
        split.addWidget(self._build_profile_side())
        split.addWidget(self._build_profile_view())
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([310, 930])
        split.setCollapsible(0, False)
        self.setCentralWidget(split)
        self.editor.save_requested.connect(self._on_save_requested)
        self.toggle_button.clicked.connect(self._on_toggle_clicked)
        self.demo_button.clicked.connect(self._on_demo_clicked)
        self.demo_panel.stop_button.clicked.connect(self._on_demo_clicked)
        self.statusBar()

    def _build_profile_side(self) -> QWidget:
        """The left side: the profile list, New and Run demo."""
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(6, 6, 0, 6)
        left_lay.addWidget(QLabel("<b>{}</b>".format(translate("MainWindow", "Profiles"))))
        self.model = ProfileListModel(self.manager)
        self.list_view = ProfileListView()
        self.list_view.setObjectName("profileList")
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(ProfileDelegate(self.list_view))
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.setUniformItemSizes(True)
        left.setMinimumWidth(250)
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_view.customContextMenuRequested.connect(self._on_list_menu_requested)
        self.list_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.list_view.doubleClicked.connect(lambda _i: self._on_toggle_clicked())
        left_lay.addWidget(self.list_view, 1)
        buttons = QHBoxLayout()
        self.new_button = QToolButton()
        self.new_button.setText(translate("MainWindow", "New"))
        self.new_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.demo_button = QPushButton(translate("MainWindow", "Run demo"))
        self.demo_button.setToolTip(
            translate(
                "MainWindow",
                "Start a client and a server on this machine, joined by a "
                "simulated lossy link, with traffic: the charts move at once",
            )
        )
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.demo_button)
        left_lay.addLayout(buttons)
        return left

    def _build_profile_view(self) -> QWidget:
        """The right side: the selected profile's header, then Monitor, Settings and Log."""
        right = QWidget()
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(6, 6, 6, 6)
        head = QHBoxLayout()
        self.light = QLabel()
        self.title = ElidedLabel(
            translate("MainWindow", "No profile selected")
        )  # a long name must not widen the window
        self.title.setObjectName("profileTitle")
        self.rate_label = QLabel()
        # fixed size: its text changes with every sample, and a label that may change size
        # makes Qt lay out the whole window again each time
        self.rate_label.setFixedSize(
            self.rate_label.fontMetrics().horizontalAdvance(rate_pair(999e9, 999e9)) + 8,
            self.rate_label.fontMetrics().height() + 4,
        )
        self.rate_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.toggle_button = QPushButton(translate("MainWindow", "Start"))
        self.toggle_button.setMinimumWidth(90)
        head.addWidget(self.light)
        head.addWidget(self.title, 1)
        head.addWidget(self.rate_label)
        head.addWidget(self.toggle_button)
        right_lay.addLayout(head)
        self.detail = QLabel(
            translate(
                "MainWindow", "Create a profile with New, import a kcptun config, or run the demo."
            )
        )
        self.detail.setObjectName("profileDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right_lay.addWidget(self.detail)
        self.restart_bar = RestartBar()
        self.restart_bar.restart_requested.connect(self._on_restart)
        right_lay.addWidget(self.restart_bar)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_monitor(), translate("MainWindow", "Monitor"))
        self.editor = ProfileEditor(
            name_taken=lambda n: n in self.manager, port_owner=self.manager.port_owner
        )
        self.tabs.addTab(self.editor, translate("MainWindow", "Settings"))
        self.log_view = LogView(self.logbook)
        self.tabs.addTab(self.log_view, translate("MainWindow", "Log"))
        right_lay.addWidget(self.tabs, 1)
        return right

    def _build_monitor(self) -> QWidget:
        """The Monitor tab: demo controls (while the demo runs), diagnostics, charts.

        In a scroll area: on a screen too short for all of it (900x600 with the demo's
        controls, two advice cards and the traffic totals) the tab scrolls, rather than the
        window growing past the screen's edge.
        """
        monitor = QWidget()
        scroll = VerticalScrollArea(monitor)
        scroll.setObjectName("monitorScroll")
        mon_lay = QVBoxLayout(monitor)
        mon_lay.setContentsMargins(4, 4, 4, 4)
        self.demo_panel = DemoPanel(self.demo)
        self.demo_panel.setVisible(False)
        mon_lay.addWidget(self.demo_panel)
        self.diagnostics = DiagnosticsView()
        # cards that change size must not resize the charts (see diagnostics_strip)
        mon_lay.addWidget(DiagnosticsStrip(self.diagnostics))
        self.traffic_view = TrafficTotalsView(self.desk.traffic)
        mon_lay.addWidget(self.traffic_view)
        self.charts = ChartsPanel()
        mon_lay.addWidget(self.charts, 1)
        return scroll

    def _action(
        self, text: str, slot: Callable[..., Any], shortcut: Any = None, tip: str = ""
    ) -> QAction:
        a = QAction(text, self)
        a.triggered.connect(lambda _c=False: slot())
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setStatusTip(tip)
        return a

    def _build_file_actions(self) -> None:
        act = self._action
        self.act_new_client = act(
            translate("MainWindow", "New &client profile"),
            lambda: self.new_profile("client"),
            QKeySequence.StandardKey.New,
        )
        self.act_new_server = act(
            translate("MainWindow", "New &server profile"), lambda: self.new_profile("server")
        )
        self.act_import_json = act(
            translate("MainWindow", "Import kcptun &JSON file\u2026"),
            self._on_import_json,
            "Ctrl+O",
        )
        self.act_import_cmd = act(
            translate("MainWindow", "Import kcptun command &line\u2026"),
            self._on_import_command,
            "Ctrl+Shift+V",
        )
        self.act_export = act(
            translate("MainWindow", "&Export\u2026"),
            self._on_export,
            "Ctrl+E",
            translate("MainWindow", "This profile, or the matching config for the other end"),
        )
        self.act_quit = act(
            translate("MainWindow", "&Quit"), self._on_quit, QKeySequence.StandardKey.Quit
        )

    def _build_actions(self) -> None:
        act = self._action
        self._build_file_actions()
        self.act_start = act(translate("MainWindow", "&Start"), self._on_start, "Ctrl+R")
        self.act_stop = act(translate("MainWindow", "S&top"), self._on_stop, "Ctrl+T")
        self.act_restart = act(
            translate("MainWindow", "Rest&art"),
            self._on_restart,
            "Ctrl+Shift+R",
            translate("MainWindow", "Stop and start with the saved settings"),
        )
        self.act_duplicate = act(
            translate("MainWindow", "&Duplicate"), self.duplicate_current, "Ctrl+D"
        )
        self.act_rename = act(translate("MainWindow", "&Rename\u2026"), self._on_rename, "F2")
        self.act_delete = act(
            translate("MainWindow", "De&lete\u2026"),
            self._on_delete,
            QKeySequence.StandardKey.Delete,
        )
        self.act_undo_delete = act(
            translate("MainWindow", "&Undo delete"), self.undo_delete, QKeySequence.StandardKey.Undo
        )
        self.act_undo_delete.setEnabled(False)
        self.act_demo = act(translate("MainWindow", "Run &demo"), self._on_demo_clicked)
        self.act_notify = QAction(translate("MainWindow", "Desktop &notifications"), self)
        self.act_notify.setCheckable(True)
        self.act_notify.setStatusTip(
            translate(
                "MainWindow", "Say when a tunnel connects, drops or fails (at most every 30 s)"
            )
        )
        self.act_notify.toggled.connect(self._on_notify_toggled)
        self._build_menus(act(translate("MainWindow", "&About KCP Desk"), self._on_about))

    def _build_menus(self, about: QAction) -> None:
        menus = self.menuBar()
        m = menus.addMenu(translate("MainWindow", "&File"))
        m.setObjectName("menuFile")
        for a in (
            self.act_new_client,
            self.act_new_server,
            None,
            self.act_import_json,
            self.act_import_cmd,
            self.act_export,
            None,
            self.act_quit,
        ):
            m.addSeparator() if a is None else m.addAction(a)
        m = menus.addMenu(translate("MainWindow", "&Profile"))
        m.setObjectName("menuProfile")
        for a in (
            self.act_start,
            self.act_stop,
            self.act_restart,
            None,
            self.act_duplicate,
            self.act_rename,
            self.act_delete,
            self.act_undo_delete,
        ):
            m.addSeparator() if a is None else m.addAction(a)
        m = menus.addMenu(translate("MainWindow", "&View"))
        m.setObjectName("menuView")
        m.addAction(self.act_demo)
        m.addAction(self.act_notify)
        self.theme_actions = theme_menu.install(self, m)
        language_menu.install(self, m)
        m = menus.addMenu(translate("MainWindow", "&Help"))
        m.setObjectName("menuHelp")
        m.addAction(about)
        new_menu = QMenu(self)
        new_menu.addAction(self.act_new_client)
        new_menu.addAction(self.act_new_server)
        new_menu.addSeparator()
        new_menu.addAction(self.act_import_json)
        new_menu.addAction(self.act_import_cmd)
        self.new_button.setMenu(new_menu)
        tune_actions.install(self)

    def _on_notify_toggled(self, on: bool) -> None:
        self.settings.set_notifications(on)
        self.notifier.set_enabled(on)

    def show_raise(self) -> None:
        """Show the window in front (the tray, a second launch)."""
        if self.isMinimized():
            self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()

    def _restore_settings(self) -> None:
        geo = self.settings.geometry()
        if not geo.isEmpty():
            self.restoreGeometry(geo)
        else:
            self.resize(self._first_size())
        sp = self.settings.splitter()
        if not sp.isEmpty():
            self.splitter.restoreState(sp)
        self.charts.set_span(self.settings.chart_span())
        self.act_notify.setChecked(self.settings.notifications())
        self.notifier.set_enabled(self.settings.notifications())

    def _first_size(self) -> QSize:
        """1240x800, or less on a smaller screen: the window and its frame must fit (at
        1366x768 the 800 px tall window hid the charts' axes below the screen's edge)."""
        screen = self.screen()
        if screen is None:
            return QSize(1240, 800)
        avail = screen.availableGeometry()
        return QSize(min(1240, avail.width() - 40), min(800, avail.height() - 60))

    def save_settings(self) -> None:
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_splitter(self.splitter.saveState())
        self.settings.set_chart_span(self.charts.span)
        self.settings.set_last_profile(self.current_name)
        self.settings.sync()

    # --- selection ----------------------------------------------------------------------------

    def load_profiles(self) -> None:
        """Read the store; damaged files are reported in a dialog-free status message."""
        problems = self.manager.reload()
        if problems:
            msg = "; ".join(str(p) for p in problems)
            log.warning("profile store: %s", msg)
            self.statusBar().showMessage(
                translate("MainWindow", "Some profile files could not be read: {problems}").format(
                    problems=msg
                ),
                30000,
            )
        last = self.settings.last_profile()
        names = self.manager.names()
        if names:
            self.select(last if last in names else names[0])

    def select(self, name: str) -> None:
        row = self.model.row_of(name)
        if row >= 0:
            self.list_view.selectionModel().setCurrentIndex(
                self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _on_current_changed(self, current: Any, previous: Any) -> None:
        name = self.model.name_at(current.row()) if current.isValid() else ""
        if name == self.current_name and not self.editor.is_new:
            return
        if self.editor.is_dirty() and not self._confirm_discard():
            # put the selection back without re-entering this slot's question
            self.list_view.selectionModel().blockSignals(True)
            self.select(self.current_name)
            self.list_view.selectionModel().blockSignals(False)
            return
        self._show_profile(name)

    def _confirm_discard(self) -> bool:
        original = self.editor.original
        what = f"'{original.name}'" if original else translate("MainWindow", "this profile")
        return self.ask(
            translate("MainWindow", "Unsaved changes"),
            translate("MainWindow", "Discard the unsaved changes to {what}?").format(what=what),
        )

    def _show_profile(self, name: str) -> None:
        self.current_name = name
        profile = self.manager.profile(name) if name in self.manager else None
        self.editor.load(profile)
        self.log_view.set_profile(name)
        self.traffic_view.set_profile(name if profile is not None else "")
        self.charts.set_controller(self.manager.controller(name) if name else None)
        self._refresh_header()
        self._update_actions()

    def _on_profiles_changed(self) -> None:
        name = self.current_name
        if name and name in self.manager:
            self.list_view.selectionModel().blockSignals(True)
            self.select(name)
            self.list_view.selectionModel().blockSignals(False)
        elif not self.editor.is_new:
            names = self.manager.names()
            self._show_profile("")
            if names:
                self.select(names[0])
        self._update_actions()

    def _on_profile_changed(self, name: str) -> None:
        if name == self.current_name:
            ctrl = self.manager.controller(name)
            if ctrl is not None and self.charts.controller is not ctrl:
                self.charts.set_controller(ctrl)
            self._refresh_header()
            if (
                name in self.manager
                and self.manager.is_transient(name)
                and not self.editor.is_dirty()
                and self.editor.original is not self.manager.profile(name)
            ):
                self.editor.load(self.manager.profile(name))  # the demo filled in its ports
        self._update_actions()

    def _refresh_header(self) -> None:
        name = self.current_name
        if self.editor.is_new and self.editor.original is not None:
            self.title.setText(
                translate("MainWindow", "{name} (new, not saved)").format(
                    name=self.editor.original.name
                )
            )
            self.light.setPixmap(
                resources.status_icon(STATE_COLORS[TunnelState.STOPPED], 14).pixmap(14, 14)
            )
            self.detail.setText(translate("MainWindow", "Fill in the settings and press Save."))
            self._set_rate("")
            self.diagnostics.show_findings([])
            self._set_detail_state("")
            self.restart_bar.set_needed(False)
            return
        if not name or name not in self.manager:
            self.title.setText(translate("MainWindow", "No profile selected"))
            self.detail.setText(
                translate(
                    "MainWindow",
                    "Create a profile with New, import a kcptun config, or run the demo.",
                )
            )
            self.light.clear()
            self._set_rate("")
            self.diagnostics.show_findings([])
            self._set_detail_state("")
            self.restart_bar.set_needed(False)
            return
        self.restart_bar.set_needed(self.manager.needs_restart(name))
        profile = self.manager.profile(name)
        ctrl = self.manager.controller(name)
        state = ctrl.state if ctrl is not None else TunnelState.STOPPED
        self.title.setText(f"{name}  \u00b7  {role_label(profile.role)}")
        detail = ctrl.detail if ctrl is not None and ctrl.detail else state_label(state)
        if state is TunnelState.ERROR:
            detail = translate("MainWindow", "Error: {detail}").format(detail=detail)
        self.detail.setText(detail)
        if self.detail.property("state") != state.value:
            self.light.setPixmap(resources.status_icon(STATE_COLORS[state], 14).pixmap(14, 14))
            self._set_detail_state(state.value)
        running = ctrl is not None and ctrl.engine is not None
        self._set_rate(rate_pair(*ctrl.rates()) if running and ctrl else "")
        self.diagnostics.show_findings(ctrl.findings if ctrl is not None else [])

    def _set_rate(self, text: str) -> None:
        """The rate beside Start/Stop; hidden while there is none, so a long title has room."""
        self.rate_label.setText(text)
        self.rate_label.setVisible(bool(text))

    def _set_detail_state(self, state: str) -> None:
        """The detail line's colour (style sheet ``[state=...]``); only on a change:
        re-polishing a styled label on every sample cost milliseconds each time."""
        if self.detail.property("state") != state:
            self.detail.setProperty("state", state)
            self.detail.style().unpolish(self.detail)
            self.detail.style().polish(self.detail)

    def _update_actions(self) -> None:
        name = self.current_name
        has = bool(name) and name in self.manager and not self.editor.is_new
        ctrl = self.manager.controller(name) if has else None
        active = ctrl is not None and ctrl.active
        transient = has and self.manager.is_transient(name)
        self.toggle_button.setEnabled(has)
        self.toggle_button.setText(
            translate("MainWindow", "Stop") if active else translate("MainWindow", "Start")
        )
        self.act_start.setEnabled(has and not active)
        self.act_stop.setEnabled(active)
        self.act_restart.setEnabled(active)
        self.act_export.setEnabled(has)
        self.act_duplicate.setEnabled(has)
        self.act_rename.setEnabled(has and not active and not transient)
        self.act_delete.setEnabled(has and not transient)
        self.life.update()
        demo_on = self.demo.running
        self.demo_button.setText(
            translate("MainWindow", "Stop demo") if demo_on else translate("MainWindow", "Run demo")
        )
        self.act_demo.setText(
            translate("MainWindow", "Stop &demo")
            if demo_on
            else translate("MainWindow", "Run &demo")
        )

    # --- profile operations (no dialogs) ------------------------------------------------------

    def new_profile(
        self, role: Role, config: TunnelConfig | None = None, name: str | None = None
    ) -> None:
        """Open a new, unsaved profile in the editor (nothing is written until Save)."""
        if self.editor.is_dirty() and not self._confirm_discard():
            return
        profile = self.desk.draft(role, config, name)
        self.list_view.selectionModel().blockSignals(True)
        self.list_view.clearSelection()
        self.list_view.selectionModel().blockSignals(False)
        self.current_name = ""
        self.editor.load(profile, new=True)
        self.charts.set_controller(None)
        self.tabs.setCurrentIndex(TAB_SETTINGS)
        self._refresh_header()
        self._update_actions()

    def _on_save_requested(self, profile: Profile, old_name: str | None) -> None:
        try:
            note = self.desk.save(profile, old_name)
        except ConfigError as exc:
            self.editor.show_name_error(str(exc))
            return
        self.editor.mark_saved(profile, note)
        self.current_name = profile.name
        self.list_view.selectionModel().blockSignals(True)
        self.select(profile.name)
        self.list_view.selectionModel().blockSignals(False)
        self._show_profile_header_only()

    def _show_profile_header_only(self) -> None:
        self.log_view.set_profile(self.current_name)
        self.traffic_view.set_profile(self.current_name)
        self.charts.set_controller(self.manager.controller(self.current_name))
        self._refresh_header()
        self._update_actions()

    def import_json_text(self, text: str, name: str = "") -> str:
        """Open a kcptun JSON config as a new profile; returns an error message or ""."""
        try:
            cfg = self.desk.parse_json(text)
        except ConfigError as exc:
            return str(exc)
        self.new_profile(cfg.role, cfg, name or translate("MainWindow", "Imported"))
        warnings = json_key_warnings(cfg.role, text, name)  # a newer kcptun's keys, typos
        if warnings:
            self.statusBar().showMessage("; ".join(problem_text(w) for w in warnings), 15000)
        return ""

    def import_command(self, text: str) -> str:
        """Open a pasted kcptun command line as a new profile; returns an error or ""."""
        try:
            cfg, warnings = self.desk.parse_command(text)
        except ConfigError as exc:
            return str(exc)
        self.new_profile(
            cfg.role,
            cfg,
            translate("MainWindow", "Imported {role}").format(role=role_label(cfg.role)),
        )
        if warnings:
            self.statusBar().showMessage("; ".join(problem_text(w) for w in warnings), 15000)
        return ""

    def duplicate_current(self) -> str:
        if not self.current_name:
            return ""
        try:
            copy = self.desk.duplicate(self.current_name)
        except (ConfigError, OSError) as exc:
            self.statusBar().showMessage(
                translate("MainWindow", "Duplicate failed: {error}").format(error=exc), 10000
            )
            return ""
        self.select(copy.name)
        return copy.name

    def rename_profile(self, old: str, new: str) -> str:
        """Rename; returns an error message or ""."""
        error = self.desk.rename(old, new)
        if error:
            return error
        self.current_name = new
        self.select(new)
        self._show_profile(new)
        return ""

    async def delete_profile(self, name: str) -> bool:
        """Delete after asking; the status bar offers the profile back (undo) for a while."""
        if not self.ask(
            translate("MainWindow", "Delete profile"),
            translate(
                "MainWindow", "Delete the profile '{name}'? A running tunnel is stopped first."
            ).format(name=name),
        ):
            return False
        await self.desk.delete(name)
        self.statusBar().showMessage(
            translate(
                "MainWindow", "Deleted '{name}'. Profile \u2192 Undo delete brings it back."
            ).format(name=name),
            15000,
        )
        return True

    def undo_delete(self) -> str:
        name = self.desk.undo_delete()
        if name:
            self.select(name)
        return name

    def _on_undo_changed(self, name: str) -> None:
        self.act_undo_delete.setText(
            translate("MainWindow", "&Undo delete of '{name}'").format(name=name)
            if name
            else translate("MainWindow", "&Undo delete")
        )
        self.act_undo_delete.setEnabled(bool(name))

    async def start_profile(self, name: str) -> bool:
        ok = await self.desk.start(name)
        if name == self.current_name:
            self.charts.set_controller(self.manager.controller(name))
            self._refresh_header()
        self._update_actions()
        return ok

    async def restart_profile(self, name: str) -> bool:
        ok = await self.desk.restart(name)
        if name == self.current_name:
            self.charts.set_controller(self.manager.controller(name))
            self._refresh_header()
        self._update_actions()
        return ok

    async def stop_profile(self, name: str) -> None:
        await self.desk.stop(name)
        self._update_actions()
        if name == self.current_name:
            self._refresh_header()

    async def start_demo(self) -> bool:
        ok = await self.demo.start()
        if ok:
            self.select(self.demo.client_name)
            self.tabs.setCurrentIndex(TAB_MONITOR)
        self._update_actions()
        return ok

    def _on_demo_running_changed(self, running: bool) -> None:
        self.demo_panel.setVisible(running)
        self._update_actions()

    def refresh_after_tunnels(self) -> None:
        """Several tunnels started or stopped at once (Start all, Stop all)."""
        self._update_actions()
        if self.current_name:
            self.charts.set_controller(self.manager.controller(self.current_name))
        self._refresh_header()

    async def shutdown(self) -> None:
        """Stop the demo and every tunnel, save UI state. Idempotent."""
        if self.desk.stopping:
            return
        self.save_settings()
        self.life.shutdown()
        await self.desk.shutdown()

    async def request_quit(self) -> None:
        await self.shutdown()
        if shiboken6.isValid(self):  # the C++ window may be gone when quitting from teardown
            self.hide()
        if self.quit_future is not None and not self.quit_future.done():
            self.quit_future.set_result(0)
        self.quit_finished.emit()

    # --- slots with dialogs -------------------------------------------------------------------

    @asyncSlot()
    async def _on_toggle_clicked(self) -> None:
        name = self.current_name
        if not name or name not in self.manager:
            return
        await self.desk.toggle(name)
        self._update_actions()
        if name == self.current_name:
            self.charts.set_controller(self.manager.controller(name))
            self._refresh_header()

    @asyncSlot()
    async def _on_start(self) -> None:
        if self.current_name:
            await self.start_profile(self.current_name)

    @asyncSlot()
    async def _on_stop(self) -> None:
        if self.current_name:
            await self.stop_profile(self.current_name)

    @asyncSlot()
    async def _on_restart(self) -> None:
        if self.current_name:
            await self.restart_profile(self.current_name)

    @asyncSlot()
    async def _on_demo_clicked(self) -> None:
        if self.demo.running:
            await self.demo.stop()
            self._update_actions()
        else:
            await self.start_demo()

    @asyncSlot()
    async def _on_delete(self) -> None:
        if self.current_name and not self.manager.is_transient(self.current_name):
            await self.delete_profile(self.current_name)

    def _on_quit(self) -> None:
        """File -> Quit, Ctrl+Q: asks first while tunnels run (``app.views.close_dialog``)."""
        self.life.request_close(quitting=True)

    def _on_import_json(self) -> None:
        path, _f = QFileDialog.getOpenFileName(
            self,
            translate("MainWindow", "Import a kcptun JSON config"),
            "",
            translate("MainWindow", "JSON files (*.json);;All files (*)"),
        )
        if not path:
            return
        try:
            text = Path(path).read_text("utf-8", "replace")
        except OSError as exc:
            QMessageBox.warning(
                self,
                translate("MainWindow", "Import"),
                translate("MainWindow", "Cannot read {path}: {error}").format(
                    path=path, error=exc.strerror or exc
                ),
            )
            return
        error = self.import_json_text(text, Path(path).stem)
        if error:
            QMessageBox.warning(
                self, translate("MainWindow", "Import"), f"{Path(path).name}: {problem_text(error)}"
            )

    def _on_import_command(self) -> None:
        dialog = ImportCommandDialog(self)
        clip = QApplication.clipboard().text()
        if "kcptun" in clip or "client" in clip or "server" in clip:
            dialog.set_text(clip.strip())
        dialog.accepted.connect(
            lambda: dialog.config is not None and self.import_command(dialog.text.toPlainText())
        )
        dialog.open()

    def _on_export(self) -> None:
        if self.current_name in self.manager:
            others = [self.manager.profile(n) for n in self.manager.names()]
            ExportDialog(self.manager.profile(self.current_name), self, others).open()

    def _on_rename(self) -> None:
        old = self.current_name
        if not old:
            return
        dialog = QInputDialog(self)
        title = translate("MainWindow", "Rename profile")
        dialog.setWindowTitle(title)
        dialog.setLabelText(translate("MainWindow", "New name:"))
        dialog.setTextValue(old)
        # wide enough for its title in the window manager's bar (cut to "Renam... Desk" at the
        # default width) and for a long name
        fm = dialog.fontMetrics()
        title_w = fm.horizontalAdvance(f"{title} \u2014 KCP Desk") + 160
        dialog.resize(max(380, title_w, fm.horizontalAdvance(old) + 60), 0)
        ok = dialog.exec() == QInputDialog.DialogCode.Accepted
        new = dialog.textValue()
        dialog.deleteLater()
        if ok and new != old:
            error = self.rename_profile(old, new)
            if error:
                QMessageBox.warning(self, translate("MainWindow", "Rename"), error)

    def _on_list_menu_requested(self, pos: Any) -> None:
        index = self.list_view.indexAt(pos)
        if not index.isValid():
            return
        self.select(self.model.name_at(index.row()))
        menu = QMenu(self)
        ctl = self.manager.controller(self.current_name)
        running = bool(ctl and ctl.active)
        menu.addAction(self.act_stop if running else self.act_start)
        if running:
            menu.addAction(self.act_restart)
        for a in (self.act_export, self.act_duplicate, self.act_rename, self.act_delete):
            menu.addAction(a)
        menu.popup(self.list_view.viewport().mapToGlobal(pos))

    def _on_about(self) -> None:
        from kcpcore import __version__

        QMessageBox.about(
            self,
            translate("MainWindow", "About KCP Desk"),
            translate(
                "MainWindow",
                "<b>KCP Desk {version}</b><br>A kcptun-compatible tunnel "
                "manager. Profiles are kcptun JSON files; "
                "<code>kcpdesk client --profile NAME</code> runs one without the "
                "window.",
            ).format(version=__version__),
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        """Charts are not fed while minimised; bring them up to date on restore."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange and not self.isMinimized():
            self.charts.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Never stops tunnels by itself: asks, hides to the tray or quits as chosen; the
        actual quitting runs asynchronously (never spin here)."""
        if self.desk.stopping:
            event.accept()
            return
        event.ignore()
        self.life.request_close(quitting=False)
