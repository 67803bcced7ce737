"""The engine facade the CLI and the GUI drive: start, stop, counters. Loop-agnostic.

It runs on whatever loop calls ``start`` (plain asyncio for the CLI, qasync for the GUI), and
never touches Qt. ``snmp()`` is cheap: it totals a handful of counter objects.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from dataclasses import dataclass
from datetime import datetime

from ..config import TunnelConfig
from ..gotime import snmp_log_path
from ..snmp import Snmp
from .tunnel import ClientTunnel, ServerTunnel

log = logging.getLogger(__name__)


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

    def __init__(self, cfg: TunnelConfig) -> None:
        self.cfg = cfg
        self.tunnel: ClientTunnel | ServerTunnel | None = None
        self.started_at = 0.0

    async def start(self) -> None:
        """Open the listening socket; raises OSError (port in use...) or ConfigError."""
        tunnel = ClientTunnel(self.cfg) if self.cfg.role == "client" else ServerTunnel(self.cfg)
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
        return [SessionStats(s.conv, s.srtt, s.rto, s.kcp.wait_snd(), s.kcp.rmt_wnd)
                for s in self.tunnel.sessions()]

    @property
    def last_error(self) -> tuple[float, str] | None:
        """(unix time, reason) of the last session that died of an error (keepalive
        timeout, no acknowledgement, smux/snappy protocol error), None if none did."""
        return self.tunnel.last_error if self.tunnel is not None else None

    @property
    def streams_open(self) -> int:
        return self.tunnel.streams_open if self.tunnel is not None else 0


def append_snmp_csv(pattern: str, snmp: Snmp) -> None:
    path = snmp_log_path(pattern, datetime.now())
    with open(path, "a", encoding="ascii", newline="\n") as f:
        if f.tell() == 0:
            f.write(snmp.csv_header() + "\n")
        f.write(snmp.csv_row(int(time.time())) + "\n")


async def _snmp_logger(engine: Engine, pattern: str, period: int) -> None:
    while True:
        await asyncio.sleep(period)
        try:
            append_snmp_csv(pattern, engine.snmp())
        except OSError as exc:
            log.warning("snmplog: %s", exc)


async def run_forever(cfg: TunnelConfig) -> int:
    """The CLI's main: run until SIGINT/SIGTERM. SIGUSR1 logs the counters like kcptun."""
    engine = Engine(cfg)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if hasattr(signal, "SIGUSR1"):
        loop.add_signal_handler(signal.SIGUSR1,
                                lambda: log.info("KCP SNMP:%s", engine.snmp().go_dump()))
    await engine.start()
    tasks = []
    if cfg.snmplog and cfg.snmpperiod > 0:
        tasks.append(loop.create_task(_snmp_logger(engine, cfg.snmplog, cfg.snmpperiod)))
    try:
        await stop.wait()
    finally:
        for t in tasks:
            t.cancel()
        await engine.stop()
    return 0
