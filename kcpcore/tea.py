"""TEA and XTEA block encryption (Wheeler and Needham): scalar and numpy-vectorised.

Why it is written here: kcptun's ``tea`` and ``xtea`` methods use golang.org/x/crypto/tea and
/xtea, and neither cipher is in ``cryptography`` or any maintained C-backed Python library.
Only the encryption direction exists: kcp-go runs both ciphers in CFB mode, which never calls
the block decryption.

Both ciphers work on one 8-byte block as two **big-endian** u32 words ``(v0, v1)`` and read the
16-byte key as four big-endian u32 words (x/crypto's byte order; the papers leave it open).

* TEA counts Feistel *rounds* the way x/crypto does: one loop iteration ("cycle") is two rounds.
  The standard cipher has 64 rounds (32 cycles). **kcp-go calls ``NewCipherWithRounds(key, 16)``,
  so kcptun's ``tea`` is 16 rounds = 8 cycles** (``KCP_TEA_ROUNDS``).
* XTEA always has 64 rounds; its per-round key words are precomputed once per key.

Each cipher has two entry points with the same result:

* ``encrypt_u64(x)``: one block as a 64-bit int (v0 in the high half). CFB *encryption* is
  inherently serial, so it calls this once per block with plain Python ints.
* ``encrypt_blocks(data)``: ECB over many blocks at once with numpy u32 arrays. CFB *decryption*
  knows every keystream input in advance, so it encrypts them all in one vectorised pass.

Checked against (tests/core/test_crypt.py): TEA 64-round vectors from ironclad's tea.testvec and
the 16-round vector, as quoted in x/crypto's tea_test.go; XTEA vectors from freemedialibrary.com
and the Second Life/Bouncy Castle page, as quoted in x/crypto's xtea_test.go; and PROTOCOL.md
section 11's kcptun vectors for both methods.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

TEA_BLOCK_SIZE: Final = 8  # bytes
TEA_KEY_SIZE: Final = 16  # bytes
TEA_DELTA: Final = 0x9E3779B9  # the key schedule constant, (sqrt(5) - 1) * 2**31
TEA_STANDARD_ROUNDS: Final = 64  # x/crypto tea numRounds (32 cycles)
KCP_TEA_ROUNDS: Final = 16  # kcp-go NewTEABlockCrypt: tea.NewCipherWithRounds(key, 16)
XTEA_ROUNDS: Final = 64  # x/crypto xtea numRounds (32 cycles)

_M32: Final = 0xFFFFFFFF
_U32 = np.uint32
_SHL4: Final = np.array(4, _U32)  # 0-d arrays keep numpy on its fast same-dtype loops
_SHR5: Final = np.array(5, _U32)
U32Array = npt.NDArray[np.uint32]


def _key_words(key: bytes) -> tuple[int, int, int, int]:
    if len(key) != TEA_KEY_SIZE:
        raise ValueError(f"tea/xtea: key must be {TEA_KEY_SIZE} bytes, got {len(key)}")
    return (
        int.from_bytes(key[0:4], "big"),
        int.from_bytes(key[4:8], "big"),
        int.from_bytes(key[8:12], "big"),
        int.from_bytes(key[12:16], "big"),
    )


def _split_blocks(data: bytes) -> tuple[U32Array, U32Array]:
    """(v0, v1) arrays in native byte order from big-endian 8-byte blocks."""
    if len(data) % TEA_BLOCK_SIZE:
        raise ValueError("tea/xtea: data is not a whole number of 8-byte blocks")
    words = np.frombuffer(data, ">u4").astype(_U32).reshape(-1, 2)
    return words[:, 0].copy(), words[:, 1].copy()


def _join_blocks(v0: U32Array, v1: U32Array) -> bytes:
    out = np.empty((v0.shape[0], 2), ">u4")
    out[:, 0] = v0
    out[:, 1] = v1
    return out.tobytes()


class Tea:
    """TEA with a fixed key and round count (even, as x/crypto requires)."""

    block_size: Final = TEA_BLOCK_SIZE
    __slots__ = ("_key", "_key_arrays", "_sum_arrays", "_sums")

    def __init__(self, key: bytes, rounds: int = TEA_STANDARD_ROUNDS) -> None:
        if rounds <= 0 or rounds % 2:
            raise ValueError(f"tea: rounds must be even and positive, got {rounds}")
        self._key = _key_words(key)
        self._key_arrays = tuple(np.array(k, _U32) for k in self._key)
        # one running sum per cycle: delta, 2*delta, ...
        self._sums = tuple((TEA_DELTA * (i + 1)) & _M32 for i in range(rounds // 2))
        self._sum_arrays = tuple(np.array(s, _U32) for s in self._sums)

    def encrypt_u64(self, block: int) -> int:
        """Encrypt one block given as a 64-bit int (big-endian v0 || v1)."""
        k0, k1, k2, k3 = self._key
        v0, v1 = block >> 32, block & _M32
        for s in self._sums:
            v0 = (v0 + (((v1 << 4) + k0) ^ (v1 + s) ^ ((v1 >> 5) + k1))) & _M32
            v1 = (v1 + (((v0 << 4) + k2) ^ (v0 + s) ^ ((v0 >> 5) + k3))) & _M32
        return (v0 << 32) | v1

    def encrypt_blocks(self, data: bytes) -> bytes:
        """ECB-encrypt whole 8-byte blocks, all blocks per numpy op (the uint32 ops wrap)."""
        v0, v1 = _split_blocks(data)
        k0, k1, k2, k3 = self._key_arrays
        t, u = np.empty_like(v0), np.empty_like(v0)
        for s in self._sum_arrays:
            for x, y, ka, kb in ((v0, v1, k0, k1), (v1, v0, k2, k3)):
                np.left_shift(y, _SHL4, out=t)  # x += ((y<<4)+ka) ^ (y+s) ^ ((y>>5)+kb)
                t += ka
                np.add(y, s, out=u)
                t ^= u
                np.right_shift(y, _SHR5, out=u)
                u += kb
                t ^= u
                x += t
        return _join_blocks(v0, v1)


class Xtea:
    """XTEA (64 rounds) with a fixed key; the per-round ``sum + key word`` table is built once."""

    block_size: Final = TEA_BLOCK_SIZE
    __slots__ = ("_pairs", "_table_arrays")

    def __init__(self, key: bytes) -> None:
        k = _key_words(key)
        table = []
        total = 0
        for _ in range(XTEA_ROUNDS // 2):
            table.append((total + k[total & 3]) & _M32)
            total = (total + TEA_DELTA) & _M32
            table.append((total + k[(total >> 11) & 3]) & _M32)
        self._pairs = tuple(zip(table[0::2], table[1::2], strict=True))
        self._table_arrays = tuple(np.array(w, _U32) for w in table)

    def encrypt_u64(self, block: int) -> int:
        """Encrypt one block given as a 64-bit int (big-endian v0 || v1)."""
        v0, v1 = block >> 32, block & _M32
        for a, b in self._pairs:
            v0 = (v0 + ((((v1 << 4) ^ (v1 >> 5)) + v1) ^ a)) & _M32
            v1 = (v1 + ((((v0 << 4) ^ (v0 >> 5)) + v0) ^ b)) & _M32
        return (v0 << 32) | v1

    def encrypt_blocks(self, data: bytes) -> bytes:
        """ECB-encrypt whole 8-byte blocks, all blocks per numpy op (the uint32 ops wrap)."""
        v0, v1 = _split_blocks(data)
        t, u = np.empty_like(v0), np.empty_like(v0)
        words = iter(self._table_arrays)
        for w in words:
            for x, y, tw in ((v0, v1, w), (v1, v0, next(words))):
                np.left_shift(y, _SHL4, out=t)  # x += (((y<<4) ^ (y>>5)) + y) ^ tw
                np.right_shift(y, _SHR5, out=u)
                t ^= u
                t += y
                t ^= tw
                x += t
        return _join_blocks(v0, v1)
