"""From engine counters to ``LinkFigures``: pure arithmetic over snapshots taken by an adapter.

An adapter (``kcpcore.aio.linkstats``) reads each KCP session every ~100 ms into a
``SessionSnapshot``; ``passive_figures`` turns a run of them into rates, loss, RTT and the
window-limited verdict. The same ``sender_stats`` runs on a KCP Desk server during an active test
and its result comes back to the client, which is how the client learns the download's loss and
whose window held the server back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any, Final

from ..config import TunnelConfig
from .figures import DirectionFigures, LinkFigures, WindowLimit
from .rules import segment_payload, window_rate

LIMITED_SHARE: Final = 0.5  # a full window in at least this share of busy samples
CEILING_SHARE: Final = 0.7  # or a rate this close to what the windows allow
FULL_WINDOW: Final = 0.9  # segments in flight against min(sndwnd, peer's free rcvwnd)
BUSY_SEGMENTS: Final = 64  # fewer new segments than this in a run says nothing about windows


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """One KCP session at one instant (counters are cumulative)."""

    conv: int
    srtt_ms: int
    min_rtt_ms: int
    """the pacer's minimum RTT (0: pacing off or no sample yet)"""
    snd_wnd: int
    rcv_wnd: int
    rmt_wnd: int
    in_flight: int
    queued: int
    writable: bool
    snd_nxt: int
    """segments sent so far (unwrapped)"""
    retrans_segs: int
    repeat_segs: int
    """data segments that arrived here twice (or beyond the window): the peer resent them
    without need"""
    bytes_sent: int
    bytes_received: int
    fec_recovered: int
    fec_parity_shards: int


@dataclass(frozen=True, slots=True)
class Sample:
    """Every session of a tunnel at one instant, plus the process CPU clock."""

    t: float
    cpu_s: float
    sessions: tuple[SessionSnapshot, ...]


@dataclass(frozen=True, slots=True)
class SenderStats:
    """What one end saw of its own sending during a run."""

    new_segs: int
    retrans: int
    limited_share: float
    """share of busy samples with (almost) a full window of segments in flight"""
    whose: WindowLimit
    srtt_ms: float
    peer_repeats: int = 0
    """segments the receiver got twice: resends that were not needed"""

    @property
    def loss(self) -> float | None:
        """Share of transmissions that replaced a lost segment: resends minus the ones that
        turned out needless (spurious fast resends, lost ACKs)."""
        total = self.new_segs + self.retrans
        lost = max(self.retrans - self.peer_repeats, 0)
        return lost / total if self.new_segs >= BUSY_SEGMENTS else None

    @property
    def window_limit(self) -> WindowLimit | None:
        return self.whose if self.limited_share >= LIMITED_SHARE else None

    def to_json(self) -> dict[str, Any]:
        return {
            "new_segs": self.new_segs,
            "retrans": self.retrans,
            "limited_share": round(self.limited_share, 3),
            "whose": self.whose,
            "srtt_ms": round(self.srtt_ms, 1),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SenderStats:
        whose: WindowLimit = "receiver" if d.get("whose") == "receiver" else "sender"
        return cls(
            int(d["new_segs"]),
            int(d["retrans"]),
            float(d["limited_share"]),
            whose,
            float(d["srtt_ms"]),
        )


def _pairs(samples: Sequence[Sample]) -> list[tuple[SessionSnapshot, SessionSnapshot]]:
    """(first, last) snapshot of every session present at both ends of the run."""
    first = {s.conv: s for s in samples[0].sessions}
    last = {s.conv: s for s in samples[-1].sessions}
    return [(first[c], last[c]) for c in first if c in last]


def repeats(samples: Sequence[Sample]) -> int:
    """Duplicate data segments received over a run (the other end's needless resends)."""
    if len(samples) < 2:
        return 0
    return sum(b.repeat_segs - a.repeat_segs for a, b in _pairs(samples))


def sender_stats(samples: Sequence[Sample]) -> SenderStats:
    """This end's sending over a run: new and resent segments, and how often a full window
    was in flight (the smaller of our sndwnd and the peer's advertised free rcvwnd)."""
    if len(samples) < 2:
        return SenderStats(0, 0, 0.0, "sender", 0.0)
    pairs = _pairs(samples)
    new = sum(b.snd_nxt - a.snd_nxt for a, b in pairs)
    resent = sum(b.retrans_segs - a.retrans_segs for a, b in pairs)
    busy = full = by_peer = 0
    srtts: list[int] = []
    for s in samples:
        for snap in s.sessions:
            if snap.in_flight + snap.queued == 0:
                continue
            busy += 1
            srtts.append(snap.srtt_ms)
            if snap.in_flight >= FULL_WINDOW * min(snap.snd_wnd, snap.rmt_wnd):
                full += 1
                by_peer += snap.rmt_wnd < snap.snd_wnd
    whose: WindowLimit = "receiver" if by_peer * 2 > full else "sender"
    return SenderStats(
        new, resent, full / busy if busy else 0.0, whose, float(median(srtts)) if srtts else 0.0
    )


def _rtts(samples: Sequence[Sample]) -> tuple[float, float]:
    srtts = [x.srtt_ms for s in samples for x in s.sessions if x.srtt_ms > 0]
    mins = [x.min_rtt_ms for s in samples for x in s.sessions if x.min_rtt_ms > 0]
    if not srtts:
        return 0.0, 0.0
    return float(min(mins or srtts)), float(median(srtts))


def _by_ceiling(
    rate: float, sender: TunnelConfig, receiver: TunnelConfig, srtt: float
) -> WindowLimit | None:
    """Window-limited if the rate is close to what min(sndwnd, rcvwnd) allows at this RTT."""
    eff = min(sender.sndwnd, receiver.rcvwnd)
    if srtt <= 0 or rate < CEILING_SHARE * window_rate(eff, segment_payload(sender), srtt):
        return None
    return "sender" if sender.sndwnd <= receiver.rcvwnd else "receiver"


def passive_figures(
    samples: Sequence[Sample], client: TunnelConfig, server: TunnelConfig
) -> LinkFigures:
    """Figures from a client's own counters while the user uses the tunnel.

    The upload's loss and window verdict come from this end's sender; the download's loss is
    the server's to know (``None`` here: an active test against a KCP Desk server asks it),
    and its window verdict is inferred from the rate against the windows' ceiling.
    """
    if len(samples) < 2:
        return LinkFigures(rtt_min_ms=0.0, srtt_ms=0.0)
    seconds = max(samples[-1].t - samples[0].t, 1e-3)
    pairs = _pairs(samples)
    sent = sum(b.bytes_sent - a.bytes_sent for a, b in pairs)
    got = sum(b.bytes_received - a.bytes_received for a, b in pairs)
    rtt_min, srtt = _rtts(samples)
    mine = sender_stats(samples)
    up_rate, down_rate = sent * 8 / seconds, got * 8 / seconds
    up_busy = mine.new_segs >= BUSY_SEGMENTS
    down_busy = got >= BUSY_SEGMENTS * segment_payload(server)
    up = DirectionFigures(
        rate_bps=up_rate,
        loss=mine.loss,
        busy=up_busy,
        window_limit=mine.window_limit or _by_ceiling(up_rate, client, server, srtt),
    )
    down = DirectionFigures(
        rate_bps=down_rate,
        busy=down_busy,
        window_limit=_by_ceiling(down_rate, server, client, srtt),
    )
    return LinkFigures(
        rtt_min_ms=rtt_min,
        srtt_ms=srtt,
        up=up,
        down=down,
        cpu=(samples[-1].cpu_s - samples[0].cpu_s) / seconds,
        parity_received=sum(b.fec_parity_shards - a.fec_parity_shards for a, b in pairs),
        fec_recovered=sum(b.fec_recovered - a.fec_recovered for a, b in pairs),
        seconds=seconds,
    )


@dataclass(frozen=True, slots=True)
class PhaseFigures:
    """One transfer of an active test, reduced to what the rules need."""

    direction: str
    """"down" or "up\""""
    big_windows: bool
    rate_bps: float
    sender: SenderStats
    samples: tuple[Sample, ...]
    server_windows: tuple[int, int] | None = None
    """the server's (sndwnd, rcvwnd) as its test session started, if it said"""


def server_windows(phases: Sequence[PhaseFigures]) -> tuple[int, int] | None:
    """The server's configured windows, from the first phase (before any were raised)."""
    return next((p.server_windows for p in phases if p.server_windows), None)


def active_figures(
    phases: Sequence[PhaseFigures], client: TunnelConfig, server: TunnelConfig
) -> LinkFigures:
    """Figures from an active test: each direction at the current windows, and again with
    large windows, which shows what the link itself carries (its capacity)."""
    current = [p for p in phases if not p.big_windows]
    all_samples = [s for p in current or phases for s in p.samples]
    rtt_min, srtt = _rtts(all_samples)
    dirs: dict[str, DirectionFigures] = {}
    for name in ("down", "up"):
        now = next((p for p in phases if p.direction == name and not p.big_windows), None)
        big = next((p for p in phases if p.direction == name and p.big_windows), None)
        if now is None:
            dirs[name] = DirectionFigures()
            continue
        snd, rcv = (server, client) if name == "down" else (client, server)
        loss = (
            now.sender.loss
            if now.sender.loss is not None
            else (big.sender.loss if big is not None else None)
        )
        cap = max(now.rate_bps, big.rate_bps) if big is not None else None
        dirs[name] = DirectionFigures(
            rate_bps=now.rate_bps,
            capacity_bps=cap,
            loss=loss,
            busy=now.rate_bps > 0,
            window_limit=now.sender.window_limit or _by_ceiling(now.rate_bps, snd, rcv, srtt),
        )
    spans = [(p.samples[0], p.samples[-1]) for p in phases if len(p.samples) >= 2]
    secs = sum(b.t - a.t for a, b in spans)
    cpu = sum(b.cpu_s - a.cpu_s for a, b in spans) / secs if secs > 0 else None
    return LinkFigures(
        rtt_min_ms=rtt_min,
        srtt_ms=srtt,
        up=dirs["up"],
        down=dirs["down"],
        cpu=cpu,
        seconds=secs,
        active=True,
        peer_is_kcpdesk=True,
    )
