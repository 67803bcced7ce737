"""Salsa20/20 keystream (Bernstein), vectorised over 64-byte blocks with numpy.

Why it is written here: kcptun's ``salsa20`` method uses golang.org/x/crypto/salsa20, and no
maintained Python library with a C core ships Salsa20 (``cryptography`` has ChaCha20 only).

Checked against (tests/core/test_crypt.py): the eSTREAM/ECRYPT verified test vectors for
256-bit keys, set 6 vector 0 (stream[0..63] and stream[65536..65599], which crosses 1024 blocks
of counter), and the ECRYPT 131072-byte XOR digests of set 6 vectors 0..3 (as quoted in
x/crypto's salsa20_test.go), plus PROTOCOL.md section 11's kcptun vector.

State layout (the 4x4 matrix of little-endian u32 words, Bernstein's numbering)::

     x0 = "expa"   x1 = k0      x2 = k1      x3 = k2
     x4 = k3       x5 = "nd 3"  x6 = n0      x7 = n1
     x8 = ctr lo   x9 = ctr hi  x10 = "2-by" x11 = k4
    x12 = k5      x13 = k6     x14 = k7     x15 = "te k"

Vectorisation: the four column quarter-rounds run as one set of numpy ops on four "lanes"
(the SIMD diagonal trick). Lane array ``y[r]`` holds row r of::

    y0 = [x0,  x5,  x10, x15]    the diagonal (the first word of every quarter-round)
    y1 = [x4,  x9,  x14, x3 ]
    y2 = [x8,  x13, x2,  x7 ]
    y3 = [x12, x1,  x6,  x11]

so the column round is ``qr(y0, y1, y2, y3)`` lane-wise, and the row round is
``qr(y0, roll(y3, -1), roll(y2, 2), roll(y1, 1))``. Every lane also spans all the blocks of
the request (the last axis), so one packet's whole keystream costs about 500 numpy calls.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

SALSA20_KEY_SIZE: Final = 32  # bytes; kcptun always uses the 32-byte (256-bit) variant
SALSA20_NONCE_SIZE: Final = 8  # bytes; the 64-bit IV
SALSA20_BLOCK_SIZE: Final = 64  # bytes of keystream per counter value
SALSA20_DOUBLE_ROUNDS: Final = 10  # Salsa20/20
SIGMA: Final = b"expand 32-byte k"

_U32 = np.uint32
_ROTATIONS: Final = (7, 9, 13, 18)  # quarter-round left-rotation amounts, in step order
# 0-d arrays: as fast as same-shape arrays in ufuncs, much faster than Python ints or scalars
_SHIFTS: Final = tuple((np.array(r, _U32), np.array(32 - r, _U32)) for r in _ROTATIONS)
# lane order of the flattened (4, 4) y layout -> Bernstein word index x0..x15
_WORD_ORDER: Final = np.array([0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3])
U32Array = npt.NDArray[np.uint32]


def _quarter_round(
    a: U32Array, b: U32Array, c: U32Array, d: U32Array, t: U32Array, u: U32Array
) -> None:
    """b ^= (a+d) <<< 7; c ^= (b+a) <<< 9; d ^= (c+b) <<< 13; a ^= (d+c) <<< 18, in place."""
    add, shl, shr, xor = np.add, np.left_shift, np.right_shift, np.bitwise_xor
    for dst, x, y, (left, right) in (
        (b, a, d, _SHIFTS[0]),
        (c, b, a, _SHIFTS[1]),
        (d, c, b, _SHIFTS[2]),
        (a, d, c, _SHIFTS[3]),
    ):
        add(x, y, out=t)
        shl(t, left, out=u)
        shr(t, right, out=t)
        xor(dst, u, out=dst)
        xor(dst, t, out=dst)


def _roll(src: U32Array, by: int, dst: U32Array) -> None:
    """dst = numpy.roll(src, by, axis=0) for a 4-lane array, without allocating."""
    k = by % 4
    dst[k:] = src[: 4 - k]
    dst[:k] = src[4 - k :]


class Salsa20:
    """Salsa20/20 with one fixed 256-bit key; the per-key work is done once, here."""

    __slots__ = ("_template",)

    def __init__(self, key: bytes) -> None:
        if len(key) != SALSA20_KEY_SIZE:
            raise ValueError(f"salsa20: key must be {SALSA20_KEY_SIZE} bytes, got {len(key)}")
        k = np.frombuffer(key, "<u4").astype(_U32)
        s = np.frombuffer(SIGMA, "<u4").astype(_U32)
        # y layout with the nonce and counter words left at zero; see the module docstring
        self._template = np.array(
            [
                [s[0], s[1], s[2], s[3]],
                [k[3], 0, k[7], k[2]],
                [0, k[6], k[1], 0],
                [k[5], k[0], 0, k[4]],
            ],
            _U32,
        )

    def keystream(self, nonce: bytes, length: int, counter: int = 0) -> npt.NDArray[np.uint8]:
        """``length`` keystream bytes for ``nonce``, starting at 64-byte block ``counter``."""
        if len(nonce) != SALSA20_NONCE_SIZE:
            raise ValueError(f"salsa20: nonce must be {SALSA20_NONCE_SIZE} bytes")
        nblocks = -(-length // SALSA20_BLOCK_SIZE)
        n0, n1 = np.frombuffer(nonce, "<u4")
        init = np.empty((4, 4, nblocks), _U32)
        init[:] = self._template[:, :, None]
        init[3, 2] = n0  # x6
        init[2, 3] = n1  # x7
        ctr = np.arange(counter, counter + nblocks, dtype=np.uint64)
        init[2, 0] = ctr & np.uint64(0xFFFFFFFF)  # x8
        init[1, 1] = ctr >> np.uint64(32)  # x9
        work = init.copy()
        y0, y1, y2, y3 = work
        z1, z2, z3, t, u = np.empty((5, 4, nblocks), _U32)
        for _ in range(SALSA20_DOUBLE_ROUNDS):
            _quarter_round(y0, y1, y2, y3, t, u)  # column round
            _roll(y3, -1, z1)
            _roll(y2, 2, z2)
            _roll(y1, 1, z3)
            _quarter_round(y0, z1, z2, z3, t, u)  # row round
            _roll(z1, 1, y3)
            _roll(z2, 2, y2)
            _roll(z3, -1, y1)
        work += init
        words = np.ascontiguousarray(work.reshape(16, nblocks)[_WORD_ORDER].T, "<u4")
        return words.view(np.uint8).reshape(-1)[:length]

    def xor(self, nonce: bytes, data: bytes, counter: int = 0) -> bytes:
        """``data`` XOR the keystream: Salsa20 encryption and decryption are the same."""
        if not data:
            return b""
        stream = self.keystream(nonce, len(data), counter)
        return np.bitwise_xor(np.frombuffer(data, np.uint8), stream).tobytes()
