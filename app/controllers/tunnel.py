"""One profile's tunnel on the Qt event loop: start/stop, state, sampling, diagnosis.

The engine runs in-process on the qasync loop (``benchmarks/gui_lag.py`` measures what that
costs the UI). The controller is the only object that holds an ``Engine``; views read
``state``, ``detail``, ``recorder`` and ``findings`` and listen to two signals. Errors from
starting (port in use, bad address, unresolvable host) become ``TunnelState.ERROR`` with a
sentence in ``detail``; nothing raises out of here into Qt.

Each engine is started in its own copy of the ``contextvars`` context with
``CURRENT_PROFILE`` set, so every task and socket callback it creates logs under its profile.
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from enum import Enum
from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal

from app.core_text import problem_text
from app.i18n import translate
from app.models.diagnostics import Finding, diagnose
from app.models.health import Health, Status
from app.models.logbook import CURRENT_PROFILE
from app.models.series import SAMPLE_PERIOD, StatsRecorder
from kcpcore.aio.engine import Engine
from kcpcore.config import parse_hostport
from kcpcore.errors import KcpError
from kcpcore.profiles import Profile

log = logging.getLogger(__name__)

RESOLVE_TIMEOUT: Final = 5.0  # s; a slow resolver must not hold the start button forever
STOP_TIMEOUT: Final = 5.0  # s


class TunnelState(Enum):
    """What the status light shows."""

    STOPPED = "stopped"
    CONNECTING = "connecting"
    """starting, or a client that sends and hears nothing back yet"""
    RUNNING = "running"
    ERROR = "error"


def describe_os_error(exc: OSError, address: str) -> str:
    """A sentence a user can act on for a failed bind or resolve."""
    if isinstance(exc, socket.gaierror):
        return translate(
            "TunnelController", "cannot resolve the host in {address}: {error}"
        ).format(address=repr(address), error=exc.strerror or exc)
    code = exc.errno
    if code == errno.EADDRINUSE:
        return translate(
            "TunnelController",
            "{address} is already in use (another program or another running profile "
            "listens there)",
        ).format(address=address)
    if code == errno.EADDRNOTAVAIL:
        return translate("TunnelController", "{address}: this machine has no such address").format(
            address=address
        )
    if code in (errno.EACCES, errno.EPERM):
        return translate(
            "TunnelController",
            "{address}: permission denied (ports below 1024 need administrator rights)",
        ).format(address=address)
    return f"{address}: {exc.strerror or exc}"


class TunnelController(QObject):
    """Owns one profile's engine while it runs; samples its counters every 0.5 s."""

    state_changed = Signal()
    sampled = Signal()
    smuxver_learned = Signal(object)
    """(Profile) the profile with the smux version a client switched to; worth saving"""
    link_event = Signal(str, str)
    """(event, text): "connected", "dropped" or "error", once per change (notifications)"""

    def __init__(
        self,
        profile: Profile,
        *,
        parent: QObject | None = None,
        sample_period: float = SAMPLE_PERIOD,
    ) -> None:
        super().__init__(parent)
        self.profile = profile
        self.state = TunnelState.STOPPED
        self.detail = ""
        """the error message, or what the state means right now"""
        self.engine: Engine | None = None
        self.recorder = StatsRecorder()
        self.findings: list[Finding] = []
        self.health = self._new_health()
        """the remembered problem and link state: status follows evidence, not the last 5 s"""
        self.started_at = 0.0
        self.last_error: tuple[float, str] | None = None
        """the engine's last abnormal session end (time, reason), logged once when it changes"""
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(int(sample_period * 1000))
        self._timer.timeout.connect(self._on_timer)

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def active(self) -> bool:
        """Running or on its way there (the list's start/stop toggle)."""
        return self.engine is not None or self._busy

    def rates(self) -> tuple[float, float]:
        """Current payload rate (received, sent) in bytes/s; 0 when stopped."""
        if self.engine is None:
            return 0.0, 0.0
        ring = self.recorder.ring
        rx, tx = ring.last("payload_in"), ring.last("payload_out")
        return (0.0 if rx != rx else rx), (0.0 if tx != tx else tx)

    def _set_state(self, state: TunnelState, detail: str = "") -> None:
        if (state, detail) != (self.state, self.detail):
            self.state, self.detail = state, detail
            self.state_changed.emit()

    def _new_health(self) -> Health:
        cfg = self.profile.config
        return Health(role=cfg.role, peer=cfg.remoteaddr if cfg.role == "client" else "")

    def _local_address(self) -> str:
        cfg = self.profile.config
        return cfg.localaddr if cfg.role == "client" else cfg.listen

    # --- start / stop -------------------------------------------------------------------------

    async def start(self) -> bool:
        """Start the engine; False (and state ERROR with a message) if it cannot."""
        if self.active:
            return self.engine is not None
        cfg = self.profile.config
        problems = cfg.validate()
        if problems:
            self._set_state(
                TunnelState.ERROR,
                translate("TunnelController", "fix the settings first: {problems}").format(
                    problems="; ".join(f"{p.field}: {problem_text(p.message)}" for p in problems)
                ),
            )
            return False
        self._busy = True
        self._set_state(TunnelState.CONNECTING, translate("TunnelController", "starting"))
        engine = Engine(cfg)
        ctx = contextvars.copy_context()
        ctx.run(CURRENT_PROFILE.set, self.name)
        try:
            task = asyncio.get_running_loop().create_task(self._start_engine(engine), context=ctx)
            await task
        except OSError as exc:
            where = cfg.remoteaddr if isinstance(exc, socket.gaierror) else self._local_address()
            return self._failed(describe_os_error(exc, where))
        except KcpError as exc:
            return self._failed(str(exc))
        except asyncio.CancelledError:
            self._busy = False
            self._set_state(TunnelState.STOPPED)
            raise
        except Exception as exc:  # an engine bug must not become a traceback dialog
            log.debug("engine start failed", exc_info=True)
            return self._failed(
                translate("TunnelController", "unexpected error: {error}").format(
                    error=f"{type(exc).__name__}: {exc}"
                )
            )
        finally:
            self._busy = False
        self.engine = engine
        self.started_at = time.monotonic()
        self.recorder.reset()
        self.recorder.sample(engine.snmp(), engine.session_stats())
        self.findings = []
        self.health = self._new_health()
        self._timer.start()
        self._set_state(TunnelState.RUNNING, self._running_detail(engine))
        return True

    def refuse(self, message: str) -> bool:
        """Do not start: state ERROR with ``message`` (the manager's checks across profiles)."""
        return self._failed(message)

    def _failed(self, message: str) -> bool:
        log.error("%s: %s", self.name, message, extra={"profile": self.name})
        self._set_state(TunnelState.ERROR, message)
        self.link_event.emit("error", message)
        return False

    async def _start_engine(self, engine: Engine) -> None:
        cfg = self.profile.config
        if cfg.role == "client":
            host, port = parse_hostport(cfg.remoteaddr)
            loop = asyncio.get_running_loop()
            try:
                await asyncio.wait_for(
                    loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM), RESOLVE_TIMEOUT
                )
            except TimeoutError:
                log.warning("resolving %s is slow; starting anyway", host)
        await engine.start()
        log.info("%s started: %s", cfg.role, self._running_detail(engine, translate=_english))

    def _running_detail(
        self, engine: Engine, translate: Callable[[str, str], str] = translate
    ) -> str:
        """What the header says while it runs (``translate=_english``: the log line's words)."""
        cfg = self.profile.config
        local = self._local_address()
        if engine.tunnel is not None:  # running: the real port (the config may say port 0)
            host, _ = parse_hostport(local)
            local = f"{host or '*'}:{engine.local_port}"
        if cfg.role == "client":
            return translate(
                "TunnelController", "listening on {local} (TCP), server {remote}"
            ).format(local=local, remote=cfg.remoteaddr)
        return translate("TunnelController", "listening on {local} (UDP), target {target}").format(
            local=local, target=cfg.target
        )

    async def stop(self) -> None:
        """Stop the engine and close its sockets; the recorded series stay for export."""
        self._timer.stop()
        engine, self.engine = self.engine, None
        if engine is not None:
            self._on_sample(engine)  # the last few hundred ms, so a short run still charts
            try:
                await asyncio.wait_for(engine.stop(), STOP_TIMEOUT)
            except Exception as exc:
                log.warning("stopping %s: %s", self.name, exc, extra={"profile": self.name})
            log.info("stopped", extra={"profile": self.name})
        self.findings = []
        self._set_state(TunnelState.STOPPED)

    # --- sampling -----------------------------------------------------------------------------

    def _remember_smuxver(self, engine: Engine) -> None:
        """The engine switched smux version and the server answered: keep it in the profile."""
        learned = engine.learned_smuxver
        cfg = self.profile.config
        if learned is not None and learned != cfg.smuxver:
            self.profile = replace(self.profile, config=replace(cfg, smuxver=learned))
            log.info(
                "smux version %d saved in the profile (the server answered on it)",
                learned,
                extra={"profile": self.name},
            )
            self.smuxver_learned.emit(self.profile)

    def _on_timer(self) -> None:
        if self.engine is None:
            return
        try:
            self._on_sample(self.engine)
        except Exception:  # keep sampling; one bad tick must not kill the UI's timer
            log.exception("sampling %s", self.name)

    def _on_sample(self, engine: Engine) -> None:
        cfg = self.profile.config
        sessions = engine.session_stats()
        sample = self.recorder.sample(engine.snmp(), sessions)
        delta, seconds = self.recorder.window()
        err = engine.last_error
        ended = ""
        if err is not None and err != self.last_error:
            self.last_error = err
            ended = err[1]
            log.warning("session ended: %s", ended, extra={"profile": self.name})
        findings = diagnose(
            delta,
            role=cfg.role,
            seconds=seconds,
            sessions=sessions,
            sndwnd=cfg.sndwnd,
            peer=cfg.remoteaddr if cfg.role == "client" else "",
            last_error=self.last_error[1] if self.last_error else "",
            mode=cfg.mode,
            datashard=cfg.datashard,
            parityshard=cfg.parityshard,
        )
        verdict = self.health.update(
            now=time.monotonic(),
            tick=sample.delta if sample is not None else {},
            findings=findings,
            session_ended=ended,
        )
        self.findings = list(verdict.findings)
        self._remember_smuxver(engine)
        if self.engine is not None:
            detail = verdict.detail or self._running_detail(engine)
            if verdict.status == "connecting" and self.last_error:
                detail += translate("TunnelController", "; last session ended: {reason}").format(
                    reason=problem_text(self.last_error[1])
                )
            self._set_state(_STATE_OF[verdict.status], detail)
        if verdict.event is not None:
            self.link_event.emit(verdict.event, verdict.event_text)
        self.sampled.emit()


_STATE_OF: Final[dict[Status, TunnelState]] = {
    "running": TunnelState.RUNNING,
    "connecting": TunnelState.CONNECTING,
    "error": TunnelState.ERROR,
}


def _english(_context: str, text: str) -> str:
    """``translate`` for log lines: they stay English (bug reports, searching)."""
    return text
