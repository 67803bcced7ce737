"""kcptun's two roles on asyncio.

* Client: listens on TCP ``localaddr``; each accepted connection becomes one smux stream on
  one of ``conn`` KCP sessions (round robin). A slot's session is created lazily, replaced
  when it died or expired (``autoexpire``), and expired sessions are closed by the scavenger
  after ``scavengettl``.
* Server: one UDP socket on ``listen``; each KCP session runs smux, and each stream is
  connected to the TCP (or unix socket) ``target``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Hashable

from ..config import TunnelConfig, effective_kcp_params, parse_hostport
from ..crypt import resolve_method
from ..logformat import format_peer, log_fields
from ..packetcrypt import new_packet_crypt
from ..session import KcpSession, SessionParams
from ..smux import SmuxConfig
from ..snmp import Snmp
from .mux import MuxConnection, MuxStream, pipe
from .tunetest import TuneService, is_tune_conv
from .udp import ClientDatagramProtocol, ServerDatagramProtocol, SessionDriver, configure_socket

log = logging.getLogger(__name__)

RECONNECT_DELAY = 1.0  # s; kcptun retries createConn every second
SCAVENGE_PERIOD = 1.0  # s
STALL_TIMEOUT = 15.0  # s with data in flight and no acknowledgement: the server is gone
REASON_STOPPED = "tunnel stopped"
REASON_SCAVENGED = "scavenged"
ROUTINE_CLOSES = (REASON_STOPPED, REASON_SCAVENGED)  # not errors: last_error skips them


def session_params(cfg: TunnelConfig) -> SessionParams:
    nodelay, interval, resend, nc = effective_kcp_params(cfg)
    return SessionParams(mtu=cfg.mtu, sndwnd=cfg.sndwnd, rcvwnd=cfg.rcvwnd, nodelay=nodelay,
                         interval=interval, resend=resend, nc=nc, datashard=cfg.datashard,
                         parityshard=cfg.parityshard, ack_nodelay=cfg.acknodelay,
                         pacing=cfg.pacing, fec_adaptive=cfg.fecadaptive)


def smux_config(cfg: TunnelConfig) -> SmuxConfig:
    return SmuxConfig(version=cfg.smuxver, keepalive_interval=float(cfg.keepalive),
                      max_receive_buffer=cfg.smuxbuf, max_stream_buffer=cfg.streambuf)


class SnmpBook:
    """Totals over live and finished sessions, so cumulative counters never go backwards."""

    def __init__(self) -> None:
        self.retired = Snmp()
        self.live: dict[int, Snmp] = {}
        self.extra: list[Snmp] = []
        self.max_conn = 0

    def add(self, snmp: Snmp) -> None:
        self.live[id(snmp)] = snmp
        self.max_conn = max(self.max_conn, len(self.live))

    def retire(self, snmp: Snmp) -> None:
        if self.live.pop(id(snmp), None) is not None:
            self.retired.add(snmp)

    def total(self) -> Snmp:
        out = self.retired.copy()
        for s in list(self.live.values()) + self.extra:
            out.add(s)
        out.curr_estab = len(self.live)
        out.max_conn = self.max_conn
        return out


class _Tunnel:
    def __init__(self, cfg: TunnelConfig) -> None:
        self.cfg = cfg
        self.loop = asyncio.get_running_loop()
        self.crypt = new_packet_crypt(resolve_method(cfg.crypt), cfg.key)
        self.params = session_params(cfg)
        self.smux_config = smux_config(cfg)
        self.smux_config.verify()  # kcptun fails later, per session; a bad config is fatal now
        self.book = SnmpBook()
        self.tasks: set[asyncio.Task[None]] = set()
        self.streams_open = 0
        self.last_error: tuple[float, str] | None = None
        """(wall time, reason) of the last session that ended abnormally, for a UI to show"""

    def _session_ended(self, reason: str) -> None:
        if reason not in ROUTINE_CLOSES:
            self.last_error = (time.time(), reason)

    def spawn(self, coro) -> asyncio.Task[None]:  # type: ignore[no-untyped-def]
        task = self.loop.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def snmp(self) -> Snmp:
        return self.book.total()

    def sessions(self) -> list[KcpSession]:
        raise NotImplementedError

    def live_muxes(self) -> list[tuple[object, MuxConnection]]:
        raise NotImplementedError

    async def _pipe(self, stream: MuxStream, reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter, peer: str, remote: object) -> None:
        """Copy one stream; ``peer`` is kcptun's "in:" (logged as such), ``remote`` the
        tunnel's other end (the JSON ``peer``)."""
        self.streams_open += 1
        conv = stream.mux.driver.session.conv
        if not self.cfg.quiet:
            log.info("stream opened in: %s out: %d", peer, stream.sid,
                     extra=log_fields("stream_open", session=conv, peer=remote,
                                      stream=stream.sid, endpoint=peer))
        try:
            await pipe(stream, reader, writer)
        finally:
            self.streams_open -= 1
            if not self.cfg.quiet:
                log.info("stream closed in: %s out: %d", peer, stream.sid,
                         extra=log_fields("stream_close", session=conv, peer=remote,
                                          stream=stream.sid, endpoint=peer,
                                          bytes_in=stream.bytes_in,
                                          bytes_out=stream.bytes_out))

    def _log_session_closed(self, mux: MuxConnection, peer: object, reason: str) -> None:
        """One line per finished session: how long, how much, how many streams, and why."""
        session = mux.driver.session
        duration = round(self.loop.time() - mux.created, 3)
        sent, received = session.snmp.bytes_sent, session.snmp.bytes_received
        log.info("session closed: conv %08x peer %s after %.1f s, in %d B out %d B, "
                 "%d streams: %s", session.conv, format_peer(peer), duration, received, sent,
                 mux.streams_total, reason,
                 extra=log_fields("session_close", session=session.conv, peer=peer,
                                  reason=reason, duration_s=duration, bytes_in=received,
                                  bytes_out=sent, streams=mux.streams_total))

    async def _cancel_tasks(self) -> None:
        for t in list(self.tasks):
            t.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)


class ClientTunnel(_Tunnel):
    def __init__(self, cfg: TunnelConfig, *, conv: int | None = None) -> None:
        """``conv`` fixes every session's conversation id (the tune test's sessions use
        ``tunetest.new_tune_conv()``); by default each session gets a random one, as in
        kcptun (never one that looks like a tune session)."""
        super().__init__(cfg)
        self.conv = conv
        self.slots: list[MuxConnection | None] = [None] * max(1, cfg.conn)
        self.expires: dict[int, float] = {}
        self._rr = 0
        self._lock = asyncio.Lock()
        self._server: asyncio.Server | None = None
        self._scavenge: list[MuxConnection] = []
        self.remote = parse_hostport(cfg.remoteaddr)

    async def start(self) -> None:
        host, port = parse_hostport(self.cfg.localaddr)
        self._server = await asyncio.start_server(self._on_tcp, host or None, port,
                                                  reuse_address=True)
        if self.cfg.autoexpire > 0:
            self.spawn(self._scavenger())
        self.spawn(self._stall_watch())

    @property
    def local_port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def _on_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = str(writer.get_extra_info("peername"))
        with contextlib.suppress(OSError):
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        idx = self._rr % len(self.slots)
        self._rr = (self._rr + 1) & 0xFFFF
        try:
            mux = await self._get_mux(idx)
            stream = mux.open_stream()
        except (OSError, ConnectionError) as exc:
            log.warning("open stream: %s", exc)
            writer.close()
            return
        await self._pipe(stream, reader, writer, peer, self.remote)

    async def _get_mux(self, idx: int) -> MuxConnection:
        async with self._lock:
            mux = self.slots[idx]
            expired = self.cfg.autoexpire > 0 and self.loop.time() >= self.expires.get(idx, 0)
            if mux is None or mux.dead or expired:
                while True:
                    try:
                        mux = await self._dial()
                        break
                    except OSError as exc:
                        log.warning("re-connecting: %s", exc)
                        await asyncio.sleep(RECONNECT_DELAY)
                self.slots[idx] = mux
                if self.cfg.autoexpire > 0:
                    self.expires[idx] = mux.created + self.cfg.autoexpire
                    self._scavenge.append(mux)
            return mux

    async def _dial(self) -> MuxConnection:
        host, port = self.remote
        infos = await self.loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        if not infos:
            raise OSError(f"cannot resolve {host}")
        family, _, _, _, addr = infos[0]
        transport, proto = await self.loop.create_datagram_endpoint(
            ClientDatagramProtocol, remote_addr=addr, family=family)
        sock = transport.get_extra_info("socket")
        configure_socket(sock, dscp=self.cfg.dscp, sockbuf=self.cfg.sockbuf)
        conv = self.conv
        while conv is None or (self.conv is None and is_tune_conv(conv)):
            conv = int.from_bytes(secrets.token_bytes(4), "little")
        session = KcpSession(conv=conv, crypt=self.crypt, params=self.params,
                             now=self.loop.time())
        session.snmp.active_opens += 1
        self.book.add(session.snmp)
        driver = SessionDriver(session, transport.sendto, self.loop)
        proto.driver = driver
        mux = MuxConnection(driver, client=True, config=self.smux_config,
                            compress=not self.cfg.nocomp, loop=self.loop)

        def _closed(f: asyncio.Future[str]) -> None:
            transport.close()
            self.book.retire(session.snmp)
            self._session_ended(f.result())
            self._log_session_closed(mux, (host, port), f.result())

        mux.closed.add_done_callback(_closed)
        log.info("smux session opened: conv %08x -> %s:%d", conv, host, port,
                 extra=log_fields("session_open", session=conv, peer=(host, port)))
        return mux

    async def _scavenger(self) -> None:
        ttl = self.cfg.autoexpire + self.cfg.scavengettl
        while True:
            await asyncio.sleep(SCAVENGE_PERIOD)
            now = self.loop.time()
            keep = []
            for mux in self._scavenge:
                if mux.dead:
                    continue
                if now >= mux.created + ttl:
                    mux.kill(REASON_SCAVENGED)
                else:
                    keep.append(mux)
            self._scavenge = keep

    async def _stall_watch(self) -> None:
        """Close a slot's session when its data has gone unacknowledged for STALL_TIMEOUT.

        kcptun only notices a dead or restarted server through smux's keepalive check (30-60
        s), and until then every new connection routed to that slot hangs. A live peer acks
        within an RTO; in-flight data with no progress for 15 s means the link or the server
        is gone, so new connections get a fresh session (old streams on it end either way).
        """
        progress: dict[int, tuple[int, float]] = {}  # id(mux) -> (snd_una, since)
        while True:
            await asyncio.sleep(SCAVENGE_PERIOD)
            now = self.loop.time()
            seen = {}
            for mux in self.slots:
                if mux is None or mux.dead:
                    continue
                kcp = mux.driver.session.kcp
                una, since = progress.get(id(mux), (kcp.snd_una, now))
                if not kcp.snd_buf or kcp.snd_una != una:
                    una, since = kcp.snd_una, now
                elif now - since >= STALL_TIMEOUT:
                    mux.kill(f"no acknowledgement from the server for {STALL_TIMEOUT:g} s "
                             "(link down, or the server restarted)")
                    continue
                seen[id(mux)] = (una, since)
            progress = seen

    def sessions(self) -> list[KcpSession]:
        return [m.driver.session for m in self.slots if m is not None and not m.dead]

    def live_muxes(self) -> list[tuple[object, MuxConnection]]:
        """(peer address, smux connection) of every live session."""
        return [(self.remote, m) for m in self.slots if m is not None and not m.dead]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for mux in self.slots + self._scavenge:
            if mux is not None:
                mux.kill(REASON_STOPPED)
        await self._cancel_tasks()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)


class ServerTunnel(_Tunnel):
    def __init__(self, cfg: TunnelConfig) -> None:
        super().__init__(cfg)
        from ..listener import ServerDemux

        self.demux = ServerDemux(crypt=self.crypt, params=self.params)
        self.book.extra.append(self.demux.snmp)
        self.muxes: dict[Hashable, MuxConnection] = {}
        self.transport: asyncio.DatagramTransport | None = None
        self.target = cfg.target
        self.tune: TuneService | None = TuneService() if cfg.tuneserve else None

    async def start(self) -> None:
        if self.tune is not None:
            await self.tune.start()
        host, port = parse_hostport(self.cfg.listen)
        infos = await self.loop.getaddrinfo(host or "0.0.0.0", port, type=socket.SOCK_DGRAM,
                                            flags=socket.AI_PASSIVE)
        family, _, _, _, addr = infos[0]
        transport, self.proto = await self.loop.create_datagram_endpoint(
            lambda: ServerDatagramProtocol(self.demux, self._on_accept),
            local_addr=addr, family=family)
        self.transport = transport
        configure_socket(transport.get_extra_info("socket"), dscp=self.cfg.dscp,
                         sockbuf=self.cfg.sockbuf)

    @property
    def local_port(self) -> int:
        assert self.transport is not None
        return self.transport.get_extra_info("sockname")[1]

    def _on_accept(self, addr: Hashable, driver: SessionDriver) -> None:
        session = driver.session
        self.book.add(session.snmp)
        log.info("remote address: %s, conv %08x", addr, session.conv,
                 extra=log_fields("session_open", session=session.conv, peer=addr))
        tune = self.tune is not None and is_tune_conv(session.conv)
        if tune:
            log.info("tune test session from %s", addr)
        mux = MuxConnection(driver, client=False, config=self.smux_config,
                            compress=not self.cfg.nocomp, loop=self.loop,
                            on_stream=lambda st: self.spawn(
                                self._serve_tune(st, addr) if tune
                                else self._serve_stream(st, addr)))
        self.muxes[addr] = mux

        def _closed(f: asyncio.Future[str]) -> None:
            self.muxes.pop(addr, None)
            self.demux.remove(addr)
            self.book.retire(session.snmp)
            self._session_ended(f.result())
            self._log_session_closed(mux, addr, f.result())

        mux.closed.add_done_callback(_closed)

    async def _serve_stream(self, stream: MuxStream, remote: Hashable) -> None:
        try:
            if _is_hostport(self.target):
                host, port = parse_hostport(self.target)
                reader, writer = await asyncio.open_connection(host or "127.0.0.1", port)
                with contextlib.suppress(OSError):
                    writer.get_extra_info("socket").setsockopt(
                        socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            else:
                reader, writer = await asyncio.open_unix_connection(self.target)
        except OSError as exc:
            log.warning("dial target %s: %s", self.target, exc)
            stream.end()
            stream.mux.forget(stream)
            return
        await self._pipe(stream, reader, writer, str(self.target), remote)

    async def _serve_tune(self, stream: MuxStream, remote: object) -> None:
        """--tuneserve: the test session's streams go to the tune service, not the target."""
        assert self.tune is not None
        try:
            reader, writer = await self.tune.connect(stream.mux.driver.session)
        except OSError as exc:
            log.warning("tune service: %s", exc)
            stream.end()
            stream.mux.forget(stream)
            return
        await self._pipe(stream, reader, writer, "tune test", remote)

    def sessions(self) -> list[KcpSession]:
        return list(self.demux.sessions.values())

    def live_muxes(self) -> list[tuple[object, MuxConnection]]:
        """(peer address, smux connection) of every live session."""
        return [(a, m) for a, m in self.muxes.items() if not m.dead]

    async def stop(self) -> None:
        if self.tune is not None:
            await self.tune.stop()
        for mux in list(self.muxes.values()):
            mux.kill(REASON_STOPPED)
        await self._cancel_tasks()
        if self.transport is not None:
            self.transport.close()


def _is_hostport(target: str) -> bool:
    """kcptun treats a target that is not host:port as a unix socket path."""
    if os.sep in target and not target.startswith("["):
        return False
    try:
        parse_hostport(target)
    except ValueError:
        return False
    return True
