"""Exception hierarchy shared by every layer.

Peer input errors (``MalformedPacket``, ``AuthFailed``) are caught at the session boundary,
counted in SNMP and dropped; they never escape a datagram handler. ``LocalProtocolError`` is
API misuse by our own code, and ``ConfigError`` is a bad user-supplied setting.
"""

from __future__ import annotations


class KcpError(Exception):
    """Base class for every error kcpcore raises on purpose."""


class MalformedPacket(KcpError):
    """Bytes from the peer that do not parse (short header, bad length, bad flag)."""


class AuthFailed(MalformedPacket):
    """A datagram whose CRC32 did not match after decryption (wrong key or cipher, or garbage)."""


class LocalProtocolError(KcpError):
    """Our own code used an API wrongly (write after close, bad argument)."""


class ConfigError(KcpError, ValueError):
    """A setting the user gave is invalid; the message names the field and the valid values."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
