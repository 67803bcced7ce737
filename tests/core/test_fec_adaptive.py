"""kcpcore.fec adaptive parity (KCP Desk only): fewer parity shards, kcp-go's numbering.

A group that sends k < ps parity shards must look, to a kcp-go receiver, exactly like a group
whose last ps - k parity shards the link lost: same seqids for everything sent, flags where
the numbering puts them, and the next group starting at the next multiple of ds + ps.
"""

from __future__ import annotations

import random
import struct

import pytest

from kcpcore.crypt import new_block_crypt
from kcpcore.fec import (
    TYPE_DATA,
    TYPE_PARITY,
    AdaptiveParity,
    FecDecoder,
    FecEncoder,
    paws_for,
    residual_loss,
)
from kcpcore.packet import PacketCodec
from kcpcore.sendpolicy import KcptunRules
from kcpcore.session import KcpSession, SessionParams
from kcpcore.snmp import Snmp

HDR = struct.Struct("<IH")


class Fixed:
    """An ``adaptive`` stand-in whose count the test sets per group."""

    def __init__(self, counts: list[int]) -> None:
        self.counts = counts
        self.calls = 0

    def count(self) -> int:
        c = self.counts[self.calls % len(self.counts)]
        self.calls += 1
        return c


def payloads(n: int, seed: int = 1) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(rng.randint(30, 300)) for _ in range(n)]


class StrictDecoder(FecDecoder):
    """kcp-go's receiver rules; the autotune (flag/position mismatch) must never run."""

    def _autotune(self) -> bool:
        raise AssertionError("autotune triggered")


@pytest.mark.parametrize(("ds", "ps"), [(10, 3), (5, 5), (3, 1), (1, 2)])
def test_seqids_keep_kcp_go_numbering(ds: int, ps: int) -> None:
    size = ds + ps
    counts = [k % (ps + 1) for k in range(7)]
    enc = FecEncoder(ds, ps, adaptive=Fixed(counts))  # type: ignore[arg-type]
    sent: list[tuple[int, int]] = []
    for p in payloads(ds * 7):
        sent += [HDR.unpack_from(pkt) for pkt in enc.encode(p)]
    assert enc.next_seqid == 7 * size
    for g in range(7):
        group = [(s, f) for s, f in sent if s // size == g]
        want = [(g * size + i, TYPE_DATA) for i in range(ds)]
        want += [(g * size + ds + i, TYPE_PARITY) for i in range(counts[g])]
        assert group == want
    assert enc.parity_sent == sum(counts)
    assert enc.parity_skipped == 7 * ps - sum(counts)


def test_skipped_parity_still_wraps_at_paws() -> None:
    paws = paws_for(10, 3)
    enc = FecEncoder(10, 3, next_seqid=paws - 13, adaptive=Fixed([1]))  # type: ignore[arg-type]
    out = [HDR.unpack_from(p) for q in payloads(10) for p in enc.encode(q)]
    assert [s for s, _ in out] == [paws - 13 + i for i in range(11)]
    assert enc.next_seqid == 0


def test_sent_parity_is_the_full_encoders_prefix() -> None:
    full = FecEncoder(10, 3)
    part = FecEncoder(10, 3, adaptive=Fixed([2]))  # type: ignore[arg-type]
    data = payloads(10)
    a = [p for q in data for p in full.encode(q)]
    b = [p for q in data for p in part.encode(q)]
    assert b == a[:12]


@pytest.mark.parametrize("seed", range(6))
def test_kcp_go_rules_decoder_recovers_what_the_parity_allows(seed: int) -> None:
    """Random parity counts per group, random loss: a group with k parity shards sent comes
    back whole iff at most k of its shards were lost; nothing is ever rebuilt wrong."""
    ds, ps = 10, 3
    size = ds + ps
    rng = random.Random(seed)
    groups = 40
    counts = [rng.randint(0, ps) for _ in range(groups)]
    enc = FecEncoder(ds, ps, adaptive=Fixed(counts))  # type: ignore[arg-type]
    dec = StrictDecoder(ds, ps, Snmp())
    data = payloads(ds * groups, seed)
    pkts = [p for q in data for p in enc.encode(q)]
    by_group: dict[int, list[bytes]] = {}
    for p in pkts:
        by_group.setdefault(HDR.unpack_from(p)[0] // size, []).append(p)
    got: set[bytes] = set()
    for g in range(groups):
        sent = by_group[g]
        lost = set(rng.sample(range(len(sent)), rng.randint(0, min(len(sent), ps + 1))))
        arrived_data: set[bytes] = set()
        for i, p in enumerate(sent):
            if i in lost:
                continue
            flag = HDR.unpack_from(p)[1]
            if flag == TYPE_DATA:
                arrived_data.add(p[8:])
            got.update(dec.decode(p, 0))
        got |= arrived_data
        group_data = set(data[g * ds : (g + 1) * ds])
        if len(lost) <= counts[g]:
            assert group_data <= got, f"group {g}: {len(lost)} lost, {counts[g]} parity"
        assert dec.data_shards == ds and dec.parity_shards == ps
    assert got <= set(data)  # nothing rebuilt wrong
    assert dec.snmp.fec_errs == 0


def test_residual_loss_and_parity_choice() -> None:
    assert residual_loss(10, 0, 0.0) == 0.0
    assert residual_loss(10, 3, 1.0) == pytest.approx(1.0)
    assert residual_loss(10, 0, 0.1) == pytest.approx(1 - 0.9**10)
    ap = AdaptiveParity(10, 3)
    assert ap.count() == 3  # nothing measured yet: like kcp-go
    assert [ap.parity_for(p) for p in (0.0, 0.0005, 0.005, 0.02, 0.05, 0.1, 0.5)] == [
        0,
        0,
        1,
        2,
        3,
        3,
        3,
    ]
    assert ap._limits == sorted(ap._limits)


@pytest.mark.parametrize(("loss", "want"), [(0.0, 0), (0.02, 2), (0.10, 3)])
def test_estimate_from_the_peers_data_seqids(loss: float, want: int) -> None:
    """The peer (kcp-go numbering, all parity) sends 20 000 packets; we see them with
    ``loss``: the estimate lands near it and picks the parity that loss needs."""
    peer = FecEncoder(10, 3)
    dec = FecDecoder(10, 3, Snmp())
    ap = AdaptiveParity(10, 3)
    rng = random.Random(7)
    now = 0
    for q in payloads(20_000, 3):
        now += 1
        for p in peer.encode(q):
            if rng.random() < loss:
                continue
            seqid, flag = HDR.unpack_from(p)
            if flag == TYPE_DATA:
                ap.on_peer_data(seqid, now, dec.data_shards, dec.data_shards + dec.parity_shards)
    assert ap.samples > 100
    assert ap.loss == pytest.approx(loss, abs=0.02)
    assert ap.count() == want


def test_estimate_ignores_the_peers_skipped_parity_and_reordering() -> None:
    """An adaptive peer skips parity seqids; late packets from before a window are ignored."""
    peer = FecEncoder(10, 3, adaptive=Fixed([0, 1]))  # type: ignore[arg-type]
    ap = AdaptiveParity(10, 3)
    seqids = [
        HDR.unpack_from(p)[0]
        for q in payloads(3000)
        for p in peer.encode(q)
        if HDR.unpack_from(p)[1] == TYPE_DATA
    ]
    for i in range(0, len(seqids) - 1, 50):  # swap neighbours now and then
        seqids[i], seqids[i + 1] = seqids[i + 1], seqids[i]
    for s in seqids:
        ap.on_peer_data(s, 0, 10, 13)
    # a late packet counts in the window after its own; the faster rise than fall of the
    # estimate still leaves a small bias towards parity (the safe side) under reordering
    assert ap.loss is not None and ap.loss < 0.005
    assert ap.count() <= 1


class FakeSender:
    """The sender policy's side of the parity decision (``ParitySender``), set by the test."""

    def __init__(self, *, loss: float = 0.0, free: bool = True, limited: bool = True) -> None:
        self.loss = loss
        self.free = free
        self.limited = limited
        self.overhead = 1.0

    def bulk_sending(self) -> bool:
        return not self.limited

    def sender_loss(self) -> float | None:
        return self.loss if self.free else None

    def set_wire_overhead(self, overhead: float) -> None:
        self.overhead = overhead


def test_sender_loss_counts_only_without_a_queue() -> None:
    sender = FakeSender(loss=0.08)
    ap = AdaptiveParity(10, 3, sender=sender)
    ap.loss = 0.0
    assert ap.count() == 3
    assert sender.overhead == 1.3  # the sender learns the wire share of what it sends
    sender.free = False
    assert ap.count() == 0
    assert sender.overhead == 1.0


@pytest.mark.parametrize("loss", [None, 0.02, 0.1])
def test_paced_bulk_sender_spends_no_parity(loss: float | None) -> None:
    """A paced sender with data queued fills the bottleneck: parity would displace data, so
    none is sent (ARQ repairs a loss for one packet); with rate to spare, loss sets it."""
    sender = FakeSender(limited=False)
    ap = AdaptiveParity(10, 3, sender=sender)
    ap.loss = loss
    assert ap.count() == 0
    assert sender.overhead == 1.0
    sender.limited = True
    assert ap.count() == (3 if loss is None else ap.parity_for(loss)) > 0
    assert sender.overhead == (10 + ap.count()) / 10


def test_kcptun_rules_parity_follows_loss_alone() -> None:
    """Without pacing the sender policy has no say: parity is what the measured loss needs."""
    ap = AdaptiveParity(10, 3, sender=KcptunRules())
    assert ap.count() == 3  # no estimate yet: all of it
    ap.loss = 0.0
    assert ap.count() == 0
    ap.loss = 0.05
    assert ap.count() == ap.parity_for(0.05) > 0


def test_codec_wiring_off_by_default() -> None:
    crypt = new_block_crypt("none", bytes(32))
    assert PacketCodec(crypt=crypt, datashard=10, parityshard=3, snmp=Snmp()).adaptive is None
    on = PacketCodec(crypt=crypt, datashard=10, parityshard=3, snmp=Snmp(), fec_adaptive=True)
    assert on.adaptive is not None and on.encoder is not None
    assert on.encoder.adaptive is on.adaptive
    off = PacketCodec(crypt=crypt, datashard=0, parityshard=0, snmp=Snmp(), fec_adaptive=True)
    assert off.adaptive is None


def test_sessions_on_a_clean_link_stop_sending_parity() -> None:
    """Two sessions, a -> b at 4 MB/s with adaptive parity (and pacing) on a lossless,
    instant link: the stream arrives intact, and once b's ACK stream has shown no loss,
    groups carry no parity."""
    crypt = new_block_crypt("aes", bytes(32))
    params = SessionParams(
        mtu=1350,
        sndwnd=256,
        rcvwnd=256,
        nodelay=1,
        interval=10,
        resend=2,
        nc=1,
        pacing=True,
        fec_adaptive=True,
    )
    a = KcpSession(conv=1, crypt=crypt, params=params, now=0.0)
    b = KcpSession(conv=1, crypt=crypt, params=params, now=0.0)
    payload = random.Random(5).randbytes(4_000_000)
    sent = 0
    got = bytearray()
    now = 0.0
    while len(got) < len(payload) and now < 60:
        if sent < len(payload) and a.writable():
            a.send(payload[sent : sent + 4000])
            sent += 4000
        for src, dst in ((a, b), (b, a)):
            src.handle_timer(now)
            for d in src.datagrams_to_send(now):
                dst.receive_datagram(d, now)
        while (chunk := b.recv()) is not None:
            got += chunk
        now += 0.001
    assert bytes(got) == payload
    enc = a.codec.encoder
    assert enc is not None and a.codec.adaptive is not None
    assert a.codec.adaptive.loss == 0.0
    assert enc.parity_skipped > 2 * enc.parity_sent
