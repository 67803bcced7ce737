"""QPP around one forwarded connection: where kcptun applies ``--QPP`` (its ``QPPPort``).

Bytes read from the TCP side are permuted before they enter the smux stream, and bytes the
stream delivers are restored before they reach the TCP side. Each connection gets its own
encoder and decoder (fresh PRNGs, as kcptun makes per stream and direction); the pads are
shared per key and count (``kcpcore.qpp.qpp_pads``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..qpp import QppDecoder, QppEncoder, qpp_pads, qpp_warnings, validate_qpp_count

log = logging.getLogger(__name__)


class QppReader:
    """A StreamReader whose ``read`` returns the permuted bytes (all ``pipe`` calls)."""

    __slots__ = ("_encoder", "_reader")

    def __init__(self, reader: asyncio.StreamReader, encoder: QppEncoder) -> None:
        self._reader = reader
        self._encoder = encoder

    async def read(self, n: int = -1) -> bytes:
        return self._encoder.encrypt(await self._reader.read(n))


class QppWriter:
    """A StreamWriter proxy that restores what it is given before writing it."""

    __slots__ = ("_decoder", "_writer")

    def __init__(self, writer: asyncio.StreamWriter, decoder: QppDecoder) -> None:
        self._writer = writer
        self._decoder = decoder

    def write(self, data: bytes) -> None:
        self._writer.write(self._decoder.decrypt(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)


def prepare_qpp(key: str, count: int) -> bytes:
    """Check ``count``, log kcptun's warnings and build the pads once, before any stream.

    Returns the seed (the raw key bytes). Raises ``ConfigError`` for a count kcptun refuses.
    """
    validate_qpp_count(count)
    for warning in qpp_warnings(count, key):
        log.warning("%s", warning)
    seed = key.encode("utf-8")
    qpp_pads(seed, count)  # ~0.1 s for 61 pads: now, not inside the first connection
    return seed


def wrap(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seed: bytes, count: int
) -> tuple[Any, Any]:
    """(reader, writer) for ``pipe`` with QPP on the stream side of both directions."""
    return (QppReader(reader, QppEncoder(seed, count)), QppWriter(writer, QppDecoder(seed, count)))
