"""The Tune dialog's controller: measure a client profile's link, recommend, apply this end,
measure again. No widgets here; the dialog forwards its buttons and shows the signals.

Measuring: the active test (``kcpcore.aio.tunetest``) when the server is KCP Desk with
``--tuneserve``; otherwise passive figures from the profile's running tunnel over
``passive_seconds`` while the user uses it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.i18n import translate
from app.tune_text import advice_text
from kcpcore.aio.linkstats import sample_for
from kcpcore.aio.tunetest import NoTuneService, run_active_test
from kcpcore.config import TunnelConfig
from kcpcore.profiles import peer_config
from kcpcore.tune import Advice, LinkFigures, recommend
from kcpcore.tune.measure import active_figures, passive_figures, server_windows
from kcpcore.tune.report import Outcome, outcome

from .manager import ProfileManager

log = logging.getLogger(__name__)


class TuneController(QObject):
    """One profile's tune session: before, advice, after."""

    progress = Signal(str)
    """what is being measured right now"""
    measured = Signal()
    """``before`` (first time) or ``after`` (after applying) is new"""
    failed = Signal(str)
    applied = Signal()

    def __init__(
        self,
        manager: ProfileManager,
        name: str,
        *,
        seconds: float = 3.0,
        byte_cap: int = 32 << 20,
        passive_seconds: float = 20.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.manager = manager
        self.name = name
        self.seconds = seconds
        self.byte_cap = byte_cap
        self.passive_seconds = passive_seconds
        self.before: LinkFigures | None = None
        self.after: LinkFigures | None = None
        self.advice: Advice | None = None
        self.outcome: Outcome | None = None
        self.server: TunnelConfig | None = None
        self.busy = False
        self.was_applied = False
        self.note = ""
        """how the last measurement was made, in words (why it fell back to passive figures)"""

    @property
    def config(self) -> TunnelConfig:
        return self.manager.profile(self.name).config

    async def measure(self) -> bool:
        """Measure (again); the first result is ``before`` and gets the advice."""
        if self.busy:
            return False
        self.busy = True
        try:
            fig, server = await self._measure(self.config)
        except (OSError, ConnectionError, TimeoutError, NoTuneService) as exc:
            self.failed.emit(advice_text(str(exc)) or type(exc).__name__)
            return False
        finally:
            self.busy = False
        if self.before is None or self.advice is None:
            self.before, self.server = fig, server
            self.advice = recommend(fig, self.config, server)
            self.outcome = outcome(self.advice, self.config, server, fig.peer_is_kcpdesk)
        else:
            self.after = fig
        self.measured.emit()
        return True

    async def _measure(self, cfg: TunnelConfig) -> tuple[LinkFigures, TunnelConfig]:
        server = self.server or peer_config(cfg)
        try:
            phases = await run_active_test(
                cfg, seconds=self.seconds, byte_cap=self.byte_cap, progress=self.progress.emit
            )
        except NoTuneService as exc:
            self.note = translate(
                "TuneController", "{error}: passive figures from this tunnel's counters"
            ).format(error=advice_text(str(exc)))
            self.progress.emit(self.note)
            return await self._passive(cfg, server), server
        self.note = translate("TuneController", "active test against the KCP Desk server")
        wnd = server_windows(phases)
        if wnd is not None and self.server is None:
            server = replace(server, sndwnd=wnd[0], rcvwnd=wnd[1])
        return active_figures(phases, cfg, server), server

    async def _passive(self, cfg: TunnelConfig, server: TunnelConfig) -> LinkFigures:
        ctrl = self.manager.controller(self.name)
        engine: Any = ctrl.engine if ctrl is not None else None
        if engine is None or engine.tunnel is None:
            raise NoTuneService(
                translate(
                    "TuneController",
                    "the server does not offer the active test (KCP Desk "
                    "--tuneserve), and this tunnel is not running: start it and "
                    "use it while measuring",
                )
            )
        self.progress.emit(
            translate(
                "TuneController", "use the tunnel now: reading its counters for {seconds} s"
            ).format(seconds=f"{self.passive_seconds:.0f}")
        )
        samples = await sample_for(
            lambda: engine.tunnel.sessions() if engine.tunnel else [], self.passive_seconds
        )
        return passive_figures(samples, cfg, server)

    async def apply(self, restart: bool) -> bool:
        """Save this end's part of the advice into the profile (and restart it if asked)."""
        if self.outcome is None:
            return False
        profile = self.manager.profile(self.name)
        try:
            self.manager.save(replace(profile, config=self.outcome.new_client))
        except (OSError, ValueError) as exc:
            self.failed.emit(
                translate("TuneController", "cannot save the profile: {error}").format(error=exc)
            )
            return False
        if restart:
            ctrl = self.manager.controller(self.name)
            if ctrl is not None and ctrl.active:
                await self.manager.stop(self.name)
                await self.manager.start(self.name)
        self.was_applied = True
        self.applied.emit()
        return True
