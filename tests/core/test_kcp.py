"""KCP ARQ engine: wire layout, window and retransmit rules, and exact delivery under loss."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcpcore.crypt import new_block_crypt
from kcpcore.kcp import IKCP_RTO_NDL, MASK32, Kcp, timediff
from kcpcore.segment import (
    IKCP_CMD_ACK,
    IKCP_CMD_PUSH,
    IKCP_CMD_WASK,
    IKCP_CMD_WINS,
    iter_segments,
    pack_segment,
)
from kcpcore.session import KcpSession, SessionParams
from tests.helpers.bottleneck import Sim
from tests.helpers.link import LossyLink

START = (1 << 32) - 5000  # ms: every run crosses the u32 clock wrap


def make(
    conv: int = 0x11223344, *, mode=(1, 10, 2, 1), wnd=(128, 128), reserved=28, mtu=1350
) -> Kcp:
    k = Kcp(conv)
    k.reserve_bytes(reserved)
    k.set_mtu(mtu)
    k.set_nodelay(*mode)
    k.set_wndsize(*wnd)
    return k


def exchange(
    a: Kcp,
    b: Kcp,
    pa: bytes,
    pb: bytes,
    link_ab: LossyLink,
    link_ba: LossyLink,
    *,
    chunk: int = 4096,
    max_ms: int = 120_000,
) -> tuple[bytes, bytes, int]:
    """Both ends send at once (``pa`` a->b, ``pb`` b->a) on a virtual clock crossing the u32
    wrap; returns (what b received, what a received, elapsed ms)."""
    now = START
    got_a, got_b = bytearray(), bytearray()
    offs = [0, 0]
    nxt = [now, now]
    end = now + max_ms
    ends = ((a, pa, link_ab), (b, pb, link_ba))
    while len(got_b) < len(pa) or len(got_a) < len(pb):
        assert now < end, f"stalled: b has {len(got_b)}/{len(pa)}, a {len(got_a)}/{len(pb)}"
        for i, (k, data, link) in enumerate(ends):
            while offs[i] < len(data) and k.writable():
                k.send(data[offs[i] : offs[i] + chunk])
                offs[i] += chunk
                nxt[i] = now
            if now >= nxt[i]:
                nxt[i] = now + k.flush(now & MASK32)
            for pkt in k.take_output():
                link.send(pkt, now)
        for pkt in link_ab.receive(now):
            assert b.input(pkt, now & MASK32) == 0
        for pkt in link_ba.receive(now):
            assert a.input(pkt, now & MASK32) == 0
        got_b += b.recv() or b""
        got_a += a.recv() or b""
        now += 1
    return bytes(got_b), bytes(got_a), now - START


def transfer(
    a: Kcp,
    b: Kcp,
    payload: bytes,
    link_ab: LossyLink,
    link_ba: LossyLink,
    *,
    chunk: int = 4096,
    max_ms: int = 120_000,
) -> tuple[bytes, int]:
    """Move payload a->b through the links on a virtual clock; returns (received, elapsed ms)."""
    got, _, elapsed = exchange(a, b, payload, b"", link_ab, link_ba, chunk=chunk, max_ms=max_ms)
    return got, elapsed


def test_timediff_wraps() -> None:
    assert timediff(5, MASK32) == 6
    assert timediff(MASK32, 5) == -6
    assert timediff(0x7FFFFFFF, 0) == 0x7FFFFFFF


def test_first_push_layout_and_mss() -> None:
    k = make()
    assert k.mss == 1350 - 24 - 28 == 1298
    k.send(b"x" * 3000)
    k.flush(1000)
    pkts = k.take_output()
    sizes = [len(p) for p in pkts]
    assert sizes == [24 + 1298, 24 + 1298, 24 + 404]
    segs = [s for p in pkts for s in iter_segments(p)]
    assert [(s.cmd, s.sn, s.frg, s.una, s.ts, s.conv) for s in segs] == [
        (IKCP_CMD_PUSH, i, 0, 0, 1000, 0x11223344) for i in range(3)
    ]
    assert segs[0].wnd == 128
    assert b"".join(s.data for s in segs) == b"x" * 3000


def test_stream_mode_tops_up_last_segment() -> None:
    k = make()
    for _ in range(10):
        k.send(b"ab")
    assert len(k.snd_queue) == 1
    k.flush(0)
    (pkt,) = k.take_output()
    (seg,) = iter_segments(pkt)
    assert seg.data == b"ab" * 10


def test_ack_thinning_keeps_last_ack_below_rcv_nxt() -> None:
    """kcp-go leaves out ACKs for sn < rcv_nxt except the last entry of the ACK list."""
    b = make()
    pkt = pack_segment(1, IKCP_CMD_PUSH, 0, 32, 7, 0, 0, b"a") + pack_segment(
        1, IKCP_CMD_PUSH, 0, 32, 8, 1, 0, b"b"
    )
    b.conv = 1
    assert b.input(pkt, 10) == 0
    b.flush(10)
    (out,) = b.take_output()
    acks = list(iter_segments(out))
    assert [(s.cmd, s.sn, s.ts, s.una) for s in acks] == [(IKCP_CMD_ACK, 1, 8, 2)]
    assert b.recv() == b"ab"


def test_conv_mismatch_and_bad_cmd_are_errors_not_exceptions() -> None:
    k = make(conv=5)
    assert k.input(pack_segment(6, IKCP_CMD_PUSH, 0, 1, 0, 0, 0, b"x"), 0) == -1
    assert k.input(pack_segment(5, 99, 0, 1, 0, 0, 0), 0) == -3
    assert k.input(pack_segment(5, IKCP_CMD_PUSH, 0, 1, 0, 0, 0, b"xyz")[:-1], 0) == -2
    assert k.input(b"short", 0) == -1
    assert k.recv() is None


def test_wask_is_answered_with_wins() -> None:
    k = make(conv=9)
    k.input(pack_segment(9, IKCP_CMD_WASK, 0, 32, 0, 0, 0), 0)
    k.flush(0)
    (out,) = k.take_output()
    assert [s.cmd for s in iter_segments(out)] == [IKCP_CMD_WINS]


def test_zero_remote_window_sends_probe_after_7s() -> None:
    k = make(conv=9)
    k.input(pack_segment(9, IKCP_CMD_WINS, 0, 0, 0, 0, 0), 0)
    assert k.rmt_wnd == 0
    k.send(b"data")
    k.flush(100)
    assert k.take_output() == []  # window closed: nothing may go out
    k.flush(100 + 7000)
    (out,) = k.take_output()
    assert [s.cmd for s in iter_segments(out)] == [IKCP_CMD_WASK]


def test_rto_retransmit_and_counters() -> None:
    k = make()
    k.send(b"hello")
    k.flush(0)
    k.take_output()
    k.flush(50)
    assert k.take_output() == []
    k.flush(250)  # initial rto 200 ms
    (out,) = k.take_output()
    (seg,) = iter_segments(out)
    assert seg.sn == 0 and seg.data == b"hello" and seg.ts == 250
    assert k.snmp.lost_segs == 1 and k.snmp.retrans_segs == 1


def test_fast_retransmit_after_two_later_acks() -> None:
    a = make()
    a.send(b"z" * (1298 * 4))
    a.flush(0)
    a.take_output()
    conv = a.conv
    # the peer acks sn 1 and 2 (sn 0 lost), una stays 0
    acks = pack_segment(conv, IKCP_CMD_ACK, 0, 128, 0, 1, 0) + pack_segment(
        conv, IKCP_CMD_ACK, 0, 128, 0, 2, 0
    )
    a.input(acks, 5)
    a.flush(6)
    out = a.take_output()
    sns = [s.sn for p in out for s in iter_segments(p) if s.cmd == IKCP_CMD_PUSH]
    assert sns == [0]
    assert a.snmp.fast_retrans_segs == 1


def test_rtt_estimate_and_min_rto() -> None:
    a = make()
    a.send(b"q")
    a.flush(1000)
    a.take_output()
    a.input(pack_segment(a.conv, IKCP_CMD_ACK, 0, 128, 1000, 0, 1), 1040)
    assert a.rx_srtt == 40 and a.rx_rttvar == 20
    assert a.rx_rto == 40 + max(10, 80)
    assert a.snd_una == 1 and a.wait_snd() == 0
    b = make()
    b.input(pack_segment(b.conv, IKCP_CMD_ACK, 0, 128, 0, 0, 0), 1)
    assert b.rx_rto >= IKCP_RTO_NDL


@pytest.mark.parametrize(
    "loss,jitter,mode",
    [
        (0.0, 0, (1, 10, 2, 1)),
        (0.05, 5, (1, 20, 2, 1)),
        (0.2, 20, (0, 40, 2, 1)),
        (0.1, 3, (0, 50, 0, 0)),  # manual defaults: congestion window on, no fast resend
    ],
)
def test_exact_delivery_over_lossy_link(loss: float, jitter: int, mode) -> None:
    rng = random.Random(7)
    payload = rng.randbytes(300_000)
    a, b = make(mode=mode), make(mode=mode)
    got, _ = transfer(
        a,
        b,
        payload,
        LossyLink(seed=1, loss=loss, jitter_ms=jitter),
        LossyLink(seed=2, loss=loss, jitter_ms=jitter),
    )
    assert hashlib.sha256(got).digest() == hashlib.sha256(payload).digest()
    if loss:
        assert a.snmp.retrans_segs > 0


def test_message_mode_fragments_and_reassembles() -> None:
    a, b = Kcp(1, stream=False), Kcp(1, stream=False)
    a.set_nodelay(1, 10, 2, 1)  # no congestion window: everything goes in the first flush
    msg = bytes(range(256)) * 20
    a.send(msg)
    a.send(b"tail")
    a.flush(0)
    for p in a.take_output():
        b.input(p, 0)
    assert b.recv() == msg
    assert b.recv() == b"tail"
    assert Kcp(1, stream=False).send(b"x" * (1376 * 256)) == -2


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_reordering_and_duplication_yields_exact_stream(data) -> None:
    payload = data.draw(st.binary(min_size=1, max_size=20000))
    a, b = make(wnd=(256, 256)), make(wnd=(256, 256))
    a.send(payload)
    a.flush(0)
    pkts = a.take_output()
    order = data.draw(st.permutations(range(len(pkts))))
    dups = data.draw(st.lists(st.integers(0, len(pkts) - 1), max_size=5))
    for i in list(order) + dups:
        assert b.input(pkts[i], 1) == 0
    assert b.recv() == payload
    assert b.recv() is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_garbage_input_never_raises(blob: bytes) -> None:
    k = make(conv=int.from_bytes(blob[:4].ljust(4, b"\0"), "little"))
    k.input(blob, 0)
    k.flush(1)


def test_rtt_ignores_acks_of_segments_already_acknowledged() -> None:
    """A peer's FEC may rebuild a packet of ours long after ARQ delivered it and acknowledge it
    again, echoing a ts seconds old. kcp-go takes that as an RTT sample (and its RTO jumps to
    seconds); we sample only ACKs that acknowledge something for the first time."""
    a, b = make(), make()
    now = START
    a.send(b"x" * 100)
    a.flush(now & MASK32)
    (pkt,) = a.take_output()
    now += 50
    assert b.input(pkt, now & MASK32) == 0
    b.flush(now & MASK32)
    acks = b.take_output()
    now += 50
    for p in acks:
        assert a.input(p, now & MASK32) == 0
    assert a.rx_srtt == 100
    rto = a.rx_rto
    # the same segment "arrives" again at b 3 s later (rebuilt by FEC): b acks it again
    now += 3000
    assert b.input(pkt, now & MASK32) == 0
    b.flush(now & MASK32)
    late = b.take_output()
    assert late
    now += 50
    for p in late:
        assert a.input(p, now & MASK32) == 0
    assert (a.rx_srtt, a.rx_rto) == (100, rto)


def test_request_response_tail_at_10_percent_loss() -> None:
    """Ping-pong of one small segment each way, fast3 with FEC 10/3, 10 % loss each way and
    50 ms one-way delay (linkbench's --latency on 20m-50ms-10%): a sparse flow fills FEC
    groups slowly, so rebuilt packets come back as stale ACKs. With kcp-go's sampling the
    p99 was 2.5 s here (max 8.5 s); two losses in a row should cost a few RTOs, not seconds."""
    crypt = new_block_crypt("aes", bytes(32))
    params = SessionParams(
        mtu=1350,
        sndwnd=1024,
        rcvwnd=1024,
        nodelay=1,
        interval=10,
        resend=2,
        nc=1,
        datashard=10,
        parityshard=3,
    )
    sim = Sim(rate=20, delay=50, loss=0.1, pacing=False)
    a = sim.a = KcpSession(conv=1, crypt=crypt, now=0.0, params=params)
    b = sim.b = KcpSession(conv=1, crypt=crypt, now=0.0, params=params)
    rtts: list[int] = []
    a.send(bytes(72))
    start = 0
    while len(rtts) < 800:
        assert sim.ms < 600_000
        sim.step()
        if sim.got:  # b got the request (Sim counts what b.recv() returned)
            sim.got = 0
            b.send(bytes(72))
        while a.recv() is not None:
            rtts.append(sim.ms - start)
            start = sim.ms
            a.send(bytes(72))
    rtts.sort()
    assert rtts[len(rtts) // 2] <= 110
    assert rtts[int(0.99 * len(rtts))] <= 700, rtts[-20:]
