"""Sender policy: what ``Kcp`` asks before and after it puts segments on the wire.

``kcpcore.kcp`` is kcp-go's ARQ (segments, ACKs, una, RTO, window probes). *When* new
segments may go, how many may be in flight, which holes count as lost and how the policy
learns from ACKs is a policy's job, the way aioquic keeps congestion control apart from its
connection. Two policies exist:

* ``KcptunRules`` (this module): kcp-go 5.6.1's own rules, byte for byte what kcptun sends:
  the congestion window (ignored with ``nc=1``), fast retransmit after ``resend`` later ACKs,
  early retransmit at the tail.
* ``kcpcore.pacedsender.PacedSender``: KCP Desk's paced sender (``--pacing``).

The FEC layer's adaptive parity (``kcpcore.fec.AdaptiveParity``) asks the same object three
questions (``bulk_sending``, ``sender_loss``, ``set_wire_overhead``): that is its whole
contract with the sender.

Units: segments, and milliseconds on the control block's unwrapped clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .kcp import Kcp, _Seg
    from .pacer import Pacer

MASK32 = 0xFFFFFFFF
IKCP_THRESH_MIN = 2
NEVER = 1 << 30  # ms: "no reason of mine to flush sooner"


class SenderPolicy:
    """The hooks ``Kcp`` calls. Defaults are those of an unlimited, unpaced sender."""

    __slots__ = ()

    pacer: Pacer | None = None
    """the delivery-rate model when the policy paces (charts and tests read it)"""
    counts_fastacks = True
    """``Kcp`` counts kcp-go's per-hole fast-acks only for a policy that reads them"""
    tracks_acks = False
    """``Kcp`` hands newly acknowledged segments to ``on_acked`` only when this is set"""

    # ---------------------------------------------------------------- may I send, how many
    def window(self, kcp: Kcp, wnd: int) -> int:
        """Sn span new segments may use beyond ``snd_una`` (``wnd``: min of both windows)."""
        return wnd

    def quota(self, clock: int, inflight: int) -> int:
        """New segments this flush may add (-1: as many as the window allows)."""
        return -1

    def send_delay(self) -> int:
        """ms until the policy lets more new segments go, when data waits for it."""
        return NEVER

    def stamp(self, clock: int) -> Any:
        """A record stored on each segment sent by this flush (``_Seg.tx``)."""
        return None

    def rto_allowance(self, kcp: Kcp) -> int:
        """ms added to kcp-go's RTO for segments sent by this flush."""
        return 0

    # ---------------------------------------------------------------- which holes are lost
    def lost_holes(
        self, kcp: Kcp, holes: Iterable[_Seg], tail: bool, clock: int
    ) -> tuple[list[_Seg], int]:
        """Holes (unacked, below the highest acked sn) to resend now, and how many of them
        are *early* retransmits (the rest are fast retransmits)."""
        return [], 0

    # ---------------------------------------------------------------- what came back
    def on_rtt(self, rtt: int, ordered_rtt: int | None, clock: int) -> None:
        """RTT samples (ms) of one input packet that acknowledged a segment for the first
        time: kcp-go's (its last such ACK), and ``ordered_rtt``, of the last segment the
        peer had received in order (below the una it sent), which no datagram overtook."""

    def on_acked(self, segs: list[_Seg], clock: int, inflight: int) -> None:
        """``segs`` were acknowledged for the first time by one input packet."""

    def on_spurious(self, seg: _Seg, clock: int, srtt: int) -> None:
        """An ACK echoed an earlier transmission of a segment that was sent again: the
        resend was for nothing (the path reordered or delayed the first copy)."""

    def on_una_advanced(self, kcp: Kcp) -> None:
        """``snd_una`` moved forward during an input."""

    def on_flushed(self, kcp: Kcp, new: int, resent: int, lost: int, wnd: int) -> None:
        """A flush sent ``new`` new segments, ``resent`` fast/early and ``lost`` RTO
        retransmissions; ``wnd`` is the window it used."""

    def on_app_limited(self, inflight: int) -> None:
        """The sender ran out of data while both windows had room."""

    # ---------------------------------------------------------------- adaptive parity
    def bulk_sending(self) -> bool:
        """True while the policy fills the path (parity would displace data)."""
        return False

    def sender_loss(self) -> float | None:
        """Loss the policy measured on the path away from us, when trustworthy."""
        return None

    def set_wire_overhead(self, overhead: float) -> None:
        """Wire packets per data packet from now on (the FEC layer's parity share)."""


def fastack_holes(kcp: Kcp, holes: Iterable[_Seg], tail: bool) -> tuple[list[_Seg], int]:
    """kcp-go: ``resend`` later ACKs make a fast retransmit; at the tail of the data (no new
    segment in this flush) one is enough (early retransmit)."""
    resent = kcp.fastresend if kcp.fastresend > 0 else MASK32
    due: list[_Seg] = []
    early = 0
    for seg in holes:
        if seg.fastack >= resent:
            due.append(seg)
        elif seg.fastack > 0 and tail:
            due.append(seg)
            early += 1
    return due, early


class KcptunRules(SenderPolicy):
    """kcp-go 5.6.1's sending rules, as kcptun sends (``--pacing=false``)."""

    __slots__ = ("cwnd", "incr", "ssthresh")

    def __init__(self) -> None:
        self.cwnd = 0
        self.incr = 0
        self.ssthresh = 2  # IKCP_THRESH_INIT

    def window(self, kcp: Kcp, wnd: int) -> int:
        return wnd if kcp.nocwnd else min(self.cwnd, wnd)

    def lost_holes(
        self, kcp: Kcp, holes: Iterable[_Seg], tail: bool, clock: int
    ) -> tuple[list[_Seg], int]:
        return fastack_holes(kcp, holes, tail)

    def on_una_advanced(self, kcp: Kcp) -> None:
        """kcp-go grows cwnd (slow start, then ~1 segment per RTT) as una advances."""
        if kcp.nocwnd or self.cwnd >= kcp.rmt_wnd:
            return
        mss = kcp.mss
        if self.cwnd < self.ssthresh:
            self.cwnd += 1
            self.incr += mss
        else:
            if self.incr < mss:
                self.incr = mss
            self.incr += (mss * mss) // self.incr + mss // 16
            if (self.cwnd + 1) * mss <= self.incr:
                self.cwnd = (self.incr + mss - 1) // mss if mss > 0 else self.incr + mss - 1
        if self.cwnd > kcp.rmt_wnd:
            self.cwnd = kcp.rmt_wnd
            self.incr = kcp.rmt_wnd * mss

    def on_flushed(self, kcp: Kcp, new: int, resent: int, lost: int, wnd: int) -> None:
        """kcp-go: a fast retransmit halves to in-flight/2 + resend, an RTO restarts at 1."""
        if kcp.nocwnd:
            return
        if resent:
            inflight = (kcp.snd_nxt - kcp.snd_una) & MASK32
            self.ssthresh = max(inflight // 2, IKCP_THRESH_MIN)
            fast = kcp.fastresend if kcp.fastresend > 0 else MASK32
            self.cwnd = self.ssthresh + fast
            self.incr = self.cwnd * kcp.mss
        if lost:
            self.ssthresh = max(wnd // 2, IKCP_THRESH_MIN)
            self.cwnd = 1
            self.incr = kcp.mss
        if self.cwnd < 1:
            self.cwnd = 1
            self.incr = kcp.mss
