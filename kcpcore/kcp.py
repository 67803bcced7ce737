"""The KCP ARQ engine, equivalent on the wire to kcp-go v5.6.1, sans-I/O.

Bytes and a millisecond clock go in (``input``, ``send``, ``flush``), KCP packets and readable
bytes come out (``take_output``, ``recv``). No sockets, no asyncio, no clock reads: every
time-dependent call takes ``now_ms`` (u32 milliseconds, any origin; wraparound is handled).

Where this differs from a line-by-line port of kcp-go, it is for cost, not behaviour:

* kcp-go scans the whole send buffer on every flush (RTO check) and on every ACK (fast-ack
  counting). Here retransmission deadlines live in a heap, and fast-ack counting only visits
  *holes*: unacknowledged segments below the highest acknowledged sn. A flush therefore costs
  O(segments sent + holes + log window), not O(window); see ``benchmarks/codec_bench.py``.
* Fast-ack counts are evaluated per input packet against the batch of ACKs it carried, and
  capped at ``max(resend, 1)``, which is all the retransmit rules ever compare them with.

Everything the peer can observe (segment layout, ACK thinning, una/wnd, RTO rules and backoff,
window probing) follows kcp-go v5.6.1. How many new segments may go, when, and which holes
count as lost is the sender policy's (``kcpcore.sendpolicy``): ``KcptunRules`` is kcp-go's
congestion window with fast and early retransmit, the default; ``--pacing`` installs
``kcpcore.pacedsender.PacedSender``.
"""

from __future__ import annotations

import heapq
from collections import deque

from .segment import (
    IKCP_CMD_ACK,
    IKCP_CMD_PUSH,
    IKCP_CMD_WASK,
    IKCP_CMD_WINS,
    IKCP_OVERHEAD,
    SEGMENT_HEADER,
)
from .sendpolicy import KcptunRules, SenderPolicy
from .snmp import Snmp

IKCP_RTO_NDL = 30  # ms; minimum rto with nodelay
IKCP_RTO_MIN = 100  # ms; minimum rto without nodelay
IKCP_RTO_DEF = 200  # ms; initial rto
IKCP_RTO_MAX = 60000  # ms
IKCP_ASK_SEND = 1  # need to send IKCP_CMD_WASK
IKCP_ASK_TELL = 2  # need to send IKCP_CMD_WINS
IKCP_WND_SND = 32  # segments
IKCP_WND_RCV = 32  # segments
IKCP_MTU_DEF = 1400  # bytes
IKCP_INTERVAL = 100  # ms
IKCP_DEADLINK = 20  # transmissions of one segment before state goes dead
IKCP_PROBE_INIT = 7000  # ms; kcp-go value (C KCP has 7000 too)
IKCP_PROBE_LIMIT = 120000  # ms
IKCP_MTU_MIN = 50  # SetMtu refuses smaller values

MASK32 = 0xFFFFFFFF
_HALF = 0x80000000
_unpack_header = SEGMENT_HEADER.unpack_from
_pack_header = SEGMENT_HEADER.pack


def timediff(later: int, earlier: int) -> int:
    """Signed 32-bit difference ``later - earlier`` (kcp's ``_itimediff``)."""
    return ((later - earlier + _HALF) & MASK32) - _HALF


class _Seg:
    """A segment in the send buffer. Plain slots class: created once per sent segment."""

    __slots__ = (
        "acked",
        "data",
        "deadline",
        "fastack",
        "frg",
        "rto",
        "sent",
        "sn",
        "ts",
        "tx",
        "xmit",
    )

    def __init__(self, sn: int, frg: int, data: bytes) -> None:
        self.sn = sn
        self.frg = frg
        self.data = data
        self.ts = 0
        self.xmit = 0
        self.rto = 0
        self.deadline = 0  # retransmit time on the control block's 64-bit clock
        self.fastack = 0
        self.acked = False
        self.sent = 0  # when it was last sent, on the control block's unwrapped clock
        self.tx: object = None  # the sender policy's record of that transmission


class Kcp:
    """One KCP control block (one conv).

    Output packets hold KCP segments only, at most ``mtu - reserved`` bytes each; the caller
    adds the FEC and crypt headers that ``reserved`` makes room for.
    """

    def __init__(self, conv: int, *, snmp: Snmp | None = None, stream: bool = True) -> None:
        self.conv = conv & MASK32
        self.snmp = snmp if snmp is not None else Snmp()
        self.stream = stream
        self.mtu = IKCP_MTU_DEF
        self.reserved = 0
        self.mss = self.mtu - IKCP_OVERHEAD
        self.state = 0
        self.snd_una = 0
        self.snd_nxt = 0
        self.rcv_nxt = 0
        self.rx_rttvar = 0
        self.rx_srtt = 0
        self.rx_rto = IKCP_RTO_DEF
        self.rx_minrto = IKCP_RTO_MIN
        self.snd_wnd = IKCP_WND_SND
        self.rcv_wnd = IKCP_WND_RCV
        self.rmt_wnd = IKCP_WND_RCV
        self.probe = 0
        self.interval = IKCP_INTERVAL
        self.nodelay = 0
        self.fastresend = 0
        self.nocwnd = 0
        self.ts_probe = 0
        self.probe_wait = 0
        self.dead_link = IKCP_DEADLINK

        self.snd_queue: deque[bytearray] = deque()  # stream mode: data; frg kept alongside
        self._snd_queue_frg: deque[int] = deque()
        self.snd_buf: deque[_Seg] = deque()  # in sn order, acked ones until una passes
        self._unacked: dict[int, _Seg] = {}  # sn -> segment, not yet acked
        self._holes: dict[int, _Seg] = {}  # unacked with sn < highest acked sn, sn order
        self._max_ack = MASK32  # highest sn acked so far (snd_una - 1 initially)
        self._timers: list[tuple[int, int, int, _Seg]] = []  # (deadline, sn, xmit, seg)
        self._clock = 0  # ms, never wraps: u32 now_ms unwrapped, for the timer heap
        self._last_ms: int | None = None
        self._fastcap = 1
        self.rcv_queue: deque[tuple[int, bytes]] = deque()  # (frg, data)
        self.rcv_buf: dict[int, tuple[int, bytes]] = {}  # out-of-order sn -> (frg, data)
        self.acklist: list[tuple[int, int]] = []
        self._out: list[bytes] = []
        self.policy: SenderPolicy = KcptunRules()
        self._newly_acked: list[_Seg] = []  # acked during the current input (policy.tracks_acks)
        self._una_fresh: set[int] = set()
        # The sender policy's RTT samples come from ACKs of segments the peer had received
        # *in order* when it flushed (sn below the una it sent), not from kcp-go's last ACK:
        # on a path that reorders, the last ACK of a peer flush is often of a datagram that
        # overtook the others (30 Mbit/s, 1 % skipping a 100 ms delay: 45 % of 20 ms
        # flushes end with one), and the minimum RTT came out half the path's.
        self._ordered_ts: int | None = None  # sns una acknowledged first, in the current input

    # ------------------------------------------------------------------ configuration

    def set_mtu(self, mtu: int) -> bool:
        """kcp-go SetMtu: values below 50 are refused and the old MTU stays."""
        if mtu < IKCP_MTU_MIN or mtu - IKCP_OVERHEAD - self.reserved <= 0:
            return False
        self.mtu = mtu
        self.mss = mtu - IKCP_OVERHEAD - self.reserved
        return True

    def reserve_bytes(self, n: int) -> bool:
        """Keep room for outer headers (crypt 20 + FEC 8) inside each ``mtu``-byte datagram."""
        if n < 0 or n >= self.mtu - IKCP_OVERHEAD:
            return False
        self.reserved = n
        self.mss = self.mtu - IKCP_OVERHEAD - n
        return True

    def set_nodelay(self, nodelay: int, interval: int, resend: int, nc: int) -> None:
        if nodelay >= 0:
            self.nodelay = nodelay
            self.rx_minrto = IKCP_RTO_NDL if nodelay else IKCP_RTO_MIN
        if interval >= 0:
            self.interval = min(max(interval, 10), 5000)
        if resend >= 0:
            self.fastresend = resend
            self._fastcap = max(resend, 1)
        if nc >= 0:
            self.nocwnd = nc

    def set_policy(self, policy: SenderPolicy) -> None:
        """The sender policy from now on (``kcpcore.sendpolicy``)."""
        self.policy = policy

    def set_wndsize(self, sndwnd: int, rcvwnd: int) -> None:
        if sndwnd > 0:
            self.snd_wnd = sndwnd
        if rcvwnd > 0:
            self.rcv_wnd = rcvwnd

    # ------------------------------------------------------------------ application side

    def inflight(self) -> int:
        """Segments sent and not yet acknowledged."""
        return len(self._unacked)

    def wait_snd(self) -> int:
        """Segments queued or in flight (kcp-go WaitSnd)."""
        return len(self.snd_buf) + len(self.snd_queue)

    def writable(self) -> bool:
        """kcp-go session Write admits data only below both windows."""
        w = len(self.snd_buf) + len(self.snd_queue)
        return w < self.snd_wnd and w < self.rmt_wnd

    def send(self, data: bytes | bytearray | memoryview) -> int:
        """Queue bytes. Stream mode tops up the last queued segment first, as kcp-go does.

        Returns 0, or -1 for empty data, -2 when a message needs more than 255 fragments.
        """
        n = len(data)
        if n == 0:
            return -1
        mss = self.mss
        queue = self.snd_queue
        off = 0
        if self.stream:
            if queue:
                last = queue[-1]
                room = mss - len(last)
                if room > 0:
                    last += data[:room]
                    off = min(room, n)
            while off < n:
                queue.append(bytearray(data[off : off + mss]))
                self._snd_queue_frg.append(0)
                off += mss
            return 0
        count = max(1, (n + mss - 1) // mss)
        if count > 255:
            return -2
        for i in range(count):
            queue.append(bytearray(data[off : off + mss]))
            self._snd_queue_frg.append(count - i - 1)
            off += mss
        return 0

    def peek_size(self) -> int:
        queue = self.rcv_queue
        if not queue:
            return -1
        frg, data = queue[0]
        if frg == 0:
            return len(data)
        if len(queue) < frg + 1:
            return -1
        total = 0
        for frg, data in queue:
            total += len(data)
            if frg == 0:
                break
        return total

    def recv(self) -> bytes | None:
        """Readable bytes or None: everything queued (stream mode) or one message."""
        queue = self.rcv_queue
        if not queue:
            return None
        fast_recover = len(queue) >= self.rcv_wnd
        if self.stream:
            out = b"".join([d for _, d in queue])
            queue.clear()
        else:
            if self.peek_size() < 0:
                return None
            parts = []
            while queue:
                frg, data = queue.popleft()
                parts.append(data)
                if frg == 0:
                    break
            out = b"".join(parts)
        self._move_rcv_buf()
        if fast_recover and len(queue) < self.rcv_wnd:
            self.probe |= IKCP_ASK_TELL  # tell the peer our window reopened
        return out

    # ------------------------------------------------------------------ input

    def input(
        self,
        data: bytes | memoryview,
        now_ms: int,
        *,
        regular: bool = True,
        ack_nodelay: bool = False,
        flush_on_slide: bool = True,
    ) -> int:
        """Feed one packet of KCP segments. Returns 0, or kcp-go's negative error code.

        ``regular`` is False for packets rebuilt by FEC: they carry no trustworthy window or
        RTT sample (kcp-go's rule). kcp-go flushes when ``snd_una`` advances; a caller that
        feeds a batch of packets and flushes after it passes ``flush_on_slide=False``.
        """
        if len(data) < IKCP_OVERHEAD:
            return -1
        snd_una_before = self.snd_una
        self._una_fresh.clear()
        ret, acks, una, window_slides = self._read_segments(data, regular)
        policy = self.policy
        if acks:
            self._tick(now_ms)
            sample_ts = self._parse_acks(acks, una)
            if regular and sample_ts is not None:
                rtt = timediff(now_ms, sample_ts)
                if rtt >= 0:
                    self._update_ack(rtt)
                    ordered_ts = self._ordered_ts
                    policy.on_rtt(
                        rtt,
                        None if ordered_ts is None else max(timediff(now_ms, ordered_ts), 0),
                        self._clock,
                    )
        if self._newly_acked:
            self._tick(now_ms)
            newly = self._newly_acked
            self._newly_acked = []
            policy.on_acked(newly, self._clock, len(self._unacked))
        if timediff(self.snd_una, snd_una_before) > 0:
            policy.on_una_advanced(self)
        if window_slides and flush_on_slide:
            self.flush(now_ms)
        elif ack_nodelay and self.acklist:
            self.flush(now_ms, ack_only=True)
        return ret

    def _read_segments(
        self, data: bytes | memoryview, regular: bool
    ) -> tuple[int, list[tuple[int, int]] | None, int, bool]:
        """Apply the segments of one packet but its ACKs: (0 or kcp-go's negative error code,
        the ACKs' (sn, ts) for the caller to apply after, the last una read, whether it
        slid the send window). Stops at the first bad segment, like kcp-go."""
        size = len(data)
        una = self.snd_una
        conv = self.conv
        off = 0
        ret = 0
        in_segs = 0
        acks: list[tuple[int, int]] | None = None
        window_slides = False
        snmp = self.snmp
        while size - off >= IKCP_OVERHEAD:
            sconv, cmd, frg, wnd, ts, sn, una, length = _unpack_header(data, off)
            if sconv != conv:
                ret = -1
                break
            off += IKCP_OVERHEAD
            if size - off < length:
                ret = -2
                break
            if cmd < IKCP_CMD_PUSH or cmd > IKCP_CMD_WINS:
                ret = -3
                break
            if regular:
                self.rmt_wnd = wnd
            if self.snd_buf and timediff(una, self.snd_buf[0].sn) > 0 and self._parse_una(una):
                window_slides = True
            if cmd == IKCP_CMD_ACK:
                if acks is None:
                    acks = []
                acks.append((sn, ts))
            elif cmd == IKCP_CMD_PUSH:
                repeat = True
                if timediff(sn, self.rcv_nxt + self.rcv_wnd) < 0:
                    self.acklist.append((sn, ts))
                    if timediff(sn, self.rcv_nxt) >= 0:
                        repeat = self._parse_data(sn, frg, bytes(data[off : off + length]))
                if regular and repeat:
                    snmp.repeat_segs += 1
            elif cmd == IKCP_CMD_WASK:
                self.probe |= IKCP_ASK_TELL
            in_segs += 1
            off += length
        snmp.in_segs += in_segs
        return ret, acks, una, window_slides

    def _parse_una(self, una: int) -> int:
        """Drop every segment below ``una``; returns how many left the send buffer."""
        buf = self.snd_buf
        unacked = self._unacked
        holes = self._holes
        count = 0
        while buf and timediff(una, buf[0].sn) > 0:
            seg = buf.popleft()
            if not seg.acked:
                seg.acked = True
                seg.data = b""
                del unacked[seg.sn]
                holes.pop(seg.sn, None)
                self._una_fresh.add(seg.sn)
                if self.policy.tracks_acks:
                    self._newly_acked.append(seg)
            count += 1
        self.snd_una = buf[0].sn if buf else self.snd_nxt
        return count

    def _parse_acks(self, acks: list[tuple[int, int]], peer_una: int) -> int | None:
        """Mark acked segments, then count fast-acks on the holes below them.

        Returns the ts of the last ACK that acknowledged a segment for the first time (by
        itself or by this input's una), the RTT sample; None if none did. kcp-go samples the
        last ACK whatever it acknowledges: a peer's FEC rebuilding a packet of ours long after
        ARQ delivered it sends an ACK whose ts is seconds old (a sparse flow fills an FEC
        group slowly), and that one sample lifted the RTO to seconds (simulated
        request/response at 10 % loss: p99 2.5 s).
        """
        snd_una = self.snd_una
        snd_nxt = self.snd_nxt
        unacked = self._unacked
        holes = self._holes
        fresh = self._una_fresh
        valid = []
        tracks = self.policy.tracks_acks
        top_sn = None
        sample_ts = None
        self._ordered_ts = None
        for sn, ts in acks:
            if sn in fresh:
                sample_ts = ts
                if timediff(sn, peer_una) < 0:
                    self._ordered_ts = ts
            if timediff(sn, snd_una) < 0 or timediff(sn, snd_nxt) >= 0:
                continue
            valid.append((sn, ts))
            seg = unacked.pop(sn, None)
            if seg is not None:
                seg.acked = True
                seg.data = b""
                holes.pop(sn, None)
                sample_ts = ts
                if tracks:
                    self._newly_acked.append(seg)
                if seg.xmit > 1 and ts != seg.ts:
                    # The ACK echoes an earlier copy's timestamp: the resend was needless.
                    self.policy.on_spurious(seg, self._clock, self.rx_srtt)
            if top_sn is None or timediff(sn, top_sn) > 0:
                top_sn = sn
        if top_sn is None:
            return sample_ts
        gap = timediff(top_sn, self._max_ack)
        if gap > 0:
            # Every unacked segment between the old and new highest ack becomes a hole.
            start = self._max_ack
            if timediff(snd_una, start) > 0:
                start = (snd_una - 1) & MASK32
                gap = timediff(top_sn, start)
            for i in range(1, gap):
                s = (start + i) & MASK32
                seg = unacked.get(s)
                if seg is not None:
                    holes[s] = seg
            self._max_ack = top_sn
        if holes and self.policy.counts_fastacks:
            self._count_fastacks(valid)
        return sample_ts

    def _count_fastacks(self, acks: list[tuple[int, int]]) -> None:
        """fastack += #(acks with sn > hole.sn and ts >= hole.ts), capped at what matters."""
        cap = self._fastcap
        base = self.snd_una
        acks.sort(key=lambda a: (a[0] - base) & MASK32, reverse=True)
        ref_ts = acks[0][1]  # compare timestamps relative to one of them (wrap-safe)
        top: list[int] = []  # the `cap` largest relative ts among acks with larger sn
        i = 0
        n = len(acks)
        for seg in reversed(list(self._holes.values())):
            rel_sn = (seg.sn - base) & MASK32
            while i < n and ((acks[i][0] - base) & MASK32) > rel_sn:
                t = timediff(acks[i][1], ref_ts)
                if len(top) < cap:
                    top.append(t)
                    top.sort()
                elif t > top[0]:
                    top[0] = t
                    top.sort()
                i += 1
            if not top:
                continue
            hole_ts = timediff(seg.ts, ref_ts)
            hits = 0
            for t in top:
                if t >= hole_ts:
                    hits += 1
            if hits:
                seg.fastack = min(seg.fastack + hits, cap)

    def _parse_data(self, sn: int, frg: int, data: bytes) -> bool:
        """Store an in-window PUSH; returns True if it was a duplicate."""
        rcv_buf = self.rcv_buf
        if sn in rcv_buf:
            return True
        rcv_buf[sn] = (frg, data)
        self._move_rcv_buf()
        return False

    def _move_rcv_buf(self) -> None:
        rcv_buf = self.rcv_buf
        queue = self.rcv_queue
        nxt = self.rcv_nxt
        wnd = self.rcv_wnd
        while nxt in rcv_buf and len(queue) < wnd:
            queue.append(rcv_buf.pop(nxt))
            nxt = (nxt + 1) & MASK32
        self.rcv_nxt = nxt

    def _update_ack(self, rtt: int) -> None:
        """RFC 6298 smoothing with kcp-go's 1/32 weight for samples below the range."""
        if self.rx_srtt == 0:
            self.rx_srtt = rtt
            self.rx_rttvar = rtt >> 1
        else:
            delta = rtt - self.rx_srtt
            self.rx_srtt += delta >> 3
            if delta < 0:
                delta = -delta
            if rtt < self.rx_srtt - self.rx_rttvar:
                self.rx_rttvar += (delta - self.rx_rttvar) >> 5
            else:
                self.rx_rttvar += (delta - self.rx_rttvar) >> 2
        rto = self.rx_srtt + max(self.interval, self.rx_rttvar << 2)
        self.rx_rto = min(max(self.rx_minrto, rto), IKCP_RTO_MAX)

    # ------------------------------------------------------------------ output

    def wnd_unused(self) -> int:
        n = self.rcv_wnd - len(self.rcv_queue)
        return n if n > 0 else 0

    def has_output(self) -> bool:
        """Packets wait for ``take_output``."""
        return bool(self._out)

    def take_output(self) -> list[bytes]:
        """KCP packets produced since the last call (by flush, or by input's own flushes)."""
        out = self._out
        self._out = []
        return out

    def flush(self, now_ms: int, *, ack_only: bool = False) -> int:
        """Emit ACKs, probes, new and due segments. Returns ms until the next flush is due."""
        now_ms &= MASK32
        self._tick(now_ms)
        w = _Writer(self)
        wnd = self.wnd_unused()
        una = self.rcv_nxt
        self._flush_acks(w, wnd, una)
        if ack_only:
            w.finish()
            return self.interval
        self._flush_probes(w, wnd, una, now_ms)
        policy = self.policy
        cwnd = policy.window(self, min(self.snd_wnd, self.rmt_wnd))
        new_segs = self._move_queue_to_buf(cwnd, policy.quota(self._clock, len(self._unacked)))
        change, lost = self._flush_segments(w, wnd, una, now_ms, new_segs)
        w.finish()
        policy.on_flushed(self, len(new_segs), change, lost, cwnd)
        # Out of data with room in KCP's window: app-limited. A full window (the app may not
        # write more) is not, or a paced startup could never see the pipe fill behind snd_wnd.
        if not self.snd_queue and self.writable():
            self.policy.on_app_limited(len(self._unacked))
        delay = self._next_deadline(now_ms)
        if self.snd_queue and timediff((self.snd_una + cwnd) & MASK32, self.snd_nxt) > 0:
            delay = min(delay, self.policy.send_delay())
        return delay

    def _flush_acks(self, w: _Writer, wnd: int, una: int) -> None:
        acks = self.acklist
        if not acks:
            return
        conv = self.conv
        last = len(acks) - 1
        rcv_nxt = self.rcv_nxt
        for i, (sn, ts) in enumerate(acks):
            # kcp-go thins ACKs below rcv_nxt (bufferbloat jitter), keeping the last one.
            if i == last or timediff(sn, rcv_nxt) >= 0:
                w.add(_pack_header(conv, IKCP_CMD_ACK, 0, wnd, ts, sn, una, 0))
        self.acklist = []

    def _flush_probes(self, w: _Writer, wnd: int, una: int, now_ms: int) -> None:
        if self.rmt_wnd == 0:
            if self.probe_wait == 0:
                self.probe_wait = IKCP_PROBE_INIT
                self.ts_probe = (now_ms + self.probe_wait) & MASK32
            elif timediff(now_ms, self.ts_probe) >= 0:
                self.probe_wait = max(self.probe_wait, IKCP_PROBE_INIT)
                self.probe_wait = min(self.probe_wait + self.probe_wait // 2, IKCP_PROBE_LIMIT)
                self.ts_probe = (now_ms + self.probe_wait) & MASK32
                self.probe |= IKCP_ASK_SEND
        else:
            self.ts_probe = 0
            self.probe_wait = 0
        if self.probe & IKCP_ASK_SEND:
            w.add(_pack_header(self.conv, IKCP_CMD_WASK, 0, wnd, 0, 0, una, 0))
        if self.probe & IKCP_ASK_TELL:
            w.add(_pack_header(self.conv, IKCP_CMD_WINS, 0, wnd, 0, 0, una, 0))
        self.probe = 0

    def _move_queue_to_buf(self, cwnd: int, most: int = -1) -> list[_Seg]:
        queue = self.snd_queue
        if not queue or not most:
            return []
        frgs = self._snd_queue_frg
        limit = (self.snd_una + cwnd) & MASK32
        snd_nxt = self.snd_nxt
        new: list[_Seg] = []
        unacked = self._unacked
        buf = self.snd_buf
        while queue and timediff(snd_nxt, limit) < 0:
            seg = _Seg(snd_nxt, frgs.popleft(), bytes(queue.popleft()))
            buf.append(seg)
            unacked[snd_nxt] = seg
            new.append(seg)
            snd_nxt = (snd_nxt + 1) & MASK32
            if len(new) == most:
                break
        self.snd_nxt = snd_nxt
        return new

    def _flush_segments(
        self, w: _Writer, wnd: int, una: int, now_ms: int, new_segs: list[_Seg]
    ) -> tuple[int, int]:
        """Send new segments, the holes the policy finds lost, and RTO-expired segments.

        kcp-go's early retransmit is for the tail of the data: "no new segment in this
        flush" (``tail``); the policy decides what it does with it.
        """
        policy = self.policy
        rx_rto = self.rx_rto + policy.rto_allowance(self)
        clock = self._clock
        due, early = policy.lost_holes(self, self._holes.values(), not new_segs, clock)
        fast = len(due) - early
        for seg in due:
            seg.fastack = 0
            seg.rto = rx_rto
        fast_sns = {seg.sn for seg in due} if due else ()
        # RTO: pop deadlines that have passed; stale heap entries are skipped lazily.
        timers = self._timers
        lost = 0
        backoff = rx_rto if self.nodelay == 0 else rx_rto // 2
        while timers and timers[0][0] <= clock:
            _, sn, xmit, seg = heapq.heappop(timers)
            if seg.acked or seg.xmit != xmit or sn in fast_sns:
                continue
            seg.rto += backoff
            seg.fastack = 0
            lost += 1
            due.append(seg)
        for seg in new_segs:
            seg.rto = rx_rto
        self._transmit(w, wnd, una, now_ms, due, new_segs)
        if fast or early or lost:
            snmp = self.snmp
            snmp.lost_segs += lost
            snmp.fast_retrans_segs += fast
            snmp.early_retrans_segs += early
            snmp.retrans_segs += lost + fast + early
        return fast + early, lost

    def _transmit(self, w: _Writer, wnd: int, una: int, now_ms: int, *groups: list[_Seg]) -> None:
        """Stamp, time and write out each segment of ``groups``."""
        conv = self.conv
        dead = self.dead_link
        clock = self._clock
        record = self.policy.stamp(clock)
        timers = self._timers
        for group in groups:
            for seg in group:
                seg.xmit += 1
                seg.ts = now_ms
                seg.sent = clock
                seg.tx = record
                seg.deadline = clock + seg.rto
                heapq.heappush(timers, (seg.deadline, seg.sn, seg.xmit, seg))
                w.add(
                    _pack_header(
                        conv, IKCP_CMD_PUSH, seg.frg, wnd, now_ms, seg.sn, una, len(seg.data)
                    ),
                    seg.data,
                )
                if seg.xmit >= dead:
                    self.state = -1

    def _tick(self, now_ms: int) -> None:
        """Unwrap the u32 clock into ``_clock`` so heap deadlines never wrap."""
        if self._last_ms is not None:
            step = timediff(now_ms, self._last_ms)
            if step > 0:
                self._clock += step
        self._last_ms = now_ms

    def _next_deadline(self, now_ms: int) -> int:
        """min(interval, nearest retransmit deadline), as kcp-go's flush returns."""
        timers = self._timers
        while timers and (timers[0][3].acked or timers[0][3].xmit != timers[0][2]):
            heapq.heappop(timers)
        if not timers:
            return self.interval
        rto = timers[0][0] - self._clock
        if 0 < rto < self.interval:
            return rto
        return self.interval


class _Writer:
    """Packs segments greedily into packets of at most ``mtu - reserved`` bytes."""

    __slots__ = ("kcp", "limit", "parts", "segs", "size")

    def __init__(self, kcp: Kcp) -> None:
        self.kcp = kcp
        self.limit = kcp.mtu - kcp.reserved
        self.parts: list[bytes] = []
        self.size = 0
        self.segs = 0

    def add(self, header: bytes, data: bytes = b"") -> None:
        need = IKCP_OVERHEAD + len(data)
        if self.size + need > self.limit and self.parts:
            self.kcp._out.append(b"".join(self.parts))
            self.parts = []
            self.size = 0
        self.parts.append(header)
        if data:
            self.parts.append(data)
        self.size += need
        self.segs += 1

    def finish(self) -> None:
        if self.parts:
            self.kcp._out.append(b"".join(self.parts))
            self.parts = []
            self.size = 0
        self.kcp.snmp.out_segs += self.segs
        self.segs = 0
