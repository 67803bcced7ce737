"""``--ratelimit``: a token bucket over the bytes a session puts on the wire. Sans-I/O.

kcptun 2025 (kcp-go) counts every datagram it sends (KCP and crypt headers, retransmits, FEC
parity) against ``rate`` bytes per second, with a burst of 64 x 1500 bytes in front of each
batched send. We do the same at the adapter's output, whatever the sender's policy (window,
pacing, adaptive parity) decided to send: the bucket is the last word, so the cap holds for
every sending policy.

A datagram may take the bucket below zero (it is never split); the next one waits until the
debt is repaid, so over any long stretch the rate is exactly ``rate``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["BURST", "TokenBucket"]

BURST: Final = 64 * 1500  # bytes; kcp-go's limiter burst
_EPSILON: Final = 1e-6  # bytes; float rounding after a refill must not read as debt


class TokenBucket:
    """``rate`` bytes per second, at most ``burst`` saved up while idle."""

    __slots__ = ("_at", "_tokens", "burst", "rate", "sent")

    def __init__(self, rate: float, now: float, burst: int = BURST) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self.burst = float(burst)
        self._tokens = self.burst
        self._at = now
        self.sent = 0
        """bytes taken so far (what the limit was applied to)"""

    def _refill(self, now: float) -> None:
        if now > self._at:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now

    def ready(self, now: float) -> bool:
        """Whether a datagram may go now (the bucket is not in debt)."""
        self._refill(now)
        return self._tokens >= -_EPSILON

    def take(self, size: int, now: float) -> None:
        """Account for a datagram of ``size`` bytes sent at ``now``."""
        self._refill(now)
        self._tokens -= size
        self.sent += size

    def ready_at(self, now: float) -> float:
        """When the bucket is out of debt (``now`` if it is already)."""
        self._refill(now)
        if self._tokens >= -_EPSILON:
            return now
        return now + (-self._tokens) / self.rate
