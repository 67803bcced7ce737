"""xoshiro256** outputs in bulk: QPP needs one 64-bit output per 8 stream bytes.

A Python loop makes about a million outputs a second, which would cap QPP near 8 MB/s. The
state update of xoshiro256 is linear over GF(2) (xors, shifts, a rotation), so jumping ``2**e``
steps ahead is a 256 x 256 bit matrix (kept as the images of the 256 unit states, computed once
per ``e`` by squaring) applied with XORs.
``xoshiro_words`` starts 64-127 lanes ``2**e`` outputs apart and steps them all at once with
numpy: the same sequence, in order, several times faster. Short runs use the plain loop.
"""

from __future__ import annotations

import functools
from typing import Final

import numpy as np

__all__ = ["State", "xoshiro_words"]

State = tuple[int, int, int, int]
LANES: Final = 64  # generators stepped together (numpy's per-call cost is spread over them)
BULK_MIN: Final = 4 * LANES  # below this many outputs the plain loop is faster
_M64: Final = (1 << 64) - 1
_U = np.uint64


def _run(state: State, n: int) -> tuple[list[int], State]:
    """``n`` outputs and the state after them, one step at a time."""
    s0, s1, s2, s3 = state
    out: list[int] = []
    append = out.append
    for _ in range(n):
        x = (s1 * 5) & _M64
        append((((x << 7) | (x >> 57)) * 9) & _M64)
        t = (s1 << 17) & _M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & _M64
    return out, (s0, s1, s2, s3)


_BIT = np.arange(64, dtype=np.uint64)


def _apply(matrix: np.ndarray, states: np.ndarray) -> np.ndarray:
    """``matrix`` (256 images of the unit states, (256, 4) uint64) applied to (K, 4) states:
    the XOR of the images of every set bit (bit ``64 w + b`` is bit b of word w)."""
    bits = ((states[:, :, None] >> _BIT) & np.uint64(1)).reshape(len(states), 256)
    chosen = np.where(bits[:, :, None].astype(bool), matrix[None, :, :], np.uint64(0))
    reduced: np.ndarray = np.bitwise_xor.reduce(chosen, axis=1)
    return reduced


@functools.cache
def _power(e: int) -> np.ndarray:
    """The linear map that moves a state ``2**e`` steps ahead, as images of unit states."""
    if e > 0:
        half = _power(e - 1)
        return _apply(half, half)
    images = np.zeros((256, 4), _U)
    for j in range(256):
        unit = [0, 0, 0, 0]
        unit[j // 64] = 1 << (j % 64)
        _, after = _run((unit[0], unit[1], unit[2], unit[3]), 1)
        images[j] = after
    return images


def _lane_states(state: State, lanes: int, e: int) -> np.ndarray:
    """(lanes, 4) states, lane i starting ``i * 2**e`` steps after ``state``."""
    states = np.array([state], _U)
    k = e
    while len(states) < lanes:
        states = np.concatenate((states, _apply(_power(k), states)))
        k += 1
    return states[:lanes]


def _bulk(state: State, lanes: int, e: int) -> tuple[np.ndarray, State]:
    """``lanes * 2**e`` outputs in order: lanes ``2**e`` apart, stepped together."""
    st = _lane_states(state, lanes, e)
    s0, s1, s2, s3 = (st[:, i].copy() for i in range(4))
    steps = 1 << e
    out = np.empty((steps, lanes), _U)
    five, nine, c7, c57, c17, c45, c19 = (_U(v) for v in (5, 9, 7, 57, 17, 45, 19))
    for step in range(steps):
        x = s1 * five
        out[step] = ((x << c7) | (x >> c57)) * nine
        t = s1 << c17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << c45) | (s3 >> c19)
    last = (int(s0[-1]), int(s1[-1]), int(s2[-1]), int(s3[-1]))
    return out.T.reshape(-1), last


def xoshiro_words(state: State, n: int) -> tuple[np.ndarray, State]:
    """``n`` xoshiro256** outputs from ``state`` (uint64 array) and the state after them."""
    parts = []
    while n >= BULK_MIN:
        e = (n // LANES).bit_length() - 1  # lanes 2**e apart: LANES..2*LANES-1 of them
        lanes = n >> e
        with np.errstate(over="ignore"):
            words, state = _bulk(state, lanes, e)
        parts.append(words)
        n -= lanes << e
    tail, state = _run(state, n)
    parts.append(np.array(tail, _U))
    return (np.concatenate(parts) if len(parts) > 1 else parts[0]), state
