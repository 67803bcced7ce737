"""Hostile snappy framing against SnappyReader: only KcpError, bounded buffer and output.

tests/core/test_snappy.py covers the Go reader's error cases, random bytes after the
identifier and any split of a genuine stream. This adds damaged *genuine* streams (chunk
type, length and CRC bytes overwritten with extremes), a one-shot vs. incremental
differential (``fuzz.targets.check_snappy``), the decompression bound (no chunk may expand
past 64 KiB), and the skippable-chunk length limit.
"""

from __future__ import annotations

import struct

import cramjam
import pytest
from hypothesis import strategies as st

from fuzz.targets import check_snappy, join_records
from kcpcore.errors import KcpError
from kcpcore.snappy import (
    MAX_BLOCK_SIZE,
    MAX_CHUNK_LEN,
    STREAM_IDENTIFIER,
    SnappyError,
    SnappyReader,
    SnappyWriter,
)

from .common import fast_and_long, mutations


def crc32c_masked(data: bytes) -> int:
    """The framing format's masked CRC-32C, bit by bit (test reference only)."""
    crc = 0xFFFF_FFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F6_3B78 & -(crc & 1))
    crc ^= 0xFFFF_FFFF
    return ((((crc >> 15) | (crc << 17)) & 0xFFFF_FFFF) + 0xA282_EAD8) & 0xFFFF_FFFF


def chunk(ctype: int, body: bytes) -> bytes:
    return bytes([ctype]) + len(body).to_bytes(3, "little") + body


def chunk_fields(stream: bytes) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    off = 0
    while off + 4 <= len(stream):
        out += [(off, 1), (off + 1, 3), (off + 3, 1), (off + 4, 4)]
        off += 4 + int.from_bytes(stream[off + 1 : off + 4], "little")
    return out


@st.composite
def damaged_streams(draw: st.DrawFn) -> bytes:
    w = SnappyWriter()
    writes = draw(
        st.lists(
            st.binary(max_size=2000) | st.builds(lambda n: b"ab" * n, st.integers(1, 40000)),
            min_size=1,
            max_size=4,
        )
    )
    stream = STREAM_IDENTIFIER + b"".join(w.compress(x) for x in writes if x)
    return draw(mutations(stream, chunk_fields(stream), max_ops=4))


def _damaged_streams_fail_cleanly(stream: bytes, cuts: list[int]) -> None:
    r = SnappyReader()
    off = 0
    out = 0
    chunks = max(1, len(stream) // 4)
    for n in [*cuts, len(stream)]:
        try:
            out += len(r.feed(stream[off : off + n]))
        except KcpError as exc:
            assert isinstance(exc, SnappyError) and r.failed
            with pytest.raises(SnappyError):
                r.feed(b"")
            return
        off += n
        assert out <= chunks * MAX_BLOCK_SIZE  # nothing expands past 64 KiB per chunk


test_damaged_streams_fail_cleanly, test_damaged_streams_fail_cleanly_long = fast_and_long(
    60, 3000, stream=damaged_streams(), cuts=st.lists(st.integers(0, 5000), max_size=6)
)(_damaged_streams_fail_cleanly)


def _snappy_script(data: bytes) -> None:
    check_snappy(data)


test_snappy_script_random, test_snappy_script_random_long = fast_and_long(
    80,
    4000,
    data=st.binary(max_size=2000)
    | st.builds(
        lambda writes, edits: b"\x01" + join_records([*writes, edits]),
        st.lists(st.binary(max_size=3000), max_size=4),
        st.binary(max_size=30),
    ),
)(_snappy_script)


@pytest.mark.parametrize("size", [MAX_BLOCK_SIZE, MAX_BLOCK_SIZE + 1, 1 << 20])
def test_a_chunk_never_expands_past_64k(size: int) -> None:
    """A 3 KB chunk that honestly decodes to more than 64 KiB is refused (Go: ErrCorrupt),
    so one chunk expands at most ~21x and the smux gate above sees bounded feeds."""
    plain = b"a" * size
    body = struct.pack("<I", crc32c_masked(plain)) + bytes(cramjam.snappy.compress_raw(plain))
    stream = STREAM_IDENTIFIER + chunk(0x00, body)
    if size <= MAX_BLOCK_SIZE:
        assert SnappyReader().feed(stream) == plain
    else:
        with pytest.raises(SnappyError):
            SnappyReader().feed(stream)


def test_oversized_skippable_chunk_is_refused_like_go() -> None:
    """Regression (found while fuzzing snappy, fixed in 3e2a4c8): golang/snappy v0.0.4
    refuses *any* chunk longer than its 76494-byte buffer (ErrUnsupported), skippable types
    0x80-0xFE included. SnappyReader used to wait for and buffer skippable chunks of up to
    16 MiB per session direction instead."""
    for ctype in (0x80, 0xFE):
        r = SnappyReader()
        header = bytes([ctype]) + (MAX_CHUNK_LEN + 1).to_bytes(3, "little")
        with pytest.raises(SnappyError):
            r.feed(STREAM_IDENTIFIER + header)  # Go fails right here
            r.feed(bytes(MAX_CHUNK_LEN))  # we buffer it instead ...
            assert r.pending <= MAX_CHUNK_LEN + 4  # ... past one chunk's worth
