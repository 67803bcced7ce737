"""kcptun's packet crypt: key derivation, the 13 ``--crypt`` methods, and the nonce/CRC header.

One datagram, as kcp-go v5.6.1 builds it (all integers little-endian)::

    offset  0                16         20
            +----------------+----------+---------------------------+
            | nonce (16)     | crc32 (4)| body: FEC header + KCP ...|
            +----------------+----------+---------------------------+
            <------------------- cipher: the whole datagram -------------------->
            (salsa20 leaves bytes 0..7 in clear and uses them as its nonce)

``crc32`` is CRC32-IEEE (zlib) of the body. The header is always there, even with ``none``.
There is no handshake: both peers derive the same key from the shared ``--key`` string, so a
wrong key or method shows up only as CRC failures (``AuthFailed``).

Modes (PROTOCOL.md 3.3): the block ciphers run full-block CFB with kcp-go's **fixed IV**, restarted
for every datagram; the random nonce is plaintext block 0 and so randomises the chain. CFB
decryption needs ``E(IV), E(C0), E(C1), ...``, all known up front, so it is one ECB call over
``IV || ciphertext`` plus one XOR; CFB encryption is serial by nature.

Where each cipher comes from:

* ``cryptography`` (OpenSSL): AES-128/192/256 and SM4 (primitives), Blowfish, CAST5 and 3DES
  (``hazmat.decrepit``). Encryption uses a ``CFB`` context per datagram; decryption uses one ECB
  context per key, kept for the key's lifetime, so it never reruns a key schedule.
* PyPI ``twofish`` (Niels Ferguson's C code): the ECB block function only, called through ctypes
  by address; CFB is built here.
* Written here, because no maintained C-backed Python library has them: **Salsa20/20**
  (``kcpcore.salsa20``, numpy), **TEA** (16 rounds as kcp-go uses it) and **XTEA**
  (``kcpcore.tea``, numpy for decryption, Python ints for the serial encryption), and the
  **xor** pad. They are checked against the eSTREAM/ECRYPT Salsa20 vectors (set 6), the TEA
  (ironclad) and XTEA (freemedialibrary, Bouncy Castle) vectors quoted by golang.org/x/crypto,
  and PROTOCOL.md section 11's vectors, which the real kcptun produced, for every method.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import importlib.util
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.ciphers import BlockCipherAlgorithm, Cipher, algorithms, modes

from .errors import AuthFailed, ConfigError, LocalProtocolError, MalformedPacket
from .salsa20 import SALSA20_NONCE_SIZE, Salsa20
from .tea import KCP_TEA_ROUNDS, Tea, Xtea

try:  # cryptography >= 47; CFB leaves primitives.ciphers.modes in 49
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.modes import (  # type: ignore[attr-defined,no-redef,unused-ignore]
        CFB,
    )
try:  # cryptography >= 43
    from cryptography.hazmat.decrepit.ciphers.algorithms import CAST5, Blowfish, TripleDES
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.algorithms import (  # type: ignore[no-redef,unused-ignore]
        CAST5,
        Blowfish,
        TripleDES,
    )

__all__ = [
    "AEAD_METHODS", "CIPHERS", "CRC_SIZE", "CRYPT_HEADER_SIZE", "CRYPT_METHODS", "DEFAULT_METHOD",
    "INITIAL_VECTOR", "KEY_SIZE", "NONCE_SIZE", "NULL_METHOD", "BlockCrypt", "CipherSpec",
    "derive_key", "new_block_crypt", "open_packet", "resolve_method", "seal", "xor_table",
]  # fmt: skip

NONCE_SIZE: Final = 16  # bytes; kcp-go nonceSize
CRC_SIZE: Final = 4  # bytes; kcp-go crcSize
CRYPT_HEADER_SIZE: Final = NONCE_SIZE + CRC_SIZE  # 20; kcp-go cryptHeaderSize
KEY_SIZE: Final = 32  # bytes of PBKDF2 output; kcptun pbkdf2.Key(..., 4096, 32, sha1.New)
PBKDF2_SALT: Final = b"kcp-go"  # kcptun SALT
PBKDF2_ITERATIONS: Final = 4096
XOR_SALT: Final = b"sH3CIVoF#rWLtJo6"  # kcp-go saltxor
XOR_ITERATIONS: Final = 32  # kcp-go NewSimpleXORBlockCrypt
MTU_LIMIT: Final = 1500  # bytes; kcp-go mtuLimit: the receive buffer and the xor pad length
# kcp-go initialVector; 8-byte-block ciphers use the first 8 bytes
INITIAL_VECTOR: Final = bytes(
    (167, 115, 79, 156, 18, 172, 27, 1, 164, 21, 242, 193, 252, 120, 230, 107)
)
DEFAULT_METHOD: Final = "aes"  # kcptun's default, and what it silently uses for unknown names

_CRC = struct.Struct("<I")
_U8 = np.uint8


class BlockCrypt(Protocol):
    """A ``--crypt`` method over one whole datagram.

    Output has the input's length. Every call is independent (the CFB chain restarts from the
    fixed IV for each datagram), so the same object serves every packet of every session. An
    object may cache per-key contexts and is not meant to be shared between threads.
    """

    def encrypt(self, data: bytes) -> bytes: ...

    def decrypt(self, data: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class CipherSpec:
    """One ``--crypt`` method in the registry."""

    name: str
    """kcptun's ``--crypt`` value (case-sensitive)"""
    key_len: int
    """bytes of the 32-byte derived key that the method uses (its prefix)"""
    factory: Callable[[bytes], BlockCrypt]
    """builds the method from those ``key_len`` bytes"""
    description: str
    """one line for GUI tooltips"""


def derive_key(key: str) -> bytes:
    """kcptun's shared secret: PBKDF2-HMAC-SHA1(key as UTF-8, b"kcp-go", 4096, 32).

    Both peers run this on ``--key``; it is the only key material there is.
    """
    return hashlib.pbkdf2_hmac(
        "sha1", key.encode("utf-8"), PBKDF2_SALT, PBKDF2_ITERATIONS, KEY_SIZE
    )


def xor_table(password: bytes) -> bytes:
    """The 1500-byte ``xor`` pad: PBKDF2-HMAC-SHA1(derived key, XOR_SALT, 32, 1500)."""
    return hashlib.pbkdf2_hmac("sha1", password, XOR_SALT, XOR_ITERATIONS, MTU_LIMIT)


def _xor(a: bytes, b: bytes, n: int) -> bytes:
    """The first ``n`` bytes of ``a`` XOR ``b`` (both at least ``n`` long)."""
    return np.bitwise_xor(np.frombuffer(a, _U8, n), np.frombuffer(b, _U8, n)).tobytes()


# --- the methods ------------------------------------------------------------------------------


class _NoneCrypt:
    """``none``: a plain copy; kcptun still sends the nonce and CRC in clear."""

    __slots__ = ()
    method = "none"

    def encrypt(self, data: bytes) -> bytes:
        return bytes(data)

    decrypt = encrypt


class _XorCrypt:
    """``xor``: datagram byte i XOR pad[i]; the same pad for every datagram, nonce included.

    Like kcp-go's ``xorsimd.Bytes`` it stops at the pad's end: bytes past 1500 pass through
    unchanged (kcp-go never sees longer datagrams; its receive buffer is 1500 bytes).
    """

    __slots__ = ("_pad",)
    method = "xor"

    def __init__(self, password: bytes) -> None:
        self._pad = xor_table(password)

    def encrypt(self, data: bytes) -> bytes:
        n = min(len(data), MTU_LIMIT)
        if n == 0:
            return bytes(data)
        head = _xor(data, self._pad, n)
        return head if n == len(data) else head + bytes(data[n:])

    decrypt = encrypt


class _Salsa20Crypt:
    """``salsa20``: bytes [8, end) XOR Salsa20/20(key, nonce = bytes [0, 8), counter 0)."""

    __slots__ = ("_cipher",)
    method = "salsa20"

    def __init__(self, password: bytes) -> None:
        self._cipher = Salsa20(password)

    def encrypt(self, data: bytes) -> bytes:
        data = bytes(data)
        if len(data) <= SALSA20_NONCE_SIZE:
            return data  # kcp-go would panic; the 20-byte header check keeps it from ever here
        nonce = data[:SALSA20_NONCE_SIZE]
        return nonce + self._cipher.xor(nonce, data[SALSA20_NONCE_SIZE:])

    decrypt = encrypt


class _CfbCrypt:
    """Full-block CFB with the fixed IV over a whole datagram; a final short block is truncated.

    ``ecb`` encrypts a whole number of blocks at once (CFB decryption feeds it ``IV || C[:-1]``);
    ``encrypt_chain`` is the serial CFB encryption from the same IV.

    ``streams``, when given, is a long-lived CFB (encryptor, decryptor) pair that
    ``encrypt_datagram``/``decrypt_datagram`` keep running from datagram to datagram instead of
    restarting at the IV (a fresh OpenSSL context costs ~8 us, an update ~1.5 us). Only the first
    block comes out different: CFB feeds back *ciphertext*, so from block 1 on both peers
    compute the same bytes whatever came before. Block 0 is the random nonce, which no receiver
    reads, so the datagrams are indistinguishable from restarted ones. Every call feeds whole
    blocks (zero padding, cut off again) so the next datagram starts on a block boundary.
    """

    __slots__ = (
        "_block_size",
        "_dec_stream",
        "_ecb",
        "_enc_stream",
        "_encrypt_chain",
        "_iv",
        "_zeros",
        "method",
    )

    def __init__(
        self,
        *,
        method: str,
        block_size: int,
        ecb: Callable[[bytes], bytes],
        encrypt_chain: Callable[[bytes], bytes],
        streams: tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]] | None = None,
    ) -> None:
        self.method = method
        self._block_size = block_size
        self._iv = INITIAL_VECTOR[:block_size]
        self._ecb = ecb
        self._encrypt_chain = encrypt_chain
        self._enc_stream: Callable[[bytes], bytes] | None = streams[0] if streams else None
        self._dec_stream: Callable[[bytes], bytes] | None = streams[1] if streams else None
        self._zeros = bytes(block_size)

    def encrypt(self, data: bytes) -> bytes:
        return self._encrypt_chain(bytes(data)) if data else b""

    def decrypt(self, data: bytes) -> bytes:
        n = len(data)
        if n == 0:
            return b""
        data = bytes(data)
        feedback = (n - 1) // self._block_size * self._block_size  # every block but the last
        keystream = self._ecb(self._iv + data[:feedback])
        return _xor(data, keystream, n)

    def encrypt_datagram(self, data: bytes) -> bytes:
        """``encrypt``, except that the first block (inside the nonce) may differ."""
        update = self._enc_stream
        if update is None:
            return self.encrypt(data)
        pad = -len(data) % self._block_size
        if not pad:
            return update(data)
        return update(data + self._zeros[:pad])[:-pad]

    def decrypt_datagram(self, data: bytes) -> bytes:
        """``decrypt``, except that the first block (the nonce) comes out as garbage."""
        update = self._dec_stream
        if update is None:
            return self.decrypt(data)
        pad = -len(data) % self._block_size
        if not pad:
            return update(data)
        return update(bytes(data) + self._zeros[:pad])[:-pad]


def _openssl_cfb(method: str, algorithm: BlockCipherAlgorithm) -> _CfbCrypt:
    """CFB over a ``cryptography`` cipher; the ECB context is made once per key."""
    block_size = algorithm.block_size // 8
    cfb = Cipher(algorithm, CFB(INITIAL_VECTOR[:block_size]))
    ecb = Cipher(algorithm, modes.ECB()).encryptor()  # never finalized: ECB keeps no state

    def encrypt_chain(data: bytes) -> bytes:
        # A fresh context restarts from the IV; OpenSSL has no cheaper "reset IV" call.
        return cfb.encryptor().update(data)

    return _CfbCrypt(
        method=method,
        block_size=block_size,
        ecb=ecb.update,
        encrypt_chain=encrypt_chain,
        streams=(cfb.encryptor().update, cfb.decryptor().update),
    )


def _u64_cfb_encrypt(encrypt_u64: Callable[[int], int], data: bytes) -> bytes:
    """Serial CFB-64 for the pure-Python 8-byte ciphers, on big-endian 64-bit ints."""
    full = len(data) // 8 * 8
    feedback = int.from_bytes(INITIAL_VECTOR[:8], "big")
    out = []
    for plain in struct.unpack(f">{full // 8}Q", data[:full]):
        feedback = plain ^ encrypt_u64(feedback)
        out.append(feedback)
    head = struct.pack(f">{len(out)}Q", *out)
    if full == len(data):
        return head
    return head + _xor(data[full:], encrypt_u64(feedback).to_bytes(8, "big"), len(data) - full)


def _tea_like(method: str, cipher: Tea | Xtea) -> _CfbCrypt:
    return _CfbCrypt(
        method=method,
        block_size=cipher.block_size,
        ecb=cipher.encrypt_blocks,
        encrypt_chain=functools.partial(_u64_cfb_encrypt, cipher.encrypt_u64),
    )


# --- twofish through ctypes -------------------------------------------------------------------

_TWOFISH_BLOCK: Final = 16


class _TwofishKey(ctypes.Structure):
    """Ferguson's ``Twofish_key``: key-dependent S-boxes and 40 round keys (opaque to us)."""

    _fields_ = [("s", ctypes.c_uint32 * (4 * 256)), ("K", ctypes.c_uint32 * 40)]


@functools.cache
def _twofish_lib() -> tuple[Callable[..., None], Callable[..., None]]:
    """(prepare_key, encrypt) from the ``twofish`` package's C library.

    The package's own ``twofish.py`` imports the ``imp`` module (deprecated, gone in 3.12), so
    the shared object is located with importlib and loaded directly. The functions are called
    with raw addresses, so one call per block costs a fraction of a microsecond.
    """
    spec = importlib.util.find_spec("_twofish")
    if spec is None or spec.origin is None:
        raise ConfigError(
            "twofish needs the 'twofish' package (pip install twofish)", field="crypt"
        )
    lib = ctypes.CDLL(spec.origin)
    lib.exp_Twofish_initialise.argtypes = []
    lib.exp_Twofish_initialise.restype = None
    lib.exp_Twofish_initialise()  # builds the fixed tables and runs the library's self-test
    proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
    prepare = proto(("exp_Twofish_prepare_key", lib))
    encrypt = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(
        ("exp_Twofish_encrypt", lib)
    )
    return prepare, encrypt


class _Twofish:
    """Twofish ECB for a fixed key, plus the serial CFB encryption built on it."""

    __slots__ = ("_encrypt", "_key", "_key_addr")

    def __init__(self, key: bytes) -> None:
        prepare, self._encrypt = _twofish_lib()
        self._key = _TwofishKey()
        self._key_addr = ctypes.addressof(self._key)
        raw = ctypes.create_string_buffer(key, len(key))
        prepare(ctypes.addressof(raw), len(key), self._key_addr)

    def encrypt_blocks(self, data: bytes) -> bytes:
        """ECB over whole 16-byte blocks (the keystream for CFB decryption)."""
        n = len(data)
        src = ctypes.create_string_buffer(data, n)
        dst = ctypes.create_string_buffer(n)
        s, d, k, enc = ctypes.addressof(src), ctypes.addressof(dst), self._key_addr, self._encrypt
        for off in range(0, n, _TWOFISH_BLOCK):
            enc(k, s + off, d + off)
        return dst.raw

    def cfb_encrypt(self, data: bytes) -> bytes:
        """Serial CFB-128 from the fixed IV; XORs as two u64 words per block."""
        full = len(data) // _TWOFISH_BLOCK * _TWOFISH_BLOCK
        words = struct.unpack(f"={full // 8}Q", data[:full])  # native, as ctypes reads ks
        iv = ctypes.create_string_buffer(INITIAL_VECTOR, _TWOFISH_BLOCK)
        ks = (ctypes.c_uint64 * 2)()
        out = (ctypes.c_uint64 * (full // 8 + 2))()
        k, enc = self._key_addr, self._encrypt
        ks_addr, out_addr = ctypes.addressof(ks), ctypes.addressof(out)
        feedback = ctypes.addressof(iv)
        for i in range(0, full // 8, 2):
            enc(k, feedback, ks_addr)
            out[i] = words[i] ^ ks[0]
            out[i + 1] = words[i + 1] ^ ks[1]
            feedback = out_addr + 8 * i
        head = ctypes.string_at(out_addr, full)
        if full == len(data):
            return head
        enc(k, feedback, ks_addr)
        return head + _xor(data[full:], bytes(ks), len(data) - full)


def _twofish_cfb(key: bytes) -> _CfbCrypt:
    cipher = _Twofish(key)
    return _CfbCrypt(
        method="twofish",
        block_size=_TWOFISH_BLOCK,
        ecb=cipher.encrypt_blocks,
        encrypt_chain=cipher.cfb_encrypt,
    )


# --- registry ---------------------------------------------------------------------------------


def _spec(
    name: str, key_len: int, factory: Callable[[bytes], BlockCrypt], description: str
) -> tuple[str, CipherSpec]:
    return name, CipherSpec(name, key_len, factory, description)


# kcptun's --crypt names in its --help order; key_len is the prefix of the derived key that
# kcptun's SelectBlockCrypt switch hands to each kcp-go constructor.
CIPHERS: dict[str, CipherSpec] = dict(
    (
        _spec(
            "aes",
            32,
            lambda k: _openssl_cfb("aes", algorithms.AES(k)),
            "AES-256 in CFB mode; kcptun's default, and the fastest here",
        ),
        _spec(
            "aes-128",
            16,
            lambda k: _openssl_cfb("aes-128", algorithms.AES(k)),
            "AES-128 in CFB mode",
        ),
        _spec(
            "aes-192",
            24,
            lambda k: _openssl_cfb("aes-192", algorithms.AES(k)),
            "AES-192 in CFB mode",
        ),
        _spec(
            "salsa20",
            32,
            _Salsa20Crypt,
            "Salsa20/20 stream cipher; the first 8 bytes go in clear as its nonce (pure Python)",
        ),
        _spec(
            "blowfish",
            32,
            lambda k: _openssl_cfb("blowfish", Blowfish(k)),
            "Blowfish, 256-bit key, CFB mode (legacy 64-bit block)",
        ),
        _spec("twofish", 32, _twofish_cfb, "Twofish-256 in CFB mode (needs the twofish package)"),
        _spec(
            "cast5",
            16,
            lambda k: _openssl_cfb("cast5", CAST5(k)),
            "CAST-128 in CFB mode (legacy 64-bit block)",
        ),
        _spec(
            "3des",
            24,
            lambda k: _openssl_cfb("3des", TripleDES(k)),
            "Triple DES (EDE, three keys) in CFB mode; legacy and slow",
        ),
        _spec(
            "tea",
            16,
            lambda k: _tea_like("tea", Tea(k, KCP_TEA_ROUNDS)),
            "TEA cut to 16 rounds, CFB mode; weak, for talking to old peers (pure Python, slow)",
        ),
        _spec(
            "xtea",
            16,
            lambda k: _tea_like("xtea", Xtea(k)),
            "XTEA in CFB mode (64-bit block; pure Python, slow)",
        ),
        _spec(
            "xor",
            32,
            _XorCrypt,
            "XOR with one fixed key-derived pad: obfuscation only, no real secrecy",
        ),
        _spec(
            "sm4",
            16,
            lambda k: _openssl_cfb("sm4", algorithms.SM4(k)),
            "SM4 (Chinese national standard block cipher) in CFB mode",
        ),
        _spec(
            "none",
            0,
            lambda k: _NoneCrypt(),
            "no encryption; the nonce and CRC32 header are still sent, in clear",
        ),
    )
)
CRYPT_METHODS: Final[tuple[str, ...]] = tuple(CIPHERS)
# --crypt names added after 20210922 whose datagram layer is not nonce+CRC (kcpcore.packetcrypt)
AEAD_METHODS: Final[tuple[str, ...]] = ("aes-128-gcm",)
NULL_METHOD: Final = "null"


def resolve_method(name: str) -> str:
    """``name`` if it is a method (2025 ones included), else ``"aes"``: kcptun's silent fallback.

    Only for running exactly like kcptun; the caller is expected to warn about the fallback.
    Everything else should call ``new_block_crypt`` and let an unknown name fail.
    """
    known = name in CIPHERS or name in AEAD_METHODS or name == NULL_METHOD
    return name if known else DEFAULT_METHOD


def new_block_crypt(method: str, password: bytes) -> BlockCrypt:
    """The ``method`` cipher keyed with ``password``, the 32 bytes from ``derive_key``.

    Raises:
        ConfigError: ``method`` is not one of ``CRYPT_METHODS`` (field ``"crypt"``), or the
            installed libraries cannot provide it.
        LocalProtocolError: ``password`` is not 32 bytes.
    """
    spec = CIPHERS.get(method)
    if spec is None:
        raise ConfigError(
            f"unknown crypt method {method!r}; valid: {', '.join(CRYPT_METHODS)}", field="crypt"
        )
    if len(password) != KEY_SIZE:
        raise LocalProtocolError(
            f"crypt: derived key must be {KEY_SIZE} bytes, got {len(password)}"
        )
    try:
        return spec.factory(bytes(password[: spec.key_len]))
    except UnsupportedAlgorithm as exc:
        raise ConfigError(
            f"crypt {method!r} is not supported by this OpenSSL: {exc}", field="crypt"
        ) from exc


# --- the header -------------------------------------------------------------------------------

_NONCE_POOL_SIZE: Final = 4096  # nonces drawn from one os.urandom call (0.6 us -> 0.1 us each)
_nonce_pool: list[bytes] = []


def _nonce() -> bytes:
    """16 random bytes for a datagram's nonce (kcp-go draws them from an AES-based generator)."""
    if not _nonce_pool:
        raw = os.urandom(NONCE_SIZE * _NONCE_POOL_SIZE)
        _nonce_pool.extend(raw[i : i + NONCE_SIZE] for i in range(0, len(raw), NONCE_SIZE))
    return _nonce_pool.pop()


def seal(crypt: BlockCrypt, body: bytes, nonce: bytes | None = None) -> bytes:
    """One datagram: ``encrypt(nonce || crc32(body) LE || body)``.

    ``nonce`` defaults to 16 fresh random bytes; the receiver never reads it (kcp-go draws it
    from an AES-based generator), so tests may pass their own.
    """
    if nonce is None:
        # A random nonce lets the cipher continue its chain (``encrypt_datagram``): the
        # receiver never reads block 0. An explicit nonce gets kcp-go's exact bytes.
        return getattr(crypt, "encrypt_datagram", crypt.encrypt)(
            b"".join((_nonce(), _CRC.pack(zlib.crc32(body)), body))
        )
    if len(nonce) != NONCE_SIZE:
        raise LocalProtocolError(f"crypt: nonce must be {NONCE_SIZE} bytes, got {len(nonce)}")
    return crypt.encrypt(b"".join((nonce, _CRC.pack(zlib.crc32(body)), body)))


def open_packet(crypt: BlockCrypt, datagram: bytes) -> bytes:
    """Decrypt ``datagram``, check its CRC and return the body after the 20-byte header.

    Raises:
        MalformedPacket: shorter than the header (kcp-go drops these before decrypting).
        AuthFailed: the CRC does not match: wrong key or method, or garbage.
    """
    if len(datagram) < CRYPT_HEADER_SIZE:
        raise MalformedPacket(
            f"crypt: {len(datagram)}-byte datagram is shorter than the "
            f"{CRYPT_HEADER_SIZE}-byte nonce+crc header"
        )
    plain = getattr(crypt, "decrypt_datagram", crypt.decrypt)(datagram)  # nonce not needed
    body = plain[CRYPT_HEADER_SIZE:]
    (crc,) = _CRC.unpack_from(plain, NONCE_SIZE)
    if zlib.crc32(body) != crc:
        raise AuthFailed("crypt: crc32 mismatch (wrong key or crypt method, or garbage)")
    return body
