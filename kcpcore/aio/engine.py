"""The engine facade the CLI and the GUI drive: start, stop, counters. Loop-agnostic.

It runs on whatever loop calls ``start`` (plain asyncio for the CLI, qasync for the GUI), and
never touches Qt. ``snmp()`` is cheap: it totals a handful of counter objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from .. import __version__
from ..config import TunnelConfig
from ..gotime import snmp_log_path
from ..logformat import format_peer
from ..process_options import ProcessOptions
from ..snmp import Snmp
from .metrics_server import MetricsServer
from .netchange import start_watchers
from .sighandlers import install, signal_named
from .stats import EngineSnapshot, SessionSnapshot
from .tunnel import ClientTunnel, ServerTunnel

log = logging.getLogger(__name__)
T = TypeVar("T")

DRAIN_POLL = 0.1  # s between checks of the open-stream count while draining


@dataclass(frozen=True, slots=True)
class SessionStats:
    """Per-session figures kcptun never exposes; the GUI charts them."""

    conv: int
    srtt_ms: int
    rto_ms: int
    snd_wnd_used: int
    """segments queued or in flight"""
    rmt_wnd: int
    """peer's advertised free receive window, in segments"""


class Engine:
    """One tunnel (client or server role)."""

    def __init__(self, cfg: TunnelConfig, *, sock: socket.socket | None = None) -> None:
        """``sock``: a bound UDP socket for a server to serve instead of binding
        ``cfg.listen`` (``kcpcore.aio.workers``)."""
        self.cfg = cfg
        self.sock = sock
        self.tunnel: ClientTunnel | ServerTunnel | None = None
        self.started_at = 0.0

    async def start(self) -> None:
        """Open the listening socket; raises OSError (port in use...) or ConfigError."""
        tunnel = (
            ClientTunnel(self.cfg)
            if self.cfg.role == "client"
            else ServerTunnel(self.cfg, sock=self.sock)
        )
        await tunnel.start()
        self.tunnel = tunnel
        self.started_at = time.monotonic()

    async def stop(self) -> None:
        tunnel, self.tunnel = self.tunnel, None
        if tunnel is not None:
            await tunnel.stop()

    @property
    def running(self) -> bool:
        return self.tunnel is not None

    @property
    def local_port(self) -> int:
        """The bound port (useful with port 0); RuntimeError while not running."""
        if self.tunnel is None:
            raise RuntimeError("tunnel is not running")
        return self.tunnel.local_port

    def snmp(self) -> Snmp:
        return self.tunnel.snmp() if self.tunnel is not None else Snmp()

    def session_stats(self) -> list[SessionStats]:
        if self.tunnel is None:
            return []
        return [
            SessionStats(s.conv, s.srtt, s.rto, s.wait_snd(), s.peer_window)
            for s in self.tunnel.sessions()
        ]

    @property
    def last_error(self) -> tuple[float, str] | None:
        """(unix time, reason) of the last session that died of an error (keepalive
        timeout, no acknowledgement, smux/snappy protocol error), None if none did."""
        return self.tunnel.last_error if self.tunnel is not None else None

    # sleep, resume and network changes (kcpcore.aio.netchange): a server has nothing to do
    def reconnect(self, reason: str = "asked to") -> int:
        """A client drops its sessions and dials new ones now; open streams are reset.
        Returns how many sessions were dropped (0 for a server or a stopped engine)."""
        tunnel = self.tunnel
        return tunnel.reconnect(reason) if isinstance(tunnel, ClientTunnel) else 0

    def network_changed(self, reason: str) -> None:
        """A client replaces the sessions that stopped working (``ClientTunnel``)."""
        tunnel = self.tunnel
        if isinstance(tunnel, ClientTunnel):
            tunnel.network_changed(reason)

    def resumed(self, slept: float) -> None:
        """The machine slept ``slept`` seconds: a client checks or replaces its sessions."""
        tunnel = self.tunnel
        if isinstance(tunnel, ClientTunnel):
            tunnel.resumed(slept)

    @property
    def learned_smuxver(self) -> int | None:
        """The smux version a client switched to and confirmed (the server of another kcptun
        generation answered on it); None until then. Worth saving in the profile."""
        tunnel = self.tunnel
        return tunnel.fallback.learned if isinstance(tunnel, ClientTunnel) else None

    @property
    def streams_open(self) -> int:
        return self.tunnel.streams_open if self.tunnel is not None else 0

    def snapshot(self, *, worker: int = 0) -> EngineSnapshot:
        """Counters and every live session now (the metrics endpoint's view)."""
        cfg = self.cfg
        tunnel = self.tunnel
        sessions: list[SessionSnapshot] = []
        if tunnel is not None:
            now = tunnel.loop.time()
            for peer, mux in tunnel.live_muxes():
                s = mux.driver.session
                snmp = s.snmp
                sessions.append(
                    SessionSnapshot(
                        conv=s.conv,
                        peer=format_peer(peer),
                        rtt_ms=s.srtt,
                        rto_ms=s.rto,
                        window_used=s.wait_snd(),
                        peer_window=s.peer_window,
                        streams=len(mux.streams),
                        bytes_sent=snmp.bytes_sent,
                        bytes_received=snmp.bytes_received,
                        retransmits=snmp.retrans_segs,
                        fec_recovered=snmp.fec_recovered,
                        age_s=round(now - mux.created, 3),
                        worker=worker,
                    )
                )
        return EngineSnapshot(
            version=__version__,
            role=cfg.role,
            crypt=cfg.crypt,
            mode=cfg.mode,
            generation=cfg.peer,
            snmp=self.snmp().as_kcptun(),
            sessions=sessions,
            streams_open=self.streams_open,
            running=self.running,
        )

    async def drain(self, timeout: float, abort: asyncio.Event) -> None:
        """Wait until no stream is open, ``timeout`` passes or ``abort`` is set."""
        n = self.streams_open
        if n == 0:
            return
        log.info("stopping: waiting up to %g s for %d open streams to finish", timeout, n)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.streams_open and not abort.is_set() and loop.time() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(abort.wait(), DRAIN_POLL)
        if self.streams_open:
            log.info("stopping: closing %d streams still open", self.streams_open)


def append_snmp_csv(pattern: str, snmp: Snmp) -> None:
    path = snmp_log_path(pattern, datetime.now())
    with open(path, "a", encoding="ascii", newline="\n") as f:
        if f.tell() == 0:
            f.write(snmp.csv_header() + "\n")
        f.write(snmp.csv_row(int(time.time())) + "\n")


async def snmp_logger(source: Callable[[], Awaitable[Snmp]], pattern: str, period: int) -> None:
    """kcptun's --snmplog: a CSV row of ``await source()`` every ``period`` seconds."""
    while True:
        await asyncio.sleep(period)
        try:
            append_snmp_csv(pattern, await source())
        except OSError as exc:
            log.warning("snmplog: %s", exc)


class StopSignals:
    """SIGINT stops at once; SIGTERM lets open streams finish first (a second one, or
    SIGINT meanwhile, stops at once). systemd stops a service with SIGTERM."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.stop = asyncio.Event()
        self.now = asyncio.Event()
        install(loop, signal.SIGINT, self._hard)  # falls back where the loop has no handlers
        install(loop, signal.SIGTERM, self._term)

    def _hard(self) -> None:
        self.stop.set()
        self.now.set()

    def _term(self) -> None:
        if self.stop.is_set():
            self.now.set()
        self.stop.set()


async def run_forever(cfg: TunnelConfig, opts: ProcessOptions | None = None) -> int:
    """The CLI's main: run until SIGINT/SIGTERM. SIGUSR1 logs the counters like kcptun;
    a client reconnects on SIGHUP and (``--netwatch``) after a sleep or network change."""
    opts = opts or ProcessOptions()
    engine = Engine(cfg)
    loop = asyncio.get_running_loop()
    signals = StopSignals(loop)
    usr1 = signal_named("SIGUSR1")  # none on Windows: --snmplog and `kcpdesk snmp` instead
    if usr1 is not None:
        install(loop, usr1, lambda: log.info("KCP SNMP:%s", engine.snmp().go_dump()))
    await engine.start()
    stop_watchers = _client_watchers(loop, engine, opts) if cfg.role == "client" else None
    metrics: MetricsServer | None = None
    tasks = []
    try:
        if opts.metrics is not None:
            metrics = MetricsServer(_snapshot_source(engine))
            await metrics.start(*opts.metrics)
        if cfg.snmplog and cfg.snmpperiod > 0:
            tasks.append(
                loop.create_task(snmp_logger(_async(engine.snmp), cfg.snmplog, cfg.snmpperiod))
            )
        await signals.stop.wait()
        await engine.drain(opts.drain_timeout, signals.now)
    finally:
        for t in tasks:
            t.cancel()
        if metrics is not None:
            await metrics.close()
        if stop_watchers is not None:
            stop_watchers()
        await engine.stop()
    return 0


def _client_watchers(
    loop: asyncio.AbstractEventLoop, engine: Engine, opts: ProcessOptions
) -> Callable[[], None] | None:
    """SIGHUP reconnects now (``systemctl reload``, ``kill -HUP``; kcptun has no handler and
    dies of it); ``--netwatch on`` adds the resume and route watchers."""
    hup = signal_named("SIGHUP")  # none on Windows: the desktop app watches the network there
    if hup is not None:
        install(
            loop, hup, lambda: log.info("SIGHUP: %d sessions dropped", engine.reconnect("SIGHUP"))
        )
    return start_watchers(loop, engine) if opts.netwatch else None


def _snapshot_source(engine: Engine) -> Callable[[], Awaitable[EngineSnapshot]]:
    return _async(engine.snapshot)


def _async(fn: Callable[[], T]) -> Callable[[], Awaitable[T]]:
    """``fn`` as a coroutine function (the metrics and snmplog sources are awaited, so a
    supervisor can ask its workers)."""

    async def call() -> T:
        return fn()

    return call
