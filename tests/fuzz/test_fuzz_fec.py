"""Hostile FEC packets against FecDecoder: bounded memory, only MalformedPacket, no poisoning.

tests/core/test_fec.py covers random seqid/flag packets and loss recovery. This adds damaged
*genuine* groups (seqid, flag and size fields overwritten with extremes, truncation,
extension), the autotune path driven by lying flags, and the recovery property: once garbage
has aged out of the rx queue, a genuine stream with at most ps losses per group is rebuilt
in full again.
"""

from __future__ import annotations

import struct

from hypothesis import strategies as st

from fuzz.targets import check_fec, fec_invariants
from kcpcore.errors import MalformedPacket
from kcpcore.fec import (
    FEC_EXPIRE,
    FEC_HEADER_SIZE_PLUS2,
    RX_FEC_MULTI,
    TYPE_DATA,
    FecDecoder,
    FecEncoder,
    data_payload,
    paws_for,
)
from kcpcore.rs import MAX_TOTAL_SHARDS
from kcpcore.snmp import Snmp

from .common import fast_and_long, mutations

FEC_FIELDS = [(0, 4), (0, 1), (3, 1), (4, 2), (6, 2)]
MASK32 = 0xFFFF_FFFF


def genuine(ds: int, ps: int, payloads: list[bytes], start: int = 0) -> list[bytes]:
    enc = FecEncoder(ds, ps, next_seqid=start)
    return [p for payload in payloads for p in enc.encode(payload)]


layouts = st.tuples(st.integers(1, 10), st.integers(1, 4))
payload_lists = st.lists(st.binary(min_size=24, max_size=200), min_size=1, max_size=30)


@st.composite
def damaged_streams(draw: st.DrawFn) -> tuple[int, int, list[tuple[bytes, int]]]:
    ds, ps = draw(layouts)
    start = draw(st.sampled_from([0, paws_for(ds, ps) - 2 * (ds + ps)]))
    pkts = genuine(ds, ps, draw(payload_lists), start)
    out = []
    for p in pkts:
        step = draw(st.sampled_from([0, 1, 100, 30_000, FEC_EXPIRE + 1, 0x8000_0000]))
        if draw(st.integers(0, 3)) == 0:
            out.append((draw(mutations(p, FEC_FIELDS)), step))
        if draw(st.booleans()):
            out.append((p, step))
    return ds, ps, out


def _damaged_genuine_groups(case: tuple[int, int, list[tuple[bytes, int]]]) -> None:
    ds, ps, stream = case
    dec = FecDecoder(ds, ps, Snmp())
    now = MASK32 - 10_000
    longest = max((len(p) for p, _ in stream), default=0)
    for pkt, step in stream:
        now = (now + step) & MASK32
        prev = dec.queued
        try:
            out = dec.decode(pkt, now)
        except MalformedPacket:
            out = []
        fec_invariants(dec, prev)
        held = sum(len(e.shard) for e in dec._entries.values())
        assert held <= dec.queued * longest
        for r in out:
            assert type(r) is bytes and len(r) <= longest - FEC_HEADER_SIZE_PLUS2


test_damaged_genuine_groups, test_damaged_genuine_groups_long = fast_and_long(
    60, 3000, case=damaged_streams()
)(_damaged_genuine_groups)


def _fuzz_script(data: bytes) -> None:
    check_fec(data)


test_fuzz_script_random, test_fuzz_script_random_long = fast_and_long(
    60, 4000, data=st.binary(max_size=3000)
)(_fuzz_script)


@st.composite
def garbage_then_genuine(draw: st.DrawFn) -> tuple[int, int, list[bytes], list[bytes], set[int]]:
    ds, ps = draw(layouts)
    garbage = draw(
        st.lists(
            st.builds(
                lambda seq, flag, body: struct.pack("<IH", seq, flag) + body,
                st.integers(0, MASK32),
                st.sampled_from([0xF1, 0xF2]),
                st.binary(min_size=2, max_size=300),
            ),
            max_size=80,
        )
    )
    start = draw(st.integers(0, paws_for(ds, ps) // (ds + ps) - 1)) * (ds + ps)
    ngroups = 40
    payloads = [bytes([i % 251]) * 30 + i.to_bytes(4, "little") for i in range(ngroups * ds)]
    pkts = genuine(ds, ps, payloads, start)
    lost: set[int] = set()
    for g in range(ngroups):
        lost |= {g * (ds + ps) + i for i in draw(st.sets(st.integers(0, ds + ps - 1), max_size=ps))}
    return ds, ps, garbage, pkts, lost


def _recovers_after_garbage_ages_out(
    case: tuple[int, int, list[bytes], list[bytes], set[int]],
) -> None:
    """Whatever the garbage did (autotune included), FEC works again once it expired.

    A hostile or broken peer can make the decoder retune (kcp-go's autotune) or fill the
    rx queue; the damage must end when the garbage expires (FEC_EXPIRE) and the genuine
    stream has refilled autotune's sample ring (258 packets).
    """
    ds, ps, garbage, pkts, lost = case
    dec = FecDecoder(ds, ps, Snmp())
    now = 5
    for g in garbage:
        prev = dec.queued
        dec.decode(g, now)
        fec_invariants(dec, prev)
    now += FEC_EXPIRE + 1
    size = ds + ps
    warmup = -(-300 // size) * size  # whole groups covering autotune's 258-sample ring
    recovered: set[bytes] = set()
    for i, p in enumerate(pkts):
        if i >= warmup and i in lost:
            continue
        prev = dec.queued
        out = dec.decode(p, now)
        fec_invariants(dec, prev)
        if i >= warmup:
            recovered.update(out)
    assert (dec.data_shards, dec.parity_shards) == (ds, ps)
    want = {data_payload(pkts[i]) for i in lost if i >= warmup and i % size < ds}
    assert want <= recovered


test_recovers_after_garbage_ages_out, test_recovers_after_garbage_ages_out_long = fast_and_long(
    25, 1000, case=garbage_then_genuine()
)(_recovers_after_garbage_ages_out)


def test_autotune_shrink_does_not_let_the_queue_grow() -> None:
    """Lying flags retune a (20, 10) decoder to (1, 1): the 90-entry queue only shrinks.

    The cap becomes 3*(1+1) = 6; each packet evicts at most one old entry (kcp-go does the
    same), so the queue drains instead of jumping, but it never grows past what it held.
    """
    dec = FecDecoder(20, 10, Snmp())
    now = 0
    for k in range(97):  # one data shard per group, in a data slot: nothing completes
        dec.decode(struct.pack("<IHH", 30 * k + k % 20, TYPE_DATA, 6) + b"abcd", now)
    assert dec.queued == RX_FEC_MULTI * 30
    base = 1 << 20
    for i in range(600):  # alternate data/parity: autotune learns ds=1, ps=1
        prev = dec.queued
        dec.decode(struct.pack("<IHH", base + i, 0xF1 + (i & 1), 6) + b"abcd", now)
        fec_invariants(dec, prev)
    assert (dec.data_shards, dec.parity_shards) == (1, 1)
    assert dec.queued <= RX_FEC_MULTI * MAX_TOTAL_SHARDS
