"""Bulk transfer between two KcpSessions over a simulated bottleneck, in virtual time.

Per direction the link drops packets at random, delays them, then queues them in a drop-tail
buffer drained at the link rate (the order ``tools/netlink`` uses: loss and delay first, then
tbf). The clock advances 1 ms per step, like an event loop's timer granularity. Used by
``tests/core/test_pacer.py`` and ``benchmarks/pacing_sim.py``.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kcpcore.crypt import new_block_crypt
from kcpcore.session import KcpSession, SessionParams

IP_UDP = 28  # bytes of IPv4 + UDP header per datagram


class Link:
    """One direction: loss, delay, then a drop-tail queue at ``rate`` (bytes per ms)."""

    def __init__(
        self,
        *,
        rate_mbit: float,
        delay_ms: int,
        loss: float,
        queue_bytes: int,
        seed: int,
        reorder: float = 0.0,
        reorder_gap: int | None = None,
        jitter_ms: int = 0,
        burst: float = 0.0,
        steps: tuple[tuple[int, float], ...] = (),
    ) -> None:
        self.rate = rate_mbit * 1e6 / 8 / 1000
        # ``burst``: Gilbert-Elliott loss with this mean burst length (packets) and ``loss``
        # on average; ``steps``: (ms, Mbit/s) rate changes during the run.
        self.burst = burst
        self._bad = False
        self.steps = sorted(steps)
        self.delay = delay_ms
        self.loss = loss
        # ``reorder``: fraction of datagrams that skip the delay line (netem's ``reorder``;
        # ``reorder_gap`` ms early instead of the whole delay when given); ``jitter_ms``:
        # uniform +-jitter on the delay, FIFO kept as lbemu keeps it.
        self.reorder = reorder
        self.reorder_gap = reorder_gap
        self.jitter = jitter_ms
        self._last_due = 0.0
        self.limit = queue_bytes
        self.rng = random.Random(seed)
        self.line: list[tuple[float, int, bytes]] = []  # (arrival at queue, seq, datagram)
        self.queue: deque[tuple[float, bytes]] = deque()  # (arrival at queue, datagram)
        self.queued = 0  # bytes in the queue, the one being serialised included
        self.busy_until = 0.0  # when the last dequeued datagram finished serialising
        self.seq = 0
        self.wire = 0  # bytes offered to the link, IP/UDP headers included
        self.drops = 0  # datagrams the full queue refused (not the random loss)

    def _lost(self) -> bool:
        if not self.burst:
            return self.rng.random() < self.loss
        leave = 1.0 / self.burst  # bad -> good; good -> bad keeps the mean loss at ``loss``
        if self._bad:
            self._bad = self.rng.random() >= leave
        else:
            self._bad = self.rng.random() < self.loss * leave / (1.0 - self.loss)
        return self._bad

    def send(self, d: bytes, now: float) -> None:
        self.wire += len(d) + IP_UDP
        if self._lost():
            return
        self.seq += 1
        if self.reorder and self.rng.random() < self.reorder:
            gap = self.reorder_gap
            due = now if gap is None else now + max(self.delay - gap, 0)
        else:
            due = now + self.delay
            if self.jitter:
                due += self.rng.uniform(-self.jitter, self.jitter)
            due = self._last_due = max(due, self._last_due)
        heapq.heappush(self.line, (due, self.seq, d))

    def receive(self, now: float) -> list[bytes]:
        """Datagrams that finished crossing the bottleneck by ``now``."""
        while self.steps and self.steps[0][0] <= now:
            self.rate = self.steps.pop(0)[1] * 1e6 / 8 / 1000
        while self.line and self.line[0][0] <= now:
            at, _, d = heapq.heappop(self.line)
            if self.queued + len(d) > self.limit:
                self.drops += 1
                continue
            self.queue.append((at, d))
            self.queued += len(d)
        got = []
        while self.queue:
            at, d = self.queue[0]
            # Serialisation starts when the datagram arrived or the previous one left, so a
            # datagram that takes longer than one step to serialise still leaves.
            done = max(self.busy_until, at) + (len(d) + IP_UDP) / self.rate
            if done > now:
                break
            self.queue.popleft()
            self.queued -= len(d)
            self.busy_until = done
            got.append(d)
        return got


class Sim:
    """Two KcpSessions, a (paced if ``pacing``) and b, joined by a ``Link`` each way, stepped
    1 ms at a time. The queue holds one BDP (``max(rate x 2 x delay, 64 KiB)``, the
    benchmarks' rule) unless ``queue_bytes`` says otherwise. Callers write to ``a``."""

    def __init__(
        self,
        *,
        rate: float,
        delay: int,
        loss: float = 0.0,
        pacing: bool,
        wnd: int = 1024,
        queue_bytes: int | None = None,
        datashard: int = 10,
        parityshard: int = 3,
        mtu: int = 1350,
        interval: int = 20,
        fec_adaptive: bool = False,
        link_opts: dict[str, Any] | None = None,
        echo: bool = False,
        loop_ms: int = 1,
        reverse_rate: float | None = None,
    ) -> None:
        crypt = new_block_crypt("none", bytes(32))
        base = dict(
            mtu=mtu,
            sndwnd=wnd,
            rcvwnd=wnd,
            nodelay=1,
            interval=interval,
            resend=2,
            nc=1,
            datashard=datashard,
            parityshard=parityshard,
        )
        self.a = KcpSession(
            conv=1,
            crypt=crypt,
            now=0.0,
            params=SessionParams(**base, pacing=pacing, fec_adaptive=fec_adaptive),
        )
        self.b = KcpSession(
            conv=1,
            crypt=crypt,
            now=0.0,
            params=SessionParams(**base, fec_adaptive=fec_adaptive, pacing=pacing and echo),
        )
        if queue_bytes is None:
            queue_bytes = int(max(rate * 1e6 / 8 * 2 * delay / 1000, 65536))
        opts = link_opts or {}
        self.ab = Link(
            rate_mbit=rate, delay_ms=delay, loss=loss, queue_bytes=queue_bytes, seed=1, **opts
        )
        back = {k: v for k, v in opts.items() if k != "steps"}  # a rate step is a->b only
        if reverse_rate is None:
            reverse_rate, back_queue = rate, queue_bytes
        else:  # an asymmetric line (b->a carries the ACKs of a's bulk): its own BDP of buffer
            back_queue = int(max(reverse_rate * 1e6 / 8 * 2 * delay / 1000, 65536))
        self.ba = Link(
            rate_mbit=reverse_rate,
            delay_ms=delay,
            loss=loss,
            queue_bytes=back_queue,
            seed=2,
            **back,
        )
        self.ms = 0
        self.got = 0  # bytes b delivered in order
        self.sent_now = 0  # datagrams a sent in the last step
        self.loop_ms = loop_ms  # a's event loop runs every this many ms (a busy machine)
        self.inbox: list[bytes] = []  # datagrams waiting for a's loop
        self.echo = echo  # b sends back what it receives (both directions bulk, b paced too)
        self.backlog = 0  # bytes b has yet to echo

    def step(self) -> None:
        a, b, ab, ba, ms = self.a, self.b, self.ab, self.ba, self.ms
        now = ms / 1000.0
        a_runs = ms % self.loop_ms == 0  # a's event loop gets the CPU this step
        b.handle_timer(now)
        self.sent_now = 0
        if a_runs:
            a.handle_timer(now)
            out = a.datagrams_to_send(now)
            self.sent_now = len(out)
            for d in out:
                ab.send(d, ms)
        for d in b.datagrams_to_send(now):
            ba.send(d, ms)
        for d in ab.receive(ms):
            b.receive_datagram(d, now)
        self.inbox.extend(ba.receive(ms))
        if a_runs:
            for d in self.inbox:
                a.receive_datagram(d, now)
            self.inbox.clear()
        while (data := b.recv()) is not None:
            self.got += len(data)
            if self.echo:
                self.backlog += len(data)
        while self.backlog and b.writable():  # b echoes what it got, as a tunnel's echo does
            n = min(self.backlog, 8192)
            b.send(bytes(n))
            self.backlog -= n
        while self.echo and a.recv() is not None:
            pass
        self.ms = ms + 1


@dataclass
class Result:
    goodput_mbps: float
    wire_per_payload: float
    drops: int  # bottleneck queue drops, sender -> receiver
    seconds: float
    retrans: int
    fast: int
    early: int
    rto: int
    fec_recovered: int
    out_segs: int
    max_inflight: int = 0  # most segments the sender had unacked at once
    samples: list[tuple[int, float, int, int]] = field(default_factory=list, repr=False)
    """(ms, pacer bw in segments per ms, segments in flight, queue drops so far) every
    ``sample_every`` ms"""


def run(
    *,
    rate: float,
    delay: int,
    loss: float,
    mb: float,
    pacing: bool,
    wnd: int = 1024,
    seconds: float = 120.0,
    queue_bytes: int | None = None,
    datashard: int = 10,
    parityshard: int = 3,
    mtu: int = 1350,
    sample_every: int = 0,
    fec_adaptive: bool = False,
    link_opts: dict[str, Any] | None = None,
    setup: Callable[[Sim], None] | None = None,
    echo: bool = False,
    loop_ms: int = 1,
    reverse_rate: float | None = None,
    observe: Callable[[int, KcpSession, Link], None] | None = None,
) -> Result:
    """Move ``mb`` MB from a to b over links of ``rate`` Mbit/s and ``delay`` ms one way
    (see ``Sim``); with ``echo`` b sends all of it back (both directions bulk, as through a
    tunnel to an echo server). ``setup(sim)`` runs before the first step,
    ``observe(ms, a, a->b link)`` after every step."""
    sim = Sim(
        rate=rate,
        delay=delay,
        loss=loss,
        pacing=pacing,
        wnd=wnd,
        queue_bytes=queue_bytes,
        datashard=datashard,
        parityshard=parityshard,
        mtu=mtu,
        fec_adaptive=fec_adaptive,
        link_opts=link_opts,
        echo=echo,
        loop_ms=loop_ms,
        reverse_rate=reverse_rate,
    )
    if setup is not None:
        setup(sim)
    a, b, ab, ba = sim.a, sim.b, sim.ab, sim.ba
    total = int(mb * 1e6)
    chunk = bytes(8192)
    sent = 0
    max_inflight = 0
    samples: list[tuple[int, float, int, int]] = []
    while sim.got < total and sim.ms < seconds * 1000:
        while sent < total and a.writable():
            a.send(chunk)
            sent += len(chunk)
        ms = sim.ms
        sim.step()
        inflight = a.kcp.inflight()
        max_inflight = max(max_inflight, inflight)
        if sample_every and ms % sample_every == 0:
            pacer = a.kcp.policy.pacer
            samples.append((ms, pacer.bw if pacer is not None else 0.0, inflight, ab.drops))
        if observe is not None:
            observe(ms, a, ab)
    secs = sim.ms / 1000
    return Result(
        goodput_mbps=sim.got * 8 / secs / 1e6,
        wire_per_payload=(ab.wire + ba.wire) / max(sim.got, 1),
        drops=ab.drops,
        seconds=secs,
        retrans=a.snmp.retrans_segs,
        fast=a.snmp.fast_retrans_segs,
        early=a.snmp.early_retrans_segs,
        rto=a.snmp.lost_segs,
        fec_recovered=b.snmp.fec_recovered,
        out_segs=a.snmp.out_segs,
        max_inflight=max_inflight,
        samples=samples,
    )
