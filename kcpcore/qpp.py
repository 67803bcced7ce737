"""Quantum Permutation Pad (``--QPP``, ``--QPPCount``) as kcptun 2024-2026 applies it, sans-I/O.

kcptun wraps each smux stream in a QPP port: what the application writes is permuted byte by
byte before smux frames it, and the peer undoes it after smux. KCP, FEC and crypt headers are
untouched (``--crypt`` still protects them). Both directions of every stream start a fresh PRNG
from the same seed, so a stream's bytes at position ``p`` always see the same permutation.

The algorithm is qpp 1.1.25's (the library kcptun 20260126 links), 8 qubits:

* seed: the raw ``--key`` bytes (not kcptun's PBKDF2 key);
* pads: ``count`` permutations of 0..255. The seed is cut into 7 chunks (``seed_chunks``),
  each turns into an AES-256 key; pad ``i`` is a Fisher-Yates shuffle driven by
  HMAC-SHA256(chunk[i % 7], "QPP_" + binary(i)), re-encrypted under all 7 keys before each
  draw and read as a big-endian integer;
* PRNG: xoshiro256** seeded from PBKDF2-SHA1(HMAC-SHA256(seed, "PERMUTATION_MATRIX_SELECTOR"),
  PRNG salt, 128, 32); one 64-bit output ``r`` per 8 stream bytes (the first right away);
* byte ``p`` of a stream: ``c = pad[(r & 0xFFFF) % count][b ^ byte(r >> 8 * (p % 8))]``.

Interoperability: checked byte for byte against kcptun 20260126 (qpp 1.1.25) and v20240701
(golden-2025 recordings); kcptun's 2024-2026 releases interoperate with each other with QPP
on. Releases before v20240701 have no QPP.

Cost: the 64-bit PRNG outputs are the same for every stream of a key, so they are computed once
per key and shared (``KEYSTREAM_CACHE_WORDS``, 8 bytes each, cover the first 4 MB of every
stream); past that a stream steps its own generator (``kcpcore.xoshiro``, numpy lanes). The
permutation itself is numpy gathers.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
from typing import Final

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes

from .errors import ConfigError
from .xoshiro import State, xoshiro_words

__all__ = [
    "DEFAULT_QPP_COUNT", "QPP_MIN_PADS", "QPP_MIN_SEED", "QppDecoder", "QppEncoder", "QppPads",
    "qpp_pads", "qpp_warnings", "validate_qpp_count",
]  # fmt: skip

QUBITS: Final = 8
PAD_SIZE: Final = 1 << QUBITS  # 256 bytes per permutation
PAD_SWITCH: Final = 8  # stream bytes per PRNG output (and per pad choice)
QPP_MIN_SEED: Final = 211  # bytes: ceil(bitlen(256!) / 8), qpp.QPPMinimumSeedLength(8)
QPP_MIN_PADS: Final = 7  # ceil(211 / 32), qpp.QPPMinimumPads(8)
DEFAULT_QPP_COUNT: Final = 61  # kcptun's --QPPCount default
MAX_QPP_COUNT: Final = 65535  # uint16 in qpp.NewQPP
PBKDF2_LOOPS: Final = 128
CHUNK_DERIVE_LOOPS: Final = 1024
PM_SELECTOR: Final = b"PERMUTATION_MATRIX_SELECTOR"
SHUFFLE_SALT: Final = b"___QUANTUM_PERMUTATION_PAD_SHUFFLE_SALT___"
PRNG_SALT: Final = b"___QUANTUM_PERMUTATION_PAD_PRNG_SALT___"
CHUNK_DERIVE_SALT: Final = b"___QUANTUM_PERMUTATION_PAD_SEED_DERIVE___"
KEYSTREAM_CACHE_WORDS: Final = 1 << 19  # shared PRNG outputs per key: 4 MB of stream, 4 MB RAM
KEYSTREAM_STEP_WORDS: Final = 16384  # words computed per cache extension


def qpp_warnings(count: int, key: str) -> list[str]:
    """kcptun's startup warnings for ``--QPP`` (it runs anyway), in its words.

    ``count`` must already be valid (``validate_qpp_count``).
    """
    out = []
    size = len(key.encode("utf-8"))
    if size < QPP_MIN_SEED:
        out.append(
            f"QPP Warning: 'key' has size of {size} bytes, required {QPP_MIN_SEED} bytes at least"
        )
    if count < QPP_MIN_PADS:
        out.append(f"QPP Warning: QPPCount {count}, required {QPP_MIN_PADS} at least")
    if math.gcd(count, PAD_SWITCH) != 1:
        out.append(f"QPP Warning: QPPCount {count}, choose a prime number for security")
    return out


def validate_qpp_count(count: int) -> None:
    """Raise ``ConfigError`` for a count kcptun refuses (<= 0) or cannot hold (> 65535)."""
    if not 1 <= count <= MAX_QPP_COUNT:
        raise ConfigError(
            f"QPPCount must be 1..{MAX_QPP_COUNT} when QPP is enabled, not {count}",
            field="qppcount",
        )


# --- pads -------------------------------------------------------------------------------------


def seed_chunks(seed: bytes) -> list[bytes]:
    """qpp's seedToChunks for 8 qubits: seven 32-byte chunks, each PBKDF2-expanded."""
    if len(seed) < 32:
        seed = hashlib.pbkdf2_hmac("sha1", seed, CHUNK_DERIVE_SALT, PBKDF2_LOOPS, 32)
    count = (QPP_MIN_SEED + 31) // 32
    chunks = []
    for i in range(count):
        raw = bytes(seed[(i * 32 + j) % len(seed)] for j in range(32))
        chunks.append(hashlib.pbkdf2_hmac("sha1", raw, CHUNK_DERIVE_SALT, CHUNK_DERIVE_LOOPS, 32))
    return chunks


def _shuffled_pad(chunk: bytes, pad_id: int, ecbs: list[CipherContext]) -> bytes:
    """One permutation: Fisher-Yates over 0..255 drawing from AES-re-encrypted HMAC state."""
    state = hmac.new(chunk, f"QPP_{pad_id:b}".encode(), hashlib.sha256).digest()
    pad = list(range(PAD_SIZE))
    for i in range(PAD_SIZE - 1, 0, -1):
        for ecb in ecbs:
            state = ecb.update(state)
        j = int.from_bytes(state, "big") % (i + 1)
        pad[i], pad[j] = pad[j], pad[i]
    return bytes(pad)


class QppPads:
    """The ``count`` pads of one seed and their inverses, as flat numpy lookup tables."""

    __slots__ = ("count", "pads", "rpads", "seed")

    def __init__(self, seed: bytes, count: int) -> None:
        validate_qpp_count(count)
        self.seed = bytes(seed)
        self.count = count
        chunks = seed_chunks(self.seed)
        ecbs = [
            Cipher(
                algorithms.AES(hashlib.pbkdf2_hmac("sha1", c, SHUFFLE_SALT, PBKDF2_LOOPS, 32)),
                modes.ECB(),
            ).encryptor()
            for c in chunks
        ]
        pads = np.frombuffer(
            b"".join(_shuffled_pad(chunks[i % len(chunks)], i, ecbs) for i in range(count)),
            np.uint8,
        ).reshape(count, PAD_SIZE)
        rpads = np.empty_like(pads)
        rows = np.arange(count)[:, None]
        rpads[rows, pads] = np.arange(PAD_SIZE, dtype=np.uint8)[None, :]
        self.pads = pads.reshape(-1)
        self.rpads = rpads.reshape(-1)


@functools.lru_cache(maxsize=4)
def qpp_pads(seed: bytes, count: int) -> QppPads:
    """``QppPads`` for ``seed`` and ``count``, cached: building 61 pads takes ~0.2 s."""
    return QppPads(seed, count)


# --- PRNG -------------------------------------------------------------------------------------


def prng_state(seed: bytes) -> State:
    """The xoshiro256** state qpp.CreatePRNG starts from (before its first output)."""
    selector = hmac.new(seed, PM_SELECTOR, hashlib.sha256).digest()
    raw = hashlib.pbkdf2_hmac("sha1", selector, PRNG_SALT, PBKDF2_LOOPS, 32)
    s = [int.from_bytes(raw[i : i + 8], "little") for i in range(0, 32, 8)]
    return s[0], s[1], s[2], s[3]


class _Keystream:
    """PRNG outputs of one seed by word index, shared by every stream of that seed."""

    __slots__ = ("_state", "words")

    def __init__(self, seed: bytes) -> None:
        self.words = np.zeros(0, np.uint64)
        self._state = prng_state(seed)

    def extend_to(self, n: int) -> None:
        """Compute words up to index ``n`` (at most ``KEYSTREAM_CACHE_WORDS``)."""
        have = len(self.words)
        n = min(n, KEYSTREAM_CACHE_WORDS)
        if n <= have:
            return
        # grow in steps of ~10 ms of Python work, so no single call stalls an event loop long
        n = min(max(n, have + KEYSTREAM_STEP_WORDS), KEYSTREAM_CACHE_WORDS)
        new, self._state = xoshiro_words(self._state, n - have)
        self.words = np.concatenate((self.words, new))

    def state_at_end(self) -> State:
        return self._state


@functools.lru_cache(maxsize=2)
def _keystream(seed: bytes) -> _Keystream:
    return _Keystream(seed)


class _QppStream:
    """Position and, past the shared cache, a private generator for one stream direction."""

    __slots__ = ("_keystream", "_own", "_own_base", "_own_state", "pads", "pos")

    def __init__(self, seed: bytes, count: int) -> None:
        self.pads = qpp_pads(bytes(seed), count)
        self._keystream = _keystream(bytes(seed))
        self.pos = 0  # stream bytes processed
        self._own: np.ndarray = np.zeros(0, np.uint64)  # private words from index _own_base
        self._own_base = 0
        self._own_state: State | None = None

    def _words(self, first: int, last: int) -> np.ndarray:
        """PRNG outputs with indices ``first..last`` inclusive."""
        ks = self._keystream
        ks.extend_to(last + 1)
        cached = len(ks.words)
        if last < cached:
            return ks.words[first : last + 1]
        head = ks.words[first:cached] if first < cached else np.zeros(0, np.uint64)
        start = max(first, cached)
        if self._own_state is None:
            self._own_state = ks.state_at_end()
            self._own_base = cached
        own_end = self._own_base + len(self._own)
        if last >= own_end:  # step the private generator on, keep only what is still needed
            # run ahead in bulk (KEYSTREAM_STEP_WORDS at least): small calls cost a loop each
            need = max(last + 1 - own_end, KEYSTREAM_STEP_WORDS)
            new, self._own_state = xoshiro_words(self._own_state, need)
            keep_from = max(start - self._own_base, 0)
            self._own = np.concatenate((self._own[keep_from:], new))
            self._own_base += keep_from
        tail = self._own[start - self._own_base : last + 1 - self._own_base]
        return np.concatenate((head, tail))

    def _masks(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(xor byte, pad row offset) for the next ``n`` stream bytes; advances ``pos``."""
        pos = self.pos
        first, last = pos // PAD_SWITCH, (pos + n - 1) // PAD_SWITCH
        words = self._words(first, last)
        off = pos % PAD_SWITCH
        xor = (
            words.view(np.uint8)[off : off + n]
            if np.little_endian
            else words.byteswap().view(np.uint8)[off : off + n]
        )
        rows = ((words & np.uint64(0xFFFF)) % np.uint64(self.pads.count)).astype(np.intp)
        rows = np.repeat(rows * PAD_SIZE, PAD_SWITCH)[off : off + n]
        self.pos = pos + n
        return xor, rows


class QppEncoder(_QppStream):
    """Permutes what one side writes into a stream (qpp EncryptWithPRNG)."""

    __slots__ = ()

    def encrypt(self, data: bytes | bytearray | memoryview) -> bytes:
        if not data:
            return b""
        plain = np.frombuffer(data, np.uint8)
        xor, rows = self._masks(len(plain))
        out: bytes = self.pads.pads[rows + (plain ^ xor)].tobytes()
        return out


class QppDecoder(_QppStream):
    """Undoes the peer's permutation on what a stream delivers (qpp DecryptWithPRNG).

    Any split of the stream into chunks gives the same bytes; there is nothing to reject (every
    byte string is a valid ciphertext), so garbage in is garbage out, never an exception.
    """

    __slots__ = ()

    def decrypt(self, data: bytes | bytearray | memoryview) -> bytes:
        if not data:
            return b""
        cipher = np.frombuffer(data, np.uint8)
        xor, rows = self._masks(len(cipher))
        out: bytes = (self.pads.rpads[rows + cipher] ^ xor).tobytes()
        return out
