"""Bulk transfer between two KcpSessions over a simulated bottleneck, in virtual time.

A quick loop for tuning the sender (``kcpcore.pacer``) without namespaces: per direction the
link drops packets at random, delays them, then queues them in a drop-tail buffer drained at
the link rate (the order ``tools/netlink`` uses: loss and delay first, then tbf). The clock
advances 1 ms per step, like an event loop's timer granularity.

    python3 benchmarks/pacing_sim.py --rate 100 --delay 20 --loss 0 --mb 10 [--pacing]
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kcpcore.crypt import new_block_crypt
from kcpcore.session import KcpSession, SessionParams

IP_UDP = 28  # bytes of IPv4 + UDP header per datagram


class Link:
    """One direction: loss, delay, then a drop-tail queue at ``rate`` (bytes per ms)."""

    def __init__(self, *, rate_mbit: float, delay_ms: int, loss: float, queue_bytes: int,
                 seed: int) -> None:
        self.rate = rate_mbit * 1e6 / 8 / 1000
        self.delay = delay_ms
        self.loss = loss
        self.limit = queue_bytes
        self.rng = random.Random(seed)
        self.line: list[tuple[float, int, bytes]] = []  # (arrival at queue, seq, datagram)
        self.queue: deque[bytes] = deque()
        self.queued = 0
        self.busy_until = 0.0
        self.out: list[tuple[float, bytes]] = []
        self.seq = 0
        self.wire = 0
        self.drops = 0

    def send(self, d: bytes, now: float) -> None:
        self.wire += len(d) + IP_UDP
        if self.rng.random() < self.loss:
            return
        self.seq += 1
        heapq.heappush(self.line, (now + self.delay, self.seq, d))

    def receive(self, now: float) -> list[bytes]:
        while self.line and self.line[0][0] <= now:
            _, _, d = heapq.heappop(self.line)
            if self.queued + len(d) > self.limit:
                self.drops += 1
                continue
            self.queue.append(d)
            self.queued += len(d)
        got = []
        t = max(self.busy_until, now - 1)
        while self.queue and t + (len(self.queue[0]) + IP_UDP) / self.rate <= now:
            d = self.queue.popleft()
            self.queued -= len(d)
            t += (len(d) + IP_UDP) / self.rate
            got.append(d)
        self.busy_until = t if self.queue else max(t, now)
        return got


def run(*, rate: float, delay: int, loss: float, mb: float, pacing: bool, wnd: int = 1024,
        seconds: float = 120.0, trace: bool = False) -> dict[str, float]:
    crypt = new_block_crypt("none", bytes(32))
    base = dict(mtu=1350, sndwnd=wnd, rcvwnd=wnd, nodelay=1, interval=20, resend=2, nc=1,
                datashard=10, parityshard=3)
    a = KcpSession(conv=1, crypt=crypt, params=SessionParams(**base, pacing=pacing), now=0.0)
    b = KcpSession(conv=1, crypt=crypt, params=SessionParams(**base), now=0.0)
    bdp = int(max(rate * 1e6 / 8 * 2 * delay / 1000, 65536))
    ab = Link(rate_mbit=rate, delay_ms=delay, loss=loss, queue_bytes=bdp, seed=1)
    ba = Link(rate_mbit=rate, delay_ms=delay, loss=loss, queue_bytes=bdp, seed=2)
    total = int(mb * 1e6)
    chunk = bytes(8192)
    sent = got = 0
    ms = 0
    while got < total and ms < seconds * 1000:
        now = ms / 1000.0
        while sent < total and a.writable():
            a.send(chunk)
            sent += len(chunk)
        for s in (a, b):
            s.handle_timer(now)
        for d in a.datagrams_to_send(now):
            ab.send(d, ms)
        for d in b.datagrams_to_send(now):
            ba.send(d, ms)
        for d in ab.receive(ms):
            b.receive_datagram(d, now)
        for d in ba.receive(ms):
            a.receive_datagram(d, now)
        while (data := b.recv()) is not None:
            got += len(data)
        if trace and ms % 500 == 0 and a.kcp.pacer is not None:
            p = a.kcp.pacer
            print(f"{ms:6d} ms {p.state:9s} bw {p.bw * 8 * 1298 / 1000:7.2f} Mbit/s "
                  f"minrtt {p.min_rtt:4d} rtt {p.round_rtt:4d} loss {p.loss:.3f} "
                  f"win {p.window():5d} inflight {len(a.kcp._unacked):5d} "
                  f"queue {ab.queued:8d} drops {ab.drops} "
                  f"span {(a.kcp.snd_nxt - a.kcp.snd_una) & 0xFFFFFFFF} rmt {a.kcp.rmt_wnd}")
        ms += 1
    secs = ms / 1000
    return {"goodput_mbps": got * 8 / secs / 1e6,
            "wire_per_payload": (ab.wire + ba.wire) / max(got, 1), "drops": ab.drops,
            "seconds": secs,
            "retrans": a.snmp.retrans_segs, "fast": a.snmp.fast_retrans_segs,
            "early": a.snmp.early_retrans_segs, "rto": a.snmp.lost_segs,
            "fec_recovered": b.snmp.fec_recovered, "out_segs": a.snmp.out_segs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=100.0, help="Mbit/s")
    ap.add_argument("--delay", type=int, default=20, help="ms one way")
    ap.add_argument("--loss", type=float, default=0.0, help="fraction per packet")
    ap.add_argument("--mb", type=float, default=10.0)
    ap.add_argument("--pacing", action="store_true")
    ap.add_argument("--trace", action="store_true")
    args = ap.parse_args()
    r = run(rate=args.rate, delay=args.delay, loss=args.loss, mb=args.mb, pacing=args.pacing,
            trace=args.trace)
    print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()))


if __name__ == "__main__":
    main()
