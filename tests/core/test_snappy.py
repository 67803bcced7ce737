"""Snappy framing: the Go reader's rules, python-snappy as an independent peer, any split."""

from __future__ import annotations

import os
import struct

import pytest
import snappy as python_snappy
from hypothesis import given, settings
from hypothesis import strategies as st

from kcpcore.errors import KcpError
from kcpcore.snappy import (
    MAX_BLOCK_SIZE,
    MAX_CHUNK_LEN,
    STREAM_IDENTIFIER,
    SnappyError,
    SnappyReader,
    SnappyWriter,
)


def chunks(stream: bytes) -> list[tuple[int, int]]:
    out, off = [], 0
    while off < len(stream):
        ctype, length = stream[off], int.from_bytes(stream[off + 1 : off + 4], "little")
        out.append((ctype, length))
        off += 4 + length
    return out


def test_writer_starts_with_identifier_once_and_chooses_chunk_type() -> None:
    w = SnappyWriter()
    first = w.compress(b"a" * 1000)
    second = w.compress(os.urandom(1000))
    assert first.startswith(STREAM_IDENTIFIER) and not second.startswith(STREAM_IDENTIFIER)
    assert [t for t, _ in chunks(first)] == [0xFF, 0x00]  # compressible: compressed chunk
    assert chunks(second) == [(0x01, 1004)]  # random: stored raw, CRC + body


def test_writer_splits_at_the_64k_block_limit() -> None:
    out = SnappyWriter().compress(os.urandom(MAX_BLOCK_SIZE * 2 + 5))
    assert [length for _, length in chunks(out)][1:] == [MAX_BLOCK_SIZE + 4] * 2 + [9]


def test_python_snappy_reads_ours_and_we_read_python_snappys() -> None:
    data = [os.urandom(300), b"hello " * 5000, b"", b"x"]
    w = SnappyWriter()
    ours = b"".join(w.compress(d) for d in data if d)
    assert python_snappy.StreamDecompressor().decompress(ours) == b"".join(data)
    comp = python_snappy.StreamCompressor()
    theirs = b"".join(comp.add_chunk(d) for d in data if d)
    assert SnappyReader().feed(theirs) == b"".join(data)


@pytest.mark.parametrize(
    ("stream", "why"),
    [
        (b"\x01\x08\x00\x00" + bytes(8), "starts with chunk type"),
        (STREAM_IDENTIFIER + b"\x05\x01\x00\x00x", "reserved unskippable"),
        (STREAM_IDENTIFIER + b"\x00" + (MAX_CHUNK_LEN + 1).to_bytes(3, "little"), "out of range"),
        (STREAM_IDENTIFIER + b"\x01\x02\x00\x00xx", "out of range"),
        (b"\xff\x06\x00\x00sNaPpZ", "bad stream identifier"),
    ],
)
def test_go_reader_errors(stream: bytes, why: str) -> None:
    r = SnappyReader()
    with pytest.raises(SnappyError, match=why):
        r.feed(stream)
    with pytest.raises(SnappyError):  # a failed stream stays failed
        r.feed(SnappyWriter().compress(b"ok"))


def test_crc_mismatch_is_an_error() -> None:
    good = SnappyWriter().compress(b"payload " * 10)
    bad = bytearray(good)
    bad[len(STREAM_IDENTIFIER) + 4] ^= 0x01  # first byte of the masked CRC
    with pytest.raises(SnappyError):
        SnappyReader().feed(bytes(bad))


def test_skippable_chunks_and_repeated_identifier_are_ignored() -> None:
    w = SnappyWriter()
    stream = (
        w.compress(b"one")
        + b"\x80\x03\x00\x00abc"
        + STREAM_IDENTIFIER
        + b"\xfe\x00\x00\x00"
        + w.compress(b"two")
    )
    assert SnappyReader().feed(stream) == b"onetwo"


def test_partial_chunks_wait_for_the_rest() -> None:
    stream = SnappyWriter().compress(os.urandom(5000))
    r = SnappyReader()
    assert r.feed(stream[:-1]) == b""
    assert r.pending > 0
    assert len(r.feed(stream[-1:])) == 5000 and r.pending == 0


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.binary(max_size=3000) | st.builds(lambda n: b"ab" * n, st.integers(0, 9000)),
        min_size=1,
        max_size=6,
    ),
    st.lists(st.integers(1, 4000), min_size=1, max_size=20),
)
def test_any_split_round_trips(pieces: list[bytes], cuts: list[int]) -> None:
    w = SnappyWriter()
    stream = b"".join(w.compress(p) for p in pieces if p)
    r, out, off, i = SnappyReader(), bytearray(), 0, 0
    while off < len(stream):
        n = cuts[i % len(cuts)]
        out += r.feed(stream[off : off + n])
        off, i = off + n, i + 1
    assert bytes(out) == b"".join(pieces)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_garbage_raises_only_snappy_error(garbage: bytes) -> None:
    r = SnappyReader()
    try:
        r.feed(STREAM_IDENTIFIER + garbage)
    except KcpError as exc:
        assert isinstance(exc, SnappyError)
    assert r.pending <= len(garbage) + 4


def test_reader_holds_at_most_one_chunk() -> None:
    r = SnappyReader()
    r.feed(STREAM_IDENTIFIER + b"\x01" + struct.pack("<I", MAX_CHUNK_LEN)[:3])
    assert r.pending == 4  # a max-size chunk header: waits for at most MAX_CHUNK_LEN more


@pytest.mark.parametrize("ctype", [0x80, 0xFE])
def test_oversized_skippable_chunk_is_refused_at_its_header_like_go(ctype: int) -> None:
    header = bytes([ctype]) + (MAX_CHUNK_LEN + 1).to_bytes(3, "little")
    with pytest.raises(SnappyError):
        SnappyReader().feed(STREAM_IDENTIFIER + header)
