"""kcpcore.rs against klauspost/reedsolomon v1.9.13 vectors and the PROTOCOL.md 4.4 rows."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcpcore import rs
from kcpcore.errors import ConfigError, LocalProtocolError, MalformedPacket
from kcpcore.rs import MUL_TABLE, ReedSolomon, combine, gf_exp, gf_inv, gf_mul

# klauspost galois_test.go testGalois: the input slice and the expected products.
GALOIS_IN = bytes(
    [
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        10,
        50,
        100,
        150,
        174,
        201,
        255,
        99,
        32,
        67,
        85,
        200,
        199,
        198,
        197,
        196,
        195,
        194,
        193,
        192,
        191,
        190,
        189,
        188,
        187,
        186,
        185,
    ]
)
MUL_25 = bytes.fromhex("0019322b647d56fab86dc785c31f220725feda5d446f7639200b121108233a756c47")
XOR_52 = bytes.fromhex("002d5a77b499ee2f79f20751d41931c9f8fcf94f621538fbd6a18c96bbcce1220f78")
MUL_177 = bytes.fromhex("00b17fcefe4f819e0306e875bd4036a395cb0cdd6ca21323925ced1baa64d5e5549a")
XOR_117 = bytes.fromhex("00c4955137f3a2fbecc5d0c75388a3a50678979f5b0acea86c3df9df1b4a8ee82c7d")


def test_gf_scalars_match_klauspost() -> None:
    # galois_test.go: "These values were copied output of the Python code."
    assert gf_mul(3, 4) == 12
    assert gf_mul(7, 7) == 21
    assert gf_mul(23, 45) == 41
    assert gf_exp(2, 2) == 4
    assert gf_exp(5, 20) == 235
    assert gf_exp(13, 7) == 43
    assert gf_exp(0, 0) == 1 and gf_exp(0, 5) == 0


def test_mul_table_is_the_field() -> None:
    a = np.arange(256)
    assert MUL_TABLE.dtype == np.uint8 and MUL_TABLE.shape == (256, 256)
    assert (MUL_TABLE == MUL_TABLE.T).all()
    assert (MUL_TABLE[1] == a).all() and not MUL_TABLE[0].any()
    for x in (2, 3, 0x8E, 0xFF):
        for y in range(256):
            assert MUL_TABLE[x, y] == gf_mul(x, y)
    # x * 2 is a shift reduced by 0x11D
    assert (MUL_TABLE[2] == np.where(a < 128, a << 1, (a << 1) ^ 0x11D)).all()
    for x in range(1, 256):
        assert gf_mul(x, gf_inv(x)) == 1
    with pytest.raises(ValueError):  # read-only, so nobody corrupts the shared table
        MUL_TABLE[0, 0] = 1


def test_gf_exp_is_repeated_multiplication() -> None:
    # klauspost TestExp
    for a in range(256):
        power = 1
        for n in range(256):
            assert gf_exp(a, n) == power
            power = gf_mul(power, a)


@pytest.mark.parametrize(
    ("rows", "inputs", "expected"),
    [
        ([[25]], [GALOIS_IN], MUL_25),  # galMulSlice(25, in)
        ([[25, 52]], [GALOIS_IN, GALOIS_IN], XOR_52),  # then galMulSliceXor(52, in)
        ([[177]], [GALOIS_IN], MUL_177),  # galMulSlice(177, in)
        ([[177, 117]], [GALOIS_IN, GALOIS_IN], XOR_117),  # then galMulSliceXor(117, in)
    ],
)
def test_combine_matches_klauspost_slices(
    rows: list[list[int]], inputs: list[bytes], expected: bytes
) -> None:
    assert combine(rows, inputs, len(GALOIS_IN)) == [expected]


def test_matrix_multiply_and_inverse_match_klauspost() -> None:
    # matrix_test.go TestMatrixMultiply / TestMatrixInverse
    m1 = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    m2 = np.array([[5, 6], [7, 8]], dtype=np.uint8)
    assert rs._mat_mul(m1, m2).tolist() == [[11, 22], [19, 42]]
    m = np.array([[56, 23, 98], [3, 100, 200], [45, 201, 123]], dtype=np.uint8)
    assert rs._mat_invert(m).tolist() == [[175, 133, 33], [130, 13, 245], [112, 35, 126]]
    m = np.array(
        [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [7, 7, 6, 6, 1]],
        dtype=np.uint8,
    )
    assert rs._mat_invert(m).tolist() == [
        [1, 0, 0, 0, 0],
        [0, 1, 0, 0, 0],
        [123, 123, 1, 122, 122],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 1, 0],
    ]
    with pytest.raises(ValueError, match="singular"):
        rs._mat_invert(np.array([[4, 2], [12, 6]], dtype=np.uint8))


@pytest.mark.parametrize(
    ("ds", "ps", "parity_rows"),
    [
        # PROTOCOL.md 4.4 (checked against the Debian binary)
        (
            10,
            3,
            [
                [129, 150, 175, 184, 210, 196, 254, 232, 3, 2],
                [150, 129, 184, 175, 196, 210, 232, 254, 2, 3],
                [191, 214, 98, 10, 6, 111, 223, 183, 5, 4],
            ],
        ),
        (4, 2, [[27, 28, 18, 20], [28, 27, 20, 18]]),
        (3, 1, [[1, 1, 1]]),
    ],
)
def test_encoding_matrix_rows(ds: int, ps: int, parity_rows: list[list[int]]) -> None:
    matrix = np.asarray(ReedSolomon(ds, ps).matrix)
    assert matrix.shape == (ds + ps, ds)
    assert (matrix[:ds] == np.eye(ds, dtype=np.uint8)).all()
    assert matrix[ds:].tolist() == parity_rows


def _reference_matrix(ds: int, total: int) -> list[list[int]]:
    """Per-element Gauss-Jordan in plain Python, the way klauspost matrix.go does it."""
    vm = [[gf_exp(r, c) for c in range(ds)] for r in range(total)]
    work = [row[:] + [int(i == j) for j in range(ds)] for i, row in enumerate(vm[:ds])]
    for r in range(ds):
        if work[r][r] == 0:
            s = next(b for b in range(r + 1, ds) if work[b][r])
            work[r], work[s] = work[s], work[r]
        inv = gf_inv(work[r][r])
        work[r] = [gf_mul(v, inv) for v in work[r]]
        for o in range(ds):
            if o != r and work[o][r]:
                f = work[o][r]
                work[o] = [v ^ gf_mul(f, p) for v, p in zip(work[o], work[r], strict=True)]
    top_inv = [row[ds:] for row in work]
    out = []
    for row in vm:
        new = []
        for c in range(ds):
            acc = 0
            for i in range(ds):
                acc ^= gf_mul(row[i], top_inv[i][c])
            new.append(acc)
        out.append(new)
    return out


@pytest.mark.parametrize(("ds", "ps"), [(1, 1), (2, 1), (5, 5), (7, 4), (13, 3), (17, 9)])
def test_matrix_matches_scalar_reference(ds: int, ps: int) -> None:
    assert np.asarray(ReedSolomon(ds, ps).matrix).tolist() == _reference_matrix(ds, ds + ps)


def test_one_encode_matches_klauspost() -> None:
    # reedsolomon_test.go TestOneEncode, New(5, 5)
    codec = ReedSolomon(5, 5)
    data = [bytes([0, 1]), bytes([4, 5]), bytes([2, 3]), bytes([6, 7]), bytes([8, 9])]
    assert codec.encode(data) == [
        bytes([12, 13]),
        bytes([10, 11]),
        bytes([14, 15]),
        bytes([90, 91]),
        bytes([94, 95]),
    ]


def test_encode_10_3_against_protocol_rows_scalar() -> None:
    # Parity of (10,3) computed byte by byte from the PROTOCOL.md rows, not from our matrix.
    rows = [
        [129, 150, 175, 184, 210, 196, 254, 232, 3, 2],
        [150, 129, 184, 175, 196, 210, 232, 254, 2, 3],
        [191, 214, 98, 10, 6, 111, 223, 183, 5, 4],
    ]
    data = [bytes((j * 37 + t * 11 + (t * t) % 7) & 0xFF for t in range(64)) for j in range(10)]
    expected = []
    for row in rows:
        out = bytearray(64)
        for t in range(64):
            for j in range(10):
                out[t] ^= gf_mul(row[j], data[j][t])
        expected.append(bytes(out))
    assert ReedSolomon(10, 3).encode(data) == expected


@pytest.mark.parametrize(
    ("ds", "ps", "field"),
    [
        (0, 3, "datashard"),
        (10, 0, "parityshard"),
        (-1, 3, "datashard"),
        (256, 1, "datashard"),
        (1, 256, "parityshard"),
        (200, 57, "parityshard"),
        (255, 2, "parityshard"),
    ],
)
def test_config_limits(ds: int, ps: int, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        ReedSolomon(ds, ps)
    assert info.value.field == field


@pytest.mark.parametrize(("ds", "ps"), [(255, 1), (1, 255), (128, 128)])
def test_config_extremes_accepted_and_work(ds: int, ps: int) -> None:
    codec = ReedSolomon(ds, ps)
    data = [bytes([i, 255 - i, i ^ 0x5A]) for i in range(ds)]
    parity = codec.encode(data)
    shards: list[bytes | None] = [*data, *parity]
    lost = list(range(0, ds + ps, max(1, (ds + ps) // ps)))[:ps]
    for i in lost:
        shards[i] = None
    assert codec.reconstruct(shards) == data


def test_encode_rejects_misuse() -> None:
    codec = ReedSolomon(3, 2)
    with pytest.raises(LocalProtocolError):
        codec.encode([b"ab", b"cd"])
    with pytest.raises(LocalProtocolError):
        codec.encode([b"ab", b"cd", b"e"])
    assert codec.encode([b"", b"", b""]) == [b"", b""]


def test_reconstruct_errors() -> None:
    codec = ReedSolomon(3, 2)
    data = [b"abc", b"def", b"ghi"]
    p = codec.encode(data)
    with pytest.raises(MalformedPacket):
        codec.reconstruct([None, None, None, p[0], p[1]])
    with pytest.raises(MalformedPacket):
        codec.reconstruct([b"", None, None, b"", b""])
    with pytest.raises(LocalProtocolError):
        codec.reconstruct([data[0], None, data[2], p[0]])
    with pytest.raises(LocalProtocolError):
        codec.reconstruct([data[0], None, b"gh", p[0], p[1]])
    assert codec.reconstruct([*data, None, None]) == data


def test_reconstruct_uses_first_ds_present_shards() -> None:
    # With an inconsistent extra shard, klauspost uses the first ds present ones in index
    # order; so must we, or corrupted groups would rebuild different bytes than kcp-go.
    codec = ReedSolomon(2, 3)
    data = [b"\x01\x02", b"\x03\x04"]
    p = codec.encode(data)
    bad = bytes(b ^ 0xFF for b in p[2])
    assert codec.reconstruct([None, data[1], p[0], p[1], bad]) == data


def test_decode_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rs, "DECODE_CACHE_SIZE", 4)
    codec = ReedSolomon(4, 3)
    data = [bytes([i] * 5) for i in range(4)]
    full = [*data, *codec.encode(data)]
    for lost in itertools.combinations(range(7), 3):
        shards: list[bytes | None] = list(full)
        for i in lost:
            shards[i] = None
        assert codec.reconstruct(shards) == data
        assert len(codec._decode_cache) <= 4


@settings(max_examples=150, deadline=None)
@given(data=st.data(), ds=st.integers(1, 20), ps=st.integers(1, 8), length=st.integers(1, 64))
def test_any_ps_erasures_recover(data: st.DataObject, ds: int, ps: int, length: int) -> None:
    codec = ReedSolomon(ds, ps)
    shards = [data.draw(st.binary(min_size=length, max_size=length)) for _ in range(ds)]
    parity = codec.encode(shards)
    assert len(parity) == ps and all(len(p) == length for p in parity)
    # parity equals the per-byte definition with our matrix rows
    rows = np.asarray(codec.matrix)[ds:].tolist()
    t = data.draw(st.integers(0, length - 1))
    for row, p in zip(rows, parity, strict=True):
        acc = 0
        for c, s in zip(row, shards, strict=True):
            acc ^= gf_mul(c, s[t])
        assert p[t] == acc
    lost = data.draw(st.sets(st.integers(0, ds + ps - 1), max_size=ps))
    received: list[bytes | None] = [
        None if i in lost else s for i, s in enumerate([*shards, *parity])
    ]
    assert codec.reconstruct(received) == shards
