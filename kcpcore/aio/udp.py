"""asyncio adapters for KCP sessions over UDP (the aioquic ``protocol.py`` shape).

A ``SessionDriver`` owns one ``KcpSession``: datagrams in, one ``transmit()`` that drains the
session's output and re-arms a single timer at the session's own next deadline (no busy tick).
Writes and inputs within one loop pass share one flush (``call_soon``).

Reading: asyncio's datagram transport reads one datagram per event-loop iteration. Where the
loop has ``add_reader`` (every selector loop), the protocols take the socket's read side over
and drain up to ``RECV_BATCH`` datagrams per wake-up; the session then flushes, and the
consumer pulls KCP's in-order bytes, once per batch instead of once per datagram. Writing
stays with the transport.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any

from ..listener import ServerDemux
from ..ratelimit import TokenBucket
from ..session import KcpSession

log = logging.getLogger(__name__)

MTU_LIMIT = 1500  # kcp-go receive buffer: longer datagrams are truncated, then fail the CRC
RECV_BATCH = 128  # datagrams read per readiness callback before yielding to the loop
MAX_HELD = 4096  # datagrams waiting for --ratelimit (~5.5 MB at mtu 1350) before drops
HOLD_TIME = 0.002  # s of sending at --ratelimit queued before KCP is asked for more

Address = tuple[Any, ...]
"""A socket address as asyncio and recvfrom() give it: (host, port) or IPv6's 4-tuple."""


def configure_socket(sock: socket.socket, *, dscp: int = 0, sockbuf: int = 0) -> None:
    """DSCP and buffer sizes as kcptun sets them; failures are logged, as kcptun does."""
    if dscp:
        try:
            if sock.family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, dscp)
            else:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, dscp << 2)
        except OSError as exc:
            log.warning("SetDSCP: %s", exc)
    if sockbuf:
        opts = ((socket.SO_RCVBUF, "SetReadBuffer"), (socket.SO_SNDBUF, "SetWriteBuffer"))
        for opt, name in opts:
            try:
                sock.setsockopt(socket.SOL_SOCKET, opt, sockbuf)
            except OSError as exc:
                log.warning("%s: %s", name, exc)


class SessionDriver:
    """Runs one KcpSession on an event loop and hands its byte stream to a consumer.

    ``on_readable`` is called when KCP has in-order bytes; the consumer pulls them with
    ``recv()`` only while it has room, which is how back-pressure reaches the KCP window.
    ``on_writable`` is called when the send window reopens after ``writable()`` was False.
    """

    def __init__(
        self,
        session: KcpSession,
        sendto: Callable[[bytes], None],
        loop: asyncio.AbstractEventLoop,
        ratelimit: int = 0,
        *,
        closing: Callable[[], bool] | None = None,
    ) -> None:
        """``closing``: the UDP transport's ``is_closing``. Nothing is sent once it says so:
        asyncio's datagram transport, closed while datagrams still queued in it, ends up
        with no socket and its next ``sendto`` raises AttributeError (seen at teardown of
        a flooded session, in a callback: a traceback in the log)."""
        self.session = session
        self._sendto = sendto
        self._closing = closing or _never
        self._loop = loop
        self.limiter = TokenBucket(ratelimit, loop.time()) if ratelimit > 0 else None
        """--ratelimit: datagrams wait in ``_held`` until the bucket allows them"""
        self._held: deque[bytes] = deque()
        self._held_bytes = 0
        # KCP is flushed only while less than HOLD_TIME of sending waits in the queue
        self._hold_max = max(2 * MTU_LIMIT, int(ratelimit * HOLD_TIME))
        self._skipped = False
        self._release_timer: asyncio.TimerHandle | None = None
        self.held_dropped = 0
        """datagrams dropped because MAX_HELD were already waiting for the rate limit"""
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._soon = False
        self.on_readable: Callable[[], None] | None = None
        self.on_writable: Callable[[], None] | None = None
        self.on_closed: Callable[[], None] | None = None
        self._want_writable = False
        self.closed = False
        self.transmit()

    # input side ------------------------------------------------------------
    def datagrams_received(self, batch: list[bytes]) -> None:
        """Several datagrams read in one go: one flush and one consumer wake-up for all."""
        now = self._loop.time()
        receive = self.session.receive_datagram
        ok = False
        for data in batch:
            if receive(data, now):
                ok = True
        if ok and not self.closed:
            self._after_input()

    def body_received(self) -> None:
        """The listener already fed the session (decrypt + route happen there)."""
        self._after_input()

    def _after_input(self) -> None:
        if self.session.readable() and self.on_readable is not None:
            self.on_readable()
        if self._want_writable and self.session.writable():
            self._want_writable = False
            if self.on_writable is not None:
                self.on_writable()
        if self.session.wants_flush() or self.session.has_output():
            self.transmit_soon()

    # output side -----------------------------------------------------------
    def recv(self) -> bytes | None:
        data = self.session.recv()
        if data is not None and self.session.wants_flush():
            self.transmit_soon()
        return data

    def writable(self) -> bool:
        ok = self.session.writable()
        if not ok:
            self._want_writable = True
        return ok

    def write(self, data: bytes) -> None:
        self.session.send(data)
        self.transmit_soon()

    def transmit_soon(self) -> None:
        if not self._soon and not self.closed:
            self._soon = True
            self._loop.call_soon(self.transmit)

    def transmit(self) -> None:
        self._soon = False
        if self.closed or self._closing():
            return
        session = self.session
        if self.limiter is not None:
            if self._held_bytes > self._hold_max:
                # KCP keeps the data (unstamped) until the queue drains: a sender that sees
                # the limit as a slow path, instead of as a queue that times its packets out
                self._skipped = True
                return
            self._hold(session.datagrams_to_send(self._loop.time()))
        else:
            sendto = self._sendto
            try:
                for d in session.datagrams_to_send(self._loop.time()):
                    sendto(d)
            except OSError as exc:  # e.g. ECONNREFUSED surfaced on a connected UDP socket
                log.debug("conv=%08x sendto: %s", session.conv, exc)
        if self._want_writable and session.writable():
            self._want_writable = False
            if self.on_writable is not None:
                self.on_writable()
        at = session.get_timer()
        if at is not None and at != self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = at
            self._timer = self._loop.call_at(at, self._on_timer)

    # rate limit ------------------------------------------------------------
    def _hold(self, datagrams: list[bytes]) -> None:
        """Queue behind the token bucket, then send what it allows now."""
        held = self._held
        held.extend(datagrams)
        self._held_bytes += sum(map(len, datagrams))
        while len(held) > MAX_HELD:  # a safety bound; the KCP window keeps it far below
            self._held_bytes -= len(held.popleft())
            self.held_dropped += 1
        self._release()

    def _release(self) -> None:
        self._release_timer = None
        limiter, held, now = self.limiter, self._held, self._loop.time()
        assert limiter is not None
        if self._closing():
            return
        try:
            while held and limiter.ready(now):
                d = held.popleft()
                self._held_bytes -= len(d)
                limiter.take(len(d), now)
                self._sendto(d)
        except OSError as exc:
            log.debug("conv=%08x sendto: %s", self.session.conv, exc)
        if self.closed:
            return
        if self._skipped and self._held_bytes <= self._hold_max:
            self._skipped = False
            self.transmit()  # the flush that was put off; it may queue more and re-arm us
        elif held and self._release_timer is None:
            self._release_timer = self._loop.call_at(limiter.ready_at(now), self._release)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        self.session.handle_timer(self._loop.time())
        self.transmit()

    def close(self) -> None:
        if self.closed:
            return
        self.transmit()  # last FIN/ACKs
        self.closed = True
        self.session.close()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._release_timer is not None:
            self._release_timer.cancel()
            self._release_timer = None
        self._held.clear()
        on_closed = self.on_closed
        # A closed driver calls nobody: dropping the consumer's callbacks breaks the
        # driver <-> consumer cycle, so a dead session is freed at once by refcounting instead
        # of piling up until a full GC pass (a flood of short-lived sessions showed ~25 KB each
        # waiting for gen-2 collection).
        self.on_readable = self.on_writable = self.on_closed = None
        if on_closed is not None:
            on_closed()


class _BatchReader:
    """Drains a datagram socket after asyncio's transport read one datagram from it.

    The transport reads one datagram per readiness callback and hands it to the protocol's
    ``datagram_received``; there we keep reading from our own handle on the same socket
    (asyncio's ``TransportSocket`` has no ``recvfrom``) until it would block, at most
    ``RECV_BATCH`` datagrams. Public asyncio API only, so it works on any loop: if the socket
    cannot be duplicated, batches are simply of one.
    """

    def __init__(self, transport: asyncio.BaseTransport) -> None:
        self._sock: socket.socket | None = None
        tsock = transport.get_extra_info("socket")
        if tsock is None:
            return
        try:
            sock = socket.socket(
                tsock.family, tsock.type, tsock.proto, fileno=os.dup(tsock.fileno())
            )
        except (OSError, AttributeError, ValueError):  # not a real socket: no batching
            return
        sock.setblocking(False)
        self._sock = sock

    def drain(
        self, first: tuple[bytes, Address]
    ) -> tuple[list[tuple[bytes, Address]], Exception | None]:
        """``first`` plus whatever else is queued; an OSError ends the batch and is returned."""
        batch = [first]
        sock = self._sock
        if sock is None:
            return batch, None
        recvfrom = sock.recvfrom
        append = batch.append
        try:
            for _ in range(RECV_BATCH - 1):
                append(recvfrom(MTU_LIMIT))
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:  # e.g. ICMP port unreachable on a connected socket
            return batch, exc
        return batch, None

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()


def _never() -> bool:
    return False


class ClientDatagramProtocol(asyncio.DatagramProtocol):
    """One connected UDP socket per client session, as kcp-go dials."""

    def __init__(self) -> None:
        self.driver: SessionDriver | None = None
        self.transport: asyncio.DatagramTransport | None = None
        self.lost = asyncio.get_running_loop().create_future()
        self._reader: _BatchReader | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self._reader = _BatchReader(transport)

    def datagram_received(self, data: bytes, addr: Address) -> None:
        driver = self.driver
        if driver is None:
            return
        assert self._reader is not None  # connection_made always comes first
        batch, error = self._reader.drain((data, addr))
        driver.datagrams_received([d for d, _ in batch])
        if error is not None:
            self.error_received(error)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable while the server is down: keep retrying like kcp-go does.
        log.debug("udp error: %s", exc)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._reader is not None:
            self._reader.close()
        if not self.lost.done():
            self.lost.set_result(exc)


class ServerDatagramProtocol(asyncio.DatagramProtocol):
    """The server's single UDP socket, demultiplexed into sessions by ``ServerDemux``."""

    def __init__(
        self,
        demux: ServerDemux,
        on_accept: Callable[[Hashable, SessionDriver], None],
        ratelimit: int = 0,
    ) -> None:
        self.demux = demux
        self.ratelimit = ratelimit
        self.on_accept = on_accept
        self.drivers: dict[Hashable, SessionDriver] = {}
        self.transport: asyncio.DatagramTransport | None = None
        self._loop = asyncio.get_running_loop()
        self._reader: _BatchReader | None = None
        demux.on_close = self._on_session_removed

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self._reader = _BatchReader(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._reader is not None:
            self._reader.close()

    def datagram_received(self, data: bytes, addr: Address) -> None:
        """Route this and every other queued datagram, then wake each session once."""
        assert self._reader is not None  # connection_made always comes first
        batch, error = self._reader.drain((data, addr))
        now = self._loop.time()
        touched: dict[int, SessionDriver] = {}
        for d, a in batch:
            driver = self._route(d, a, now)
            if driver is not None:
                touched[id(driver)] = driver
        for driver in touched.values():
            if not driver.closed:
                driver.body_received()
        if error is not None:
            self.error_received(error)

    def _route(self, data: bytes, addr: Address, now: float) -> SessionDriver | None:
        routed = self.demux.route(data, addr, now)
        if routed is None:
            return None
        session, is_new = routed
        if is_new:
            transport = self.transport
            assert transport is not None

            def sendto(d: bytes, _addr: Address = addr) -> None:
                transport.sendto(d, _addr)

            driver = SessionDriver(
                session, sendto, self._loop, self.ratelimit, closing=transport.is_closing
            )
            self.drivers[addr] = driver
            self.on_accept(addr, driver)
            return driver
        return self.drivers.get(addr)

    def _on_session_removed(self, addr: Hashable, session: KcpSession) -> None:
        driver = self.drivers.pop(addr, None)
        if driver is not None:
            driver.close()

    def error_received(self, exc: Exception) -> None:
        log.debug("udp error: %s", exc)
