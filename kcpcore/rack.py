"""Time-based, reorder-tolerant loss detection for the paced sender (RACK, RFC 8985, for KCP).

kcp-go declares a hole lost once ``resend`` (2 in kcptun's fast modes) ACKs of later
segments arrived. On a path that reorders, one datagram that overtakes the others (it skips
a queue or takes another route) is acknowledged before every segment sent in the previous
round trip, and two of them make all of those holes "lost" at once: kcptun's rules then
resend up to a window for nothing (simulator, 30 Mbit/s, 2 x 100 ms, 1 % loss, 1 %
reordering: 3.6 wire bytes per payload byte).

RACK asks a different question: was a segment sent *later* acknowledged, and has this one
had a round trip plus a reordering allowance to arrive? Then it is lost. An early ACK no
longer condemns anything by itself; a real loss is repaired about ``reo_wnd`` after the
round trip in which it would have been acknowledged.

The allowance adapts to the reordering the path shows, as RFC 8985 does with DSACK: KCP's
ACK echoes the timestamp of the copy it acknowledges, so an ACK of the *first* copy of a
segment that was resent proves the resend spurious (``Kcp`` reports it). Each such round
trip widens the window by one step (a quarter of the minimum RTT) up to one smoothed RTT;
16 losses repaired without a spurious resend narrow it by one step again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .kcp import _Seg

REO_FRACTION = 0.25  # one step of the reordering window, in minimum RTTs (RFC 8985)
REO_MIN_MS = 2.0  # a step is at least this (LAN RTTs of ~1 ms)
REO_MAX_STEPS = 16  # the window never exceeds srtt anyway
RECOVERIES_TO_NARROW = 16  # clean repairs before one step is taken back


class ReorderWindow:
    """The RACK state of one sender: newest delivered send time and the reordering window."""

    __slots__ = ("_clean", "_widened_at", "newest_sent", "spurious", "steps")

    def __init__(self) -> None:
        self.newest_sent = -1  # send clock of the most recently sent segment acked so far
        self.steps = 1  # reordering window, in steps
        self.spurious = 0  # resends proved needless, in all
        self._clean = 0
        self._widened_at = -(1 << 62)

    def on_acked(self, segs: Iterable[_Seg]) -> None:
        newest = self.newest_sent
        for seg in segs:
            if seg.sent > newest:
                newest = seg.sent
        self.newest_sent = newest

    def window(self, min_rtt: float, srtt: float) -> float:
        """ms a hole may wait beyond one round trip before it counts as lost."""
        step = max(REO_FRACTION * min_rtt, REO_MIN_MS)
        return min(self.steps * step, max(srtt, step))

    def on_spurious(self, clock: int, srtt: float) -> None:
        """A resend proved needless: widen the window, at most once per round trip."""
        self.spurious += 1
        self._clean = 0
        if clock - self._widened_at >= srtt and self.steps < REO_MAX_STEPS:
            self.steps += 1
            self._widened_at = clock

    def lost(self, holes: Iterable[_Seg], clock: int, rtt: float, reo_wnd: float) -> list[_Seg]:
        """Holes sent before a segment that was acknowledged, and more than ``rtt +
        reo_wnd`` ago."""
        newest = self.newest_sent
        deadline = clock - rtt - reo_wnd
        due = [seg for seg in holes if seg.sent < newest and seg.sent <= deadline]
        if due:
            self._clean += len(due)
            if self._clean >= RECOVERIES_TO_NARROW and self.steps > 1:
                self.steps -= 1
                self._clean = 0
        return due
