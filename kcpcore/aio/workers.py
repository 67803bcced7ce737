"""``kcpdesk server --workers N``: N processes share the UDP port; a supervisor watches them.

One Python process tops out at one core. Linux spreads datagrams over sockets bound to the same
port with ``SO_REUSEPORT`` by a hash of the 4-tuple, so a client's datagrams always reach the
same socket, and each socket is served by one worker process with its own sessions.

The supervisor creates and binds all N sockets itself, in a fixed order, and keeps them open
for the life of the service; worker i inherits socket i. The kernel's reuseport group therefore
never changes: when a worker dies its socket stays in the group (datagrams queue in its buffer)
and the restarted worker i takes over the same socket, so no client is ever moved to another
worker, not even while one restarts. The dead worker's own sessions are lost (they lived in its
memory); their clients reconnect as after a server restart (kcptun clients notice through the
keepalive, KCP Desk clients within 15 s of unacknowledged data).

Supervisor <-> worker: worker i gets its UDP socket and one end of a unix socketpair as
inherited fds, and its config as a pickle on stdin. On the socketpair the supervisor writes
``snapshot\\n`` and the worker answers one JSON line (``EngineSnapshot.to_json``); ``/metrics``,
SIGUSR1 and ``--snmplog`` use the sum (``stats.merge``). The counters of a worker that died are
kept from its last answer, so totals never go backwards by more than what it did since. EOF on
the socketpair means the supervisor is gone: the worker stops.

Signals: workers run in their own process group (a terminal's Ctrl-C reaches only the
supervisor) and ignore SIGUSR1; the supervisor passes SIGTERM and SIGINT on, waits for the
workers (SIGTERM: up to --drain-timeout plus a margin), and exits. A process group, not a
session: with the kernel's autogroup scheduling (on in Debian's kernels) a new session is a
new scheduling group, and on a busy 2-core machine each worker then got a third of the
throughput a single process had (one Go client, 41 vs 140 Mbit/s), stalled inside sendto().
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import pickle
import signal
import socket
import sys
import time
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from typing import Any, Final

from .. import __version__
from ..config import TunnelConfig, parse_hostport, parse_port_range
from ..crypt import resolve_method
from ..errors import ConfigError, KcpError
from ..packet import PacketCodec, peek_conv
from ..packetcrypt import new_packet_crypt
from ..process_options import ProcessOptions
from ..session import KcpSession
from ..snmp import Snmp
from .engine import Engine, StopSignals, snmp_logger
from .metrics_server import MetricsServer
from .stats import EngineSnapshot, merge
from .tunnel import ServerTunnel
from .udp import configure_socket

__all__ = ["Supervisor", "bind_shared", "run_forever", "worker_main"]

log = logging.getLogger("kcpdesk")

ASK_TIMEOUT: Final = 3.0  # s a worker has to answer a snapshot request
RESTART_DELAY: Final = 0.5  # s before restarting a worker that died
RESTART_DELAY_MAX: Final = 10.0  # s; doubles while workers die within STABLE_AFTER
STABLE_AFTER: Final = 10.0  # s of life after which a worker's death resets the delay
STOP_MARGIN: Final = 5.0  # s beyond --drain-timeout before workers are killed
ORPHAN_WINDOW: Final = 120.0  # s a restarted worker refuses its predecessor's sessions


def bind_shared(cfg: TunnelConfig, n: int) -> list[socket.socket]:
    """``n`` UDP sockets bound to ``cfg.listen`` with SO_REUSEPORT (port 0: the first one's).

    Raises:
        OSError: the address cannot be bound (port in use by a process without
            SO_REUSEPORT, no such address...).
    """
    host, port = parse_hostport(cfg.listen)
    infos = socket.getaddrinfo(
        host or "0.0.0.0", port, type=socket.SOCK_DGRAM, flags=socket.AI_PASSIVE
    )
    family, _, _, _, addr = infos[0]
    socks: list[socket.socket] = []
    try:
        for _ in range(n):
            s = socket.socket(family, socket.SOCK_DGRAM)
            socks.append(s)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            s.bind(addr)
            addr = s.getsockname()  # port 0: the rest join the port the first one got
            s.setblocking(False)
            configure_socket(s, dscp=cfg.dscp, sockbuf=cfg.sockbuf)
    except OSError:
        for s in socks:
            s.close()
        raise
    return socks


@dataclass
class WorkerSlot:
    """Worker i: its socket (kept by the supervisor) and its current process, if any."""

    index: int
    sock: socket.socket
    proc: asyncio.subprocess.Process | None = None
    ctl: socket.socket | None = None
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    started: float = 0.0
    last: EngineSnapshot | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Supervisor:
    """Starts, watches, restarts and asks the workers; merges what they report."""

    def __init__(self, cfg: TunnelConfig, opts: ProcessOptions) -> None:
        self.cfg = cfg
        self.opts = opts
        self.slots = [WorkerSlot(i, s) for i, s in enumerate(bind_shared(cfg, opts.workers))]
        self.retired = Snmp()
        self.restarts = 0
        self.stopping = False
        self._watchers: set[asyncio.Task[None]] = set()
        self._delay = RESTART_DELAY

    @property
    def port(self) -> int:
        return int(self.slots[0].sock.getsockname()[1])

    @property
    def pids(self) -> dict[int, int]:
        return {
            s.index: s.proc.pid
            for s in self.slots
            if s.proc is not None and s.proc.returncode is None
        }

    async def start(self) -> None:
        for slot in self.slots:
            await self._spawn(slot)

    async def _spawn(self, slot: WorkerSlot, *, restarted: bool = False) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        fds = (slot.sock.fileno(), child.fileno())
        payload = pickle.dumps((self.cfg, self.opts, slot.index, *fds, restarted))
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "kcpcore.aio.workers",
            stdin=asyncio.subprocess.PIPE,
            pass_fds=fds,
            process_group=0,  # not a new session: that is a new autogroup, see above
        )
        child.close()
        assert proc.stdin is not None
        proc.stdin.write(payload)
        proc.stdin.close()
        slot.proc, slot.ctl, slot.started = proc, parent, time.monotonic()
        slot.reader, slot.writer = await asyncio.open_unix_connection(sock=parent)
        log.info("worker %d started: pid %d", slot.index, proc.pid)
        task = asyncio.get_running_loop().create_task(self._watch(slot, proc))
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)

    async def _watch(self, slot: WorkerSlot, proc: asyncio.subprocess.Process) -> None:
        rc = await proc.wait()
        if slot.writer is not None:
            slot.writer.close()
        slot.reader = slot.writer = None
        if self.stopping:
            return
        why = f"killed by signal {-rc}" if rc < 0 else f"exit status {rc}"
        lived = time.monotonic() - slot.started
        self._delay = (
            RESTART_DELAY if lived >= STABLE_AFTER else min(self._delay * 2, RESTART_DELAY_MAX)
        )
        log.warning(
            "worker %d (pid %d) died (%s) after %.1f s; restarting in %.1f s",
            slot.index,
            proc.pid,
            why,
            lived,
            self._delay,
        )
        self._retire(slot)
        await asyncio.sleep(self._delay)
        if not self.stopping:
            self.restarts += 1
            await self._spawn(slot, restarted=True)

    def _retire(self, slot: WorkerSlot) -> None:
        """Keep the dead worker's last counters in the totals (its sessions are gone)."""
        if slot.last is not None:
            dead = slot.last.total()
            dead.curr_estab = 0
            self.retired.add(dead)
            slot.last = None

    async def _ask(self, slot: WorkerSlot) -> EngineSnapshot | None:
        async with slot.lock:
            if slot.reader is None or slot.writer is None:
                return None
            try:
                slot.writer.write(b"snapshot\n")
                line = await asyncio.wait_for(slot.reader.readline(), ASK_TIMEOUT)
                snap = EngineSnapshot.from_json(json.loads(line))
            except (OSError, ValueError, TypeError, TimeoutError) as exc:
                log.debug("worker %d: no snapshot: %s", slot.index, exc)
                return None
            slot.last = snap
            return snap

    async def snapshot(self) -> EngineSnapshot:
        parts = [
            p for p in await asyncio.gather(*(self._ask(s) for s in self.slots)) if p is not None
        ]
        base = EngineSnapshot(
            version=__version__,
            role="server",
            crypt=self.cfg.crypt,
            mode=self.cfg.mode,
            generation=self.cfg.peer,
            snmp={},
        )
        return replace(
            merge(
                parts,
                base=base,
                retired=self.retired,
                workers=len(self.slots),
                restarts=self.restarts,
            ),
            worker_pids=self.pids,
        )

    async def snmp(self) -> Snmp:
        return (await self.snapshot()).total()

    async def stop(self, sig: int, timeout: float) -> None:
        """Pass ``sig`` to every worker; SIGKILL those still running after ``timeout``."""
        self.stopping = True
        procs = [s.proc for s in self.slots if s.proc is not None and s.proc.returncode is None]
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                p.send_signal(sig)
        waits = [asyncio.ensure_future(p.wait()) for p in procs]
        if waits:
            _, pending = await asyncio.wait(waits, timeout=timeout)
            for p in procs:
                if p.returncode is None:
                    log.warning("worker pid %d did not stop in %.0f s: killed", p.pid, timeout)
                    with contextlib.suppress(ProcessLookupError):
                        p.kill()
            if pending:
                await asyncio.wait(pending, timeout=2.0)
        for t in list(self._watchers):
            t.cancel()
        for s in self.slots:
            if s.writer is not None:
                s.writer.close()
            s.sock.close()


async def run_forever(cfg: TunnelConfig, opts: ProcessOptions) -> int:
    """``kcpdesk server --workers N``'s main (the supervisor)."""
    if cfg.role != "server":
        raise ConfigError("--workers is for the server only", field="workers")
    if parse_port_range(cfg.listen).count > 1:
        raise ConfigError(
            "--workers needs one listen port, not a range (each port of a "
            "range is its own socket already)",
            field="workers",
        )
    loop = asyncio.get_running_loop()
    signals = StopSignals(loop)
    last_signal = {"sig": signal.SIGTERM}

    def on_sigint() -> None:  # passed on as SIGINT: the workers stop at once too
        last_signal["sig"] = signal.SIGINT
        signals.stop.set()

    loop.add_signal_handler(signal.SIGINT, on_sigint)
    sup = Supervisor(cfg, opts)
    loop.add_signal_handler(signal.SIGUSR1, lambda: loop.create_task(_dump(sup)))
    log.info("workers: %d processes share udp port %d", opts.workers, sup.port)
    metrics: MetricsServer | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        await sup.start()
        if opts.metrics is not None:
            metrics = MetricsServer(sup.snapshot)
            await metrics.start(*opts.metrics)
        if cfg.snmplog and cfg.snmpperiod > 0:
            tasks.append(loop.create_task(snmp_logger(sup.snmp, cfg.snmplog, cfg.snmpperiod)))
        await signals.stop.wait()
    finally:
        for t in tasks:
            t.cancel()
        if metrics is not None:
            await metrics.close()
        sig = last_signal["sig"]
        await sup.stop(
            sig, opts.drain_timeout + STOP_MARGIN if sig == signal.SIGTERM else STOP_MARGIN
        )
    return 0


async def _dump(sup: Supervisor) -> None:
    log.info("KCP SNMP:%s", (await sup.snmp()).go_dump())


# --- the worker process ---------------------------------------------------------------------


class _WorkerTag(logging.Filter):
    """Marks a worker's log records: ``[worker 1]`` in text, ``"worker": 1`` in JSON."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def filter(self, record: logging.LogRecord) -> bool:
        record.worker = self.index
        return True


def guard_orphans(tunnel: ServerTunnel, cfg: TunnelConfig, seconds: float) -> None:
    """For ``seconds``, open no session for a datagram whose first segment is not sn 0.

    A restarted worker receives the datagrams of the sessions its predecessor held. The
    listener would open a session for each (as kcp-go does for any unknown address), and that
    session acknowledges segments inside its fresh window but never delivers them: the client
    sees its data acknowledged, gets nothing back, and hangs until smux's keepalive timeout.
    Dropped instead, the client sees no acknowledgement and reconnects (KCP Desk within 15 s
    of unacknowledged data). A new client's first datagram is sn 0, so it still gets in.
    The check decrypts with its own cipher instance, so an AEAD replay filter does not see
    the datagram twice.
    """
    loop = tunnel.loop
    until = loop.time() + seconds
    demux = tunnel.demux
    codec = PacketCodec(
        crypt=new_packet_crypt(resolve_method(cfg.crypt), cfg.key, replay_window=None),
        datashard=0,
        parityshard=0,
        snmp=Snmp(),
    )
    route = demux.route

    def guarded(data: bytes, addr: Hashable, now: float) -> tuple[KcpSession, bool] | None:
        if addr not in demux.sessions and now < until:
            try:
                ident = peek_conv(codec.decrypt(data))
            except KcpError:
                ident = None
            if ident is not None and ident[1] != 0:
                demux.snmp.in_errs += 1
                return None
        return route(data, addr, now)

    demux.route = guarded  # type: ignore[method-assign]


async def _serve_control(
    engine: Engine, index: int, ctl: socket.socket, stop: asyncio.Event
) -> None:
    reader, writer = await asyncio.open_unix_connection(sock=ctl)
    try:
        while line := await reader.readline():
            if line.strip() == b"snapshot":
                body = json.dumps(engine.snapshot(worker=index).to_json())
                writer.write(body.encode() + b"\n")
                await writer.drain()
    except (OSError, ConnectionError):
        pass
    finally:
        log.debug("supervisor gone: stopping")
        stop.set()  # EOF: the supervisor is gone
        writer.close()


async def _worker(
    cfg: TunnelConfig, opts: ProcessOptions, index: int, udp_fd: int, ctl_fd: int, restarted: bool
) -> int:
    loop = asyncio.get_running_loop()
    signals = StopSignals(loop)
    sock = socket.socket(fileno=udp_fd)
    ctl = socket.socket(fileno=ctl_fd)
    engine = Engine(cfg, sock=sock)
    await engine.start()
    if restarted and isinstance(engine.tunnel, ServerTunnel):
        guard_orphans(engine.tunnel, cfg, ORPHAN_WINDOW)
    control = loop.create_task(_serve_control(engine, index, ctl, signals.stop))
    try:
        await signals.stop.wait()
        await engine.drain(opts.drain_timeout, signals.now)
    finally:
        control.cancel()
        await engine.stop()
    return 0


def worker_main(argv: list[str] | None = None) -> int:
    """Entry point of a worker process (``python -m kcpcore.aio.workers``; config on stdin)."""
    from ..cli import setup_logging
    from ..logformat import formatter_for

    cfg, opts, index, udp_fd, ctl_fd, restarted = _load(sys.stdin.buffer.read())
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)  # the supervisor dumps the total
    handler = setup_logging(cfg)
    handler.setFormatter(formatter_for(opts.log_format))
    handler.addFilter(_WorkerTag(index))
    try:
        return asyncio.run(_worker(cfg, opts, index, udp_fd, ctl_fd, restarted))
    except KeyboardInterrupt:
        return 130


def _load(data: bytes) -> tuple[TunnelConfig, ProcessOptions, int, int, int, bool]:
    obj: Any = pickle.loads(data)  # from our own supervisor, over a private pipe
    cfg, opts, index, udp_fd, ctl_fd, restarted = obj
    if not isinstance(cfg, TunnelConfig) or not isinstance(opts, ProcessOptions):
        raise SystemExit("kcpdesk worker: bad start-up data (run kcpdesk server --workers N)")
    return cfg, opts, int(index), int(udp_fd), int(ctl_fd), bool(restarted)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(worker_main())
