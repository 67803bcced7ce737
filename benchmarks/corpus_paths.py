"""The path corpus of issue 11: named emulated links a kcptun user meets outside the benchmark's
four profiles (reordering, jitter, bursty loss, asymmetric links, rate steps, policers, deep
queues, a competing TCP flow, RTT 10-400 ms).

Each path is one ``EmulatedLink`` (``tests/helpers/netlink.py``, lbemu backend) plus, for a few,
something the runner does during the transfer (rate steps, a competing flow). ``quick`` marks the
subset ``linkbench.py corpus --quick`` runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PAYLOAD_PER_WIRE = 1298 / 1378  # kcptun payload per 1350-byte datagram (aes, FEC) + IP/UDP
KCP_WINDOW = 1024  # --sndwnd/--rcvwnd of every corpus tunnel (linkbench TUNNEL_FLAGS)
KCP_PAYLOAD = 1298  # bytes of stream payload per full KCP segment at --mtu 1350, aes, FEC


def mbit(rate: str) -> float:
    """Mbit/s of a netlink.sh rate string (``100mbit``, ``800kbit``, plain number = Mbit/s)."""
    m = re.fullmatch(r"([\d.]+)\s*([kmg]?)(bit)?", rate.strip().lower())
    if not m:
        raise ValueError(f"bad rate {rate!r}")
    if not m[2] and not m[3]:
        return float(m[1])
    return float(m[1]) * {"k": 1e-3, "m": 1.0, "g": 1e3, "": 1e-6}[m[2]]


def ms(duration: str | None) -> float:
    """Milliseconds of a netlink.sh duration (``20ms``, ``500us``, plain number = ms)."""
    m = re.fullmatch(r"([\d.]+)\s*(us|ms|s)?", (duration or "0").strip().lower())
    if not m:
        raise ValueError(f"bad duration {duration!r}")
    return float(m[1]) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m[2] or "ms"]


@dataclass(frozen=True)
class CorpusPath:
    """One emulated path. ``rate`` is the download (server -> client) rate, ``rate_up`` the
    upload one when they differ; ``delay``/``jitter`` are one way."""

    name: str
    rate: str
    delay: str
    loss: str = "0%"
    jitter: str | None = None
    jitter_free: bool = False
    """jitter reorders (each packet its own delay) instead of keeping FIFO order"""
    reorder: str | None = None
    reorder_gap: str | None = None
    """None: reordered packets skip the whole delay line; else they overtake by this much"""
    loss_burst: float | None = None
    """mean loss burst in packets (Gilbert-Elliott at the same average loss)"""
    rate_up: str | None = None
    queue_bdp: float | None = None
    """bottleneck buffer in BDPs (None: netlink.sh's default, 1 BDP)"""
    police_burst_ms: float | None = None
    """a policer instead of a queue: tbf with a 2-packet buffer and this much token burst"""
    steps: tuple[tuple[float, str], ...] = ()
    """(seconds after the 40 MB transfer starts, new rate of both directions); scaled by
    sqrt(size / 40 MB) for smaller transfers so a 2 MB run sees the steps too"""
    compete: bool = False
    """one TCP cubic flow shares the bottleneck, same direction, for the whole window"""
    quick: bool = False
    note: str = ""

    def rtt_ms(self) -> float:
        return 2 * ms(self.delay)

    def data_rate(self, direction: str) -> float:
        """Mbit/s of the direction the payload flows in (before any step)."""
        if direction == "up" and self.rate_up:
            return mbit(self.rate_up)
        return mbit(self.rate)

    def loss_share(self) -> float:
        return float(self.loss.rstrip("%") or 0) / 100

    def link_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``EmulatedLink`` for this path."""
        kw: dict[str, Any] = {
            "jitter": self.jitter,
            "reorder": self.reorder,
            "reorder_gap": self.reorder_gap,
            "loss_burst": self.loss_burst,
            "rate_up": self.rate_up,
            "jitter_free": self.jitter_free,
        }
        bdp = mbit(self.rate) * 1e6 / 8 * self.rtt_ms() / 1e3
        if self.queue_bdp is not None:
            kw["queue_bytes"] = int(max(self.queue_bdp * bdp, 3028))
            if self.rate_up:
                bdp_up = mbit(self.rate_up) * 1e6 / 8 * self.rtt_ms() / 1e3
                kw["queue_bytes_up"] = int(max(self.queue_bdp * bdp_up, 3028))
        if self.police_burst_ms is not None:
            kw["queue_bytes"] = 3028  # two full packets: drop, don't queue
            kw["burst_bytes"] = int(max(mbit(self.rate) * 1e3 / 8 * self.police_burst_ms, 3028))
        return {k: v for k, v in kw.items() if v not in (None, False)}

    def step_schedule(self, size_mb: float) -> list[tuple[float, str]]:
        scale = min(1.0, (size_mb / 40) ** 0.5)
        return [(t * scale, rate) for t, rate in self.steps]

    def capacity(
        self, direction: str, elapsed_s: float | None = None, size_mb: float = 40
    ) -> float:
        """Mbit/s of tunnel payload the path carries once its loss is paid: rate x 1298/1378
        x (1 - loss), time-averaged over the steps that fell inside ``elapsed_s``."""
        rate = self.data_rate(direction)
        sched = self.step_schedule(size_mb)
        if sched and elapsed_s:
            t_prev, acc = 0.0, 0.0
            for t, new in sched:
                t = min(t, elapsed_s)
                acc += rate * (t - t_prev)
                t_prev, rate = t, mbit(new)
            acc += rate * max(elapsed_s - t_prev, 0.0)
            rate = acc / elapsed_s
        return rate * PAYLOAD_PER_WIRE * (1 - self.loss_share())

    def window_limited(self, direction: str) -> bool:
        """Can 1024 segments per RTT not fill the path? Then the capacity target does not
        apply (issue 11: '>= 0.9 wherever the window is not the limit')."""
        rtt = (self.rtt_ms() + 2 * ms(self.jitter)) / 1e3
        window_mbit = KCP_WINDOW * KCP_PAYLOAD * 8 / rtt / 1e6
        return window_mbit < self.capacity(direction)


_REO = {"rate": "30mbit", "delay": "100ms", "loss": "1%"}  # the collapse path

PATHS: tuple[CorpusPath, ...] = (
    CorpusPath("rtt10-clean", "100mbit", "5ms", note="RTT 10 ms, clean"),
    CorpusPath(
        "rtt400-lossy",
        "20mbit",
        "200ms",
        "0.5%",
        quick=True,
        note="RTT 400 ms, 0.5 % loss (satellite-like)",
    ),
    CorpusPath(
        "reorder0.1-full",
        **_REO,
        reorder="0.1%",
        note="0.1 % of packets skip the 100 ms delay line",
    ),
    CorpusPath(
        "reorder1-full",
        **_REO,
        reorder="1%",
        quick=True,
        note="the issue's collapse path: 1 % skip the delay line",
    ),
    CorpusPath("reorder5-full", **_REO, reorder="5%"),
    CorpusPath(
        "reorder0.1-small", **_REO, reorder="0.1%", reorder_gap="3ms", note="0.1 % overtake by 3 ms"
    ),
    CorpusPath("reorder1-small", **_REO, reorder="1%", reorder_gap="3ms", quick=True),
    CorpusPath("reorder5-small", **_REO, reorder="5%", reorder_gap="3ms", quick=True),
    CorpusPath(
        "reorder1-full-jitter10",
        **_REO,
        reorder="1%",
        jitter="10ms",
        quick=True,
        note="the issue's second row",
    ),
    CorpusPath("jitter5", "30mbit", "50ms", jitter="5ms", note="FIFO jitter"),
    CorpusPath(
        "jitter10-lossy",
        **_REO,
        jitter="10ms",
        quick=True,
        note="the issue's last row: 10 ms jitter, no reordering",
    ),
    CorpusPath("jitter30", "30mbit", "50ms", jitter="30ms", note="FIFO jitter"),
    CorpusPath(
        "jitter10-free",
        "30mbit",
        "50ms",
        jitter="10ms",
        jitter_free=True,
        quick=True,
        note="each packet its own delay: jitter reorders (netem's jitter)",
    ),
    CorpusPath(
        "ge2-burst3",
        "50mbit",
        "30ms",
        "2%",
        loss_burst=3,
        quick=True,
        note="Gilbert-Elliott loss, 2 % average, mean burst 3 packets",
    ),
    CorpusPath(
        "ge1-burst10",
        "50mbit",
        "30ms",
        "1%",
        loss_burst=10,
        note="Gilbert-Elliott loss, 1 % average, mean burst 10 packets",
    ),
    CorpusPath(
        "asym-100-8",
        "100mbit",
        "20ms",
        rate_up="8mbit",
        quick=True,
        note="100 Mbit/s down, 8 Mbit/s up: the ACK path of a download is narrow",
    ),
    CorpusPath(
        "step-100-20-100",
        "100mbit",
        "20ms",
        steps=((1.0, "20mbit"), (4.0, "100mbit")),
        quick=True,
        note="rate 100 -> 20 -> 100 Mbit/s during the transfer",
    ),
    CorpusPath(
        "policer-50",
        "50mbit",
        "25ms",
        police_burst_ms=10,
        quick=True,
        note="token-bucket policer (10 ms of burst, no queue) instead of a buffer",
    ),
    CorpusPath(
        "deep-queue-10bdp",
        "20mbit",
        "20ms",
        queue_bdp=10,
        quick=True,
        note="bufferbloat: 10 BDP of buffer",
    ),
    CorpusPath(
        "compete-cubic",
        "50mbit",
        "20ms",
        compete=True,
        quick=True,
        note="one TCP cubic flow on the same bottleneck (1 BDP buffer)",
    ),
)


def select(names: str | None, quick: bool) -> list[CorpusPath]:
    """Paths whose name contains any of the comma-separated ``names`` (all when None); only
    the quick subset with ``quick``."""
    pats = [p.strip() for p in (names or "").split(",") if p.strip()]
    out = [
        p for p in PATHS if (not quick or p.quick) and (not pats or any(s in p.name for s in pats))
    ]
    if not out:
        raise SystemExit(
            f"no corpus path matches {names!r}; known: {', '.join(p.name for p in PATHS)}"
        )
    return out
