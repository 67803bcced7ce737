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
import dataclasses
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, cast

from ..config import TunnelConfig, effective_kcp_params, parse_hostport, parse_port_range
from ..crypt import resolve_method
from ..errors import ConfigError
from ..listener import ServerDemux
from ..logformat import format_peer, log_fields
from ..packetcrypt import new_packet_crypt
from ..session import KcpSession, SessionParams
from ..smux import SmuxConfig
from ..snmp import Snmp
from . import qpp_io
from .mux import MuxConnection, MuxStream, pipe
from .netchange import route_source
from .smux_fallback import SmuxFallback
from .tasks import BackgroundTasks
from .tunetest import TuneService, is_tune_conv
from .udp import ClientDatagramProtocol, ServerDatagramProtocol, SessionDriver, configure_socket

log = logging.getLogger(__name__)

RECONNECT_DELAY = 1.0  # s; kcptun retries createConn every second
SCAVENGE_PERIOD = 1.0  # s
STALL_TIMEOUT = 15.0  # s with data in flight and no acknowledgement: the server is gone
REASON_STOPPED = "tunnel stopped"
REASON_SCAVENGED = "scavenged"
REASON_RECONNECT = "reconnecting"  # prefix; the trigger follows
ROUTINE_CLOSES = (REASON_STOPPED, REASON_SCAVENGED)  # not errors: last_error skips them
HINT_WINDOW = 3.0  # s after a network-change hint during which sessions are re-checked
HINT_CHECK_PERIOD = 0.25  # s between those checks
HINT_STALL = 1.0  # s of unacknowledged data that make a hinted session count as stuck
HINT_GRACE = 1.0  # s a stuck session on an unchanged route gets to recover by itself


def session_params(cfg: TunnelConfig) -> SessionParams:
    """KCP settings of each session. With ``--ratelimit`` the token bucket paces what is sent,
    so the BBR-like pacer is left out: the two in series stayed well below the limit, the
    bucket alone reaches it (benchmarks/README.md, "--ratelimit")."""
    nodelay, interval, resend, nc = effective_kcp_params(cfg)
    return SessionParams(
        mtu=cfg.mtu,
        sndwnd=cfg.sndwnd,
        rcvwnd=cfg.rcvwnd,
        nodelay=nodelay,
        interval=interval,
        resend=resend,
        nc=nc,
        datashard=cfg.datashard,
        parityshard=cfg.parityshard,
        ack_nodelay=cfg.acknodelay,
        pacing=cfg.pacing and not cfg.ratelimit,
        fec_adaptive=cfg.fecadaptive,
    )


def smux_config(cfg: TunnelConfig) -> SmuxConfig:
    return SmuxConfig(
        version=cfg.smuxver,
        keepalive_interval=float(cfg.keepalive),
        max_frame_size=cfg.framesize,
        max_receive_buffer=cfg.smuxbuf,
        max_stream_buffer=cfg.streambuf,
    )


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
        # --QPP: checked, warned about and built once here; applied per stream in _pipe
        self.qpp_seed = qpp_io.prepare_qpp(cfg.key, cfg.qppcount) if cfg.qpp else None
        self.params = session_params(cfg)
        self.smux_config = smux_config(cfg)
        self.smux_config.verify()  # kcptun fails later, per session; a bad config is fatal now
        self.book = SnmpBook()
        self.tasks = BackgroundTasks(self.loop)
        self.streams_open = 0
        self.last_error: tuple[float, str] | None = None
        """(wall time, reason) of the last session that ended abnormally, for a UI to show"""

    def _session_ended(self, reason: str) -> None:
        if reason not in ROUTINE_CLOSES and not reason.startswith(REASON_RECONNECT):
            self.last_error = (time.time(), reason)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        return self.tasks.spawn(coro)

    def snmp(self) -> Snmp:
        return self.book.total()

    def sessions(self) -> list[KcpSession]:
        raise NotImplementedError

    def live_muxes(self) -> list[tuple[object, MuxConnection]]:
        raise NotImplementedError

    async def _pipe(
        self,
        stream: MuxStream,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: str,
        remote: object,
    ) -> None:
        """Copy one stream; ``peer`` is kcptun's "in:" (logged as such), ``remote`` the
        tunnel's other end (the JSON ``peer``)."""
        self.streams_open += 1
        conv = stream.mux.driver.session.conv
        if not self.cfg.quiet:
            log.info(
                "stream opened in: %s out: %d",
                peer,
                stream.sid,
                extra=log_fields(
                    "stream_open", session=conv, peer=remote, stream=stream.sid, endpoint=peer
                ),
            )
        if self.qpp_seed is not None:
            reader, writer = qpp_io.wrap(reader, writer, self.qpp_seed, self.cfg.qppcount)
        try:
            if self.cfg.closewait > 0:
                await self._pipe_with_closewait(stream, reader, writer)
            else:
                await pipe(stream, reader, writer)
        finally:
            self.streams_open -= 1
            if not self.cfg.quiet:
                log.info(
                    "stream closed in: %s out: %d",
                    peer,
                    stream.sid,
                    extra=log_fields(
                        "stream_close",
                        session=conv,
                        peer=remote,
                        stream=stream.sid,
                        endpoint=peer,
                        bytes_in=stream.bytes_in,
                        bytes_out=stream.bytes_out,
                    ),
                )

    def _log_session_closed(self, mux: MuxConnection, peer: object, reason: str) -> None:
        """One line per finished session: how long, how much, how many streams, and why."""
        session = mux.driver.session
        duration = round(self.loop.time() - mux.created, 3)
        sent, received = session.snmp.bytes_sent, session.snmp.bytes_received
        log.info(
            "session closed: conv %08x peer %s after %.1f s, in %d B out %d B, %d streams: %s",
            session.conv,
            format_peer(peer),
            duration,
            received,
            sent,
            mux.streams_total,
            reason,
            extra=log_fields(
                "session_close",
                session=session.conv,
                peer=peer,
                reason=reason,
                duration_s=duration,
                bytes_in=received,
                bytes_out=sent,
                streams=mux.streams_total,
            ),
        )

    async def _pipe_with_closewait(
        self, stream: MuxStream, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """``pipe``, but closed ``closewait`` seconds after either direction ended (kcptun
        2024-08+): a peer that half-closes and never finishes cannot hold the connection."""
        copy = asyncio.ensure_future(pipe(stream, reader, writer))
        timer = asyncio.ensure_future(_after_half_close(stream, self.cfg.closewait))
        try:
            done, _ = await asyncio.wait((copy, timer), return_when=asyncio.FIRST_COMPLETED)
            if copy not in done:
                log.info(
                    "stream %d closed %d s after one direction ended (closewait)",
                    stream.sid,
                    self.cfg.closewait,
                )
                copy.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await copy
        finally:
            for t in (copy, timer):
                t.cancel()
            await asyncio.gather(copy, timer, return_exceptions=True)

    async def _cancel_tasks(self) -> None:
        await self.tasks.cancel_and_wait()


def stall_reason(snmp: Snmp) -> str:
    """Why the stall watch closes a session, from what this session ever received.

    "Link down" is only the likely cause when the server answered before: a session that never
    got a datagram through the crypt layer is a server that never answered, and one whose
    datagrams all failed the checksum is a key or crypt mismatch."""
    waited = f"for {STALL_TIMEOUT:g} s"
    if snmp.in_pkts == 0 and snmp.in_csum_errors > 0:
        return (
            f"no acknowledgement from the server {waited}: its packets fail the checksum "
            "(the key or crypt differ between the ends)"
        )
    if snmp.in_pkts == 0:
        return (
            f"no acknowledgement from the server {waited}, and nothing came back since the "
            "session opened (the server is not running or not reachable, or its key or crypt "
            "differ: a server drops what it cannot decrypt)"
        )
    return f"no acknowledgement from the server {waited} (link down, or the server restarted)"


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
        self.remote = parse_port_range(cfg.remoteaddr)
        self.fallback = SmuxFallback(cfg.smuxver)
        """--smuxver is retried with the other version once (see smux_fallback)"""
        self._paths: dict[int, _Path] = {}  # id(mux) -> its socket's addresses
        self._progress: dict[int, tuple[int, float]] = {}  # id(mux) -> (snd_una, since)
        self._hint_until = 0.0
        self._hint_reason = ""
        self._hint_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        host, port = parse_hostport(self.cfg.localaddr)
        self._server = await asyncio.start_server(
            self._on_tcp, host or None, port, reuse_address=True
        )
        if self.cfg.autoexpire > 0:
            self.spawn(self._scavenger())
        self.spawn(self._stall_watch())

    @property
    def local_port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

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
        host = self.remote.host
        # kcptun 2022-10+: each new session dials one port of the range, uniformly at random
        port = self.remote.first + secrets.randbelow(self.remote.count)
        infos = await self.loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        if not infos:
            raise OSError(f"cannot resolve {host}")
        family, _, _, _, addr = infos[0]
        # an IPv6 sockaddr is a 4-tuple (scope id kept): asyncio passes it to connect() as
        # it is, the stubs only name the (host, port) form
        transport, proto = await self.loop.create_datagram_endpoint(
            ClientDatagramProtocol, remote_addr=cast("tuple[str, int]", addr), family=family
        )
        sock = transport.get_extra_info("socket")
        configure_socket(sock, dscp=self.cfg.dscp, sockbuf=self.cfg.sockbuf)
        path = _Path(family, addr, transport.get_extra_info("sockname")[0])
        conv = self.conv
        while conv is None or (self.conv is None and is_tune_conv(conv)):
            conv = int.from_bytes(secrets.token_bytes(4), "little")
        session = KcpSession(conv=conv, crypt=self.crypt, params=self.params, now=self.loop.time())
        session.snmp.active_opens += 1
        self.book.add(session.snmp)
        driver = SessionDriver(
            session, transport.sendto, self.loop, self.cfg.ratelimit, closing=transport.is_closing
        )
        proto.driver = driver
        mux = MuxConnection(
            driver,
            client=True,
            config=self.smux_config,
            compress=not self.cfg.nocomp,
            loop=self.loop,
        )

        def _closed(f: asyncio.Future[str]) -> None:
            transport.close()
            self.book.retire(session.snmp)
            self._session_ended(f.result())
            self._log_session_closed(mux, (host, port), f.result())
            if self.fallback.session_closed(mux.smux, session.snd_una, f.result()):
                self.smux_config = dataclasses.replace(
                    self.smux_config, version=self.fallback.version
                )

        mux.closed.add_done_callback(_closed)
        self._paths[id(mux)] = path
        mux.closed.add_done_callback(lambda _f: self._paths.pop(id(mux), None))
        log.info(
            "smux session opened: conv %08x -> %s:%d",
            conv,
            host,
            port,
            extra=log_fields("session_open", session=conv, peer=(host, port)),
        )
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
                    mux.kill(REASON_SCAVENGED, reset=False)  # routine: kcptun's ttl
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
        while True:
            await asyncio.sleep(SCAVENGE_PERIOD)
            self.fallback.check(m.smux for m in self.slots if m is not None)
            now = self.loop.time()
            seen = {}
            for mux in self.slots:
                if mux is None or mux.dead:
                    continue
                session = mux.driver.session
                una, since = self._progress.get(id(mux), (session.snd_una, now))
                # snd_una, not the ACKs: a restarted server acks segments it cannot deliver
                if session.snd_nxt == session.snd_una or session.snd_una != una:
                    una, since = session.snd_una, now
                elif now - since >= STALL_TIMEOUT:
                    mux.kill(stall_reason(session.snmp))
                    continue
                seen[id(mux)] = (una, since)
            self._progress = seen

    # ------------------------------------------------------- sleep, resume, network change
    def reconnect(self, reason: str) -> int:
        """Drop every live session now and dial new ones (new UDP socket, new conv).

        The protocol cannot move a session to another socket or address, so the streams on
        a dropped session end: their TCP connections are reset (RST), never closed as if
        complete, and new connections go to the new sessions at once. Returns how many
        sessions were dropped.
        """
        live = [i for i, m in enumerate(self.slots) if m is not None and not m.dead]
        for idx in live:
            self._drop(idx, reason)
        return len(live)

    def network_changed(self, reason: str) -> None:
        """A hint (link, address or route change; the desktop's reachability): for the next
        HINT_WINDOW seconds, drop the sessions that stopped working and keep the others.

        Stopped working: the route to the server now leaves from another local address, or
        data has gone unacknowledged for HINT_STALL s and, with the route back, for
        HINT_GRACE s more.
        While there is no route at all nothing is dropped (a new session could not do
        better); the re-checks catch the route coming back. Hints within the window extend
        it (debounce): a link coming up sends several at once.
        """
        self._hint_until = self.loop.time() + HINT_WINDOW
        self._hint_reason = reason
        if self._hint_task is None or self._hint_task.done():
            self._hint_task = self.spawn(self._check_after_hint())

    def resumed(self, slept: float) -> None:
        """After a sleep of ``slept`` s: longer than smux's keepalive timeout and the server
        has closed our sessions for sure, so all are replaced; shorter, it is a hint."""
        if slept >= self.smux_config.keepalive_timeout:
            self.reconnect(f"resumed after {slept:.0f} s asleep")
        else:
            self.network_changed(f"resumed after {slept:.0f} s")

    async def _check_after_hint(self) -> None:
        seen: dict[int, tuple[int, float]] = {}  # id(mux) -> (snd_una, when the route was there)
        while True:
            for idx, mux in enumerate(self.slots):
                if mux is not None and not mux.dead:
                    why = self._stuck(mux, self.loop.time(), seen)
                    if why:
                        self._drop(idx, f"{self._hint_reason}; {why}")
            if self.loop.time() >= self._hint_until:
                return
            await asyncio.sleep(HINT_CHECK_PERIOD)

    def _stuck(self, mux: MuxConnection, now: float, seen: dict[int, tuple[int, float]]) -> str:
        """Why this session should be replaced now, or "" to keep it.

        A session whose address is still the route's gets HINT_GRACE s from when the route
        is there to show an acknowledgement: KCP's backed-off retransmission timer may
        bring it back on its own, with its streams (a 3 s link outage: in 0.2 s).
        """
        path = self._paths.get(id(mux))
        if path is None:
            return ""
        source = route_source(path.family, path.remote)
        if source is None:
            seen.pop(id(mux), None)  # no route yet: the grace starts when there is one
            return ""
        if source != path.local:
            return f"the route to the server now leaves from {source}, not {path.local}"
        session = mux.driver.session
        una, since = self._progress.get(id(mux), (session.snd_una, now))
        stalled = now - since if session.snd_una == una else 0.0
        una0, t0 = seen.setdefault(id(mux), (session.snd_una, now))
        if session.snd_nxt == session.snd_una or session.snd_una != una0:
            return ""
        if stalled >= HINT_STALL and now - t0 >= HINT_GRACE:
            return f"no acknowledgement for {stalled:.1f} s"
        return ""

    def _drop(self, idx: int, reason: str) -> None:
        mux = self.slots[idx]
        if mux is None or mux.dead:
            return
        streams = len(mux.streams)
        log.info(
            "reconnecting conv %08x (%s): %d open streams reset",
            mux.driver.session.conv,
            reason,
            streams,
            extra=log_fields("reconnect", session=mux.driver.session.conv, reason=reason),
        )
        mux.kill(f"{REASON_RECONNECT}: {reason}")
        self.spawn(self._redial(idx))

    async def _redial(self, idx: int) -> None:
        """The slot's new session now, not at the next connection: it resolves the server
        again and is ready when the first connection comes."""
        await self._get_mux(idx)

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
                mux.kill(REASON_STOPPED, reset=False)
        await self._cancel_tasks()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)


@dataclasses.dataclass(frozen=True, slots=True)
class _Path:
    """Where a client session's UDP socket goes from and to."""

    family: int
    remote: tuple[Any, ...]
    """the server's socket address as dialled"""
    local: str
    """the local address the socket was bound to when it connected"""


class ServerTunnel(_Tunnel):
    """One UDP listener per port of ``listen`` (a ``:MIN-MAX`` range listens on each, as
    kcptun 2022-10+ does); each port demultiplexes its own sessions."""

    def __init__(self, cfg: TunnelConfig, *, sock: socket.socket | None = None) -> None:
        """``sock``: an already bound UDP socket to serve instead of binding ``listen`` (a
        ``--workers`` worker's share of the port, ``kcpcore.aio.workers``)."""
        super().__init__(cfg)
        self.sock = sock
        self.demuxes: list[ServerDemux] = []
        self.transports: list[asyncio.DatagramTransport] = []
        self.muxes: dict[tuple[int, Hashable], MuxConnection] = {}  # (id(demux), addr)
        self.target = cfg.target
        self.tune: TuneService | None = TuneService() if cfg.tuneserve else None

    @property
    def demux(self) -> ServerDemux:
        """The first port's demultiplexer (the only one without a port range)."""
        return self.demuxes[0]

    @property
    def transport(self) -> asyncio.DatagramTransport | None:
        return self.transports[0] if self.transports else None

    async def start(self) -> None:
        if self.tune is not None:
            await self.tune.start()
        if self.sock is not None:
            await self._listen(sock=self.sock)
            return
        ports = parse_port_range(self.cfg.listen)
        if ports.count > 1:
            ensure_fd_budget(ports.count * FDS_PER_PORT)
        infos = await self.loop.getaddrinfo(
            ports.host or "0.0.0.0", ports.first, type=socket.SOCK_DGRAM, flags=socket.AI_PASSIVE
        )
        family, _, _, _, first = infos[0]
        try:
            for port in ports.ports():
                await self._listen(family, (first[0], port, *first[2:]))
        except BaseException:
            for t in self.transports:
                t.close()
            raise
        if ports.count > 1:
            log.info("listening on %d UDP ports %d-%d", ports.count, ports.first, ports.last)

    async def _listen(
        self, family: int = 0, addr: tuple[Any, ...] = (), sock: socket.socket | None = None
    ) -> None:
        demux = ServerDemux(crypt=self.crypt, params=self.params)

        def protocol() -> ServerDatagramProtocol:
            return ServerDatagramProtocol(demux, self._accepter(demux), self.cfg.ratelimit)

        if sock is not None:  # bound and configured by the supervisor
            transport, self.proto = await self.loop.create_datagram_endpoint(protocol, sock=sock)
            self.demuxes.append(demux)
            self.transports.append(transport)
            self.book.extra.append(demux.snmp)
            return
        transport, self.proto = await self.loop.create_datagram_endpoint(
            protocol, local_addr=addr, family=family
        )
        self.demuxes.append(demux)
        self.transports.append(transport)
        self.book.extra.append(demux.snmp)
        configure_socket(
            transport.get_extra_info("socket"), dscp=self.cfg.dscp, sockbuf=self.cfg.sockbuf
        )

    @property
    def local_port(self) -> int:
        assert self.transport is not None
        port: int = self.transport.get_extra_info("sockname")[1]
        return port

    @property
    def local_ports(self) -> list[int]:
        """Every port listened on, in order."""
        return [t.get_extra_info("sockname")[1] for t in self.transports]

    def sessions_by_port(self) -> dict[int, int]:
        """Live sessions per listening port (port ranges: how the clients spread)."""
        return {
            port: len(d.sessions) for port, d in zip(self.local_ports, self.demuxes, strict=True)
        }

    def _accepter(self, demux: ServerDemux) -> Callable[[Hashable, SessionDriver], None]:
        return lambda addr, driver: self._on_accept(demux, addr, driver)

    def _on_accept(self, demux: ServerDemux, addr: Hashable, driver: SessionDriver) -> None:
        session = driver.session
        self.book.add(session.snmp)
        log.info(
            "remote address: %s, conv %08x",
            addr,
            session.conv,
            extra=log_fields("session_open", session=session.conv, peer=addr),
        )
        tune = self.tune is not None and is_tune_conv(session.conv)
        if tune:
            log.info("tune test session from %s", addr)

        def on_stream(st: MuxStream) -> None:
            self.spawn(self._serve_tune(st, addr) if tune else self._serve_stream(st, addr))

        mux = MuxConnection(
            driver,
            client=False,
            config=self.smux_config,
            compress=not self.cfg.nocomp,
            loop=self.loop,
            on_stream=on_stream,
        )
        key = (id(demux), addr)
        self.muxes[key] = mux

        def _closed(f: asyncio.Future[str]) -> None:
            self.muxes.pop(key, None)
            demux.remove(addr)
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
                        socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
                    )
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
        return [s for d in self.demuxes for s in d.sessions.values()]

    def live_muxes(self) -> list[tuple[object, MuxConnection]]:
        """(peer address, smux connection) of every live session."""
        return [(key[1], m) for key, m in self.muxes.items() if not m.dead]  # key: demux, addr

    async def stop(self) -> None:
        if self.tune is not None:
            await self.tune.stop()
        for mux in list(self.muxes.values()):
            mux.kill(REASON_STOPPED, reset=False)
        await self._cancel_tasks()
        for t in self.transports:
            t.close()


FDS_PER_PORT = 2  # the transport's socket and the batch reader's duplicate (udp._BatchReader)
FD_HEADROOM = 256  # descriptors left for target connections, logs, the loop itself


def ensure_fd_budget(needed: int) -> None:
    """Raise the soft RLIMIT_NOFILE toward the hard one (as Go's runtime does) so ``needed``
    more descriptors fit; a clear ConfigError when the hard limit cannot hold them."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to manage
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed + FD_HEADROOM
    if soft != resource.RLIM_INFINITY and soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(hard, max(want, soft))
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft != resource.RLIM_INFINITY and soft < want:
        raise ConfigError(
            f"listen: this port range needs about {want} file descriptors and "
            f"the limit here is {soft} (ulimit -n): use a smaller range",
            field="listen",
        )


async def _after_half_close(stream: MuxStream, wait: float) -> None:
    await stream.half_closed.wait()
    await asyncio.sleep(wait)


def _is_hostport(target: str) -> bool:
    """kcptun treats a target that is not host:port as a unix socket path."""
    if os.sep in target and not target.startswith("["):
        return False
    try:
        parse_hostport(target)
    except ValueError:
        return False
    return True
