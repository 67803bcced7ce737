"""smux v1/v2 (xtaci/smux 1.5.16, as kcptun 20210922 uses it), sans-I/O.

One ``SmuxSession`` multiplexes streams over one reliable byte stream (KCP, maybe through
snappy). Bytes in -> events out (``kcpcore.events``); calls -> bytes queued for
``data_to_send``; a clock passed in for keepalive. No sockets, no asyncio.

Flow control as smux does it:

* session-wide: ``buffered_receive`` counts delivered-but-unconsumed bytes; the adapter stops
  feeding us while it exceeds ``max_receive_buffer`` (smux's token bucket), which backs up
  into the KCP window.
* v2 per stream: the sender keeps ``written - peer_consumed < peer_window``; the receiver
  sends UPD(consumed, window) on the first consumption and then every half window.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .errors import ConfigError, KcpError, LocalProtocolError
from .events import SessionDead, SmuxEvent, StreamData, StreamEnded, StreamOpened, StreamWritable

SMUX_HEADER = struct.Struct("<BBHI")  # ver, cmd, length, sid
SMUX_UPD = struct.Struct("<II")  # consumed, window
HEADER_SIZE = SMUX_HEADER.size
UPD_SIZE = SMUX_UPD.size
CMD_SYN, CMD_FIN, CMD_PSH, CMD_NOP, CMD_UPD = 0, 1, 2, 3, 4
INITIAL_PEER_WINDOW = 262144  # smux's initialPeerWindow (v2)
MAX_SID = 0xFFFFFFFF
U32 = 0xFFFFFFFF


class StreamReset(KcpError):
    """The stream cannot take more data: the peer broke the v2 window rules."""


@dataclass(frozen=True, slots=True)
class SmuxConfig:
    """smux.Config fields kcptun sets; defaults are kcptun's flag defaults."""

    version: int = 1
    keepalive_interval: float = 10.0
    keepalive_timeout: float = 30.0  # smux default; kcptun has no flag for it
    max_frame_size: int = 32768
    max_receive_buffer: int = 4194304
    max_stream_buffer: int = 2097152

    def verify(self) -> None:
        """smux.VerifyConfig: kcptun refuses to run a session whose config fails this."""
        if self.version not in (1, 2):
            raise ConfigError(f"smux: unsupported protocol version {self.version}", "smuxver")
        if self.keepalive_interval <= 0:
            raise ConfigError("smux: keep-alive interval must be positive", "keepalive")
        if self.keepalive_timeout < self.keepalive_interval:
            raise ConfigError(
                "smux: keep-alive timeout must be larger than keep-alive "
                f"interval ({self.keepalive_timeout:g} s)",
                "keepalive",
            )
        if not 0 < self.max_frame_size <= 65535:
            raise ConfigError("smux: max frame size must be in 1..65535", "max_frame_size")
        if self.max_receive_buffer <= 0:
            raise ConfigError("smux: max receive buffer must be positive", "smuxbuf")
        if self.max_stream_buffer <= 0:
            raise ConfigError("smux: max stream buffer must be positive", "streambuf")
        if self.max_stream_buffer > self.max_receive_buffer:
            raise ConfigError(
                "smux: max stream buffer must not be larger than max receive buffer", "streambuf"
            )
        if self.max_stream_buffer > 0x7FFFFFFF:
            raise ConfigError(
                "smux: max stream buffer must not be larger than 2147483647", "streambuf"
            )


class _Stream:
    __slots__ = (
        "blocked",
        "buffered",
        "incr",
        "local_fin",
        "num_read",
        "num_written",
        "peer_consumed",
        "peer_window",
        "remote_fin",
        "sid",
        "updated",
    )

    def __init__(self, sid: int) -> None:
        self.sid = sid
        self.buffered = 0
        self.num_read = 0
        self.incr = 0
        self.updated = False
        self.num_written = 0
        self.peer_consumed = 0
        self.peer_window = INITIAL_PEER_WINDOW
        self.local_fin = False
        self.remote_fin = False
        self.blocked = False


class SmuxSession:
    """One side of an smux session. ``client`` picks odd stream ids (3, 5, ...) as smux does."""

    def __init__(self, *, client: bool, config: SmuxConfig, now: float) -> None:
        config.verify()
        self.config = config
        self.version = config.version
        self._next_sid = 1 if client else 0
        self._streams: dict[int, _Stream] = {}
        self._out: list[bytes] = []
        self._inbuf = bytearray()
        self.buffered_receive = 0
        self.closed = False
        self.dead_reason = ""
        self._data_ready = False
        self._next_ping = now + config.keepalive_interval
        self._next_check = now + config.keepalive_timeout
        self.frames_in = 0
        self.frames_out = 0
        self.peer_version: int | None = None
        """the version of a frame that ended the session because it was not ours"""
        self.timed_out = False
        """the session died of the keepalive timeout (the peer sent no frame at all)"""

    # ------------------------------------------------------------------ receive
    def receive_data(self, data: bytes) -> list[SmuxEvent]:
        """Parse frames from the peer's byte stream; a protocol error ends the session."""
        if self.closed:
            return []
        buf = self._inbuf
        buf += data
        events: list[SmuxEvent] = []
        streams = self._streams
        version = self.version
        off, end = 0, len(buf)
        unpack = SMUX_HEADER.unpack_from
        while end - off >= HEADER_SIZE:
            ver, cmd, length, sid = unpack(buf, off)
            if ver != version:
                events.append(self._wrong_version(ver))
                break
            if cmd == CMD_PSH:
                nxt = off + HEADER_SIZE + length
                if nxt > end:
                    break
                st = streams.get(sid)
                if st is not None and length:
                    payload = bytes(buf[off + HEADER_SIZE : nxt])
                    st.buffered += length
                    self.buffered_receive += length
                    events.append(StreamData(sid, payload))
            elif cmd == CMD_NOP:
                nxt = off + HEADER_SIZE
            else:
                nxt = self._control_frame(cmd, sid, buf, off, end, events)
                if nxt < 0:
                    break
            self._data_ready = True
            self.frames_in += 1
            off = nxt
        if self.closed:
            buf.clear()
        else:
            del buf[:off]
        return events

    def _wrong_version(self, ver: int) -> SmuxEvent:
        """A frame of another version ends the session."""
        self.peer_version = ver
        if ver in (1, 2):
            # the other smux version: one NOP of ours tells its sender at once (ours
            # switches versions, Go's closes instead of waiting for a keepalive timeout)
            self._frame(CMD_NOP, 0)
        return self._die(f"smux: frame version {ver}, expected {self.version}")

    def _control_frame(
        self, cmd: int, sid: int, buf: bytearray, off: int, end: int, events: list[SmuxEvent]
    ) -> int:
        """Apply one UPD, SYN or FIN frame at ``off``: the offset after it, or -1 when the
        frame is not complete yet or the command is invalid (then the session is dead)."""
        streams = self._streams
        if cmd == CMD_UPD:
            nxt = off + HEADER_SIZE + UPD_SIZE  # smux reads exactly 8, whatever length says
            if nxt > end:
                return -1
            st = streams.get(sid)
            if st is not None:
                st.peer_consumed, st.peer_window = SMUX_UPD.unpack_from(buf, off + HEADER_SIZE)
                if st.blocked:
                    st.blocked = False
                    events.append(StreamWritable(sid))
            return nxt
        if cmd == CMD_SYN:
            if sid not in streams:
                streams[sid] = _Stream(sid)
                events.append(StreamOpened(sid))
            return off + HEADER_SIZE
        if cmd == CMD_FIN:
            st = streams.get(sid)
            if st is not None and not st.remote_fin:
                st.remote_fin = True
                if st.blocked:
                    st.blocked = False
                    events.append(StreamWritable(sid))
                events.append(StreamEnded(sid))
            return off + HEADER_SIZE
        events.append(self._die(f"smux: invalid command {cmd}"))
        return -1

    def stream_consumed(self, sid: int, n: int) -> None:
        """The application took ``n`` delivered bytes of ``sid``: return tokens, maybe UPD."""
        st = self._streams.get(sid)
        if st is None or n <= 0:
            return
        n = min(n, st.buffered)
        st.buffered -= n
        self.buffered_receive -= n
        if self.version == 2 and not self.closed:
            st.num_read = (st.num_read + n) & U32
            st.incr += n
            if st.incr >= self.config.max_stream_buffer // 2 or not st.updated:
                st.updated = True
                st.incr = 0
                self._frame(CMD_UPD, sid, SMUX_UPD.pack(st.num_read, self.config.max_stream_buffer))

    # ------------------------------------------------------------------ send
    def open_stream(self) -> int:
        if self.closed:
            raise LocalProtocolError("smux: session closed")
        sid = self._next_sid + 2
        while sid in self._streams:  # the peer took it (smux accepts any parity); skip it
            sid += 2
        if sid > MAX_SID:
            raise LocalProtocolError("smux: stream ids exhausted (go away)")
        self._next_sid = sid
        self._streams[sid] = _Stream(sid)
        self._frame(CMD_SYN, sid)
        return sid

    def send(self, sid: int, data: bytes) -> int:
        """Queue PSH frames; returns how many bytes the v2 window let through (all for v1)."""
        st = self._stream_for_write(sid)
        n = len(data)
        if self.version == 2:
            inflight = (st.num_written - st.peer_consumed) & U32
            if inflight >= 0x80000000:
                raise StreamReset(f"smux: peer consumed more than stream {sid} wrote")
            win = st.peer_window - inflight
            if win <= 0:
                st.blocked = True
                return 0
            n = min(n, win)
        step = self.config.max_frame_size
        out = self._out
        pack = SMUX_HEADER.pack
        ver = self.version
        for off in range(0, n, step):
            chunk = data[off : min(off + step, n)]
            out.append(pack(ver, CMD_PSH, len(chunk), sid))
            out.append(chunk)
            self.frames_out += 1
        st.num_written = (st.num_written + n) & U32
        return n

    def send_fin(self, sid: int) -> None:
        """Half-close our direction of ``sid``; data may still arrive from the peer."""
        st = self._streams.get(sid)
        if st is not None and not st.local_fin and not self.closed:
            st.local_fin = True
            self._frame(CMD_FIN, sid)

    def close_stream(self, sid: int) -> None:
        """smux Stream.Close: FIN if not sent yet, forget the stream, return its tokens."""
        self.send_fin(sid)
        st = self._streams.pop(sid, None)
        if st is not None:
            self.buffered_receive -= st.buffered

    def data_to_send(self) -> bytes:
        if not self._out:
            return b""
        data = b"".join(self._out)
        self._out.clear()
        return data

    # ------------------------------------------------------------------ timers
    def get_timer(self) -> float | None:
        if self.closed:
            return None
        return min(self._next_ping, self._next_check)

    def handle_timer(self, now: float) -> list[SmuxEvent]:
        """NOP every keepalive interval; no frame for a keepalive timeout means a dead peer."""
        if self.closed:
            return []
        cfg = self.config
        if now >= self._next_ping:
            self._frame(CMD_NOP, 0)
            self._next_ping = max(self._next_ping + cfg.keepalive_interval, now)
        if now >= self._next_check:
            self._next_check = max(self._next_check + cfg.keepalive_timeout, now)
            ready, self._data_ready = self._data_ready, False
            # a full receive buffer stops our reads, so silence then is not the peer's fault
            if not ready and self.buffered_receive < cfg.max_receive_buffer:
                self.timed_out = True
                return [
                    self._die(
                        f"smux: no frame from the peer in "
                        f"{cfg.keepalive_timeout:g} s (keepalive timeout)"
                    )
                ]
        return []

    def close(self) -> None:
        self.closed = True
        self._streams.clear()
        self.buffered_receive = 0

    # ------------------------------------------------------------------ state
    @property
    def stream_count(self) -> int:
        return len(self._streams)

    def has_stream(self, sid: int) -> bool:
        return sid in self._streams

    def _stream_for_write(self, sid: int) -> _Stream:
        if self.closed:
            raise LocalProtocolError("smux: session closed")
        st = self._streams.get(sid)
        if st is None:
            raise LocalProtocolError(f"smux: stream {sid} is closed")
        if st.local_fin:
            raise LocalProtocolError(f"smux: write after FIN on stream {sid}")
        return st

    def _frame(self, cmd: int, sid: int, payload: bytes = b"") -> None:
        self._out.append(SMUX_HEADER.pack(self.version, cmd, len(payload), sid) + payload)
        self.frames_out += 1

    def _die(self, reason: str) -> SessionDead:
        self.dead_reason = reason
        self.close()
        return SessionDead(reason)
