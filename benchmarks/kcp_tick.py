"""KCP per-tick cost as the send window grows (issue: no O(window) scans per tick).

Two figures per window size:
* idle tick: flush() with a full window in flight and nothing due (kcp-go scans every segment);
* loaded tick: flush() cost averaged over a lossy in-process transfer that keeps the window full.

    python3 benchmarks/kcp_tick.py [--windows 128,1024,4096]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kcpcore.kcp import MASK32, Kcp
from tests.helpers.link import LossyLink


def make(wnd: int) -> Kcp:
    k = Kcp(1)
    k.reserve_bytes(28)
    k.set_mtu(1350)
    k.set_nodelay(1, 20, 2, 1)
    k.set_wndsize(wnd, wnd)
    return k


def idle_tick(wnd: int, reps: int = 2000) -> float:
    k = make(wnd)
    k.rmt_wnd = wnd
    k.send(b"x" * (k.mss * wnd))
    k.flush(0)
    k.take_output()
    assert len(k.snd_buf) == wnd
    t0 = time.perf_counter()
    for _ in range(reps):
        k.flush(10)  # nothing is due before the 200 ms initial rto
    return (time.perf_counter() - t0) / reps * 1e6


def loaded_tick(wnd: int, loss: float = 0.02, segs: int = 20000) -> tuple[float, float, float]:
    """Average µs per flush(), per segment a flush emits, and per delivered segment over a
    transfer through a lossy link (at least 20 windows, so start-up does not dominate)."""
    segs = max(segs, 20 * wnd)
    a, b = make(wnd), make(wnd)
    ab = LossyLink(seed=1, loss=loss, delay_ms=20)
    ba = LossyLink(seed=2, loss=loss, delay_ms=20)
    payload = random.Random(0).randbytes(a.mss)
    now = 0
    got = 0
    flush_time = 0.0
    flushes = 0
    emitted = 0
    next_a = 0
    t_all = time.perf_counter()
    while got < segs * a.mss:
        while a.writable():
            a.send(payload)
        if now >= next_a:
            out0 = a.snmp.out_segs
            t0 = time.perf_counter()
            next_a = now + a.flush(now & MASK32)
            flush_time += time.perf_counter() - t0
            flushes += 1
            emitted += a.snmp.out_segs - out0
        if now % 20 == 0:
            b.flush(now & MASK32)
        for p in a.take_output():
            ab.send(p, now)
        for p in b.take_output():
            ba.send(p, now)
        for p in ab.receive(now):
            b.input(p, now & MASK32)
        for p in ba.receive(now):
            a.input(p, now & MASK32)
        d = b.recv()
        if d:
            got += len(d)
        now += 5
    total = time.perf_counter() - t_all
    return (flush_time / flushes * 1e6, flush_time / max(emitted, 1) * 1e6, total / segs * 1e6)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--windows", default="128,256,512,1024,2048,4096")
    args = ap.parse_args()
    print(
        f"{'sndwnd':>7} {'idle tick µs':>13} {'loaded flush µs':>16} "
        f"{'µs/segment flushed':>19} {'µs/segment e2e':>15}"
    )
    for w in map(int, args.windows.split(",")):
        idle = idle_tick(w)
        flush, per_flushed, per_seg = loaded_tick(w)
        print(f"{w:>7} {idle:>13.2f} {flush:>16.1f} {per_flushed:>19.2f} {per_seg:>15.2f}")


if __name__ == "__main__":
    main()
