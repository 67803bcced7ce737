"""Snappy framing ("stream") format between smux and KCP, as kcptun's ``--nocomp=false``.

Each direction is one snappy stream: the ``sNaPpY`` identifier chunk, then one chunk per write
(compressed only when it saves 1/8, at most 65536 input bytes, masked CRC32C of the plain
bytes). Block compression and the CRC check run in cramjam (Rust, the same engine
python-snappy 0.7 wraps); this module does the framing rules the Go reader (golang/snappy)
enforces, incrementally, so any split of the KCP byte stream decodes the same way.
"""

from __future__ import annotations

import cramjam

from .errors import MalformedPacket

STREAM_IDENTIFIER = b"\xff\x06\x00\x00sNaPpY"
CHUNK_COMPRESSED = 0x00
CHUNK_UNCOMPRESSED = 0x01
CHUNK_PADDING = 0xFE
CHUNK_STREAM_IDENTIFIER = 0xFF
MAX_BLOCK_SIZE = 65536
MAX_ENCODED_LEN_OF_MAX_BLOCK = 76490
CHECKSUM_SIZE = 4
MAX_CHUNK_LEN = MAX_ENCODED_LEN_OF_MAX_BLOCK + CHECKSUM_SIZE  # golang/snappy's reader limit
CHUNK_HEADER_SIZE = 4


class SnappyError(MalformedPacket):
    """The peer's snappy stream is corrupt; the smux session on it cannot continue."""


class SnappyWriter:
    """Compresses one direction: each ``compress`` call yields whole chunks at once."""

    def __init__(self) -> None:
        self._c: cramjam.snappy.Compressor | None = None  # ~80 KB: made on the first write

    def compress(self, data: bytes) -> bytes:
        c = self._c
        if c is None:
            c = self._c = cramjam.snappy.Compressor()
        if len(data) <= MAX_BLOCK_SIZE:
            c.compress(data)
            return bytes(c.flush())
        out = bytearray()
        for off in range(0, len(data), MAX_BLOCK_SIZE):
            c.compress(data[off : off + MAX_BLOCK_SIZE])
            out += c.flush()
        return bytes(out)


class SnappyReader:
    """Decodes one direction incrementally; raises ``SnappyError`` on a corrupt stream.

    The first chunk must be the stream identifier (golang/snappy requires it); reserved
    unskippable types 0x02-0x7F and chunks longer than the Go reader allows are errors;
    skippable types 0x80-0xFE are dropped, as the Go reader does.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._seen_identifier = False
        self.failed = False

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of a chunk."""
        return len(self._buf)

    def feed(self, data: bytes) -> bytes:
        if self.failed:
            raise SnappyError("snappy: stream already failed")
        buf = self._buf
        buf += data
        chunks: list[bytes] = []
        off, end = 0, len(buf)
        try:
            while end - off >= CHUNK_HEADER_SIZE:
                ctype = buf[off]
                length = buf[off + 1] | buf[off + 2] << 8 | buf[off + 3] << 16
                if not self._seen_identifier and ctype != CHUNK_STREAM_IDENTIFIER:
                    raise SnappyError(
                        f"snappy: stream starts with chunk type {ctype:#04x}, "
                        "not the stream identifier"
                    )
                if length > MAX_CHUNK_LEN:  # golang/snappy: any type, skippable ones too
                    raise SnappyError(f"snappy: chunk length {length} out of range")
                if ctype == CHUNK_STREAM_IDENTIFIER:
                    if length != len(STREAM_IDENTIFIER) - CHUNK_HEADER_SIZE:
                        raise SnappyError(f"snappy: stream identifier of length {length}")
                elif ctype in (CHUNK_COMPRESSED, CHUNK_UNCOMPRESSED):
                    if length < CHECKSUM_SIZE:
                        raise SnappyError(f"snappy: chunk length {length} out of range")
                elif ctype < 0x80:
                    raise SnappyError(f"snappy: reserved unskippable chunk type {ctype:#04x}")
                nxt = off + CHUNK_HEADER_SIZE + length
                if nxt > end:
                    break
                if ctype == CHUNK_STREAM_IDENTIFIER:
                    if buf[off:nxt] != STREAM_IDENTIFIER:
                        raise SnappyError("snappy: bad stream identifier")
                    self._seen_identifier = True
                elif ctype <= CHUNK_UNCOMPRESSED:
                    chunks.append(bytes(buf[off:nxt]))
                off = nxt
        except SnappyError:
            self.failed = True
            buf.clear()
            raise
        del buf[:off]
        if not chunks:
            return b""
        try:
            return bytes(cramjam.snappy.decompress(STREAM_IDENTIFIER + b"".join(chunks)))
        except cramjam.DecompressionError as exc:
            self.failed = True
            buf.clear()
            raise SnappyError(f"snappy: {exc}") from None
