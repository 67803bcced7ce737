"""Starts and stops the demo: echo target, server profile, lossy relay, client, traffic.

::

    traffic generator -TCP-> client profile -UDP-> LossyRelay -UDP-> server profile -TCP-> echo
                      <-TCP-                <-UDP-            <-UDP-                <-TCP-

Every port is picked by the OS (port 0), so the demo never collides with a real profile; the
two profiles are transient (shown in the list, never saved) and use a fresh random key.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from typing import Any, Final, TypedDict

from PySide6.QtCore import QObject, Signal

from app.controllers.manager import ProfileManager
from app.demo.relay import LossyRelay
from app.demo.traffic import EchoServer, TrafficGenerator
from app.i18n import translate
from kcpcore.config import TunnelConfig
from kcpcore.profiles import Profile

log = logging.getLogger(__name__)

LOOPBACK: Final = "127.0.0.1"
DEFAULT_LOSS: Final = 0.03  # 3 %: enough to see retransmits and FEC recoveries
DEFAULT_DELAY: Final = 0.030  # s one way: a 60 ms RTT, a typical cross-country path
DEFAULT_JITTER: Final = 0.004  # s
DEFAULT_RATE: Final = 1_000_000  # bytes/s each way; leaves the UI thread plenty of room


class _Shared(TypedDict):
    """The settings both demo tunnels share (typed, so TunnelConfig(**shared) is checked)."""

    key: str
    crypt: str
    mode: str


class DemoController(QObject):
    """Owns the demo's helpers; the tunnels themselves belong to the profile manager."""

    running_changed = Signal(bool)
    failed = Signal(str)

    def __init__(self, manager: ProfileManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.relay: LossyRelay | None = None
        self.echo: EchoServer | None = None
        self.traffic: TrafficGenerator | None = None
        self.server_name = ""
        self.client_name = ""
        self.loss = DEFAULT_LOSS
        self.delay = DEFAULT_DELAY
        self.jitter = DEFAULT_JITTER
        self.rate: float | None = DEFAULT_RATE
        self._starting = False

    @property
    def running(self) -> bool:
        return self.relay is not None or self._starting

    async def start(self) -> bool:
        """Bring the whole chain up; on failure, tear down what started and emit ``failed``."""
        if self.running:
            return True
        self._starting = True
        try:
            await self._start()
        except Exception as exc:
            log.warning("demo: %s", exc)
            await self.stop()
            self.failed.emit(str(exc))
            return False
        finally:
            self._starting = False
        self.running_changed.emit(True)
        return True

    async def _start(self) -> None:
        key = secrets.token_urlsafe(12)
        shared: _Shared = {"key": key, "crypt": "aes-128", "mode": "fast2"}
        self.echo = EchoServer()
        echo_port = await self.echo.start(LOOPBACK)
        server_port = await self._start_transient(
            Profile(
                translate("DemoController", "Demo server"),
                TunnelConfig(
                    role="server",
                    listen=f"{LOOPBACK}:0",
                    target=f"{LOOPBACK}:{echo_port}",
                    **shared,
                ),
            ),
            "listen",
            "server_name",
        )
        self.relay = LossyRelay(
            (LOOPBACK, server_port), loss=self.loss, delay=self.delay, jitter=self.jitter
        )
        relay_port = await self.relay.start()
        local_port = await self._start_transient(
            Profile(
                translate("DemoController", "Demo client"),
                TunnelConfig(
                    role="client",
                    localaddr=f"{LOOPBACK}:0",
                    remoteaddr=f"{LOOPBACK}:{relay_port}",
                    **shared,
                ),
            ),
            "localaddr",
            "client_name",
        )
        self.traffic = TrafficGenerator(LOOPBACK, local_port, rate=self.rate)
        self.traffic.start()
        log.info(
            "demo running: loss %.0f%%, delay %.0f ms each way", self.loss * 100, self.delay * 1000
        )

    async def _start_transient(self, profile: Profile, address_field: str, name_attr: str) -> int:
        """Add and start an in-memory profile, its (uniquified) name kept in ``name_attr`` for
        stop() even if starting fails; record the port it bound (it asked for 0)."""
        saved = self.manager.add_transient(profile)
        setattr(self, name_attr, saved.name)
        if not await self.manager.start(saved.name):
            raise OSError(self._error(saved.name))
        ctrl = self.manager.controller(saved.name)
        assert ctrl is not None and ctrl.engine is not None
        port: int = ctrl.engine.local_port
        # address_field names a str field; replace() takes it by name
        bound: dict[str, Any] = {address_field: f"{LOOPBACK}:{port}"}
        self.manager.update_transient(replace(saved, config=replace(saved.config, **bound)))
        return port

    def _error(self, name: str) -> str:
        ctrl = self.manager.controller(name)
        detail = ctrl.detail if ctrl is not None else translate("DemoController", "did not start")
        return f"{name}: {detail}"

    async def stop(self) -> None:
        """Stop traffic first, then the tunnels, then the helpers; remove the profiles."""
        was_running = self.relay is not None
        if self.traffic is not None:
            await self.traffic.stop()
            self.traffic = None
        for name in (self.client_name, self.server_name):
            if name and name in self.manager:
                await self.manager.delete(name)
        self.client_name = self.server_name = ""
        if self.relay is not None:
            await self.relay.stop()
            self.relay = None
        if self.echo is not None:
            await self.echo.stop()
            self.echo = None
        if was_running:
            log.info("demo stopped")
            self.running_changed.emit(False)

    # --- live knobs ---------------------------------------------------------------------------

    def set_loss(self, fraction: float) -> None:
        self.loss = min(max(fraction, 0.0), 1.0)
        if self.relay is not None:
            self.relay.loss = self.loss

    def set_delay(self, seconds: float) -> None:
        self.delay = max(seconds, 0.0)
        if self.relay is not None:
            self.relay.delay = self.delay

    def set_jitter(self, seconds: float) -> None:
        self.jitter = max(seconds, 0.0)
        if self.relay is not None:
            self.relay.jitter = self.jitter

    def set_rate(self, rate: float | None) -> None:
        self.rate = rate
        if self.traffic is not None:
            self.traffic.rate = rate
