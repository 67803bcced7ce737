"""kcpcore.fec: kcp-go v5.6.1 FEC framing and receiver rules (PROTOCOL.md 2.1, 2.2, 4)."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcpcore.errors import ConfigError, LocalProtocolError, MalformedPacket
from kcpcore.fec import (
    AUTOTUNE_MAX_SHARDS,
    FEC_EXPIRE,
    FEC_HEADER_SIZE,
    FEC_HEADER_SIZE_PLUS2,
    TYPE_DATA,
    TYPE_PARITY,
    FecDecoder,
    FecEncoder,
    data_payload,
    fec_flag,
    paws_for,
)
from kcpcore.rs import ReedSolomon, gf_mul
from kcpcore.snmp import Snmp

HDR = struct.Struct("<IH")
DATA_HDR = struct.Struct("<IHH")

# PROTOCOL.md 4.4, checked against the Debian binary.
ROWS_10_3 = [
    [129, 150, 175, 184, 210, 196, 254, 232, 3, 2],
    [150, 129, 184, 175, 196, 210, 232, 254, 2, 3],
    [191, 214, 98, 10, 6, 111, 223, 183, 5, 4],
]


def scalar_parity(rows: list[list[int]], shards: list[bytes]) -> list[bytes]:
    """Parity straight from the definition, one byte at a time (test reference only)."""
    length = max(map(len, shards))
    padded = [s.ljust(length, b"\0") for s in shards]
    out = []
    for row in rows:
        acc = bytearray(length)
        for c, s in zip(row, padded, strict=True):
            for t in range(length):
                acc[t] ^= gf_mul(c, s[t])
        out.append(bytes(acc))
    return out


def check_invariants(dec: FecDecoder) -> None:
    rx = dec._rx
    assert len(rx) == len(dec._entries) == sum(g.count for g in dec._groups.values())
    assert set(rx) == set(dec._entries)
    assert len(rx) <= 3 * (dec.data_shards + dec.parity_shards)
    for g in dec._groups.values():
        assert 0 < g.count == sum(s is not None for s in g.shards)
        assert g.ndata <= g.count


def make_groups(enc: FecEncoder, payloads: list[bytes]) -> list[list[bytes]]:
    """Encode payloads and split the output into complete groups of ds+ps packets."""
    out: list[bytes] = []
    for p in payloads:
        out += enc.encode(p)
    size = enc.data_shards + enc.parity_shards
    assert len(out) % size == 0
    return [out[i : i + size] for i in range(0, len(out), size)]


# ---------------------------------------------------------------------------------------------
# framing


def test_fec_flag() -> None:
    assert fec_flag(b"") == 0
    assert fec_flag(b"\x00\x00\x00\x00\xf1") == 0
    assert fec_flag(bytes(4) + b"\xf1\x00") == TYPE_DATA
    assert fec_flag(memoryview(bytes(4) + b"\xf2\x00rest")) == TYPE_PARITY
    # raw KCP: cmd 81 (PUSH) with frg 3 at offset 4
    assert fec_flag(struct.pack("<IBB", 7, 81, 3)) == 81 | (3 << 8)


def test_data_payload() -> None:
    pkt = DATA_HDR.pack(5, TYPE_DATA, 2 + 4) + b"kcp!"
    assert data_payload(pkt) == b"kcp!"
    assert data_payload(pkt, strict=True) == b"kcp!"
    # kcp-go hands everything after the header to KCP and ignores the size field
    bad = DATA_HDR.pack(5, TYPE_DATA, 0x0300) + b"kcp!"
    assert data_payload(bad) == b"kcp!"
    with pytest.raises(MalformedPacket):
        data_payload(bad, strict=True)
    with pytest.raises(MalformedPacket):
        data_payload(DATA_HDR.pack(5, TYPE_DATA, 1) + b"kcp!", strict=True)
    assert data_payload(DATA_HDR.pack(5, TYPE_DATA, 3) + b"kcp!", strict=True) == b"k"
    assert data_payload(DATA_HDR.pack(5, TYPE_DATA, 2)) == b""
    with pytest.raises(MalformedPacket):
        data_payload(DATA_HDR.pack(5, TYPE_DATA, 2)[:7])


def test_encoder_10_3_framing_and_parity() -> None:
    enc = FecEncoder(10, 3)
    payloads = [bytes([j]) * (24 + 37 * j) for j in range(10)]
    out: list[bytes] = []
    for j, p in enumerate(payloads):
        got = enc.encode(p)
        assert len(got) == (1 if j < 9 else 4)
        out += got
    for j, (p, pkt) in enumerate(zip(payloads, out, strict=False)):
        assert DATA_HDR.unpack_from(pkt) == (j, TYPE_DATA, 2 + len(p))  # size counts itself
        assert pkt[FEC_HEADER_SIZE_PLUS2:] == p
    shards = [pkt[FEC_HEADER_SIZE:] for pkt in out[:10]]
    longest = max(map(len, shards))
    expected = scalar_parity(ROWS_10_3, shards)
    for i, pkt in enumerate(out[10:]):
        assert HDR.unpack_from(pkt) == (10 + i, TYPE_PARITY)
        assert len(pkt) == FEC_HEADER_SIZE + longest  # as long as the longest data packet
        assert pkt[FEC_HEADER_SIZE:] == expected[i]
    assert enc.next_seqid == 13
    assert HDR.unpack_from(enc.encode(b"x")[0]) == (13, TYPE_DATA)


def test_encoder_3_1_parity_is_xor() -> None:
    enc = FecEncoder(3, 1)
    payloads = [b"\x01\x02\x03", b"\xff" * 30, b""]
    out: list[bytes] = []
    for p in payloads:
        out += enc.encode(p)
    assert len(out) == 4
    acc = 0
    for pkt in out[:3]:
        acc ^= int.from_bytes(pkt[FEC_HEADER_SIZE:].ljust(32, b"\0"), "big")
    assert out[3] == HDR.pack(3, TYPE_PARITY) + acc.to_bytes(32, "big")


def test_encoder_accepts_buffers_and_rejects_oversize() -> None:
    enc = FecEncoder(2, 1)
    assert enc.encode(memoryview(b"abc"))[0][FEC_HEADER_SIZE_PLUS2:] == b"abc"
    assert enc.encode(bytearray(b"de"))[0][FEC_HEADER_SIZE_PLUS2:] == b"de"
    with pytest.raises(LocalProtocolError):
        enc.encode(bytes(0xFFFE))


def test_paws_and_seqid_wrap() -> None:
    assert paws_for(10, 3) == 4294967287  # PROTOCOL.md 4.2
    paws = paws_for(10, 3)
    enc = FecEncoder(10, 3, next_seqid=paws - 13)
    seqids = [HDR.unpack_from(p)[0] for g in make_groups(enc, [b"p"] * 20) for p in g]
    assert seqids[:13] == list(range(paws - 13, paws))
    assert seqids[13:] == list(range(13))  # the wrap happens at the group boundary
    # groups that do not divide 2**32 evenly: (4,2) has paws = 4294967292
    enc = FecEncoder(4, 2, next_seqid=paws_for(4, 2) - 6)
    seqids = [HDR.unpack_from(p)[0] for g in make_groups(enc, [b"p"] * 8) for p in g]
    assert seqids == [4294967286 + i for i in range(6)] + list(range(6))
    with pytest.raises(ConfigError):
        FecEncoder(10, 3, next_seqid=5)
    with pytest.raises(ConfigError):
        FecEncoder(10, 3, next_seqid=paws)


@pytest.mark.parametrize("cls", [FecEncoder, lambda ds, ps: FecDecoder(ds, ps, Snmp())])
@pytest.mark.parametrize(("ds", "ps"), [(0, 3), (10, 0), (200, 100)])
def test_bad_shard_counts(cls: object, ds: int, ps: int) -> None:
    with pytest.raises(ConfigError):
        cls(ds, ps)  # type: ignore[operator]


# ---------------------------------------------------------------------------------------------
# decoder rules


def test_decoder_recovers_padded_short_packet() -> None:
    snmp = Snmp()
    dec = FecDecoder(4, 2, snmp)
    payloads = [b"a" * 100, b"short", b"c" * 70, b"d" * 3]
    (group,) = make_groups(FecEncoder(4, 2), payloads)
    assert dec.decode(group[0], 0) == []
    assert dec.decode(group[2], 0) == []
    assert dec.decode(group[3], 0) == []
    assert dec.decode(group[4], 0) == [b"short"]  # decoded as soon as ds shards are present
    assert dec.queued == 0
    assert dec.decode(group[5], 0) == []  # late parity waits alone in a new group
    assert dec.queued == 1
    assert (snmp.fec_parity_shards, snmp.fec_errs, snmp.fec_short_shards) == (2, 0, 0)


def test_group_freed_when_all_data_present() -> None:
    snmp = Snmp()
    dec = FecDecoder(3, 2, snmp)
    (group,) = make_groups(FecEncoder(3, 2), [b"x", b"y", b"z"])
    for pkt in group[:3]:
        assert dec.decode(pkt, 0) == []
    assert dec.queued == 0
    for pkt in group[3:]:
        assert dec.decode(pkt, 0) == []
    assert dec.queued == 2
    assert snmp.fec_parity_shards == 2


def test_duplicates_are_dropped_but_parity_still_counted() -> None:
    snmp = Snmp()
    dec = FecDecoder(3, 2, snmp)
    (group,) = make_groups(FecEncoder(3, 2), [b"x", b"y", b"z"])
    dec.decode(group[0], 0)
    dec.decode(group[0], 0)
    dec.decode(group[3], 0)
    dec.decode(memoryview(group[3]), 0)
    assert dec.queued == 2
    assert snmp.fec_parity_shards == 2  # kcp-go counts before the decoder sees it
    assert dec.decode(group[4], 0) == [b"y", b"z"]


def test_queue_cap_evicts_oldest_and_counts_data() -> None:
    snmp = Snmp()
    dec = FecDecoder(2, 1, snmp)  # cap 3 * 3 = 9
    data = lambda seq: DATA_HDR.pack(seq, TYPE_DATA, 3) + b"d"  # noqa: E731
    parity = lambda seq: HDR.pack(seq, TYPE_PARITY) + b"pp"  # noqa: E731
    for g in range(9):  # one data shard per group: nothing can be decoded
        dec.decode(data(3 * g), 0)
    assert dec.queued == 9 and snmp.fec_short_shards == 0
    dec.decode(parity(29), 0)  # the 10th entry pushes out seqid 0, a data shard
    assert dec.queued == 9 and snmp.fec_short_shards == 1
    assert dec._rx[0] == 3
    dec.decode(data(1), 0)  # older than everything: inserted at the front, evicted at once
    assert dec._rx[0] == 3 and snmp.fec_short_shards == 2
    dec.decode(parity(2), 0)  # a parity shard goes without counting
    assert dec._rx[0] == 3 and snmp.fec_short_shards == 2
    dec.decode(data(4), 0)  # completes group 1 (seqids 3, 4): freed, nothing evicted
    assert dec.queued == 8 and snmp.fec_short_shards == 2
    check_invariants(dec)


def test_expiry_is_60s_from_the_front_only() -> None:
    snmp = Snmp()
    dec = FecDecoder(2, 1, snmp)
    data = lambda seq: DATA_HDR.pack(seq, TYPE_DATA, 3) + b"d"  # noqa: E731
    t0 = 2**32 - 1000  # ms32 wraps in the middle of the test
    dec.decode(data(3), t0)
    dec.decode(data(0), t0 + 50_000)  # older seqid, newer timestamp: now at the front
    dec.decode(data(6), t0 + FEC_EXPIRE + 1)
    assert dec._rx == [0, 3, 6]  # seqid 3 is stale but hidden behind seqid 0
    dec.decode(data(9), t0 + 50_000 + FEC_EXPIRE)
    assert dec._rx == [0, 3, 6, 9]  # exactly 60 s is not expired
    dec.decode(data(12), t0 + 50_000 + FEC_EXPIRE + 1)
    assert dec._rx == [6, 9, 12]
    assert snmp.fec_short_shards == 0  # expiry is not counted


def test_fec_errs_for_rebuilt_shard_with_bad_size() -> None:
    snmp = Snmp()
    codec = ReedSolomon(2, 1)
    shard0 = struct.pack("<H", 9) + b"abc"  # size 9 > shard length 5
    shard1 = struct.pack("<H", 5) + b"xyz"
    (par,) = codec.encode([shard0, shard1])
    dec = FecDecoder(2, 1, snmp)
    assert dec.decode(HDR.pack(1, TYPE_DATA) + shard1, 0) == []
    assert dec.decode(HDR.pack(2, TYPE_PARITY) + par, 0) == []
    assert snmp.fec_errs == 1 and dec.queued == 0
    # size 1 is also bad (it must count itself)
    shard0 = struct.pack("<H", 1) + b"abc"
    (par,) = codec.encode([shard0, shard1])
    dec.decode(HDR.pack(4, TYPE_DATA) + shard1, 0)
    dec.decode(HDR.pack(5, TYPE_PARITY) + par, 0)
    assert snmp.fec_errs == 2


def test_malformed_input() -> None:
    dec = FecDecoder(10, 3, Snmp())
    for bad in (
        b"",
        b"\xf1",
        HDR.pack(1, TYPE_DATA),
        HDR.pack(1, TYPE_DATA) + b"\x01",
        HDR.pack(1, 0x51) + b"\x00\x00",
    ):
        with pytest.raises(MalformedPacket):
            dec.decode(bad, 0)
    assert dec.queued == 0


def test_wrap_in_decoder() -> None:
    ds, ps = 10, 3
    size = ds + ps
    snmp = Snmp()
    dec = FecDecoder(ds, ps, snmp)
    enc = FecEncoder(ds, ps, next_seqid=paws_for(ds, ps) - 2 * size)
    payloads = [bytes([i]) * (30 + i) for i in range(4 * ds)]
    groups = make_groups(enc, payloads)
    # interleave the two groups either side of the wrap and lose 3 packets in each
    stream = [p for pair in zip(groups[1], groups[2], strict=True) for p in pair]
    lost = {groups[1][0], groups[1][5], groups[1][12], groups[2][1], groups[2][9], groups[2][10]}
    got: list[bytes] = []
    for g in (groups[0], [p for p in stream if p not in lost], groups[3]):
        for p in reversed(g):
            if HDR.unpack_from(p)[1] == TYPE_DATA:
                got.append(data_payload(p))
            got += dec.decode(p, 0)
            check_invariants(dec)
    assert sorted(set(got)) == sorted(payloads)
    assert snmp.fec_short_shards == 0 and snmp.fec_errs == 0


def test_autotune_learns_peer_layout() -> None:
    """A retuned layout rebuilds only once TRUST_AFTER groups in a row fit it; before, a
    lost shard is simply not rebuilt (never rebuilt wrong)."""
    # learned from the pattern of 32 data seqids (a few groups), then TRUST_AFTER groups
    trusted_from = FecDecoder.TRUST_AFTER + 5
    # kcp-go builds a (1,1) decoder when FEC arrives at a session without one (PROTOCOL 4.1)
    dec = FecDecoder(1, 1, Snmp())
    enc = FecEncoder(10, 3)
    first = None
    for g in range(trusted_from + 2):
        (group,) = make_groups(enc, [bytes([g, i]) * 20 for i in range(10)])
        got = []
        for j, p in enumerate(group):
            if j == 4:
                continue
            got += dec.decode(p, 0)
            check_invariants(dec)
        assert got in ([], [bytes([g, 4]) * 20])
        if got and first is None:
            first = g
        assert bool(got) == (first is not None)  # once rebuilding, every group rebuilds
    assert first is not None and first <= trusted_from
    assert (dec.data_shards, dec.parity_shards) == (10, 3)
    # and the other way: a (10,3) decoder meeting a (4,2) peer, with a loss in every group
    dec = FecDecoder(10, 3, Snmp())
    enc = FecEncoder(4, 2)
    for g in range(20):
        (group,) = make_groups(enc, [bytes([g, i]) * 9 for i in range(4)])
        got = []
        for j, p in enumerate(group):
            if j != g % 4:
                got += dec.decode(p, 0)
        # the group in which trust returns may rebuild a shard that arrived before it
        assert set(got) <= {bytes([g, i]) * 9 for i in range(4)}
        if g >= 16:
            assert got == [bytes([g, g % 4]) * 9]
    assert (dec.data_shards, dec.parity_shards) == (4, 2)


@pytest.mark.parametrize(("mine", "peer"), [((5, 5), (10, 3)), ((10, 3), (5, 5)), ((3, 2), (7, 4))])
@pytest.mark.parametrize("sent_parity", [(0, 1, 2, 3), (1,), (2, 0)])
def test_mismatched_layout_never_rebuilds_garbage(
    mine: tuple[int, int], peer: tuple[int, int], sent_parity: tuple[int, ...]
) -> None:
    """A peer whose layout differs from ours and that skips parity (adaptive parity, as
    KCP Desk sends) leaves kcp-go's tuner on the wrong layout; shards that happen to fit it
    rebuilt garbage that kept KCP's conv (the 5/5-vs-10/3 session killed by snappy's
    checksum). Every rebuilt payload must be one the peer sent, and the layout is learned
    from the data seqids' pattern once parity is sent at all."""
    import random

    rng = random.Random(f"{mine}{peer}{sent_parity}")

    class Counts:
        def count(self) -> int:
            return min(rng.choice(sent_parity), peer[1])

    enc = FecEncoder(*peer, adaptive=Counts())  # type: ignore[arg-type]
    dec = FecDecoder(*mine, Snmp())
    sent: set[bytes] = set()
    rebuilt = 0
    for i in range(4000):
        payload = (
            b"\x01\x02\x03\x04\x51\x00"
            + i.to_bytes(4, "little")
            + rng.randbytes(rng.randint(8, 40))
        )
        sent.add(payload)
        for packet in enc.encode(payload):
            if rng.random() < 0.03:
                continue
            for r in dec.decode(packet, 0):
                assert r in sent
                rebuilt += 1
    assert (dec.data_shards, dec.parity_shards) == peer
    assert rebuilt > 0


def test_autotune_follows_peers_only_up_to_a_size() -> None:
    """A keyed peer announcing (128,128) would make each group a 128x128 inversion: autotune
    stops at AUTOTUNE_MAX_SHARDS per group (FEC recovery stops; the data packets still reach
    KCP through the codec). Layouts within the cap are learned as before."""
    cases = (
        ((10, 3), (128, 128), False),
        ((10, 3), (40, 20), True),
        ((100, 100), (120, 60), True),
    )  # a large configured layout raises the cap
    for mine, (ds, ps), learned in cases:
        dec = FecDecoder(*mine, Snmp())
        enc = FecEncoder(ds, ps)
        for g in range(3):
            (group,) = make_groups(enc, [bytes([g, i]) * 8 for i in range(ds)])
            for p in group:
                dec.decode(p, 0)
                check_invariants(dec)
        assert ((dec.data_shards, dec.parity_shards) == (ds, ps)) is learned
        assert dec.data_shards + dec.parity_shards <= max(sum(mine), AUTOTUNE_MAX_SHARDS)


# ---------------------------------------------------------------------------------------------
# properties


@st.composite
def lossy_streams(draw: st.DrawFn) -> tuple[int, int, list[bytes], list[bytes], set[bytes]]:
    ds = draw(st.integers(1, 12))
    ps = draw(st.integers(1, 4))
    size = ds + ps
    ngroups = draw(st.integers(1, 4))
    payloads = draw(st.lists(st.binary(max_size=120), min_size=ds * ngroups, max_size=ds * ngroups))
    start = draw(
        st.sampled_from([0, size * 7])
        | st.integers(1, 3).map(lambda k: paws_for(ds, ps) - k * size)
    )
    groups = make_groups(FecEncoder(ds, ps, next_seqid=start), payloads)
    stream: list[bytes] = []
    lost_payloads: set[bytes] = set()
    for pair_start in range(0, ngroups, 2):
        merged: list[bytes] = []
        for g in groups[pair_start : pair_start + 2]:
            lost = draw(st.sets(st.integers(0, size - 1), max_size=ps))
            kept = [p for i, p in enumerate(g) if i not in lost]
            lost_payloads |= {data_payload(g[i]) for i in lost if i < ds}
            dups = draw(st.lists(st.sampled_from(kept), max_size=ps)) if kept else []
            merged += kept + dups
        stream += draw(st.permutations(merged))  # reorder within a pair of groups
    return ds, ps, payloads, stream, lost_payloads


@settings(max_examples=200, deadline=None)
@given(case=lossy_streams())
def test_loss_of_at_most_ps_per_group_is_recovered(
    case: tuple[int, int, list[bytes], list[bytes], set[bytes]],
) -> None:
    ds, ps, payloads, stream, lost = case
    snmp = Snmp()
    dec = FecDecoder(ds, ps, snmp)
    delivered: set[bytes] = set()
    recovered: list[bytes] = []
    for pkt in stream:
        if HDR.unpack_from(pkt)[1] == TYPE_DATA:
            delivered.add(data_payload(pkt, strict=True))
        recovered += dec.decode(pkt, 0)
        check_invariants(dec)
    assert lost <= set(recovered)
    assert set(recovered) <= set(payloads)
    assert delivered | set(recovered) == set(payloads)
    assert snmp.fec_errs == 0
    assert snmp.fec_parity_shards == sum(HDR.unpack_from(p)[1] == TYPE_PARITY for p in stream)


fec_packets = st.builds(
    lambda seq, flag, body: HDR.pack(seq, flag) + body,
    st.integers(0, 40) | st.integers(2**32 - 40, 2**32 - 1) | st.integers(0, 2**32 - 1),
    st.sampled_from([TYPE_DATA, TYPE_PARITY]),
    st.binary(max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(
    ds=st.integers(1, 6),
    ps=st.integers(1, 3),
    packets=st.lists(
        st.tuples(fec_packets | st.binary(max_size=12), st.integers(0, 70_000)), max_size=60
    ),
)
def test_garbage_only_raises_malformed(ds: int, ps: int, packets: list[tuple[bytes, int]]) -> None:
    snmp = Snmp()
    dec = FecDecoder(ds, ps, snmp)
    now = 2**32 - 100_000
    for pkt, step in packets:
        now += step
        try:
            out = dec.decode(pkt, now)
        except MalformedPacket:
            assert len(pkt) < FEC_HEADER_SIZE_PLUS2 or fec_flag(pkt) not in (TYPE_DATA, TYPE_PARITY)
            continue
        finally:
            check_invariants(dec)
        for r in out:
            assert isinstance(r, bytes)
        if len(pkt) >= FEC_HEADER_SIZE_PLUS2 and fec_flag(pkt) == TYPE_DATA:
            assert data_payload(pkt) == pkt[8:]
        with contextlib.suppress(MalformedPacket):
            data_payload(pkt, strict=True)


def test_misplaced_shards_are_dropped_not_used_to_rebuild() -> None:
    """kcp-go drops a packet whose flag does not fit its seqid's place (after trying to
    retune): a 5/5 decoder fed a 10/3 stream must never rebuild garbage from parity shards
    sitting in what it thinks are data slots, or data shards in parity slots."""
    from kcpcore.fec import FecEncoder

    enc, snmp = FecEncoder(10, 3), Snmp()
    dec = FecDecoder(5, 5, snmp)
    payloads = [bytes([i]) * (40 + i) for i in range(40)]
    packets = [p for data in payloads for p in enc.encode(data)]
    rebuilt = []
    for seqid, p in enumerate(packets[:26]):  # two 10/3 groups, before autotune can lock on
        if seqid % 13 not in (1, 2):  # lose two data shards per group
            rebuilt += dec.decode(p, 0)
    assert all(r in payloads for r in rebuilt), "rebuilt garbage"
    assert snmp.fec_errs == 0  # no rebuild was even attempted from a misplaced shard
