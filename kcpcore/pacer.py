"""KCP Desk's optional sender pacing: a BBR-like delivery-rate model, sans-I/O.

Not part of kcptun and invisible on the wire: it only decides *when* KCP may put segments on
the wire and how many may be in flight. The peer (Go kcptun or ours) sees the same segments,
ACKs and windows as from any kcp-go sender.

kcp-go with ``nc=1`` sends a whole window at once: on a path whose bottleneck buffer is smaller
than the window it overruns the buffer every round trip and resends what was dropped (1.5-2.3
wire bytes per payload byte on a clean 100 Mbit/s link). The pacer instead:

* measures the delivery rate from ACKs (segments newly acknowledged over the time since the
  acknowledged segment was sent: the rate-sample rule of draft-cheng-iccrg-delivery-rate-
  estimation) and keeps its maximum over the last ``BW_ROUNDS`` round trips as the bottleneck
  rate, and the minimum RTT over ``MIN_RTT_WINDOW`` ms;
* releases segments at ``gain x bottleneck rate`` from a token bucket (burst ``BURST_MS``) and
  keeps at most ``cwnd_gain x rate x min RTT`` segments in flight;
* runs BBR's phases: startup, drain, then probe-bandwidth cycles of 1.25, 0.75 and six
  rounds of 1.0. Startup differs from BBR's in three ways, all for short transfers on long
  lossy paths (measured with benchmarks/pacing_sim.py and linkbench.py):
  - its window also grows by 1.5 segments per delivered segment (slow start, x2.5 per round
    trip, capped at twice the rate model's window): the rate samples lag a round and loss
    makes them noisy, so growing by the samples alone took 6-9 round trips to fill a path;
  - it ends as soon as two peer ACK intervals in a row show a quarter of the minimum RTT of
    queue (the freshest ACK of each peer flush carries no ACK delay), not a round later when a
    round's smallest RTT shows it: a bottleneck buffer of one BDP overflowed meanwhile;
  - it is entered again when a 1.25 probe delivers 10 % more without a queue: noisy samples
    at 10 % loss sometimes ended it at a tenth of the path's rate, and 25 % per eight rounds
    took seconds to recover (once 4.5 instead of 13 Mbit/s in the simulator).
  Drain lasts at most one round trip: after an overflow the drops already emptied the queue.
* filters its RTT samples against reordering: a datagram that overtakes others (a
  load-balanced route, Wi-Fi) returns an ACK early, and one such sample made the minimum RTT
  half the path's, the window half the pipe, and the sender a fifth of kcptun's (simulator,
  30 Mbit/s, 2 x 100 ms, 1 % loss, 1 % reordering: 3.9 against 12.9 Mbit/s). The minimum
  RTT is therefore a low percentile (``MIN_RTT_PERCENTILE``) of the samples of the last
  ``MIN_RTT_WINDOW`` ms, and a round's RTT the ``RTT_PERCENTILE`` of that round's samples;
* pays for random loss: when the queue is short (RTT close to the minimum), loss is not
  congestion, so the rate is scaled by ``1 / (1 - loss)`` so that the bottleneck stays full.
  When the RTT shows a standing queue, no such scaling happens.

Units: segments, milliseconds on the control block's unwrapped clock, segments per ms.
"""

from __future__ import annotations

from collections import deque

STARTUP_GAIN = 2.885  # 2/ln 2, BBR's high gain
DRAIN_GAIN = 1 / STARTUP_GAIN
CWND_GAIN = 2.0  # in-flight cap in BDPs once the pipe is full...
STARTUP_CWND_GAIN = 2.0  # ...and in startup, where the slow-start window may allow more
STARTUP_GROWTH = 1.5  # startup window += this x each delivered segment (x2.5 per round trip)
STARTUP_QUEUE_FRACTION = 0.25  # startup ends once RTT shows this x min RTT of queue...
STARTUP_QUEUE_INTERVALS = 2  # ...in this many peer ACK intervals in a row
STARTUP_WINDOW_CAP = 2.0  # ...but at most this x the model's window (rate samples lag a round)
DRAIN_ROUNDS = 1.0  # drain lasts at most this many min RTTs (+ ACK delay)
PROBE_GAINS = (1.25, 0.75, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)  # BBR ProbeBW cycle, one phase per min RTT
REPROBE_GROWTH = 1.1  # a 1.25 probe that delivers this much more, queue-free: startup again
BW_ROUNDS = 10  # round trips the bottleneck-rate maximum covers
FULL_BW_GROWTH = 1.25  # startup continues while the rate grows this much per round...
FULL_BW_ROUNDS = 3  # ...within this many rounds
MIN_RTT_WINDOW = 10_000  # ms the minimum RTT stays valid
RTT_PERCENTILE = 0.2  # a round's RTT: this low percentile of its samples (reordering-proof)
MIN_RTT_PERCENTILE = 0.1  # the minimum RTT once the path reorders: this percentile of the window
RTT_SAMPLES_MAX = 8192  # samples kept for it (memory bound; beyond it the window shortens)
INITIAL_WINDOW = 32  # segments before the first rate sample
STARTUP_RATE_FLOOR = 2.0  # segments per ms (21 Mbit/s) startup may assume once the RTT is known
MIN_WINDOW = 8  # segments, never less in flight
MIN_RTT_FLOOR = 2  # ms; a LAN's 0-1 ms RTT would otherwise make a uselessly small window
BURST_MS = 2.0  # ms of sending the bucket may save up
CATCHUP_MS = 25.0  # ...or, held back with data waiting, up to this much of a late loop's gap
LOSS_EWMA = 1 / 16  # weight of one flush's loss fraction in the loss estimate
LOSS_CAP = 0.3  # never scale the rate by more than 1 / (1 - LOSS_CAP)
QUEUE_FREE_RTT = 1.1  # srtt below this x min RTT (+ QUEUE_FREE_MS): loss is random, not queue
QUEUE_FREE_MS = 2.0

STARTUP, DRAIN, PROBE_BW = "startup", "drain", "probe_bw"


class Pacer:
    """Rate and window for one KCP sender. The control block calls the ``on_*`` hooks."""

    __slots__ = (
        "_bw_samples",
        "_bw_wire",
        "_cycle_index",
        "_cycle_start",
        "_first_rtts",
        "_floor_ok",
        "_full_bw",
        "_full_bw_at",
        "_full_bw_count",
        "_interval_min",
        "_interval_start",
        "_last_refill",
        "_min_rtt_at",
        "_min_rtts",
        "_next_round",
        "_probe_base",
        "_queued_intervals",
        "_round_samples",
        "_ss_window",
        "_tokens",
        "_window_rtts",
        "ack_delay",
        "app_limited_until",
        "backlogged",
        "bw",
        "delivered",
        "delivered_time",
        "first_sent_time",
        "loss",
        "min_rtt",
        "overhead",
        "reordering",
        "round",
        "round_rtt",
        "rtt_samples",
        "state",
    )

    def __init__(self, ack_delay: int = 0) -> None:
        """``ack_delay``: ms the peer may hold an ACK (its flush interval; we assume ours)."""
        self.ack_delay = ack_delay
        self.state = STARTUP
        self.bw = 0.0  # segments per ms, max of recent samples
        self.min_rtt = 0  # ms; 0 = no sample yet
        self._min_rtt_at = 0
        # The peer delays its ACKs by up to its interval (20 ms in fast2), so single RTT
        # samples and their average say little about the queue; the smallest sample of a
        # round trip does.
        self.round_rtt = 0  # ms, low percentile of the last complete round's RTTs (0: none)
        self._round_samples: list[int] = []  # RTT samples of the current round
        self._window_rtts: deque[tuple[int, int]] = deque(maxlen=RTT_SAMPLES_MAX)  # (clock, ms)
        # the same samples as a monotonic queue (RTTs rising): its front is the window's
        # minimum, found in O(1) per round instead of a pass over thousands of samples
        self._min_rtts: deque[tuple[int, int]] = deque()
        # Wire packets per KCP data packet (adaptive FEC parity). Rate samples are kept in wire
        # units, so when parity changes the segment rate follows at once, not a probe later.
        self.overhead = 1.0
        self._bw_wire = 0.0
        self.first_sent_time = 0  # send clock of the most recently acked segment
        self.delivered = 0  # segments acknowledged so far
        self.delivered_time = 0  # clock of the last acknowledgement
        self.loss = 0.0  # EWMA of the fraction of sent segments that were retransmissions
        self.backlogged = False  # the last flush left data waiting for tokens
        self.app_limited_until = 0  # samples from segments sent before this are app-limited
        self._bw_samples: list[tuple[int, float]] = []  # (round, best rate in that round)
        self.rtt_samples = 0  # RTT samples so far (since reordering was seen)
        self.reordering = False  # a resend proved needless: samples come in order only
        self.round = 0  # round trips counted so far (a round ends when its first segment is acked)
        self._next_round = 0
        self._full_bw = 0.0
        self._full_bw_count = 0
        self._full_bw_at = -(1 << 62)  # clock of the last round the full-pipe check counted
        self._cycle_index = 0
        self._cycle_start = 0
        self._tokens = float(INITIAL_WINDOW)
        # Startup's slow-start window: it grows with every delivery, so startup does not wait
        # for the (lagging, noisy under loss) rate samples to triple each round.
        self._ss_window = float(INITIAL_WINDOW)
        self._probe_base = 0.0
        self._first_rtts: list[int] = []  # RTT samples of the first flight
        self._floor_ok: bool | None = None  # _floor_applies, once the first flight is in
        self._queued_intervals = 0  # peer ACK intervals in a row whose best RTT shows a queue
        self._interval_min = 0  # ms, smallest RTT sample in the current ACK interval
        self._interval_start = 0
        self._last_refill: int | None = None

    # -------------------------------------------------------------- model
    @property
    def pacing_gain(self) -> float:
        if self.state == STARTUP:
            return STARTUP_GAIN
        if self.state == DRAIN:
            return DRAIN_GAIN
        return PROBE_GAINS[self._cycle_index]

    def rate(self) -> float:
        """Segments per ms the bucket refills at."""
        if self.bw <= 0.0:
            return STARTUP_GAIN * INITIAL_WINDOW / max(self.min_rtt or 100, 1)
        rate = self.pacing_gain * self.bw
        if self.state == STARTUP:
            # Send the slow-start window over one round trip, at startup's gain; the
            # floor's window at the floor's rate (so on a path that slow, a round's queue).
            ss_rate = STARTUP_GAIN * self._ss_part(self._model_window())
            rate = max(rate, ss_rate / (self._rtt() + self.ack_delay))
            if self._floor_applies():
                rate = max(rate, STARTUP_RATE_FLOOR)
        if self.state == PROBE_BW and self.queue_free():
            rate /= 1.0 - min(self.loss, LOSS_CAP)
        return rate

    def queue_free(self) -> bool:
        """The last round trip saw (almost) the minimum RTT: no standing queue."""
        return self.round_rtt <= self._queue_rtt(QUEUE_FREE_RTT)

    def _queue_rtt(self, factor: float) -> float:
        return factor * self._rtt() + QUEUE_FREE_MS

    def window(self) -> int:
        """Segments that may be in flight."""
        if self.bw <= 0.0:
            return INITIAL_WINDOW
        window = self._model_window()
        if self.state == STARTUP:
            # The floor lifts the window, never what the window grows from: on a path
            # slower than the floor it costs one round's queue, not a compounding one.
            window = max(window, self._ss_part(window), self._floor_window())
        return window

    def _model_window(self) -> int:
        gain = STARTUP_CWND_GAIN if self.state != PROBE_BW else CWND_GAIN
        # ACKs come back up to the peer's interval late: without that in the window, a LAN
        # (RTT ~1 ms, ACKs every 20 ms) would cap itself at a few segments per interval.
        bdp = self.bw * (self._rtt() + self.ack_delay)
        if self.state == PROBE_BW and self.loss:
            bdp /= 1.0 - min(self.loss, LOSS_CAP)
        return max(int(gain * bdp) + 1, MIN_WINDOW)

    def _ss_part(self, model: int) -> int:
        """The slow-start window, capped at ``STARTUP_WINDOW_CAP`` x the model's."""
        return int(min(self._ss_window, STARTUP_WINDOW_CAP * model))

    def _floor_window(self) -> int:
        """Startup's window floor once the RTT is known: ``STARTUP_RATE_FLOOR`` for a round
        trip. kcptun's rules put the whole KCP window out in the second round trip; slow
        start from ``INITIAL_WINDOW`` needs four or five, which on a 400 ms path is most of
        a 2 MB transfer (simulator: 0.67 of the rules' rate, 0.96 with the floor)."""
        if not self._floor_applies():
            return 0
        return int(STARTUP_RATE_FLOOR * (self._rtt() + self.ack_delay))

    def _floor_applies(self) -> bool:
        """The RTT is known and the first flight (``INITIAL_WINDOW`` at the initial rate,
        about 10 Mbit/s) queued nowhere: its RTTs spread by no more than the peer's ACK
        delay and a quarter of their low quartile. A path slower than that would spend the
        floor's round on a queue (5 Mbit/s, 2 x 40 ms: 254 drops instead of 37)."""
        if self._floor_ok is not None:
            return self._floor_ok
        first = self._first_rtts
        if not first:
            return False
        # the lowest quarter may be datagrams that overtook others (reordering)
        low = _percentile(first, 0.25)
        ok = max(first) - low <= self.ack_delay + STARTUP_QUEUE_FRACTION * low
        if self.delivered >= INITIAL_WINDOW:  # no more first-flight samples: decided
            self._floor_ok = ok
        return ok

    def _rtt(self) -> float:
        return float(max(self.min_rtt, MIN_RTT_FLOOR))

    # -------------------------------------------------------------- send side
    def budget(self, clock: int) -> float:
        """Segments the bucket allows now (may be fractional or negative)."""
        last = self._last_refill
        rate = self.rate()
        if last is not None and clock > last:
            gap = clock - last
            # A sender that was held back with data waiting gets the time its event loop
            # lost (a busy machine, a GUI frame) back, up to CATCHUP_MS: with only BURST_MS
            # a loop that ran every 10 ms sent a fifth of the rate, whose samples then
            # lowered the rate (simulator, 30 Mbit/s, 2 x 100 ms: 3.9 against 15.9 Mbit/s
            # for kcptun's rules). After idle (nothing waiting) the burst stays BURST_MS.
            burst = min(gap, CATCHUP_MS) if self.backlogged else BURST_MS
            self._tokens = min(self._tokens + rate * gap, max(rate * max(burst, BURST_MS), 2.0))
        self._last_refill = clock
        return self._tokens

    def spend(self, segments: int) -> None:
        """Take what was sent. Retransmissions are never held back, so the debt they make
        (up to a window) holds new segments back instead: the total stays at the rate."""
        debt: float = self.window()
        if self.state == DRAIN:
            # After startup overran the buffer: the drops already emptied the queue, so the
            # retransmissions (up to a window) must not hold new data back at the drain rate.
            debt = min(debt, self.bw * self._rtt())
        self._tokens = max(self._tokens - segments, -float(debt))

    def delay(self) -> int:
        """ms until the bucket holds one segment again (0 if it already does)."""
        if self._tokens >= 1.0:
            return 0
        return max(1, int((1.0 - self._tokens) / self.rate()) + 1)

    def on_flush(self, sent: int, retransmitted: int) -> None:
        if sent:
            self.loss += LOSS_EWMA * (retransmitted / sent - self.loss)

    def app_limited(self) -> bool:
        """The latest deliveries were of segments sent while the sender had run dry."""
        return self.app_limited_until > self.delivered

    def mark_app_limited(self, inflight: int) -> None:
        """The sender ran out of data: samples until these segments are acked are app-limited."""
        self.app_limited_until = self.delivered + max(inflight, 1)

    # -------------------------------------------------------------- ack side
    def _fraction(self, fraction: float) -> float:
        """Percentiles once the path reorders; the plain minimum before."""
        return fraction if self.reordering else 0.0

    def on_reordering(self, floor: int, clock: int) -> None:
        """The path reorders: the samples so far may be of datagrams that overtook others
        (the caller sends only in-order samples from now on), so they are forgotten; the
        smallest in-order sample so far (``floor``) is the minimum RTT until more come."""
        if not self.reordering:
            self.reordering = True
            self.rtt_samples = 0
            self._window_rtts.clear()
            self._window_rtts.append((clock, floor))
            self._round_samples.clear()
            wrong = self.min_rtt
            self.min_rtt = max(floor, 1)
            self._min_rtt_at = clock
            if self.state != STARTUP and floor > FULL_BW_GROWTH * wrong:
                # Startup ended on a floor an overtaking datagram had set: the "queue" it
                # saw was the path's own round trip. Search again.
                self._restart_startup(0)

    def on_rtt(self, rtt: int, clock: int, floor: bool = True) -> None:
        """One RTT sample. ``floor`` False: it may not set the minimum RTT (on a path that
        reorders, a sample of a segment received out of order), but it still shows a queue:
        overtaking datagrams can only make a sample too small."""
        if rtt < 0:
            return
        self._round_samples.append(rtt)
        if self.delivered < INITIAL_WINDOW:  # the first flight's ACKs
            self._first_rtts.append(rtt)
        if floor:
            self._floor_sample(rtt, clock)
        if self.state == STARTUP:
            self._watch_startup_queue(rtt, clock)

    def _floor_sample(self, rtt: int, clock: int) -> None:
        self.rtt_samples += 1
        self._window_rtts.append((clock, rtt))
        mins = self._min_rtts
        while mins and mins[-1][1] >= rtt:
            mins.pop()
        mins.append((clock, rtt))
        if not self.reordering and rtt < self.min_rtt:
            self.min_rtt = max(rtt, 1)  # a new minimum counts at once, as in BBR
            self._min_rtt_at = clock
        elif not self.round:
            # Until a round completes: the low percentile of what came so far.
            self.min_rtt = max(
                _percentile([r for _, r in self._window_rtts], self._fraction(MIN_RTT_PERCENTILE)),
                1,
            )
            self._min_rtt_at = clock

    def _watch_startup_queue(self, rtt: int, clock: int) -> None:
        """End startup as soon as the bottleneck queue grows, before it overflows.

        Waiting for a round's smallest RTT (or for the rate to stop growing) let a 1-BDP
        buffer overflow first. Single samples include the peer's ACK delay (up to its
        interval), but the last ACK of each peer flush is fresh, so the smallest sample of
        an interval is the path's RTT plus the queue.
        """
        if not self._interval_min or rtt < self._interval_min:
            self._interval_min = rtt
        if clock - self._interval_start <= self.ack_delay:
            return
        floor = self._rtt()
        if self._interval_min > floor + max(STARTUP_QUEUE_FRACTION * floor, QUEUE_FREE_MS):
            self._queued_intervals += 1
            if self._queued_intervals >= STARTUP_QUEUE_INTERVALS and self.bw > 0.0:
                self._enter_drain()
        else:
            self._queued_intervals = 0
        self._interval_min = 0
        self._interval_start = clock

    def on_delivered(
        self,
        count: int,
        clock: int,
        sent_delivered: int,
        sent_dtime: int,
        sent_first: int,
        sent_clock: int,
        inflight: int,
    ) -> None:
        """``count`` segments newly acked. Of the most recently sent of them: ``delivered``,
        ``delivered_time`` and ``first_sent_time`` when it was sent, and its send clock.

        The sample divides by the longer of the send and the ACK intervals, so ACKs that
        arrive in bursts (every peer interval) do not inflate it.
        """
        self.delivered += count
        self.delivered_time = clock
        if self.state == STARTUP and not self._queued_intervals:
            self._ss_window += STARTUP_GROWTH * count
        send_elapsed = sent_clock - sent_first
        self.first_sent_time = sent_clock
        # Never shorter than the minimum RTT: segments whose ACKs were lost count as delivered
        # only when una passes them, all at once, which would make a short interval look fast.
        interval = max(clock - sent_dtime, send_elapsed, self.min_rtt)
        new_round = sent_delivered >= self._next_round
        if new_round:
            self._next_round = self.delivered
            self.round += 1
            self._end_rtt_round(clock)
        if interval <= 0:
            return
        sample = (self.delivered - sent_delivered) / interval
        app_limited = sent_delivered < self.app_limited_until  # as of when it was sent
        if not app_limited or sample > self.bw:
            self._add_sample(sample)
        if new_round and not app_limited:
            self._check_full_pipe(clock)
        self._advance(clock, inflight)

    def _end_rtt_round(self, clock: int) -> None:
        """Close the round's RTT samples, and take the minimum RTT from the window's."""
        samples = self._round_samples
        self.round_rtt = _percentile(samples, self._fraction(RTT_PERCENTILE)) if samples else 0
        self._round_samples = []
        window = self._window_rtts
        while window and clock - window[0][0] > MIN_RTT_WINDOW:
            window.popleft()
        mins = self._min_rtts
        while mins and clock - mins[0][0] > MIN_RTT_WINDOW:
            mins.popleft()
        if not window:
            return
        if self.reordering:
            ordered = [r for _, r in window]
            self.min_rtt = max(_percentile(ordered, MIN_RTT_PERCENTILE), 1)
        else:
            self.min_rtt = max(mins[0][1], 1)
        self._min_rtt_at = clock

    def set_overhead(self, overhead: float) -> None:
        """Wire packets per data packet from now on (the FEC layer's parity share)."""
        if overhead != self.overhead:
            self.overhead = overhead
            self.bw = self._bw_wire / overhead

    def _add_sample(self, sample: float) -> None:
        sample *= self.overhead
        rnd = self.round
        samples = self._bw_samples
        if samples and samples[-1][0] == rnd:
            if sample > samples[-1][1]:
                samples[-1] = (rnd, sample)
        else:
            samples.append((rnd, sample))
        while samples and samples[0][0] <= rnd - BW_ROUNDS:
            samples.pop(0)
        self._bw_wire = max(s for _, s in samples)
        self.bw = self._bw_wire / self.overhead

    def _check_full_pipe(self, clock: int) -> None:
        """Startup ends when the rate stopped growing for ``FULL_BW_ROUNDS`` rounds, each at
        least a minimum RTT long (after a long slow spell, ACKs of segments sent before it
        close several "rounds" within milliseconds)."""
        if self.state != STARTUP or clock - self._full_bw_at < self._rtt():
            return
        self._full_bw_at = clock
        if self._bw_wire >= self._full_bw * FULL_BW_GROWTH:
            self._full_bw = self._bw_wire
            self._full_bw_count = 0
            return
        self._full_bw_count += 1
        if self._full_bw_count >= FULL_BW_ROUNDS:
            self._enter_drain()

    def _restart_startup(self, inflight: int) -> None:
        self.state = STARTUP
        self._full_bw_at = self.delivered_time
        self._full_bw = self._bw_wire
        self._full_bw_count = 0
        self._queued_intervals = 0
        self._ss_window = float(max(inflight, self.window()))

    def _enter_drain(self) -> None:
        self.state = DRAIN
        self._cycle_start = self.delivered_time

    def _advance(self, clock: int, inflight: int) -> None:
        if self.state == DRAIN and (
            inflight <= self.bw * self._rtt()
            or clock - self._cycle_start > DRAIN_ROUNDS * (self._rtt() + self.ack_delay)
        ):
            self.state = PROBE_BW
            self._cycle_index = 2  # start cruising; the probe comes round soon
            self._cycle_start = clock
        elif self.state == PROBE_BW and clock - self._cycle_start >= self._rtt():
            self._cycle_index = (self._cycle_index + 1) % len(PROBE_GAINS)
            self._cycle_start = clock
            if self._cycle_index == 0:
                self._probe_base = self._bw_wire
            elif (
                self._cycle_index == 3
                and self._probe_base
                and self._bw_wire >= REPROBE_GROWTH * self._probe_base
                and self.queue_free()
            ):
                # The 1.25 probe came back 25 % faster with no queue: startup stopped far
                # below the path's rate (noisy early samples), and probing 25 % per eight
                # rounds would take seconds to get there. Search again.
                self._restart_startup(inflight)


def _percentile(samples: list[int], fraction: float) -> int:
    """A low percentile: below it lie only the few samples of datagrams that overtook others
    (never the single smallest of two or more: one early ACK must not set the floor).
    ``fraction`` 0 is the plain minimum."""
    if not fraction:
        return min(samples)
    ordered = sorted(samples)
    n = len(ordered)
    return ordered[max(int(n * fraction), 1 if n >= 2 else 0)]
