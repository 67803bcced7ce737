"""KCP Desk's optional sender pacing (``kcpcore.pacer``): wire compatibility, behaviour over a
simulated bottleneck, the token bucket, app-limited samples, and that it is off by default.

Everything runs on virtual clocks (``tests/helpers/link.py``, ``tests/helpers/bottleneck.py``).
Bottleneck numbers are derived from the link rate R: FEC is off there, so each full segment
is one datagram of ``MTU + IP_UDP`` bytes on the wire and R in segments per ms is exact.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random

import pytest

from kcpcore.config import TunnelConfig
from kcpcore.crypt import new_block_crypt
from kcpcore.kcp import Kcp
from kcpcore.pacedsender import PacedSender
from kcpcore.pacer import (
    BURST_MS,
    CWND_GAIN,
    INITIAL_WINDOW,
    PROBE_BW,
    STARTUP,
    STARTUP_GAIN,
    STARTUP_RATE_FLOOR,
    Pacer,
)
from kcpcore.profiles import command_line
from kcpcore.sendpolicy import KcptunRules
from kcpcore.session import KcpSession, SessionParams
from tests.core.test_kcp import exchange, make, transfer
from tests.helpers.bottleneck import IP_UDP, Link, Result, Sim, run
from tests.helpers.link import LossyLink

MTU = 1350
INTERVAL = 20  # ms, both ends (the peer holds ACKs up to this long; the pacer counts it)
WND = 1024


def seg_rate(rate_mbit: float) -> float:
    """R in full segments per ms (one segment per ``MTU``-byte datagram, FEC off)."""
    return rate_mbit * 1e6 / 8 / 1000 / (MTU + IP_UDP)


def bdp(rate_mbit: float, delay: int) -> float:
    """Segments the path holds: R x (RTT + the peer's ACK delay)."""
    return seg_rate(rate_mbit) * (2 * delay + INTERVAL)


# ------------------------------------------------------------------ wire compatibility


def paced(k: Kcp) -> Kcp:
    k.set_policy(PacedSender(ack_delay=k.interval))
    assert k.policy.pacer is not None
    return k


def lossy(seed: int) -> LossyLink:
    """10 % loss, 0-30 ms jitter (reordering), 5 % duplicates."""
    return LossyLink(seed=seed, loss=0.1, delay_ms=15, jitter_ms=30, dup=0.05)


@pytest.mark.parametrize(
    "mode", [(1, 10, 2, 1), (1, 20, 2, 1), (0, 40, 0, 0)], ids=["fast3", "fast2-like", "normal"]
)
@pytest.mark.parametrize("seed", [1, 2])
def test_paced_sender_to_plain_receiver_exact_stream(
    mode: tuple[int, int, int, int], seed: int
) -> None:
    """The receiver is plain kcp-go semantics: a paced sender must need nothing from it."""
    payload = random.Random(seed).randbytes(300_000)
    a, b = paced(make(mode=mode)), make(mode=mode)
    got, _ = transfer(a, b, payload, lossy(seed), lossy(seed + 100))
    assert hashlib.sha256(got).digest() == hashlib.sha256(payload).digest()
    assert b.policy.pacer is None


@pytest.mark.parametrize("seed", [3, 4])
def test_paced_both_ways_exact_streams(seed: int) -> None:
    rng = random.Random(seed)
    pa, pb = rng.randbytes(200_000), rng.randbytes(150_000)
    a, b = paced(make()), paced(make())
    got_b, got_a, _ = exchange(a, b, pa, pb, lossy(seed), lossy(seed + 100))
    assert got_b == pa
    assert got_a == pb


def test_plain_sender_to_paced_receiver_exact_stream() -> None:
    """Pacing only changes what an end sends; as a receiver it is kcp-go's."""
    payload = random.Random(5).randbytes(200_000)
    a, b = make(), paced(make())
    got, _ = transfer(a, b, payload, lossy(5), lossy(105))
    assert got == payload


# ------------------------------------------------------------------ bottleneck


def test_bottleneck_link_serialises_at_rate() -> None:
    """The simulator itself: a datagram that takes longer than a 1 ms step still leaves."""
    rate = 5.0  # Mbit/s: 625 bytes per ms, a full datagram needs 2.2 ms
    link = Link(rate_mbit=rate, delay_ms=10, loss=0.0, queue_bytes=10**9, seed=0)
    for _ in range(100):
        link.send(bytes(MTU), 0)
    times = []
    for ms in range(1000):
        times += [ms] * len(link.receive(ms))
    assert len(times) == 100
    assert times[-1] == pytest.approx(10 + 100 / seg_rate(rate), abs=1)


SCENARIOS = {  # id: (R Mbit/s, one-way delay ms, random loss)
    "20M-20ms": (20.0, 20, 0.0),
    "20M-20ms-loss1%": (20.0, 20, 0.01),
    "50M-5ms": (50.0, 5, 0.0),
    "5M-40ms": (5.0, 40, 0.0),
}
SECONDS_AT_R = 2.5  # each transfer takes this long at the full rate R


@functools.cache
def bottleneck(scenario: str, pacing: bool) -> Result:
    rate, delay, loss = SCENARIOS[scenario]
    return run(
        rate=rate,
        delay=delay,
        loss=loss,
        mb=rate * SECONDS_AT_R / 8,
        pacing=pacing,
        wnd=WND,
        seconds=60,
        datashard=0,
        parityshard=0,
        mtu=MTU,
        sample_every=10,
    )


def steady(r: Result) -> list[tuple[int, float, int, int]]:
    """Samples of the second half of the run (startup and drain are over)."""
    return [s for s in r.samples if s[0] >= r.seconds * 1000 / 2]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_bottleneck_pacer_measures_the_rate(scenario: str) -> None:
    rate, _, _ = SCENARIOS[scenario]
    r = bottleneck(scenario, True)
    big = seg_rate(rate)
    for ms, bw, _, _ in steady(r):
        assert 0.9 * big <= bw <= 1.1 * big, f"{ms} ms: bw {bw:.3f} vs R {big:.3f} seg/ms"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_bottleneck_inflight_stays_near_bdp(scenario: str) -> None:
    rate, delay, _ = SCENARIOS[scenario]
    path = bdp(rate, delay)
    assert 6 * path < WND  # else the window, not the pacer, would bound in-flight
    p, u = bottleneck(scenario, True), bottleneck(scenario, False)
    # Startup may keep STARTUP_GAIN BDPs in flight (or its floor's window, on a path slower
    # than the floor), then CWND_GAIN; 20 % for the measured minimum RTT (whole ms,
    # serialisation) and the rate estimate's error.
    floor = STARTUP_RATE_FLOOR * (2 * delay + INTERVAL)
    assert p.max_inflight <= 1.2 * max(STARTUP_GAIN * path, floor + INITIAL_WINDOW)
    assert max(s[2] for s in steady(p)) <= CWND_GAIN * 1.2 * path
    assert u.max_inflight == WND  # unpaced nc=1 puts the whole window out


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_bottleneck_drops_and_goodput(scenario: str) -> None:
    rate, _, _ = SCENARIOS[scenario]
    p, u = bottleneck(scenario, True), bottleneck(scenario, False)
    assert p.goodput_mbps >= 0.75 * rate  # startup included
    assert p.goodput_mbps >= u.goodput_mbps - 0.05 * rate
    assert p.drops * 10 <= u.drops
    # After startup the queue (one BDP) no longer overflows: under 1 % of what R carries.
    half = steady(p)
    late_drops = p.drops - half[0][3]
    assert late_drops <= 0.01 * seg_rate(rate) * (p.seconds * 1000 - half[0][0])


# ------------------------------------------------------------------ token bucket


def test_budget_refills_at_the_pacing_rate_up_to_the_burst() -> None:
    p = Pacer()
    assert p.budget(0) == INITIAL_WINDOW  # the initial window may go at once
    p.spend(INITIAL_WINDOW)
    assert p.budget(0) == 0
    assert p.delay() >= 1
    rate = p.rate()
    assert p.budget(1) == pytest.approx(rate)
    assert p.budget(2) == pytest.approx(2 * rate)
    assert p.budget(10_000) == pytest.approx(max(rate * BURST_MS, 2.0))  # idle: capped
    p.spend(100)  # retransmissions may push it into debt, at most one window deep
    assert p.budget(10_000) == -p.window()


def push(sim: Sim, total: int, limit_ms: int) -> None:
    """Bulk-send ``total`` bytes from a to b as fast as a takes them, within ``limit_ms``."""
    sent = 0
    while sim.got < total:
        assert sim.ms < limit_ms
        while sent < total and sim.a.writable():
            sim.a.send(bytes(8192))
            sent += 8192
        sim.step()


def steady_paced_sim(rate: float = 20.0, delay: int = 20) -> Sim:
    """A paced sender after 1.5 MB of bulk transfer: its model has converged."""
    sim = Sim(
        rate=rate,
        delay=delay,
        pacing=True,
        wnd=WND,
        datashard=0,
        parityshard=0,
        mtu=MTU,
        interval=INTERVAL,
    )
    push(sim, 1_500_000, 20_000)
    pacer = sim.a.kcp.policy.pacer
    assert pacer is not None and pacer.state == PROBE_BW
    return sim


def test_no_line_rate_burst_after_idle() -> None:
    rate, delay = 20.0, 20
    sim = steady_paced_sim(rate, delay)
    a, pacer = sim.a, sim.a.kcp.policy.pacer
    assert pacer is not None
    for _ in range(2000):  # everything acked, then idle
        sim.step()
    assert not a.kcp._unacked
    window = pacer.window()
    assert window >= 0.5 * bdp(rate, delay)
    a.send(bytes(window * a.kcp.mss))
    sim.step()
    # One flush: the bucket's burst (BURST_MS at the pacing rate, gain <= 1.25 and loss
    # scaling <= 1 / 0.7 over R +10 %), never the window kcp-go would send at line rate.
    burst = math.ceil(max(1.25 / 0.7 * 1.1 * seg_rate(rate) * BURST_MS, 2.0))
    assert 1 <= sim.sent_now <= burst < window / 10
    # Then segments leave at the pacing rate, not in window-sized bursts.
    expected = 0.0
    sent = sim.sent_now
    for _ in range(100):
        expected += pacer.rate()
        sim.step()
        sent += sim.sent_now
        assert sim.sent_now <= burst
    assert abs(sent - expected) <= burst + 2


# ------------------------------------------------------------------ app-limited


def test_app_limited_sender_keeps_the_bandwidth_estimate() -> None:
    rate, delay = 20.0, 20
    sim = steady_paced_sim(rate, delay)
    a, pacer = sim.a, sim.a.kcp.policy.pacer
    assert pacer is not None
    big = seg_rate(rate)
    assert 0.9 * big <= pacer.bw <= 1.1 * big
    # 3 s (~50 round trips, five times the rate filter's span) of one small write per 20 ms:
    # a twentieth of R. Those samples measure the application, not the path.
    lowest = pacer.bw
    for i in range(3000):
        if i % 20 == 0:
            a.send(bytes(500))
        sim.step()
        lowest = min(lowest, pacer.bw)
    assert lowest >= 0.9 * big
    # Bulk again. The first sample that is not app-limited replaces the long-expired maximum
    # (BBR's filter does the same) and may be low for an ACK or so, as its interval reaches
    # back into the app-limited phase; within two round trips the estimate is R again.
    start_ms, start_got = sim.ms, sim.got
    total = sim.got + 1_000_000
    last_low = None  # ms after the resume when the estimate was last under 0.9 R
    while sim.got < total:
        assert sim.ms < start_ms + 10_000
        while a.writable():
            a.send(bytes(8192))
        sim.step()
        lowest = min(lowest, pacer.bw)
        if pacer.bw < 0.9 * big:
            last_low = sim.ms - start_ms
    assert lowest >= 0.5 * big
    assert last_low is None or last_low <= 3 * (2 * delay + INTERVAL)
    assert 0.9 * big <= pacer.bw <= 1.1 * big
    goodput = (sim.got - start_got) * 8 / ((sim.ms - start_ms) / 1000) / 1e6
    assert goodput >= 0.8 * rate


# ------------------------------------------------------------------ long lossy paths

PAYLOAD_SHARE = 1298 / 1378  # kcptun's payload per 1350-byte datagram on the wire (aes, FEC)


@pytest.mark.parametrize(
    ("rate", "delay", "loss", "mb", "floor"),
    [
        (50.0, 40, 0.02, 10, 0.72),
        (20.0, 50, 0.10, 5, 0.77),
    ],
)
def test_short_transfer_on_a_long_lossy_path(
    rate: float, delay: int, loss: float, mb: float, floor: float
) -> None:
    """linkbench's lossy profiles in the simulator, kcptun's flags (fast2, FEC 10/3, windows
    1024) plus --pacing --fecadaptive: the median of three links delivers at least ``floor``
    of what the path can carry once loss is paid (before this startup: 0.65 and 0.72)."""
    capacity = rate * PAYLOAD_SHARE * (1 - loss)
    goodputs = []
    for seed in (1, 2, 3):
        sim = Sim(rate=rate, delay=delay, loss=loss, pacing=True, fec_adaptive=True)
        sim.ab.rng.seed(seed * 10 + 1)
        sim.ba.rng.seed(seed * 10 + 2)
        push(sim, int(mb * 1e6), 30_000)
        goodputs.append(sim.got * 8 / sim.ms / 1000)
    assert sorted(goodputs)[1] >= floor * capacity, goodputs


def test_startup_is_searched_again_after_an_early_exit() -> None:
    """If startup ends far below the path's rate (noisy samples under loss once ended it at a
    tenth), a 1.25 probe that comes back faster with no queue starts the search again,
    instead of creeping up 25 % per eight round trips (5.9 Mbit/s here without it)."""
    rate = 20.0
    restarted = []

    def cut_startup_short(ms: int, a, ab) -> None:
        p = a.kcp.policy.pacer
        if ms == 130:  # one round trip in, the pipe a tenth full
            assert p.state == STARTUP
            p.state = PROBE_BW
            p._cycle_index = 2
            p._cycle_start = p.delivered_time
        elif ms > 130 and p.state == STARTUP:
            restarted.append(ms)

    r = run(
        rate=rate,
        delay=50,
        loss=0.0,
        mb=5,
        pacing=True,
        datashard=0,
        parityshard=0,
        observe=cut_startup_short,
    )
    assert restarted
    assert r.goodput_mbps >= 0.55 * rate


# ------------------------------------------------------------------ prompt ACKs


@pytest.mark.parametrize("pacing", [False, True])
def test_a_pacing_end_acknowledges_at_once(pacing: bool) -> None:
    """kcp-go holds ACKs until its next interval (up to 20 ms in fast2); an end with --pacing
    sends them after the batch of datagrams that carried the data, so the peer repairs holes
    sooner. Without --pacing we keep kcp-go's timing."""
    crypt = new_block_crypt("aes", bytes(32))
    base = dict(mtu=1350, sndwnd=128, rcvwnd=128, nodelay=1, interval=20, resend=2, nc=1)
    a = KcpSession(conv=7, crypt=crypt, params=SessionParams(**base), now=0.0)
    b = KcpSession(conv=7, crypt=crypt, params=SessionParams(**base, pacing=pacing), now=0.0)
    a.datagrams_to_send(0.0)
    b.datagrams_to_send(0.0)  # the first flush of each, at creation
    a.send(bytes(5000))
    data = a.datagrams_to_send(0.001)
    assert data
    for d in data:
        assert b.receive_datagram(d, 0.005)
    assert b.wants_flush() is pacing
    acks = b.datagrams_to_send(0.005)  # 15 ms before b's interval timer
    assert bool(acks) is pacing
    una = a.kcp.snd_una
    for d in acks:
        a.receive_datagram(d, 0.006)
    assert (a.kcp.snd_una != una) is pacing
    assert not b.datagrams_to_send(0.006)  # nothing more until there is something to say


# ------------------------------------------------------------------ defaults


def test_tunnels_pace_by_default_and_kcptun_never_sees_the_flags() -> None:
    """A tunnel paces and trims parity unless told ``--pacing=false``/``--fecadaptive=false``
    (linkbench: 1.3-1.9x Go kcptun's goodput on every profile, either end against Go). The
    codec layer keeps kcp-go's behaviour unless asked."""
    for role in ("client", "server"):
        cfg = TunnelConfig(role=role)
        assert cfg.pacing is True and cfg.fecadaptive is True
        assert cfg.to_args() == []
        off = TunnelConfig(role=role, pacing=False, fecadaptive=False)
        assert off.to_args() == ["--pacing=false", "--fecadaptive=false"]
        assert off.to_args(kcptun=True) == []  # Go kcptun refuses flags it does not know
        assert "--pacing" not in command_line(off)  # kcptun-client/-server ...
        assert "--pacing=false" in command_line(off, ["kcpdesk", role])
    assert SessionParams().pacing is False
    assert isinstance(Kcp(1).policy, KcptunRules)
    assert isinstance(
        KcpSession(
            conv=1,
            crypt=new_block_crypt("none", bytes(32)),
            now=0.0,
            params=SessionParams(pacing=True),
        ).kcp.policy,
        PacedSender,
    )
