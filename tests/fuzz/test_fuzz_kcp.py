"""Hostile segments against Kcp.input and iter_segments.

tests/core/test_kcp.py feeds 200 random bytes once. Here: damaged genuine packets with extreme
header fields, a differential check of iter_segments against Kcp.input, right-conv forgeries
aimed at the window edges (rcv_buf must stay within rcv_wnd), and a transfer that must arrive
byte-exact while a hostile peer interleaves everything a correct receiver has to shrug off.
"""

from __future__ import annotations

import hashlib
import random

from hypothesis import strategies as st

from fuzz.targets import CONV, check_kcp, check_segments, kcp_invariants
from kcpcore.kcp import MASK32, Kcp
from kcpcore.segment import IKCP_CMD_ACK, IKCP_CMD_PUSH, IKCP_CMD_WASK, IKCP_CMD_WINS, pack_segment
from tests.helpers.link import LossyLink

from .common import fast_and_long, mutations, segment_fields

START = MASK32 - 3000  # ms: every run crosses the u32 clock wrap


def make(rcvwnd: int = 32, sndwnd: int = 32) -> Kcp:
    k = Kcp(CONV)
    k.set_mtu(300)
    k.set_nodelay(1, 10, 2, 1)
    k.set_wndsize(sndwnd, rcvwnd)
    return k


def genuine_packets(n_bytes: int = 3000) -> list[bytes]:
    a, b = make(), make()
    a.send(bytes(range(256)) * (n_bytes // 256 + 1))
    a.flush(START)
    pkts = a.take_output()
    for p in pkts:
        b.input(p, START)
    b.flush(START)
    return pkts + b.take_output()


GENUINE = genuine_packets()


@st.composite
def damaged_packets(draw: st.DrawFn) -> bytes:
    base = draw(st.sampled_from(GENUINE))
    if draw(st.booleans()):  # several segments in one packet
        base += draw(st.sampled_from(GENUINE))
    return draw(mutations(base, segment_fields(base), max_ops=6))


def _segments_differential(kind: int, pkt: bytes) -> None:
    check_segments(bytes([kind]) + pkt)


test_segments_differential, test_segments_differential_long = fast_and_long(
    150, 8000, kind=st.integers(0, 255), pkt=damaged_packets() | st.binary(max_size=200)
)(_segments_differential)


def _kcp_script(data: bytes) -> None:
    check_kcp(data)


test_kcp_script_random, test_kcp_script_random_long = fast_and_long(
    80, 5000, data=st.binary(max_size=2000)
)(_kcp_script)


forged = st.builds(
    lambda cmd, frg, wnd, ts, sn_d, una_d, n: (cmd, frg, wnd, ts, sn_d, una_d, n),
    st.sampled_from([IKCP_CMD_PUSH, IKCP_CMD_ACK, IKCP_CMD_WASK, IKCP_CMD_WINS]),
    st.sampled_from([0, 1, 254, 255]),
    st.sampled_from([0, 1, 0xFFFF]),
    st.sampled_from([0, START, MASK32]),
    st.integers(-40, 600) | st.sampled_from([0x7FFF_FFFF, 0x8000_0000, MASK32]),
    st.integers(-40, 600) | st.sampled_from([0x7FFF_FFFF, 0x8000_0000, MASK32]),
    st.integers(0, 40),
)


def _forged_window_edges(rcvwnd: int, stream: bool, batches: list[list[tuple[int, ...]]]) -> None:
    """Right-conv segments at, inside and past the window edges keep every buffer bounded."""
    a = make(rcvwnd=rcvwnd)
    a.stream = stream
    a.send(b"x" * 2000)
    now = START
    a.flush(now)
    for batch in batches:
        pkt = b"".join(
            pack_segment(
                CONV,
                cmd,
                frg,
                wnd,
                ts,
                (a.rcv_nxt + sn_d) & MASK32,
                (a.snd_una + una_d) & MASK32,
                bytes([frg]) * n,
            )
            for cmd, frg, wnd, ts, sn_d, una_d, n in batch
        )
        assert a.input(pkt, now) == 0
        kcp_invariants(a)
        now = (now + 7) & MASK32
        a.flush(now)
        a.take_output()
        while a.recv() is not None:
            pass
        kcp_invariants(a)


test_forged_window_edges, test_forged_window_edges_long = fast_and_long(
    60,
    3000,
    rcvwnd=st.sampled_from([1, 2, 32, 512]),
    stream=st.booleans(),
    batches=st.lists(st.lists(forged, min_size=1, max_size=20), max_size=12),
)(_forged_window_edges)


def test_huge_length_fields_are_errors_not_allocations() -> None:
    k = make()
    for length in (25, 0xFFFF, 0x7FFF_FFFF, MASK32):
        hdr = bytearray(pack_segment(CONV, IKCP_CMD_PUSH, 0, 32, 0, 0, 0, b"abc"))
        hdr[20:24] = length.to_bytes(4, "little")
        assert k.input(bytes(hdr), START) == -2
    assert not k.rcv_buf and not k.rcv_queue


# --- a transfer under tolerable hostile input -----------------------------------------------


def tolerable(rng: random.Random, seen: list[bytes], victim: Kcp, peer_conv: int) -> bytes:
    """A datagram a correct KCP receiver must survive without losing or corrupting data.

    Everything here is either not for this conv, structurally invalid before any state is
    touched, a replay of a genuine packet, or a right-conv segment outside every window
    (acks below una or past snd_nxt, pushes past the receive window, probes) that carries
    the receiver's own una, so no genuine data can be acknowledged or replaced by it.
    """
    kind = rng.randrange(8)
    if kind == 0 or not seen:
        return rng.randbytes(rng.randrange(0, 120))
    pkt = bytearray(rng.choice(seen))
    if kind == 1:  # another conv
        pkt[0:4] = ((peer_conv + rng.randrange(1, MASK32)) & MASK32).to_bytes(4, "little")
        return bytes(pkt)
    if kind == 2:  # unknown command in the first segment
        pkt[4] = rng.choice([0, 80, 85, 255])
        return bytes(pkt)
    if kind == 3:  # first segment claims more bytes than there are
        pkt[20:24] = (len(pkt) + rng.randrange(1, 1 << 31)).to_bytes(4, "little")
        return bytes(pkt)
    if kind == 4:  # replay
        return bytes(pkt)
    if kind == 5:  # truncated inside a header: the packet is too short for anything
        return bytes(pkt[: rng.randrange(0, 24)])
    una = victim.snd_una
    if kind == 6:  # acks outside [snd_una, snd_nxt)
        sn = rng.choice(
            [
                (una - rng.randrange(1, 1000)) & MASK32,
                (victim.snd_nxt + rng.randrange(0, 1 << 30)) & MASK32,
            ]
        )
        return pack_segment(peer_conv, IKCP_CMD_ACK, 0, 64, START, sn, una)
    # pushes past the receive window, and window probes
    sn = (victim.rcv_nxt + victim.rcv_wnd + rng.randrange(0, 1 << 30)) & MASK32
    cmd = rng.choice([IKCP_CMD_PUSH, IKCP_CMD_WASK, IKCP_CMD_WINS])
    return pack_segment(
        peer_conv, cmd, rng.randrange(256), 64, START, sn, una, rng.randbytes(rng.randrange(0, 60))
    )


def _transfer_survives_hostile_input(seed: int, rate: float) -> None:
    rng = random.Random(seed)
    a, b = make(64, 64), make(64, 64)
    payload = hashlib.sha256(seed.to_bytes(8, "little")).digest() * 2000  # 64 KB
    ab, ba = LossyLink(seed, loss=0.05, jitter_ms=5), LossyLink(seed + 1, loss=0.05)
    seen_a: list[bytes] = []
    seen_b: list[bytes] = []
    now = START
    got = bytearray()
    off = 0
    for _ in range(30_000):
        if len(got) == len(payload):
            break
        while off < len(payload) and a.writable():
            a.send(payload[off : off + 1000])
            off += 1000
        for k, link, seen in ((a, ab, seen_a), (b, ba, seen_b)):
            k.flush(now & MASK32)
            for p in k.take_output():
                link.send(p, now)
                if len(seen) < 200:
                    seen.append(p)
        for p in ab.receive(now):
            b.input(p, now & MASK32)
        for p in ba.receive(now):
            a.input(p, now & MASK32)
        if rng.random() < rate:  # garbage aimed at the receiver, from the sender's seen packets
            b.input(tolerable(rng, seen_a, b, CONV), now & MASK32)
        if rng.random() < rate:  # and at the sender, from the receiver's
            a.input(tolerable(rng, seen_b, a, CONV), now & MASK32)
        kcp_invariants(a)
        kcp_invariants(b)
        data = b.recv()
        if data:
            got += data
        now += 5
    assert bytes(got) == payload


test_transfer_survives_hostile_input, test_transfer_survives_hostile_input_long = fast_and_long(
    15, 400, seed=st.integers(0, 2**32), rate=st.sampled_from([0.2, 1.0])
)(_transfer_survives_hostile_input)
