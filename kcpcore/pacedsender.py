"""KCP Desk's paced sender (``--pacing``): the ``Pacer`` model, RACK loss detection and a guard.

Invisible on the wire: the peer sees the same segments, ACKs and windows as from kcp-go.

* ``kcpcore.pacer.Pacer`` decides how fast new segments go and how many may be in flight.
* ``kcpcore.rack.ReorderWindow`` decides which holes are lost (time-based, reorder-tolerant),
  instead of kcp-go's "two later ACKs".
* The guard: a model can be wrong in ways no benchmark profile shows. When the pacer keeps
  itself window-limited on a path that shows no queue and delivers well below what kcptun's
  rules would send through the same windows, for ``GUARD_ROUNDS`` round trips in a row, the
  session falls back to ``KcptunRules`` for good and logs why, once. It costs a few
  comparisons per flush.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any, cast

from .pacer import PROBE_BW, Pacer
from .rack import ReorderWindow
from .sendpolicy import KcptunRules, SenderPolicy, fastack_holes

if TYPE_CHECKING:
    from .kcp import Kcp, _Seg

log = logging.getLogger(__name__)

_TxRecord = tuple[int, int, int, int]
"""What stamp() stores on each segment sent: the pacer's delivered count, delivered time and
first-sent time at that moment, and the send clock (a delivery-rate sample's start)."""

LONE_SEGMENTS = 4  # up to this many in flight and none queued is interactive traffic
RACK_MIN_SAMPLES = 4
ORDERED_SAMPLES = 128  # recent in-order RTT samples the floor is taken from
FLOOR_PERCENTILE = 0.1
REORDER_EVIDENCE = 1  # early RTT samples before the path counts as reordering
GUARD_ROUNDS = 10  # round trips in a row that look self-limited before the fallback
GUARD_WINDOW_USE = 0.8  # "window-limited": in flight reached this share of the pacer's window
GUARD_SHORTFALL = 0.5  # ...and delivering below this share of window / srtt


class PacedSender(SenderPolicy):
    """Paced sending with RACK loss detection; falls back to kcptun's rules if it must."""

    tracks_acks = True

    __slots__ = (
        "_bad_rounds",
        "_early",
        "_floor",
        "_guard_round",
        "_limited",
        "_ordered",
        "conv",
        "fallback_reason",
        "pacer",
        "reorder",
    )

    def __init__(self, ack_delay: int, conv: int = 0) -> None:
        """``ack_delay``: ms the peer may hold an ACK (its flush interval; we assume ours)."""
        self.pacer: Pacer = Pacer(ack_delay=ack_delay)
        self.reorder = ReorderWindow()
        self.conv = conv
        self.fallback_reason: str | None = None
        self._guard_round = 0
        self._limited = False
        self._bad_rounds = 0
        self._ordered: deque[int] = deque(maxlen=ORDERED_SAMPLES)  # recent in-order RTTs
        self._floor = 0  # ms, their FLOOR_PERCENTILE: below it by far, a sample overtook
        self._early = 0  # samples far below every in-order one: overtaking datagrams

    # ---------------------------------------------------------------- may I send, how many
    def quota(self, clock: int, inflight: int) -> int:
        """The token bucket and the pacer's window, whichever allows fewer. The window caps
        segments in flight (unacked), not the sn span: a segment lost twice must not stall
        the window while its RTO runs (kcp-go's span rule stays)."""
        pacer = self.pacer
        tokens = pacer.budget(clock)
        return max(min(int(tokens), pacer.window() - inflight), 0)

    def send_delay(self) -> int:
        return max(self.pacer.delay(), 1)

    def stamp(self, clock: int) -> _TxRecord:
        p = self.pacer
        return (p.delivered, p.delivered_time, p.first_sent_time, clock)

    def rto_allowance(self, kcp: Kcp) -> int:
        """kcp-go's RTO is srtt + interval, from the freshest ACK of each packet: any queue
        plus the peer's ACK delay times segments out for nothing. A bulk sender allows
        srtt/2 more; a few lone segments (request/response) keep kcp-go's RTO, their only
        repair when one is lost: no later segment is acknowledged behind them."""
        if kcp.snd_queue or kcp.inflight() > LONE_SEGMENTS:
            return kcp.rx_srtt >> 1
        return 0

    # ---------------------------------------------------------------- which holes are lost
    def lost_holes(self, kcp: Kcp, holes: Any, tail: bool, clock: int) -> tuple[list[_Seg], int]:
        """kcp-go's fast-ack rule until a resend proves needless (the path reorders); RACK
        from then on, once ``RACK_MIN_SAMPLES`` in-order RTT samples came in (a round trip
        taken from overtaking datagrams would condemn every segment still on its way;
        until then kcp-go's rule stays). The round trip is never below the minimum RTT."""
        pacer = self.pacer
        if not pacer.reordering or pacer.rtt_samples < RACK_MIN_SAMPLES:
            # kcp-go's rule until the path shows reordering; the tail is "nothing left to
            # send", since the pacer often holds new segments back.
            return fastack_holes(kcp, holes, tail and not kcp.snd_queue)
        srtt = float(max(kcp.rx_srtt, pacer.min_rtt))
        reorder = self.reorder
        window = reorder.window(float(max(self.pacer.min_rtt, 1)), srtt)
        return reorder.lost(holes, clock, srtt, window), 0

    # ---------------------------------------------------------------- what came back
    def on_rtt(self, rtt: int, ordered_rtt: int | None, clock: int) -> None:
        """Until the path shows reordering, kcp-go's samples (the pacer was tuned on them);
        then only samples of segments the peer received in order set the minimum RTT.

        The evidence: a sample well below the floor of recent in-order samples (by more
        than the peer's ACK delay and a quarter of the RTT) is of a datagram that overtook
        others; the sample is dropped and the pacer switches. Neither ACK delay nor loss nor
        FEC rebuilds (they give no sample) make such a sample. A needless resend is no
        evidence by itself: an FEC rebuild at the peer racing a resend makes one too
        (simulator, 20 Mbit/s, 2 x 50 ms, 10 % loss: 177 of 1208 resends)."""
        pacer = self.pacer
        if ordered_rtt is not None:
            self._add_ordered(ordered_rtt)
        floor = self._floor
        margin = max(pacer.ack_delay + 2, floor / 4)
        if floor and floor - rtt > margin:
            self._early += 1
            if self._early >= REORDER_EVIDENCE:
                pacer.on_reordering(floor, clock)
            if ordered_rtt is None:
                return
        elif floor and not pacer.reordering and 0 < pacer.min_rtt < floor - margin:
            # the minimum came from an overtaking datagram before any in-order sample did
            pacer.on_reordering(floor, clock)
        if not pacer.reordering:
            pacer.on_rtt(rtt, clock)
        elif ordered_rtt is not None:
            pacer.on_rtt(ordered_rtt, clock)
        else:
            pacer.on_rtt(rtt, clock, floor=False)

    def on_acked(self, segs: list[_Seg], clock: int, inflight: int) -> None:
        """One rate sample from the most recently sent of the segments acknowledged."""
        self.reorder.on_acked(segs)
        newest = max(segs, key=_sent_clock)
        # _Seg.tx holds what stamp() returned when the segment was sent
        delivered, dtime, first, sent = cast(_TxRecord, newest.tx)
        self.pacer.on_delivered(len(segs), clock, delivered, dtime, first, sent, inflight)

    def _add_ordered(self, rtt: int) -> None:
        """Keep the floor: a low percentile of recent in-order samples. Not their minimum:
        a packet that carries an ACK can overtake too (its ACK is then early though the
        segment was received in order; through an echo, 1 % reordering made the minimum
        half the path's RTT)."""
        ordered = self._ordered
        ordered.append(rtt)
        n = len(ordered)
        if n <= 4 or n % 8 == 0:
            self._floor = sorted(ordered)[int(n * FLOOR_PERCENTILE)]

    def on_spurious(self, seg: _Seg, clock: int, srtt: int) -> None:
        """A resend proved needless: RACK widens its reordering window."""
        self.reorder.on_spurious(clock, float(srtt))

    def on_flushed(self, kcp: Kcp, new: int, resent: int, lost: int, wnd: int) -> None:
        sent = new + resent + lost
        pacer = self.pacer
        pacer.spend(sent)
        pacer.on_flush(sent, resent + lost)
        pacer.backlogged = bool(kcp.snd_queue) and kcp.inflight() < pacer.window()
        self._guard(kcp)

    def on_app_limited(self, inflight: int) -> None:
        self.pacer.mark_app_limited(inflight)

    # ---------------------------------------------------------------- the guard
    def _guard(self, kcp: Kcp) -> None:
        pacer = self.pacer
        if kcp.snd_queue and kcp.inflight() >= GUARD_WINDOW_USE * pacer.window():
            self._limited = True
        if pacer.round == self._guard_round:
            return
        self._guard_round = pacer.round
        suspicious = (
            self._limited
            and pacer.state == PROBE_BW
            and pacer.queue_free()
            and not pacer.app_limited()
        )
        self._limited = False
        self._bad_rounds = self._bad_rounds + 1 if suspicious else 0
        if self._bad_rounds < GUARD_ROUNDS:
            return
        srtt = max(kcp.rx_srtt, 1)
        rules = min(kcp.snd_wnd, kcp.rmt_wnd) / srtt  # segments per ms through the windows
        if pacer.bw < GUARD_SHORTFALL * rules:
            self._fall_back(kcp, pacer.bw, rules, srtt)

    def _fall_back(self, kcp: Kcp, bw: float, rules: float, srtt: int) -> None:
        mbit = 8 * kcp.mss / 1000  # segments per ms -> Mbit/s
        self.fallback_reason = (
            f"the pacer held itself to {bw * mbit:.1f} Mbit/s, window-limited, for "
            f"{GUARD_ROUNDS} round trips on a path that shows no queue, while the windows "
            f"allow {rules * mbit:.1f} Mbit/s at {srtt} ms: sending by kcptun's rules"
        )
        log.warning("conv %08x: pacing off: %s", self.conv, self.fallback_reason)
        kcp.set_policy(KcptunRules())

    # ---------------------------------------------------------------- adaptive parity
    def bulk_sending(self) -> bool:
        return self.fallback_reason is None and not self.pacer.app_limited()

    def sender_loss(self) -> float | None:
        if self.fallback_reason is None and self.pacer.queue_free():
            return self.pacer.loss
        return None

    def set_wire_overhead(self, overhead: float) -> None:
        self.pacer.set_overhead(overhead)


def _sent_clock(seg: _Seg) -> int:
    return seg.sent
