"""``--crypt aes-128-gcm``: the AEAD datagram layer of kcp-go >= 5.6.58 (kcptun v20251212+).

One datagram, as the Go peers put it on the wire (checked against golden-2025)::

    offset 0            12                                    len-16
           +------------+-------------------------------------+----------+
           | nonce (12) | AES-GCM ciphertext of the body      | tag (16) |
           +------------+-------------------------------------+----------+

The body is what the nonce+CRC32 layer would carry: the 8-byte FEC header when FEC is on,
then the KCP segments. There is no associated data and no CRC (the tag authenticates). The
key is the first 16 bytes of kcptun's PBKDF2 output (``crypt.derive_key``). Every datagram,
parity shards included, gets a fresh random nonce.

Opening never raises anything but ``AuthFailed`` (short, tampered, wrong key; the caller
counts it as InCsumErrors) and ``ReplayedPacket`` (see ``kcpcore.replay``).
"""

from __future__ import annotations

import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import AuthFailed, LocalProtocolError
from .replay import ReplayedPacket, ReplayFilter

__all__ = ["AEAD_KEY_SIZE", "AEAD_OVERHEAD", "GCM_NONCE_SIZE", "GCM_TAG_SIZE", "AeadCrypt"]

GCM_NONCE_SIZE: Final = 12  # bytes, sent in clear in front
GCM_TAG_SIZE: Final = 16  # bytes, at the end
AEAD_OVERHEAD: Final = GCM_NONCE_SIZE + GCM_TAG_SIZE  # 28; also the shortest valid datagram
AEAD_KEY_SIZE: Final = 16  # AES-128: the derived key's first 16 bytes
_NONCE_POOL: Final = 4096  # nonces drawn per os.urandom call


class AeadCrypt:
    """AES-128-GCM sealing and opening of whole datagrams (a ``PacketCrypt``).

    ``replay`` (optional) refuses datagrams whose nonce was already accepted. One object may
    serve many sessions (the filter is then shared; random nonces do not collide across
    peers). Not thread-safe.
    """

    __slots__ = ("_aead", "_nonces", "replay")
    method = "aes-128-gcm"
    overhead = AEAD_OVERHEAD

    def __init__(self, key: bytes, *, replay: ReplayFilter | None = None) -> None:
        if len(key) != AEAD_KEY_SIZE:
            raise LocalProtocolError(
                f"aes-128-gcm: key must be {AEAD_KEY_SIZE} bytes, got {len(key)}"
            )
        self._aead = AESGCM(bytes(key))
        self._nonces: list[bytes] = []
        self.replay = replay

    def _nonce(self) -> bytes:
        pool = self._nonces
        if not pool:
            raw = os.urandom(GCM_NONCE_SIZE * _NONCE_POOL)
            pool.extend(raw[i : i + GCM_NONCE_SIZE] for i in range(0, len(raw), GCM_NONCE_SIZE))
        return pool.pop()

    def seal(self, body: bytes | bytearray | memoryview, nonce: bytes | None = None) -> bytes:
        """``nonce || GCM(body) || tag``; ``nonce`` defaults to 12 fresh random bytes."""
        if nonce is None:
            nonce = self._nonce()
        elif len(nonce) != GCM_NONCE_SIZE:
            raise LocalProtocolError(
                f"aes-128-gcm: nonce must be {GCM_NONCE_SIZE} bytes, got {len(nonce)}"
            )
        return nonce + self._aead.encrypt(nonce, bytes(body), None)

    def open(self, datagram: bytes | bytearray | memoryview) -> bytes:
        """The authenticated body. Raises ``AuthFailed`` or ``ReplayedPacket`` only."""
        if len(datagram) < AEAD_OVERHEAD:
            raise AuthFailed(
                f"aes-128-gcm: {len(datagram)}-byte datagram is shorter than "
                f"nonce + tag ({AEAD_OVERHEAD})"
            )
        data = bytes(datagram)
        nonce = data[:GCM_NONCE_SIZE]
        replay = self.replay
        if replay is not None and replay.seen(nonce):  # before decrypting: a cheap drop
            replay.dropped += 1
            raise ReplayedPacket("aes-128-gcm: nonce seen before (replayed datagram)")
        try:
            body = self._aead.decrypt(nonce, data[GCM_NONCE_SIZE:], None)
        except InvalidTag:
            raise AuthFailed(
                "aes-128-gcm: tag mismatch (wrong key, tampered or truncated)"
            ) from None
        if replay is not None:
            replay.add(nonce)
        return body
