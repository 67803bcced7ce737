"""Events the sans-I/O smux session hands to its adapter (``kcpcore.aio.mux``).

They are plain values so the codec can be tested by comparing lists, the way h11 and aioquic
report what happened instead of calling back into I/O code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StreamOpened:
    """The peer sent SYN for a stream id we did not know."""

    sid: int


@dataclass(frozen=True, slots=True)
class StreamData:
    """Payload of a PSH frame; it counts against the receive buffers until consumed."""

    sid: int
    data: bytes


@dataclass(frozen=True, slots=True)
class StreamEnded:
    """The peer sent FIN: no more data will arrive on this stream."""

    sid: int


@dataclass(frozen=True, slots=True)
class StreamWritable:
    """A v2 window update let more bytes out on this stream."""

    sid: int


@dataclass(frozen=True, slots=True)
class SessionDead:
    """Protocol error or keepalive timeout: the session and its KCP must be closed."""

    reason: str


SmuxEvent = StreamOpened | StreamData | StreamEnded | StreamWritable | SessionDead
