"""Receive-side replay filter for AEAD datagrams (KCP Desk only; kcptun has none).

With ``--crypt aes-128-gcm`` every datagram carries a fresh random 96-bit nonce, and a sender
never seals two datagrams with the same one (kcp-go re-seals each retransmission with a new
nonce). A datagram whose nonce we have already accepted is therefore a copy made by someone
on the path. KCP would mostly discard the copy itself (its sn is old), but the copy still costs
a decryption and can re-trigger ACKs, FEC recovery and, for a server, session routing, so it is
dropped before any of that.

Window and memory: two generations of nonces, each a ``set`` of at most ``capacity // 2``
entries. A nonce is looked up in both; when the current generation is full the older one is
forgotten and the current one becomes the older. So the last ``capacity // 2`` accepted nonces
are always remembered, and up to ``capacity``. The default ``capacity`` of 65536 costs about
6 MB at most (a 12-byte ``bytes`` object is 45 bytes, plus ~40 bytes of set slot) and covers at
least 32768 datagrams: about 3 s at 10 000 datagrams/s, 30 s at 1 000/s. A copy replayed
later than that reaches KCP, which drops it as a duplicate unless the session has moved on by
a whole sequence-number wrap. Nothing goes on the wire, so this works with Go peers.

Only nonces of datagrams that passed authentication are recorded (the caller checks the tag
first), so an attacker without the key cannot fill the window with made-up nonces.
"""

from __future__ import annotations

from typing import Final

from .errors import MalformedPacket

DEFAULT_CAPACITY: Final = 65536  # nonces; see the module docstring for window and memory


class ReplayedPacket(MalformedPacket):
    """A datagram whose nonce was already accepted within the replay window."""


class ReplayFilter:
    """Remembers recent nonces in two bounded generations; O(1) per datagram."""

    __slots__ = ("_current", "_half", "_older", "dropped")

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 2:
            raise ValueError(f"replay filter capacity must be at least 2, not {capacity}")
        self._half = capacity // 2
        self._current: set[bytes] = set()
        self._older: set[bytes] = set()
        self.dropped = 0
        """datagrams refused as replays"""

    def seen(self, nonce: bytes) -> bool:
        """True if ``nonce`` is within the window (the datagram is a replay)."""
        return nonce in self._current or nonce in self._older

    def add(self, nonce: bytes) -> None:
        """Record an authenticated datagram's nonce, forgetting the oldest generation if full."""
        current = self._current
        if len(current) >= self._half:
            self._older = current
            current = self._current = set()
        current.add(nonce)

    def check_and_add(self, nonce: bytes) -> None:
        """``add``, after raising ``ReplayedPacket`` (and counting it) if ``nonce`` is known."""
        if nonce in self._current or nonce in self._older:
            self.dropped += 1
            raise ReplayedPacket("aead: nonce seen before (replayed datagram)")
        self.add(nonce)

    def __len__(self) -> int:
        return len(self._current) + len(self._older)
