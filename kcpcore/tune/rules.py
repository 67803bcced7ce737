"""The tuning rules: pure functions from measured figures and the two ends' configs to advice.

Each rule looks at one thing (windows per direction, mode, FEC, CPU, pacing, MTU, socket
buffers) and says what it saw in plain words, with the arithmetic, so a user can check it.
The rules never propose a smaller window than the one in use: a window that carries traffic
today keeps carrying it.
"""

from __future__ import annotations

import math
from typing import Final

from ..config import (
    CRYPT_HEADER_SIZE,
    FEC_HEADER_SIZE_PLUS2,
    IKCP_OVERHEAD,
    MODES,
    TunnelConfig,
)
from .advice import Advice, _Builder
from .figures import DirectionFigures, LinkFigures
from .parity import UNRECOVERABLE_TARGET, cheapest, unrecoverable

WINDOW_MIN: Final = 32  # segments; below this a single loss stalls the link
WINDOW_CAP: Final = 16384  # segments; ~22 MB in flight at 1350 bytes: beyond any sane BDP here
WINDOW_STEP: Final = 4  # when the ceiling is unknown, raise a full window this much at a time
HEADROOM: Final = 1.25  # RTT variation on top of the bandwidth-delay product
MORE_WITH_LARGE: Final = 1.2  # large windows carried this much more: the windows are a limit
LOSS_HEADROOM: Final = 2.0  # extra window per unit of loss: holes wait a round trip for resend
CPU_BOUND: Final = 0.85  # of one core
CPU_SPARE: Final = 0.5  # below this a shorter flush interval can be afforded
LOSSY: Final = 0.01  # loss at which a faster-recovering mode pays off
INTERVAL_SHARE: Final = 0.25  # a flush interval above this share of the RTT slows every round
CLEAN: Final = 0.001  # loss below which parity is pure overhead
SOCKBUF_CAP: Final = 64 << 20
MTU_SAFE: Final = 1350  # kcptun's default: fits tunnels and PPPoE with room to spare
MODE_ORDER: Final = ("normal", "fast", "fast2", "fast3")


def segment_payload(cfg: TunnelConfig) -> int:
    """Payload bytes one full KCP segment carries with ``cfg``'s MTU, cipher and FEC headers."""
    fec = FEC_HEADER_SIZE_PLUS2 if cfg.datashard > 0 and cfg.parityshard > 0 else 0
    return max(cfg.mtu - IKCP_OVERHEAD - CRYPT_HEADER_SIZE - fec, 1)


def window_rate(window: int, payload: int, rtt_ms: float) -> float:
    """Bits per second a window of ``window`` segments allows at ``rtt_ms``."""
    return window * payload * 8 / (max(rtt_ms, 1.0) / 1000.0)


def needed_window(rate_bps: float, rtt_ms: float, payload: int, loss: float) -> int:
    """Segments in flight to carry ``rate_bps``: the bandwidth-delay product with headroom
    for RTT variation and for holes waiting for their retransmission, rounded up to a power
    of two."""
    bdp = rate_bps / 8 * (max(rtt_ms, 1.0) / 1000.0) / payload
    raw = bdp * (HEADROOM + LOSS_HEADROOM * max(loss, 0.0))
    return nice_window(raw)


def nice_window(segments: float) -> int:
    n = max(WINDOW_MIN, math.ceil(segments))
    return min(1 << (n - 1).bit_length(), WINDOW_CAP)


def mbit(bps: float) -> str:
    return f"{bps / 1e6:.1f} Mbit/s"


def pct(x: float) -> str:
    return f"{x * 100:.1f} %" if x < 0.1 else f"{x * 100:.0f} %"


def known_loss(fig: LinkFigures) -> float | None:
    """The worse direction's loss (links are often asymmetric; the settings are shared)."""
    losses = [d.loss for d in (fig.up, fig.down) if d.loss is not None]
    return max(losses) if losses else None


def cpu_bound(fig: LinkFigures) -> bool:
    return fig.cpu is not None and fig.cpu >= CPU_BOUND


# --- windows ---------------------------------------------------------------------------------


def _direction_windows(
    b: _Builder, fig: LinkFigures, name: str, sender: TunnelConfig, receiver: TunnelConfig
) -> None:
    d: DirectionFigures = fig.direction(name)
    label = "download (server to client)" if name == "down" else "upload (client to server)"
    if not d.busy:
        b.findings.append(f"{label}: too little traffic to judge the windows; left alone")
        return
    payload = segment_payload(sender)
    rtt = max(fig.srtt_ms, fig.rtt_min_ms)
    eff = min(sender.sndwnd, receiver.rcvwnd)
    ceiling = window_rate(eff, payload, rtt)
    head = (
        f"{label}: {eff} segments x {payload / 1000:.2f} kB / {rtt:.0f} ms = "
        f"{mbit(ceiling)} at most"
    )
    if cpu_bound(fig):
        b.findings.append(f"{head}; this end is CPU-bound, larger windows would not help")
        return
    cap = d.capacity_bps
    if cap is not None and cap > d.rate_bps * MORE_WITH_LARGE and d.rate_bps > 0:
        # Loss holes hold a window for a round trip or more, so what the window carried at
        # this rate scales better than the textbook product: take the larger of the two.
        scaled = eff * cap / d.rate_bps * HEADROOM
        need = max(needed_window(cap, rtt, payload, d.loss or 0.0), nice_window(scaled))
        why = (
            f"it carried {mbit(d.rate_bps)}; with large windows the link carried "
            f"{mbit(cap)} in the test"
        )
    elif cap is not None and cap > d.rate_bps * 1.1 and cap > ceiling * 0.9:
        need = needed_window(cap, rtt, payload, d.loss or 0.0)
        why = f"the link carried {mbit(cap)} in the test"
    elif d.window_limit is not None and (cap is None or cap > ceiling * 0.9):
        need = nice_window(eff * WINDOW_STEP)
        why = (
            f"the window was full most of the time at {mbit(d.rate_bps)}, so the link may "
            f"carry more; raising it {WINDOW_STEP}x and measuring again will tell"
        )
    elif d.window_limit is not None:
        b.findings.append(
            f"{head}; the window was full, yet large windows carried no more "
            f"({mbit(cap or d.rate_bps)}): loss or the path limits it, not the windows"
        )
        return
    else:
        b.findings.append(
            f"{head}; it carried {mbit(d.rate_bps)} without filling the window: "
            "windows are not the limit"
        )
        return
    _raise_windows(b, head, why, need, eff, d, sender, receiver)


def _raise_windows(
    b: _Builder,
    head: str,
    why: str,
    need: int,
    eff: int,
    d: DirectionFigures,
    sender: TunnelConfig,
    receiver: TunnelConfig,
) -> None:
    """Propose ``need`` segments on whichever end's window is below it, with the reason."""
    if need <= eff:
        b.findings.append(f"{head}; {why}, and {eff} segments already cover that")
        return
    whose = {"sender": f"the {sender.role}'s sndwnd", "receiver": f"the {receiver.role}'s rcvwnd"}
    limited = f" (held back by {whose[d.window_limit]})" if d.window_limit else ""
    parts = []
    if sender.sndwnd < need:
        parts.append(f"sndwnd on the {sender.role} to {need}")
    if receiver.rcvwnd < need:
        parts.append(f"rcvwnd on the {receiver.role} to {need}")
    reason = f"{head}{limited}; {why}: raise " + " and ".join(parts)
    if sender.sndwnd < need:
        b.change(sender, "sndwnd", need, reason)
    if receiver.rcvwnd < need:
        b.change(receiver, "rcvwnd", need, reason)


def windows(b: _Builder, fig: LinkFigures, client: TunnelConfig, server: TunnelConfig) -> None:
    _direction_windows(b, fig, "down", server, client)
    _direction_windows(b, fig, "up", client, server)


# --- mode, FEC, CPU --------------------------------------------------------------------------


def mode(b: _Builder, fig: LinkFigures, client: TunnelConfig, server: TunnelConfig) -> None:
    loss = known_loss(fig)
    current = client.mode
    if current not in MODE_ORDER:
        b.findings.append(f"mode {current!r} is hand-set; the mode rule leaves it alone")
        return
    if cpu_bound(fig) and current == "fast3":
        reason = (
            f"this end used {pct(fig.cpu or 0)} of a core: fast3 flushes every 10 ms, "
            "fast2 every 20 ms with the same quick resends: less CPU for the same recovery"
        )
        for cfg in (client, server):
            b.change(cfg, "mode", "fast2", reason)
        return
    want, reasons = current, []
    if loss is not None and loss >= LOSSY and MODE_ORDER.index(current) < 2:
        want = "fast2"
        reasons.append(
            f"{pct(loss)} loss: fast2 (nodelay) lowers the minimum RTO from 100 to 30 ms "
            "and backs off 1.5x instead of 2x, so lost segments are resent sooner"
        )
    interval = MODES[current].interval
    rtt = max(fig.srtt_ms, fig.rtt_min_ms)
    spare_cpu = fig.cpu is None or fig.cpu < CPU_SPARE
    if rtt > 0 and interval > INTERVAL_SHARE * rtt and MODE_ORDER.index(current) < 2 and spare_cpu:
        # fast2, not fast3: fast3's 10 ms flushes cost enough CPU to lose goodput on the
        # benchmark's lossy paths (benchmarks/README.md, tune advice)
        want = "fast2"
        reasons.append(
            f"{current} flushes (sends and acknowledges) every {interval} ms against a "
            f"{rtt:.0f} ms round trip, so each window waits up to two intervals more than the "
            f"path needs; fast2 flushes every {MODES['fast2'].interval} ms (a little more CPU)"
        )
    if want != current:
        for cfg in (client, server):
            b.change(cfg, "mode", want, "; ".join(reasons))


def fec(b: _Builder, fig: LinkFigures, client: TunnelConfig, server: TunnelConfig) -> None:
    loss = known_loss(fig)
    ds, ps = client.datashard, client.parityshard
    on = ds > 0 and ps > 0
    if loss is None:
        b.findings.append("loss not measured: FEC left as it is")
        return
    if loss < CLEAN:
        if on:
            reason = (
                f"no loss measured ({pct(loss)}): {ps} parity per {ds} data shards "
                f"costs {pct(ps / ds)} extra bandwidth for nothing; turn parity off"
            )
            for cfg in (client, server):
                b.change(cfg, "parityshard", 0, reason)
        return
    choice = cheapest(loss)
    now = unrecoverable(ds, ps, loss) if on else 1.0 - (1.0 - loss) ** max(ds, 10)
    if now > 3 * UNRECOVERABLE_TARGET:
        # More parity is a latency remedy, not a goodput one: every group pays for it, and
        # on the benchmark's lossy paths 10/0 beat 10/3 for bulk transfers every time
        # (benchmarks/README.md, tune advice). So it is said, not proposed.
        have = f"{ds}/{ps} leaves {pct(now)}" if on else f"without FEC {pct(now)}"
        b.findings.append(
            f"{pct(loss)} loss: {have} of groups waiting for a retransmission; "
            f"{choice.datashard}/{choice.parityshard} would leave {pct(choice.unrecoverable)} "
            f"for {pct(choice.overhead)} more bandwidth: worth it for interactive traffic "
            "(fewer stalls), not for downloads (less goodput); not changed"
        )
        return
    if on and choice.overhead < (ps / ds) / 2:
        reason = (
            f"{pct(loss)} loss: {ds}/{ps} spends {pct(ps / ds)} on parity; "
            f"{choice.datashard}/{choice.parityshard} rebuilds all but "
            f"{pct(choice.unrecoverable)} of groups for {pct(choice.overhead)}"
        )
    else:
        b.findings.append(
            f"{pct(loss)} loss: FEC {ds}/{ps} fits it "
            f"({pct(unrecoverable(ds, ps, loss))} of groups unrecoverable)"
        )
        return
    for cfg in (client, server):
        b.change(cfg, "datashard", choice.datashard, reason)
        b.change(cfg, "parityshard", choice.parityshard, reason)


def cpu(b: _Builder, fig: LinkFigures, client: TunnelConfig, server: TunnelConfig) -> None:
    if not cpu_bound(fig):
        return
    if not client.nocomp:
        reason = (
            f"this end used {pct(fig.cpu or 0)} of a core: snappy compression costs CPU "
            "on every byte; turning it off (both ends) frees it for the transfer"
        )
        for cfg in (client, server):
            b.change(cfg, "nocomp", True, reason)
    else:
        b.findings.append(
            f"CPU-bound at {pct(fig.cpu or 0)} of a core with compression off: "
            "a cheaper cipher or a faster machine is what is left"
        )


# --- this end's extras -------------------------------------------------------------------------


def pacing(b: _Builder, fig: LinkFigures, client: TunnelConfig, server: TunnelConfig) -> None:
    loss = known_loss(fig) or 0.0
    queued = fig.srtt_ms > 1.5 * fig.rtt_min_ms + 10
    if not (loss >= 0.005 or queued):
        return
    why = (
        f"{pct(loss)} loss"
        if loss >= 0.005
        else f"RTT {fig.srtt_ms:.0f} ms against {fig.rtt_min_ms:.0f} ms empty: a queue builds"
    )
    reason = (
        f"{why}: pacing sends at the rate the path delivers instead of a window at a "
        "time, so the bottleneck queue stops overflowing (KCP Desk only)"
    )
    ends = [client] + ([server] if fig.peer_is_kcpdesk else [])
    for cfg in ends:
        if not cfg.pacing:
            b.change(cfg, "pacing", True, reason)


def mtu(b: _Builder, fig: LinkFigures, client: TunnelConfig, server: TunnelConfig) -> None:
    if client.mtu >= 1200 or (known_loss(fig) or 0.0) >= LOSSY:
        return
    head = IKCP_OVERHEAD + CRYPT_HEADER_SIZE + FEC_HEADER_SIZE_PLUS2
    reason = (
        f"mtu {client.mtu} spends {pct(head / client.mtu)} of every packet on headers; "
        f"{MTU_SAFE} (kcptun's default) fits almost every path, with no loss measured"
    )
    for cfg in (client, server):
        b.change(cfg, "mtu", MTU_SAFE, reason)


def sockbuf(b: _Builder, client: TunnelConfig, server: TunnelConfig) -> None:
    """Run last: sized for the windows the other rules settled on."""
    for cfg in (client, server):
        wnd = max(_planned(b, cfg, "sndwnd"), _planned(b, cfg, "rcvwnd"))
        burst = wnd * cfg.mtu
        if cfg.sockbuf == 0 or cfg.sockbuf >= burst:
            continue
        size = min(1 << (burst - 1).bit_length(), SOCKBUF_CAP)
        if size <= cfg.sockbuf:
            continue
        b.change(
            cfg,
            "sockbuf",
            size,
            f"a {wnd}-segment window arrives in bursts of up to {burst // 1024} KiB; the "
            f"{cfg.sockbuf // 1024} KiB socket buffer would drop the tail",
        )


def _planned(b: _Builder, cfg: TunnelConfig, setting: str) -> int:
    for r in b.changes:
        if r.end == cfg.role and r.setting == setting:
            return int(r.proposed)
    return int(getattr(cfg, setting))


def recommend(fig: LinkFigures, client: TunnelConfig, server: TunnelConfig) -> Advice:
    """Every rule over one measurement: what to change on each end, and why."""
    b = _Builder()
    if cpu_bound(fig):
        b.findings.append(f"this end used {pct(fig.cpu or 0)} of a core: CPU-bound")
    windows(b, fig, client, server)
    mode(b, fig, client, server)
    fec(b, fig, client, server)
    cpu(b, fig, client, server)
    pacing(b, fig, client, server)
    mtu(b, fig, client, server)
    sockbuf(b, client, server)
    return b.build()
