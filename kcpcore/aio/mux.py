"""smux (+ optional snappy) over one KCP session, and smux streams bridged to asyncio TCP.

Back-pressure, end to end:

* TCP -> peer: a stream writes only while the KCP send queue is below both windows (kcp-go's
  Write rule) and, in smux v2, while the peer's stream window allows.
* peer -> TCP: received frames are written to the TCP socket at once; their bytes count as
  "buffered" until the socket drains. While the session-wide buffered bytes exceed
  ``max_receive_buffer`` we stop pulling from KCP, so KCP's receive window closes and the peer
  stops sending. Memory is bounded by smuxbuf plus one KCP window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections.abc import Callable, Coroutine
from typing import Any

from ..errors import KcpError
from ..events import SessionDead, StreamData, StreamEnded, StreamOpened, StreamWritable
from ..smux import SmuxConfig, SmuxSession
from ..snappy import SnappyReader, SnappyWriter
from .tasks import BackgroundTasks
from .udp import SessionDriver

log = logging.getLogger(__name__)

TCP_READ_SIZE = 32768  # bytes per TCP read; kcptun reads 4096, any size up to a frame works
TCP_WRITE_HIGH = 1 << 20  # socket write buffer above which we wait for drain before acking


class MuxStream:
    """One smux stream; data arriving for it goes to ``sink`` (a TCP StreamWriter)."""

    def __init__(self, mux: MuxConnection, sid: int) -> None:
        self.mux = mux
        self.sid = sid
        self.sink: asyncio.StreamWriter | None = None
        self._early: list[bytes] = []
        self._unconsumed = 0
        self._draining = False
        self.remote_ended = asyncio.Event()
        self.local_ended = False
        self.half_closed = asyncio.Event()
        """set when either direction has ended (--closewait starts counting then)"""
        self.window = asyncio.Event()
        self.window.set()
        self.bytes_in = 0
        self.bytes_out = 0

    def attach(self, writer: asyncio.StreamWriter) -> None:
        self.sink = writer
        early, self._early = self._early, []
        for data in early:
            self._deliver(data)
        if self.remote_ended.is_set():
            self._write_eof()

    def _deliver(self, data: bytes) -> None:
        sink = self.sink
        if sink is None:
            self._early.append(data)
            return
        self.bytes_in += len(data)
        if sink.is_closing():
            self.mux.consumed(self.sid, len(data))  # nobody to read it: do not stall others
            return
        sink.write(data)
        self._unconsumed += len(data)
        if sink.transport.get_write_buffer_size() < TCP_WRITE_HIGH:
            n, self._unconsumed = self._unconsumed, 0
            self.mux.consumed(self.sid, n)
        elif not self._draining:
            self._draining = True
            self.mux.spawn(self._drain())

    async def _drain(self) -> None:
        try:
            assert self.sink is not None
            with contextlib.suppress(ConnectionError, OSError):
                await self.sink.drain()
        finally:
            self._draining = False
            n, self._unconsumed = self._unconsumed, 0
            self.mux.consumed(self.sid, n)

    def _write_eof(self) -> None:
        sink = self.sink
        if sink is None or sink.is_closing():
            return
        try:
            if sink.can_write_eof():
                sink.write_eof()
            else:
                sink.close()
        except OSError:
            sink.close()

    async def write(self, data: bytes) -> None:
        """Send bytes to the peer, waiting for KCP and smux v2 windows."""
        mux = self.mux
        view = memoryview(data)
        while view:
            if mux.dead:
                raise ConnectionResetError("tunnel session closed")
            if not mux.driver.writable():
                mux.writable.clear()
                await mux.writable.wait()
                continue
            try:
                n = mux.smux.send(self.sid, bytes(view))
            except KcpError as exc:
                raise ConnectionResetError(str(exc)) from None
            if n:
                self.bytes_out += n
                view = view[n:]
                mux.flush()
            elif self.remote_ended.is_set():
                # v2 window shut and the peer sent FIN. Our peer half-closed and still reads
                # (its UPD will come); kcptun closed the stream and never will: wait a while.
                self.window.clear()
                try:
                    await asyncio.wait_for(self.window.wait(), mux.config.keepalive_timeout)
                except TimeoutError:
                    raise ConnectionResetError(
                        "peer ended the stream and stopped reading"
                    ) from None
            else:
                self.window.clear()
                await self.window.wait()

    def end(self) -> None:
        """Our TCP side reached EOF: send FIN."""
        if not self.local_ended:
            self.local_ended = True
            self.half_closed.set()
            if not self.mux.dead:
                self.mux.smux.send_fin(self.sid)
                self.mux.flush()

    def abort(self) -> None:
        self.end()
        if self.sink is not None:
            self.sink.close()


class MuxConnection:
    """An smux session over one KCP session (client or server side)."""

    def __init__(
        self,
        driver: SessionDriver,
        *,
        client: bool,
        config: SmuxConfig,
        compress: bool,
        loop: asyncio.AbstractEventLoop,
        on_stream: Callable[[MuxStream], None] | None = None,
    ) -> None:
        self.driver = driver
        self.loop = loop
        self.config = config
        self.smux = SmuxSession(client=client, config=config, now=loop.time())
        self.writer = SnappyWriter() if compress else None
        self.reader = SnappyReader() if compress else None
        self.streams: dict[int, MuxStream] = {}
        self.on_stream = on_stream
        self.writable = asyncio.Event()
        self.writable.set()
        self.dead = False
        self.dead_reason = ""
        self.closed = loop.create_future()
        self._tasks = BackgroundTasks(loop)
        self._timer: asyncio.TimerHandle | None = None
        self.created = loop.time()
        self.streams_total = 0
        """streams opened on this session so far, by either side"""
        driver.on_readable = self.pump_in
        driver.on_writable = self._on_kcp_writable
        driver.on_closed = lambda: self.kill("kcp session closed")
        self._arm_timer()
        self.flush()

    # ---------------------------------------------------------------- plumbing
    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        return self._tasks.spawn(coro)

    def flush(self) -> None:
        """Move queued smux frames (through snappy) into KCP."""
        data = self.smux.data_to_send()
        if data:
            if self.writer is not None:
                data = self.writer.compress(data)
            self.driver.write(data)

    def pump_in(self) -> None:
        """Pull KCP bytes into smux while the session-wide receive buffer has room."""
        limit = self.config.max_receive_buffer
        smux = self.smux
        while not self.dead and smux.buffered_receive < limit:
            data = self.driver.recv()
            if data is None:
                break
            if self.reader is not None:
                try:
                    data = self.reader.feed(data)
                except KcpError as exc:
                    self.kill(f"snappy: {exc}")
                    return
                if not data:
                    continue
            self._dispatch(smux.receive_data(data))
        self.flush()

    def consumed(self, sid: int, n: int) -> None:
        if self.dead or n <= 0:
            return
        before = self.smux.buffered_receive
        self.smux.stream_consumed(sid, n)
        self.flush()
        if before >= self.config.max_receive_buffer > self.smux.buffered_receive:
            self.pump_in()

    def _on_kcp_writable(self) -> None:
        self.writable.set()

    def _dispatch(self, events: list) -> None:  # type: ignore[type-arg]
        for ev in events:
            match ev:
                case StreamData(sid=sid, data=data):
                    st = self.streams.get(sid)
                    if st is not None:
                        st._deliver(data)
                    else:
                        self.smux.stream_consumed(sid, len(data))
                case StreamOpened(sid=sid):
                    st = MuxStream(self, sid)
                    self.streams[sid] = st
                    self.streams_total += 1
                    if self.on_stream is not None:
                        self.on_stream(st)
                case StreamEnded(sid=sid):
                    st = self.streams.get(sid)
                    if st is not None:
                        st.remote_ended.set()
                        st.half_closed.set()
                        st.window.set()  # a writer blocked on the v2 window learns of it
                        st._write_eof()
                case StreamWritable(sid=sid):
                    st = self.streams.get(sid)
                    if st is not None:
                        st.window.set()
                case SessionDead(reason=reason):
                    self.kill(reason)

    def _arm_timer(self) -> None:
        at = self.smux.get_timer()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if at is not None and not self.dead:
            self._timer = self.loop.call_at(at, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._dispatch(self.smux.handle_timer(self.loop.time()))
        self.flush()
        self._arm_timer()

    # ---------------------------------------------------------------- public
    def open_stream(self) -> MuxStream:
        if self.dead:
            raise ConnectionResetError("tunnel session closed")
        sid = self.smux.open_stream()
        st = MuxStream(self, sid)
        self.streams[sid] = st
        self.streams_total += 1
        self.flush()
        return st

    def forget(self, st: MuxStream) -> None:
        if self.streams.pop(st.sid, None) is not None and not self.dead:
            self.smux.close_stream(st.sid)
            self.flush()

    def kill(self, reason: str, *, reset: bool = True) -> None:
        """Tear the session down: every stream's TCP side is closed, KCP is closed.

        A stream still here did not finish (a finished one closed both ways and left).
        When the session failed (stall watch, keepalive timeout, corrupt frames, a network
        change) its TCP side is reset (RST), never closed with a FIN: a program whose
        download is cut mid-way sees an error rather than what looks like a complete reply
        (kcptun closes with a FIN there). ``reset=False`` keeps the FIN for the routine
        ends the user asked for: a stopped tunnel, kcptun's scavenger.
        """
        if self.dead:
            return
        self.dead = True
        self.dead_reason = reason
        log.debug("conv=%08x smux session killed: %s", self.driver.session.conv, reason)
        if self._timer is not None:
            self._timer.cancel()
        last = self.smux.data_to_send()  # e.g. the NOP answering a frame of another version
        if last and not self.driver.closed:
            self.driver.write(self.writer.compress(last) if self.writer is not None else last)
        with contextlib.suppress(KcpError):
            self.smux.close()
        for st in list(self.streams.values()):
            st.window.set()
            if st.sink is not None:
                if reset:
                    reset_tcp(st.sink)
                else:
                    st.sink.close()
        self.streams.clear()
        self.writable.set()
        self.driver.close()
        if not self.closed.done():
            self.closed.set_result(reason)


def reset_tcp(writer: asyncio.StreamWriter) -> None:
    """Close a TCP connection with an RST (SO_LINGER 0), dropping whatever is still queued."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def pipe(
    stream: MuxStream,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    *,
    read_size: int = TCP_READ_SIZE,
) -> tuple[int, int]:
    """Copy TCP <-> smux stream until both directions end; returns (bytes in, bytes out).

    EOF from TCP becomes a FIN; a FIN from the peer becomes a TCP half-close. The stream is
    done when both happened, or on any error, which closes both sides (nothing is dropped
    silently: the TCP peer sees a reset or EOF).
    """
    stream.attach(writer)
    mux = stream.mux
    try:
        while True:
            data = await reader.read(read_size)
            if not data:
                break
            await stream.write(data)
        stream.end()
        if not mux.dead:
            closed = asyncio.ensure_future(asyncio.shield(mux.closed))
            ended = asyncio.ensure_future(stream.remote_ended.wait())
            try:
                await asyncio.wait((closed, ended), return_when=asyncio.FIRST_COMPLETED)
            finally:
                closed.cancel()
                ended.cancel()
    except (ConnectionError, OSError) as exc:
        log.debug("stream %d: %s", stream.sid, exc)
    finally:
        stream.end()
        mux.forget(stream)
        with contextlib.suppress(Exception):
            await stream._drain() if stream._unconsumed else None
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    return stream.bytes_in, stream.bytes_out
