"""One KCP session: conv + KCP control block + packet codec, sans-I/O.

The adapter feeds datagrams (``receive_datagram``), queues bytes (``send``), drains
``datagrams_to_send`` and keeps one timer armed at ``get_timer()``. Time is ``now`` in seconds
(``loop.time()``), converted once to KCP's u32 milliseconds.

Unlike kcp-go, which flushes on every ``Write``, ``send`` only marks the session dirty and the
adapter flushes once per event-loop pass: the same segments reach the wire, in fewer, fuller
packets, at a fraction of the per-write cost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .crypt import BlockCrypt
from .errors import MalformedPacket
from .kcp import MASK32, Kcp
from .pacedsender import PacedSender
from .packet import PacketCodec
from .packetcrypt import PacketCrypt
from .sendpolicy import KcptunRules, SenderPolicy
from .snmp import Snmp

log = logging.getLogger(__name__)

# s between --pacing's early ACK flushes: each costs a datagram, and at 2 ms the 10 % loss
# profile put 20 % more bytes on the wire for no goodput (linkbench, 4 runs each)
PROMPT_ACK_GAP = 0.005


def ms32(now: float) -> int:
    """KCP timestamps: u32 milliseconds of a monotonic clock."""
    return int(now * 1000.0) & MASK32


@dataclass(frozen=True, slots=True)
class SessionParams:
    """What kcptun configures on each KCP session (PROTOCOL.md 5.4)."""

    mtu: int = 1350
    sndwnd: int = 128
    rcvwnd: int = 512
    nodelay: int = 0
    interval: int = 30  # ms
    resend: int = 2
    nc: int = 1
    datashard: int = 10
    parityshard: int = 3
    ack_nodelay: bool = False
    stream: bool = True
    pacing: bool = False  # KCP Desk only: kcpcore.pacer paces what this end sends
    fec_adaptive: bool = False  # KCP Desk only: send only the parity measured loss needs


class KcpSession:
    """A KCP conversation with one peer address."""

    def __init__(
        self,
        *,
        conv: int,
        crypt: BlockCrypt | PacketCrypt,
        params: SessionParams,
        now: float,
        snmp: Snmp | None = None,
    ) -> None:
        self.snmp = snmp if snmp is not None else Snmp()
        self.params = params
        policy: SenderPolicy = (
            PacedSender(ack_delay=params.interval, conv=conv) if params.pacing else KcptunRules()
        )
        self.codec = PacketCodec(
            crypt=crypt,
            datashard=params.datashard,
            parityshard=params.parityshard,
            snmp=self.snmp,
            fec_adaptive=params.fec_adaptive,
            sender=policy,
        )
        kcp = Kcp(conv, snmp=self.snmp, stream=params.stream)
        kcp.reserve_bytes(self.codec.reserve)
        kcp.set_mtu(params.mtu)  # kcp-go keeps 1400 when mtu < 50; > 1500 refused upstream
        kcp.set_nodelay(params.nodelay, params.interval, params.resend, params.nc)
        kcp.set_wndsize(params.sndwnd, params.rcvwnd)
        kcp.set_policy(policy)
        self.kcp = kcp
        self.closed = False
        self._dirty = True
        self._ack_due = False
        self._ack_at = now  # --pacing: earliest time for the next early ACK flush
        self._timer = now
        self.created = now
        self.last_recv = now

    @property
    def conv(self) -> int:
        return self.kcp.conv

    # -------------------------------------------------------------- input

    def receive_datagram(self, data: bytes, now: float) -> bool:
        """Process one datagram. Returns False if it was dropped (counted, never raised)."""
        if self.closed:
            return False
        try:
            body = self.codec.decrypt(data)
        except MalformedPacket as exc:
            log.debug("conv=%08x dropped datagram: %s", self.kcp.conv, exc)
            return False
        return self.receive_body(body, now)

    def receive_body(self, body: bytes, now: float) -> bool:
        """Process a datagram the listener already decrypted and checked."""
        if self.closed:
            return False
        now_ms = ms32(now)
        try:
            own, recovered = self.codec.split(body, now_ms)
        except MalformedPacket as exc:
            self.snmp.in_errs += 1
            log.debug("conv=%08x dropped datagram: %s", self.kcp.conv, exc)
            return False
        self.last_recv = now
        kcp = self.kcp
        snmp = self.snmp
        ack_nodelay = self.params.ack_nodelay
        una = kcp.snd_una
        # kcp-go flushes inside Input when snd_una advances; we mark the session dirty instead,
        # so a batch of datagrams read in one go shares one flush (same segments, fuller packets).
        if own is not None and kcp.input(
            own, now_ms, regular=True, ack_nodelay=ack_nodelay, flush_on_slide=False
        ):
            snmp.kcp_in_errors += 1
        for pkt in recovered:
            if kcp.input(pkt, now_ms, regular=False, ack_nodelay=ack_nodelay, flush_on_slide=False):
                snmp.kcp_in_errors += 1
            else:
                snmp.fec_recovered += 1
        if kcp.has_output() or kcp.snd_una != una:
            self._dirty = True
        elif kcp.acklist and self.params.pacing:
            # KCP Desk's --pacing: ACKs leave within PROMPT_ACK_GAP of the data, not at the
            # next interval (kcp-go holds them up to 20 ms in fast2). The peer's sender repairs
            # holes sooner, so its window (1024 segments: ~2 round trips at 50 Mbit/s, 80 ms)
            # stalls less (benchmarks/README.md, issue 5 session 3).
            self._ack_due = True
        return True

    def recv(self) -> bytes | None:
        """Bytes KCP has delivered in order, or None."""
        data = self.kcp.recv()
        if data:
            self.snmp.bytes_received += len(data)
            if self.kcp.probe:
                self._dirty = True  # a window update (WINS) is due
        return data

    # -------------------------------------------------------------- output

    def writable(self) -> bool:
        """kcp-go admits writes only while queued+in-flight segments are below both windows."""
        return self.kcp.writable()

    def send(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        self.kcp.send(data)
        self.snmp.bytes_sent += len(data)
        self._dirty = True

    def wants_flush(self) -> bool:
        return self._dirty or self._ack_due

    def datagrams_to_send(self, now: float) -> list[bytes]:
        """Flush if data was queued (kcp-go flushes on write) and seal what KCP produced."""
        kcp = self.kcp
        if self._dirty and not self.closed:
            self._dirty = False
            self._ack_due = False
            delay = kcp.flush(ms32(now))
            self._timer = now + delay / 1000.0
        elif self._ack_due and not self.closed and now >= self._ack_at:
            self._ack_due = False
            self._ack_at = now + PROMPT_ACK_GAP
            kcp.flush(ms32(now), ack_only=True)
        pkts = kcp.take_output()
        if not pkts:
            return []
        seal = self.codec.seal
        if len(pkts) == 1:
            return seal(pkts[0])
        out: list[bytes] = []
        for p in pkts:
            out.extend(seal(p))
        return out

    def get_timer(self) -> float | None:
        if self.closed:
            return None
        if self._ack_due and self._ack_at < self._timer:
            return self._ack_at
        return self._timer

    def handle_timer(self, now: float) -> None:
        if now >= self._timer and not self.closed:
            self._dirty = True

    def close(self) -> None:
        self.closed = True

    # -------------------------------------------------------------- stats

    @property
    def srtt(self) -> int:
        return self.kcp.rx_srtt

    @property
    def rto(self) -> int:
        return self.kcp.rx_rto

    @property
    def min_rtt(self) -> int:
        """ms, the paced sender's minimum RTT (0 when it does not pace or has no sample)."""
        pacer = self.kcp.policy.pacer
        return pacer.min_rtt if pacer is not None else 0

    @property
    def snd_una(self) -> int:
        """The oldest sn this end still waits to have acknowledged."""
        return self.kcp.snd_una

    @property
    def snd_nxt(self) -> int:
        """The sn the next new segment gets."""
        return self.kcp.snd_nxt

    @property
    def windows(self) -> tuple[int, int]:
        """(send window, receive window) in segments, as KCP applies them."""
        return self.kcp.snd_wnd, self.kcp.rcv_wnd

    def set_windows(self, sndwnd: int, rcvwnd: int) -> None:
        """New send and receive windows, in segments (kcp-go SetWindowSize)."""
        self.kcp.set_wndsize(sndwnd, rcvwnd)

    @property
    def peer_window(self) -> int:
        """Segments the peer last said it can take (its receive window)."""
        return self.kcp.rmt_wnd

    def wait_snd(self) -> int:
        """Segments queued or in flight (kcp-go WaitSnd)."""
        return self.kcp.wait_snd()

    def queued(self) -> int:
        """Segments written but not yet sent once."""
        return len(self.kcp.snd_queue)

    def inflight(self) -> int:
        """Segments sent and not yet acknowledged."""
        return self.kcp.inflight()

    def readable(self) -> bool:
        """``recv`` has bytes to give."""
        return bool(self.kcp.rcv_queue)

    def has_output(self) -> bool:
        """KCP produced packets that ``datagrams_to_send`` would seal."""
        return self.kcp.has_output()

    def received_in_order(self) -> bool:
        """At least one segment from the peer arrived in order (the session really opened)."""
        return self.kcp.rcv_nxt != 0
