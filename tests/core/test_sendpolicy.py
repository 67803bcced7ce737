"""Sender policies (``kcpcore.sendpolicy``, ``kcpcore.pacedsender``, ``kcpcore.rack``) on the
in-process simulator (``tests/helpers/bottleneck.py``) with reordering, jitter and loss.

The simulator is deterministic (seeded), so these are behaviour checks, not benchmarks: the
speed targets live in ``benchmarks/pacing_sim.py --corpus`` and ``benchmarks/linkbench.py``.
Each guards against a collapse of the kind issue 11 found (paced default at a fifth of
kcptun's rules on a path that reorders 1 % of datagrams).
"""

from __future__ import annotations

import functools
import logging

import pytest

from kcpcore.kcp import Kcp
from kcpcore.pacedsender import PacedSender
from kcpcore.rack import ReorderWindow
from kcpcore.sendpolicy import KcptunRules
from kcpcore.session import KcpSession
from tests.helpers.bottleneck import Result, Sim, run

# (rate Mbit/s, one-way delay ms, loss, link options)
REORDER = (30.0, 100, 0.01, {"reorder": 0.01})
REORDER_JITTER = (30.0, 100, 0.01, {"reorder": 0.01, "jitter_ms": 10})
JITTER = (30.0, 100, 0.01, {"jitter_ms": 10})
CLEAN = (50.0, 20, 0.0, {})
LOSSY = (20.0, 50, 0.10, {})


@functools.cache
def transfer(
    path: tuple[float, int, float, tuple[tuple[str, float], ...]], paced: bool, mb: float = 4.0
) -> tuple[Result, str | None, bool]:
    """(result, guard's fallback reason, whether the pacer saw reordering)."""
    rate, delay, loss, opts = path
    seen: dict[str, object] = {}

    def keep(sim: Sim) -> None:
        seen["policy"] = sim.a.kcp.policy

    r = run(
        rate=rate,
        delay=delay,
        loss=loss,
        mb=mb,
        pacing=paced,
        fec_adaptive=paced,
        link_opts=dict(opts),
        setup=keep,
    )
    policy = seen["policy"]
    if isinstance(policy, PacedSender):
        return r, policy.fallback_reason, policy.pacer.reordering
    return r, None, False


def key(path: tuple[float, int, float, dict[str, float]]) -> tuple:
    return (*path[:3], tuple(sorted(path[3].items())))


@pytest.mark.parametrize("path", [REORDER, REORDER_JITTER], ids=["reorder", "reorder+jitter"])
def test_paced_default_holds_up_where_datagrams_overtake(path: tuple) -> None:
    """The collapse of issue 11: 1 % of datagrams skip a 100 ms delay line. The paced sender
    must see the reordering and keep at least 0.9 x what kcptun's rules deliver there."""
    paced, _, reordering = transfer(key(path), True)
    rules, _, _ = transfer(key(path), False)
    assert reordering
    assert paced.goodput_mbps >= 0.9 * rules.goodput_mbps, (paced, rules)
    # ...and without resending a window for every overtaking datagram, as the rules do
    assert paced.wire_per_payload < 0.5 * rules.wire_per_payload


@pytest.mark.parametrize("path", [CLEAN, LOSSY, JITTER], ids=["clean", "10%-loss", "jitter"])
def test_no_reordering_seen_where_there_is_none(path: tuple) -> None:
    """FIFO jitter, loss, FEC rebuilds and ACK delay never pass for reordering; the guard
    stays quiet where pacing wins."""
    paced, reason, reordering = transfer(key(path), True)
    rules, _, _ = transfer(key(path), False)
    assert not reordering
    assert reason is None
    assert paced.goodput_mbps >= rules.goodput_mbps


class QuarterRtt(PacedSender):
    """A pacer whose RTT samples are all a quarter of the path's (overtaking datagrams did worse to
    the minimum RTT before issue 11). It keeps itself window-limited at a fraction of the
    path, the failure the guard exists for."""

    def on_rtt(self, rtt: int, ordered_rtt: int | None, clock: int) -> None:
        self.pacer.on_rtt(rtt // 4, clock)


def test_guard_falls_back_to_kcptun_rules_once(caplog: pytest.LogCaptureFixture) -> None:
    """A pacer that holds itself far below the path gets replaced by kcptun's rules, says
    why once, and from then on the session delivers what the rules deliver."""
    rate, delay, loss, opts = JITTER
    box: dict[str, object] = {}
    progress: list[tuple[int, int, bool]] = []  # (ms, snd_una, kcptun's rules yet)

    def broken(sim: Sim) -> None:
        box["policy"] = policy = QuarterRtt(ack_delay=sim.a.kcp.interval, conv=1)
        sim.a.kcp.set_policy(policy)

    def watch(ms: int, a: KcpSession, _link: object) -> None:
        progress.append((ms, a.kcp.snd_una, isinstance(a.kcp.policy, KcptunRules)))
        box["mss"] = a.kcp.mss

    with caplog.at_level(logging.WARNING, logger="kcpcore.pacedsender"):
        run(
            rate=rate,
            delay=delay,
            loss=loss,
            mb=10,
            pacing=True,
            setup=broken,
            observe=watch,
            link_opts=opts,
        )
    policy = box["policy"]
    assert isinstance(policy, QuarterRtt) and policy.fallback_reason is not None
    assert "kcptun's rules" in policy.fallback_reason
    assert [rec.getMessage() for rec in caplog.records].count(
        f"conv 00000001: pacing off: {policy.fallback_reason}"
    ) == 1
    since = next(i for i, p in enumerate(progress) if p[2])
    (t0, una0, _), (t1, una1, _) = progress[since], progress[-1]
    after = (una1 - una0) * int(box["mss"]) * 8 / (t1 - t0) / 1000  # Mbit/s
    rules, _, _ = transfer(key(JITTER), False, 10.0)
    assert after >= 0.8 * rules.goodput_mbps, (after, rules.goodput_mbps)


def test_kcp_hands_the_policy_in_order_samples() -> None:
    """An ACK below the una its packet carries is of a segment the peer had in order; the
    last ACK of a packet above it (a datagram that overtook) is only kcp-go's sample."""
    seen: list[tuple[int, int | None]] = []

    class Spy(KcptunRules):
        def on_rtt(self, rtt: int, ordered_rtt: int | None, clock: int) -> None:
            seen.append((rtt, ordered_rtt))

    a, b = Kcp(1), Kcp(1)
    a.set_policy(Spy())
    a.set_nodelay(1, 10, 2, 1)
    b.set_nodelay(1, 10, 2, 1)
    a.send(bytes(3 * a.mss))
    a.flush(1000)
    p0, _, p2 = a.take_output()  # one segment per packet
    b.input(p0, 1040)
    b.flush(1050)
    for p in b.take_output():
        a.input(p, 1100)
    assert seen == [(100, 100)]  # sn 0 in order: its ACK is below the una it carries
    b.input(p2, 1110)  # sn 1 was overtaken
    b.flush(1120)
    for p in b.take_output():
        a.input(p, 1150)
    assert seen[1:] == [(150, None)]  # sn 2 above the peer's una: kcp-go's sample only


def test_rack_waits_a_round_trip_and_the_reordering_window() -> None:
    class Seg:
        def __init__(self, sent: int) -> None:
            self.sent = sent

    w = ReorderWindow()
    early, late = Seg(0), Seg(50)
    w.on_acked([late])
    assert w.newest_sent == 50
    reo = w.window(min_rtt=100.0, srtt=100.0)
    assert reo == 25.0  # a quarter of the minimum RTT
    assert w.lost([early, late], clock=100, rtt=100.0, reo_wnd=reo) == []
    assert w.lost([early, late], clock=125, rtt=100.0, reo_wnd=reo) == [early]
    # needless resends widen it, at most once per round trip, never beyond srtt
    w.on_spurious(clock=200, srtt=100.0)
    w.on_spurious(clock=250, srtt=100.0)
    assert w.window(100.0, 100.0) == 50.0
    for t in range(300, 3000, 100):
        w.on_spurious(clock=t, srtt=100.0)
    assert w.window(100.0, 100.0) == 100.0
