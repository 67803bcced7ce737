"""QPP stream codec: kcptun's warnings, pad structure, and streams longer than the shared
keystream cache (the golden-2025 tests pin the bytes against the Go builds)."""

from __future__ import annotations

import logging
import random
from dataclasses import replace

import pytest

from kcpcore import qpp
from kcpcore.aio.qpp_io import prepare_qpp
from kcpcore.config import TunnelConfig
from kcpcore.errors import ConfigError
from kcpcore.qpp import (
    QPP_MIN_SEED,
    QppDecoder,
    QppEncoder,
    prng_state,
    qpp_pads,
    qpp_warnings,
    validate_qpp_count,
)

SEED = b"kcpdesk-golden-key"
M64 = (1 << 64) - 1


def test_warnings_are_kcptuns() -> None:
    assert qpp_warnings(61, "k" * 211) == []
    assert qpp_warnings(61, "kcpdesk-golden-key") == [
        "QPP Warning: 'key' has size of 18 bytes, required 211 bytes at least"
    ]
    assert qpp_warnings(5, "k" * 300) == ["QPP Warning: QPPCount 5, required 7 at least"]
    assert qpp_warnings(64, "k" * 300) == [
        "QPP Warning: QPPCount 64, choose a prime number for security"
    ]
    assert len(qpp_warnings(2, "é" * 100)) == 3  # 200 bytes of UTF-8: short, few, even
    assert QPP_MIN_SEED == 211


@pytest.mark.parametrize("count", [0, -1, 65536])
def test_counts_kcptun_refuses_are_errors(count: int) -> None:
    with pytest.raises(ConfigError, match="QPPCount"):
        validate_qpp_count(count)
    cfg = replace(TunnelConfig.default("client"), qpp=True, qppcount=count, peer="kcptun-2025")
    assert [e.field for e in cfg.validate()] == ["qppcount"]


def test_tunnel_start_logs_the_warnings(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert prepare_qpp("short", 8) == b"short"
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "QPP Warning: 'key' has size of 5 bytes, required 211 bytes at least",
        "QPP Warning: QPPCount 8, choose a prime number for security",
    ]


@pytest.mark.parametrize("count", [1, 7, 61])
def test_pads_are_permutations_with_inverses(count: int) -> None:
    pads = qpp_pads(SEED, count)
    table = pads.pads.reshape(count, 256)
    inverse = pads.rpads.reshape(count, 256)
    for i in range(count):
        assert sorted(table[i].tolist()) == list(range(256))
        assert [inverse[i][table[i][b]] for b in range(256)] == list(range(256))
    if count > 1:
        assert len({bytes(row) for row in table}) == count


def _reference(seed: bytes, count: int, data: bytes) -> bytes:
    """Byte-by-byte QPP encryption written from the algorithm's description."""
    s0, s1, s2, s3 = prng_state(seed)
    table = qpp_pads(seed, count).pads.reshape(count, 256)
    out = bytearray()
    r = 0
    for pos, b in enumerate(data):
        if pos % 8 == 0:  # one xoshiro256** output per 8 bytes
            x = (s1 * 5) & M64
            r = (((x << 7) | (x >> 57)) * 9) & M64
            t = (s1 << 17) & M64
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = ((s3 << 45) | (s3 >> 19)) & M64
        out.append(table[(r & 0xFFFF) % count][b ^ ((r >> (8 * (pos % 8))) & 0xFF)])
    return bytes(out)


def test_streams_past_the_shared_cache_stay_in_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qpp, "KEYSTREAM_CACHE_WORDS", 40)  # 320 bytes, then private PRNGs
    monkeypatch.setattr(qpp, "KEYSTREAM_STEP_WORDS", 16)
    qpp._keystream.cache_clear()
    try:
        data = random.Random(5).randbytes(3000)
        enc, dec = QppEncoder(b"other seed", 7), QppDecoder(b"other seed", 7)
        rng, off, wire, back = random.Random(6), 0, bytearray(), bytearray()
        while off < len(data):
            n = rng.randint(0, 400)
            wire += enc.encrypt(data[off : off + n])
            back += dec.decrypt(bytes(wire[off : off + n]))
            off += n
        assert bytes(wire) == _reference(b"other seed", 7, data)
        assert bytes(back) == data
        late = QppEncoder(b"other seed", 7)  # a second stream starts at the cache again
        assert late.encrypt(data) == bytes(wire)
    finally:
        qpp._keystream.cache_clear()


@pytest.mark.parametrize("n", [0, 1, 255, 256, 257, 4095, 20_000])
def test_bulk_xoshiro_is_the_same_sequence(n: int) -> None:
    from kcpcore.xoshiro import _run, xoshiro_words

    state = prng_state(b"lanes")
    words, after = xoshiro_words(state, n)
    expected, expected_after = _run(state, n)
    assert words.tolist() == expected and after == expected_after


def test_qpp_is_a_2025_flag_for_exports_and_peers() -> None:
    cfg = replace(TunnelConfig.default("client"), qpp=True, qppcount=7)
    assert cfg.to_args(kcptun=True, runs="kcptun-2025") == ["--QPP", "--QPPCount", "7"]
    assert cfg.to_kcptun_json()["qpp"] is True
    assert "--QPP" not in cfg.to_args(kcptun=True)  # the 2021 binary exits on unknown flags
    errors = {e.field: e.message for e in replace(cfg, peer="kcptun-2021").validate()}
    assert "has no QPP" in errors["qpp"]
    assert replace(cfg, peer="kcptun-2025").validate() == []


def test_startup_report_names_qpp_only_when_on() -> None:
    from kcpcore.cli import startup_lines

    cfg = replace(TunnelConfig.default("server"), peer="kcptun-2025")
    assert not any("QPP" in line for line in startup_lines(cfg))
    lines = startup_lines(replace(cfg, qpp=True, qppcount=7))
    assert lines[-2:] == ["QPP: true", "QPPCount: 7"]


def test_kcptun_2025_json_with_qpp_loads() -> None:
    text = (
        '{"key": "k", "crypt": "aes-128-gcm", "QPP": true, "qppCount": 31, "peer": '
        '"kcptun-2025", "somethingNew": 1}'
    )
    cfg = TunnelConfig.from_kcptun_json_text("client", text)
    assert (cfg.crypt, cfg.qpp, cfg.qppcount) == ("aes-128-gcm", True, 31)
    assert cfg.validate() == []
