"""Shared hypothesis machinery for the decoder fuzz tests.

``mutations`` edits a *valid* encoding (built with our own encoders) the way a hostile or
broken peer would: bit flips, byte overwrites, truncation, extension, splices and, most
usefully, extreme values written over the header fields that decoders trust (lengths, conv,
sn/una/wnd/frg, seqids, stream ids). Random bytes alone rarely get past the first check.

``fast_and_long`` turns one test body into a quick variant for the default run and a
``slow``-marked variant with many more examples, so both always test the same property.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXTREME_VALUES = (
    0,
    1,
    2,
    0x7F,
    0x80,
    0xFF,
    0x100,
    0x7FFF,
    0x8000,
    0xFFFF,
    0x10000,
    0x7FFF_FFFF,
    0x8000_0000,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
)
_WIDTH = {1: "<B", 2: "<H", 3: "<I", 4: "<I"}

Field = tuple[int, int]
"""(offset, width in bytes) of a header field inside the valid encoding"""


@st.composite
def mutations(
    draw: st.DrawFn, valid: bytes, fields: Sequence[Field] = (), max_ops: int = 4
) -> bytes:
    """``valid`` after 1..max_ops hostile edits (may come back unchanged only by chance)."""
    buf = bytearray(valid)
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(
            st.sampled_from(
                ("flip", "byte", "truncate", "extend", "field", "field", "splice", "repeat")
            )
        )
        n = len(buf)
        if op == "flip" and n:
            bit = draw(st.integers(0, n * 8 - 1))
            buf[bit // 8] ^= 1 << (bit % 8)
        elif op == "byte" and n:
            buf[draw(st.integers(0, n - 1))] = draw(st.integers(0, 255))
        elif op == "truncate":
            del buf[draw(st.integers(0, n)) :]
        elif op == "extend":
            buf += draw(
                st.binary(min_size=1, max_size=64) | st.sampled_from([bytes(1000), b"\xff" * 300])
            )
        elif op == "field" and fields:
            off, width = draw(st.sampled_from(list(fields)))
            if off + width <= n:
                value = draw(
                    st.sampled_from(EXTREME_VALUES)
                    | st.integers(0, 0xFFFF_FFFF)
                    | st.integers(max(0, n - 8), n + 8)
                )
                value &= (1 << (8 * width)) - 1
                buf[off : off + width] = struct.pack(_WIDTH[width], value)[:width]
        elif op == "splice":
            at = draw(st.integers(0, n))
            buf[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif op == "repeat" and n:
            start = draw(st.integers(0, n - 1))
            buf += buf[start:]
    return bytes(buf)


def fast_and_long(
    fast: int, long: int, **strategies: st.SearchStrategy[Any]
) -> Callable[[Callable[..., None]], tuple[Callable[..., None], Callable[..., None]]]:
    """``(quick_test, slow_test)`` running ``body`` under ``@given(**strategies)``.

    Usage: ``test_x, test_x_long = fast_and_long(50, 5000, a=st...)(_x)``; pytest collects
    them under the assigned names.
    """

    def build(body: Callable[..., None]) -> tuple[Callable[..., None], Callable[..., None]]:
        common: dict[str, Any] = dict(deadline=None, suppress_health_check=list(HealthCheck))
        quick = settings(max_examples=fast, **common)(given(**strategies)(body))
        slow = settings(max_examples=long, **common)(given(**strategies)(body))
        return quick, pytest.mark.slow(slow)

    return build


def segment_fields(packet: bytes, first: int = 0) -> list[Field]:
    """Header fields of every KCP segment in ``packet`` (segments start at ``first``)."""
    out: list[Field] = []
    off = first
    while off + 24 <= len(packet):
        out += [
            (off, 4),
            (off + 4, 1),
            (off + 5, 1),
            (off + 6, 2),
            (off + 8, 4),
            (off + 12, 4),
            (off + 16, 4),
            (off + 20, 4),
        ]
        off += 24 + int.from_bytes(packet[off + 20 : off + 24], "little")
    return out
