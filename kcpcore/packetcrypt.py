"""The crypto layer of one datagram, whatever ``--crypt`` says: seal a body, open a datagram.

kcptun has three shapes of it, and ``PacketCodec`` only needs to know their overhead:

* the 13 methods of 20210922 (``kcpcore.crypt``): ``cipher(nonce 16 | crc32 4 | body)``,
  20 bytes; ``none`` keeps the nonce and CRC in clear (``HeaderCrypt``);
* ``aes-128-gcm`` (v20251212+): ``nonce 12 | GCM(body) | tag 16``, 28 bytes (``kcpcore.aead``);
* ``null`` (2022-06+): no crypto layer at all, the body is the datagram (``NullCrypt``).

``--crypt`` names outside ``PACKET_METHODS`` are refused here; kcptun's silent fallback to
``aes`` is ``crypt.resolve_method``'s job.
"""

from __future__ import annotations

from typing import Final, Protocol, runtime_checkable

from .aead import AEAD_KEY_SIZE, AeadCrypt
from .crypt import (
    AEAD_METHODS,
    CRYPT_HEADER_SIZE,
    CRYPT_METHODS,
    NULL_METHOD,
    BlockCrypt,
    derive_key,
    new_block_crypt,
    open_packet,
    seal,
)
from .errors import ConfigError, MalformedPacket
from .replay import DEFAULT_CAPACITY, ReplayFilter

__all__ = [
    "AEAD_METHODS", "NULL_METHOD", "PACKET_METHODS", "HeaderCrypt", "NullCrypt", "PacketCrypt",
    "as_packet_crypt", "new_packet_crypt",
]  # fmt: skip

# every --crypt name we speak: 20210922's 13, then the 2022-2025 additions
PACKET_METHODS: Final[tuple[str, ...]] = (*CRYPT_METHODS, *AEAD_METHODS, NULL_METHOD)


@runtime_checkable
class PacketCrypt(Protocol):
    """Seals a datagram body and opens a datagram back into its body.

    ``open`` raises ``AuthFailed`` (counted as InCsumErrors) or another ``MalformedPacket``
    for bad input, never anything else.
    """

    method: str
    overhead: int
    """bytes a sealed datagram has beyond its body (KCP must leave them free in its MTU)"""

    def seal(self, body: bytes) -> bytes: ...

    def open(self, datagram: bytes) -> bytes: ...


class HeaderCrypt:
    """kcp-go's nonce + CRC32 header under one of the 13 block/stream ciphers."""

    __slots__ = ("block", "method")
    overhead = CRYPT_HEADER_SIZE

    def __init__(self, block: BlockCrypt) -> None:
        self.block = block
        self.method: str = getattr(block, "method", "?")

    def seal(self, body: bytes) -> bytes:
        return seal(self.block, body)

    def open(self, datagram: bytes) -> bytes:
        return open_packet(self.block, datagram)


class NullCrypt:
    """``--crypt null``: the datagram is the body; no nonce, no checksum, nothing to check."""

    __slots__ = ()
    method = NULL_METHOD
    overhead = 0

    def seal(self, body: bytes) -> bytes:
        return bytes(body)

    def open(self, datagram: bytes) -> bytes:
        if not datagram:
            raise MalformedPacket("null: empty datagram")
        return bytes(datagram)


def new_packet_crypt(
    method: str, key: str, *, replay_window: int | None = DEFAULT_CAPACITY
) -> PacketCrypt:
    """The datagram layer for ``--crypt method`` and ``--key key``.

    ``replay_window``: nonces the AEAD replay filter remembers (``kcpcore.replay``); None
    turns it off. The other methods have no nonce a receiver could trust, so no filter.

    Raises:
        ConfigError: ``method`` is not in ``PACKET_METHODS`` (field ``"crypt"``).
    """
    if method == NULL_METHOD:
        return NullCrypt()
    if method in AEAD_METHODS:
        replay = ReplayFilter(replay_window) if replay_window else None
        return AeadCrypt(derive_key(key)[:AEAD_KEY_SIZE], replay=replay)
    if method not in CRYPT_METHODS:
        raise ConfigError(
            f"unknown crypt method {method!r}; valid: {', '.join(PACKET_METHODS)}", field="crypt"
        )
    return HeaderCrypt(new_block_crypt(method, derive_key(key)))


def as_packet_crypt(crypt: BlockCrypt | PacketCrypt) -> PacketCrypt:
    """``crypt`` itself if it already seals whole datagrams, else it under the 20-byte header.

    Lets the session and listener keep accepting the bare ``BlockCrypt`` objects of 20210922.
    """
    if isinstance(crypt, (HeaderCrypt, NullCrypt, AeadCrypt)):
        return crypt
    if hasattr(crypt, "encrypt") and hasattr(crypt, "decrypt"):
        return HeaderCrypt(crypt)  # type: ignore[arg-type]
    if isinstance(crypt, PacketCrypt):
        return crypt
    raise TypeError(f"not a crypt: {type(crypt).__name__}")
