"""Sleep, resume and network changes on the desktop: running clients reconnect at once.

Without this a client notices a dead session only through its 15 s stall watch (users of
kcptun asked for years: xtaci/kcptun#192, #326, #680). Three sources feed one watcher:

* Qt's ``QNetworkInformation`` (NetworkManager, glib or connman on Linux, the Network List
  Manager on Windows, SCNetworkReachability on macOS): the network becoming reachable again, or
  the transport changing (Wi-Fi to Ethernet or to a phone). Loaded with the platform's best
  backend; where there is none (a minimal Linux, a bundle without QtNetwork) it says so in the
  log once and the other two carry on.
* The clock check (``kcpcore.aio.netchange.ResumeDetector``): the wall clock jumped ahead of
  the monotonic one, or a tick came late: the machine slept.
* On Linux, the engine's route watch (netlink): address and route changes QNetworkInformation
  does not report (a DHCP or PPPoE renumbering).

Events come in bursts (a link coming up changes the link, an address and a route), so they are
debounced into one ``changed`` signal. ``follow`` hands them to every running client, whose
engine decides: sessions that stopped working are replaced, working ones are kept, and a sleep
longer than smux's keepalive timeout replaces them all (``ClientTunnel.network_changed``).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, Final

from PySide6.QtCore import QObject, QTimer, Signal

from app.controllers.manager import ProfileManager
from app.controllers.tunnel import TunnelController
from app.models.logbook import CURRENT_PROFILE
from kcpcore.aio.engine import Engine
from kcpcore.aio.netchange import RESUME_CHECK_PERIOD, RESUME_JUMP, ResumeDetector, RouteWatch

log = logging.getLogger(__name__)

DEBOUNCE_MS: Final = 500  # a burst of changes within this becomes one
QUIET_REACHABILITY: Final = ("Disconnected", "Unknown")  # nothing to reconnect to yet


def load_network_information(loader: Any = None) -> tuple[Any | None, str]:
    """``(QNetworkInformation instance, backend name)``, or ``(None, why not)``.

    ``loader`` stands in for ``QNetworkInformation`` in tests (a class with the same
    ``loadDefaultBackend``/``instance``/``backendName``).
    """
    if loader is None:
        try:
            from PySide6.QtNetwork import QNetworkInformation
        except ImportError as exc:  # a trimmed bundle without QtNetwork
            return None, f"QtNetwork is missing ({exc})"
        loader = QNetworkInformation
    try:
        if not loader.loadDefaultBackend():
            return None, "this system has no network information backend"
        info = loader.instance()
    except (RuntimeError, AttributeError) as exc:  # Qt older than 6.3: no default backend
        return None, f"network information unavailable: {exc}"
    if info is None:
        return None, "this system has no network information backend"
    return info, str(info.backendName())


class NetworkWatcher(QObject):
    """Emits ``changed(reason)`` when the network may have changed, ``resumed(seconds)``
    after a sleep. ``info`` is a QNetworkInformation-like object (tests pass a fake with
    the same signals); by default the best backend is loaded."""

    changed = Signal(str)
    resumed = Signal(float)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        info: Any = None,
        load: bool = True,
        debounce_ms: int = DEBOUNCE_MS,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        resume_period: float = RESUME_CHECK_PERIOD,
        resume_jump: float = RESUME_JUMP,
    ) -> None:
        super().__init__(parent)
        self.backend = ""
        """the QNetworkInformation backend in use, "" when none"""
        self._reasons: list[str] = []
        self._debounce = QTimer(self, singleShot=True, interval=debounce_ms)
        self._debounce.timeout.connect(self._emit_changed)
        self._clock, self._wall = clock, wall
        self._detector = ResumeDetector(
            mono=clock(), wall=wall(), period=resume_period, threshold=resume_jump
        )
        self._tick = QTimer(self, interval=int(resume_period * 1000))
        self._tick.timeout.connect(self._check_clock)
        self._tick.start()
        self._route: RouteWatch | None = None
        if info is None and load:
            info, why = load_network_information()
            if info is None:
                log.info("network changes: %s; watching the clock only", why)
        if info is not None:
            self._follow_info(info)

    def _follow_info(self, info: Any) -> None:
        self.backend = str(info.backendName()) if hasattr(info, "backendName") else "custom"
        info.reachabilityChanged.connect(self._on_reachability)
        info.transportMediumChanged.connect(self._on_transport)
        log.debug("network changes: following QNetworkInformation (%s)", self.backend)

    def watch_routes(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Also follow Linux's route and address changes; False where there are none."""
        if self._route is None:
            self._route = RouteWatch.open(loop, self.hint)
        return self._route is not None

    def close(self) -> None:
        self._tick.stop()
        self._debounce.stop()
        if self._route is not None:
            self._route.close()
            self._route = None

    # --- sources ------------------------------------------------------------------------------

    def hint(self, reason: str) -> None:
        """Something changed; one ``changed`` follows a burst of these."""
        if reason not in self._reasons:
            self._reasons.append(reason)
        self._debounce.start()

    def _on_reachability(self, reachability: Any) -> None:
        name = getattr(reachability, "name", str(reachability))
        if name in QUIET_REACHABILITY:
            log.info("network: %s", name.lower())
            return
        self.hint(f"network {name.lower()}")

    def _on_transport(self, medium: Any) -> None:
        self.hint(f"network now over {getattr(medium, 'name', str(medium))}")

    def _check_clock(self) -> None:
        slept = self._detector.observe(self._clock(), self._wall())
        if slept is not None:
            log.info("resumed after about %.0f s (the clock jumped)", slept)
            self.resumed.emit(slept)

    def _emit_changed(self) -> None:
        reason, self._reasons = "; ".join(self._reasons), []
        if reason:
            log.info("%s: checking running clients", reason)
            self.changed.emit(reason)


def follow(watcher: NetworkWatcher, controllers: Callable[[], Iterable[TunnelController]]) -> None:
    """Hand the watcher's events to every running client's engine, each under its profile's
    log scope (what the engine logs about it shows in that profile's Log tab)."""

    def each(call: Callable[[Engine], object]) -> None:
        for ctrl in controllers():
            engine = ctrl.engine
            if engine is None or ctrl.profile.config.role != "client":
                continue
            ctx = contextvars.copy_context()
            ctx.run(CURRENT_PROFILE.set, ctrl.name)
            ctx.run(call, engine)

    watcher.changed.connect(lambda reason: each(lambda e: e.network_changed(reason)))
    watcher.resumed.connect(lambda slept: each(lambda e: e.resumed(slept)))


def attach(
    manager: ProfileManager,
    *,
    parent: QObject | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
    **kw: Any,
) -> NetworkWatcher:
    """The app's watcher, following every running client of ``manager``; with ``loop`` (the
    app's qasync loop) also Linux's route watch. ``kw`` go to NetworkWatcher."""
    watcher = NetworkWatcher(parent, **kw)
    if loop is not None:
        watcher.watch_routes(loop)
    follow(watcher, lambda: [c for n in manager.running() if (c := manager.controller(n))])
    return watcher
