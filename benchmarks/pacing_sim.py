"""Bulk transfer between two KcpSessions over a simulated bottleneck, in virtual time.

A quick loop for tuning the sender (``kcpcore.pacer``) without namespaces: per direction the
link drops packets at random, delays them, then queues them in a drop-tail buffer drained at
the link rate (the order ``tools/netlink`` uses: loss and delay first, then tbf). The clock
advances 1 ms per step, like an event loop's timer granularity. The simulator itself lives in
``tests/helpers/bottleneck.py``, which ``tests/core/test_pacer.py`` runs too.

    python3 benchmarks/pacing_sim.py --rate 100 --delay 20 --loss 0 --mb 10 [--pacing]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kcpcore.session import KcpSession
from tests.helpers.bottleneck import Link, run

EVERY = 500  # ms between trace lines (--every)

# (name, rate Mbit/s, one-way delay ms, loss, run options): the simulator's share of the
# path corpus (benchmarks/linkbench.py runs the real one), for quick same-run ratios.
# link_opts: reorder (fraction skipping the delay line), reorder_gap (ms early instead),
# jitter_ms (uniform, FIFO); echo: both directions bulk; loop_ms: the sender's event loop
# runs only this often (a busy machine).
SIM_PATHS: tuple[tuple[str, float, int, float, dict[str, Any]], ...] = (
    ("100m-20ms", 100, 20, 0.0, {}),
    ("50m-40ms-2%", 50, 40, 0.02, {}),
    ("20m-50ms-10%", 20, 50, 0.10, {}),
    ("30m-100ms-1%-reorder1%", 30, 100, 0.01, {"link_opts": {"reorder": 0.01}}),
    (
        "30m-100ms-1%-reorder1%-jitter10",
        30,
        100,
        0.01,
        {"link_opts": {"reorder": 0.01, "jitter_ms": 10}},
    ),
    ("30m-100ms-1%-jitter10", 30, 100, 0.01, {"link_opts": {"jitter_ms": 10}}),
    (
        "30m-100ms-1%-reorder5%-gap3ms",
        30,
        100,
        0.01,
        {"link_opts": {"reorder": 0.05, "reorder_gap": 3}},
    ),
    ("20m-50ms-reorder5%", 20, 50, 0.0, {"link_opts": {"reorder": 0.05}}),
    ("10m-200ms", 10, 200, 0.0, {}),
    ("50m-5ms-jitter5", 50, 5, 0.0, {"link_opts": {"jitter_ms": 5}}),
    ("30m-100ms-1%-echo-reorder1%", 30, 100, 0.01, {"echo": True, "link_opts": {"reorder": 0.01}}),
    ("30m-100ms-1%-busy-loop-10ms", 30, 100, 0.01, {"loop_ms": 10}),
    ("30m-100ms-1%-busy-loop-20ms", 30, 100, 0.01, {"loop_ms": 20}),
    ("20m-200ms-0.5%", 20, 200, 0.005, {}),
    ("8m-20ms", 8, 20, 0.0, {}),
    ("2m-300ms-1%", 2, 300, 0.01, {}),
    ("5m-100ms", 5, 100, 0.0, {}),
    ("50m-30ms-ge2%-burst3", 50, 30, 0.02, {"link_opts": {"burst": 3}}),
    ("50m-30ms-ge1%-burst10", 50, 30, 0.01, {"link_opts": {"burst": 10}}),
    ("100m-20ms-ack-path-8m", 100, 20, 0.0, {"reverse_rate": 8}),
    # linkbench's step-100-20-100 at 2 MB: 20 Mbit/s from 0.22 s to 0.89 s
    ("100m-20ms-step-20", 100, 20, 0.0, {"link_opts": {"steps": ((224, 20), (894, 100))}}),
)


def corpus(mb: float, only: str = "") -> None:
    """Paced default against kcptun's rules on every ``SIM_PATHS`` entry (same run); ``only``:
    comma-separated parts of the names to run."""
    print("| path | default Mbit/s | rules Mbit/s | ratio | wire/payload default, rules |")
    print("|---|---|---|---|---|")
    pats = [p for p in only.split(",") if p]
    for name, rate, delay, loss, opts in SIM_PATHS:
        if pats and not any(p in name for p in pats):
            continue
        ours = run(rate=rate, delay=delay, loss=loss, mb=mb, pacing=True, fec_adaptive=True, **opts)
        rules = run(rate=rate, delay=delay, loss=loss, mb=mb, pacing=False, **opts)
        print(
            f"| {name} | {ours.goodput_mbps:.2f} | {rules.goodput_mbps:.2f} | "
            f"{ours.goodput_mbps / rules.goodput_mbps:.2f} | "
            f"{ours.wire_per_payload:.2f}, {rules.wire_per_payload:.2f} |",
            flush=True,
        )


def trace(ms: int, a: KcpSession, ab: Link) -> None:
    p = a.kcp.policy.pacer
    if ms % EVERY or p is None:
        return
    mbit = 8 * 1298 / 1000  # segments per ms -> Mbit/s of payload
    print(
        f"{ms:6d} ms {p.state:9s} rate {p.rate() * mbit:7.2f} bw {p.bw * mbit:7.2f} Mbit/s "
        f"minrtt {p.min_rtt:4d} rtt {p.round_rtt:4d} loss {p.loss:.3f} "
        f"win {p.window():5d} inflight {a.kcp.inflight():5d} "
        f"queue {ab.queued:8d} drops {ab.drops} "
        f"span {(a.kcp.snd_nxt - a.kcp.snd_una) & 0xFFFFFFFF} rmt {a.kcp.rmt_wnd}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=100.0, help="Mbit/s")
    ap.add_argument("--delay", type=int, default=20, help="ms one way")
    ap.add_argument("--loss", type=float, default=0.0, help="fraction per packet")
    ap.add_argument("--mb", type=float, default=10.0)
    ap.add_argument("--pacing", action="store_true")
    ap.add_argument("--fecadaptive", action="store_true")
    ap.add_argument("--reorder", type=float, default=0.0, help="fraction skipping the delay")
    ap.add_argument("--reorder-gap", type=int, default=None, help="ms early (default: all)")
    ap.add_argument("--jitter", type=int, default=0, help="ms, uniform +-")
    ap.add_argument("--corpus", action="store_true", help="every SIM_PATHS entry, both senders")
    ap.add_argument("--filter", default="", help="--corpus: only names containing one of these")
    ap.add_argument("--echo", action="store_true", help="the receiver sends it all back")
    ap.add_argument("--loop-ms", type=int, default=1, help="the sender's loop runs this often")
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--every", type=int, default=EVERY, help="ms between trace lines")
    args = ap.parse_args()
    globals()["EVERY"] = args.every
    if args.corpus:
        corpus(args.mb, args.filter)
        return
    r = run(
        rate=args.rate,
        delay=args.delay,
        loss=args.loss,
        mb=args.mb,
        pacing=args.pacing,
        fec_adaptive=args.fecadaptive,
        echo=args.echo,
        loop_ms=args.loop_ms,
        link_opts={
            "reorder": args.reorder,
            "reorder_gap": args.reorder_gap,
            "jitter_ms": args.jitter,
        },
        observe=trace if args.trace else None,
    )
    out = {f.name: getattr(r, f.name) for f in dataclasses.fields(r) if f.name != "samples"}
    print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
