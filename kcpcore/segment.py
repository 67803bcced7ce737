"""The 24-byte KCP segment header (kcp-go v5.6.1), little-endian throughout.

::

    0        4    5    6        8            12           16           20           24
    +--------+----+----+--------+------------+------------+------------+------------+------
    |  conv  |cmd |frg |  wnd   |     ts     |     sn     |    una     |    len     | data
    +--------+----+----+--------+------------+------------+------------+------------+------

One datagram (after the crypt and FEC headers) carries one or more segments back to back.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import MalformedPacket

IKCP_CMD_PUSH = 81  # cmd: push data
IKCP_CMD_ACK = 82  # cmd: ack
IKCP_CMD_WASK = 83  # cmd: window probe (ask)
IKCP_CMD_WINS = 84  # cmd: window size (tell)
IKCP_OVERHEAD = 24  # bytes of segment header

SEGMENT_HEADER = struct.Struct("<IBBHIIII")
assert SEGMENT_HEADER.size == IKCP_OVERHEAD

VALID_CMDS = frozenset((IKCP_CMD_PUSH, IKCP_CMD_ACK, IKCP_CMD_WASK, IKCP_CMD_WINS))


@dataclass(frozen=True, slots=True)
class Segment:
    """One decoded segment, for tests, tools and diagnostics (the hot path unpacks in place)."""

    conv: int
    cmd: int
    frg: int
    wnd: int
    """free receive window of the sender, in segments"""
    ts: int
    """sender clock (ms, u32); an ACK echoes the acked PUSH's ts"""
    sn: int
    una: int
    """sender's rcv_nxt: every sn below it has arrived"""
    data: bytes = b""

    def pack(self) -> bytes:
        return pack_segment(
            self.conv, self.cmd, self.frg, self.wnd, self.ts, self.sn, self.una, self.data
        )


def pack_segment(
    conv: int, cmd: int, frg: int, wnd: int, ts: int, sn: int, una: int, data: bytes = b""
) -> bytes:
    return SEGMENT_HEADER.pack(conv, cmd, frg, wnd, ts, sn, una, len(data)) + data


def iter_segments(buf: bytes | bytearray | memoryview) -> Iterator[Segment]:
    """Decode every segment of one datagram; raise MalformedPacket at the first bad one.

    Segments before the bad one are still yielded, as kcp-go processes them before erroring.
    """
    view = memoryview(buf)
    off = 0
    end = len(view)
    while end - off >= IKCP_OVERHEAD:
        conv, cmd, frg, wnd, ts, sn, una, length = SEGMENT_HEADER.unpack_from(view, off)
        off += IKCP_OVERHEAD
        if cmd not in VALID_CMDS:
            raise MalformedPacket(f"kcp: unknown cmd {cmd}")
        if length > end - off:
            raise MalformedPacket(f"kcp: segment length {length} exceeds {end - off} bytes left")
        yield Segment(conv, cmd, frg, wnd, ts, sn, una, bytes(view[off : off + length]))
        off += length
    if off != end and off == 0:
        raise MalformedPacket(f"kcp: {end} bytes is shorter than a segment header")
