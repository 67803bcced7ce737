"""aes-128-gcm, crypt null and the AEAD replay filter between our own ends (sans-I/O)."""

from __future__ import annotations

import random

import pytest

from kcpcore.aead import AEAD_OVERHEAD, GCM_NONCE_SIZE, AeadCrypt
from kcpcore.crypt import CRYPT_METHODS, derive_key
from kcpcore.errors import AuthFailed, ConfigError, LocalProtocolError
from kcpcore.packet import PacketCodec
from kcpcore.packetcrypt import PACKET_METHODS, NullCrypt, new_packet_crypt
from kcpcore.replay import ReplayedPacket, ReplayFilter
from kcpcore.session import KcpSession, SessionParams
from kcpcore.snmp import Snmp

KEY = "it's a secrect"


def test_methods_are_the_2021_set_plus_gcm_and_null() -> None:
    assert (*CRYPT_METHODS, "aes-128-gcm", "null") == PACKET_METHODS
    assert "aes-128-gcm" not in CRYPT_METHODS  # the Debian interop matrix stays 2021's
    with pytest.raises(ConfigError, match="aes-128-gcm"):
        new_packet_crypt("aes-256-gcm", KEY)


@pytest.mark.parametrize("method", PACKET_METHODS)
def test_every_method_round_trips_with_its_overhead(method: str) -> None:
    crypt = new_packet_crypt(method, KEY)
    for n in (24, 100, 1322):
        body = random.Random(n).randbytes(n)
        sealed = crypt.seal(body)
        assert len(sealed) == n + crypt.overhead
        assert crypt.open(sealed) == body
    assert crypt.overhead == {"aes-128-gcm": 28, "null": 0}.get(method, 20)


def test_gcm_key_is_the_first_16_bytes_of_kcptuns_pbkdf2() -> None:
    crypt = new_packet_crypt("aes-128-gcm", KEY)
    sealed = crypt.seal(b"x" * 40)
    assert AeadCrypt(derive_key(KEY)[:16]).open(sealed) == b"x" * 40
    with pytest.raises(AuthFailed):
        AeadCrypt(derive_key(KEY)[16:]).open(sealed)
    with pytest.raises(LocalProtocolError):
        AeadCrypt(derive_key(KEY))  # 32 bytes: not AES-128
    with pytest.raises(LocalProtocolError):
        crypt.seal(b"x", nonce=bytes(16))  # type: ignore[call-arg]


def test_gcm_nonces_are_fresh_and_layout_is_nonce_ct_tag() -> None:
    crypt = AeadCrypt(bytes(16))
    sealed = [crypt.seal(b"same body") for _ in range(5000)]
    assert len({s[:GCM_NONCE_SIZE] for s in sealed}) == 5000
    fixed = crypt.seal(b"same body", bytes(12))
    assert fixed[:12] == bytes(12) and len(fixed) == 9 + AEAD_OVERHEAD


def test_null_is_no_layer_at_all() -> None:
    crypt = NullCrypt()
    assert crypt.seal(b"\x01\x02") == b"\x01\x02" and crypt.open(b"\x01\x02") == b"\x01\x02"


def test_gcm_bad_input_is_auth_failed_only() -> None:
    crypt = AeadCrypt(bytes(16))
    good = crypt.seal(bytes(60))
    rng = random.Random(1)
    cases = [b"", bytes(27), bytes(28), good[:-1], good[:28], good + b"\x00"]
    cases += [good[:i] + bytes([good[i] ^ 0x80]) + good[i + 1 :] for i in range(len(good))]
    cases += [rng.randbytes(rng.randrange(2000)) for _ in range(200)]
    for bad in cases:
        with pytest.raises(AuthFailed):
            crypt.open(bad)
    assert crypt.open(good) == bytes(60)  # nothing above disturbed the cipher
    assert crypt.open(memoryview(bytearray(crypt.seal(b"mv")))) == b"mv"


def test_replay_filter_drops_and_counts_repeats() -> None:
    sender = new_packet_crypt("aes-128-gcm", KEY)
    receiver = new_packet_crypt("aes-128-gcm", KEY)
    snmp = Snmp()
    codec = PacketCodec(crypt=receiver, datashard=0, parityshard=0, snmp=snmp)
    datagrams = [sender.seal(bytes(30) + bytes([i])) for i in range(10)]
    for d in datagrams:
        codec.decrypt(d)
    for d in datagrams[3:6]:
        with pytest.raises(ReplayedPacket):
            codec.decrypt(d)
    assert snmp.in_errs == 3 and snmp.in_csum_errors == 0
    assert isinstance(receiver, AeadCrypt) and receiver.replay is not None
    assert receiver.replay.dropped == 3
    # a forged datagram with a seen nonce fails on its nonce (cheap) and is counted as replay;
    # a forged one with a new nonce fails the tag and never enters the window
    forged = datagrams[0][:12] + bytes(40)
    with pytest.raises(ReplayedPacket):
        codec.decrypt(forged)
    window = len(receiver.replay)
    with pytest.raises(AuthFailed):
        codec.decrypt(bytes(12) + bytes(40))
    assert len(receiver.replay) == window


def test_replay_filter_window_and_bound() -> None:
    f = ReplayFilter(1000)
    nonces = [i.to_bytes(12, "little") for i in range(10_000)]
    for i, n in enumerate(nonces):
        f.check_and_add(n)
        assert len(f) <= 1000
        # the last capacity // 2 nonces are always remembered
        for back in (0, 1, 250, 499):
            if i - back >= 0:
                assert f.seen(nonces[i - back])
    assert not f.seen(nonces[0])  # long gone: bounded memory, not a growing set
    with pytest.raises(ValueError):
        ReplayFilter(1)


def test_replay_filter_off() -> None:
    crypt = new_packet_crypt("aes-128-gcm", KEY, replay_window=None)
    d = crypt.seal(bytes(30))
    assert crypt.open(d) == crypt.open(d)


def _exchange(a: KcpSession, b: KcpSession, data: bytes, *, loss: float = 0.0) -> bytes:
    """Send ``data`` from a to b over a lossy in-memory link; return what b delivered."""
    rng = random.Random(7)
    got = bytearray()
    now = 0.0
    a.send(data)
    for _ in range(20000):
        now += 0.01
        for src, dst in ((a, b), (b, a)):
            src.handle_timer(now)
            for d in src.datagrams_to_send(now):
                if rng.random() >= loss:
                    assert dst.receive_datagram(d, now)
        while (chunk := b.recv()) is not None:
            got += chunk
        if len(got) >= len(data):
            break
    return bytes(got)


@pytest.mark.parametrize(
    ("method", "fec"),
    [("aes-128-gcm", True), ("aes-128-gcm", False), ("null", True), ("null", False)],
)
def test_our_ends_talk_with_fec_on_and_off(method: str, fec: bool) -> None:
    params = SessionParams(
        datashard=10 if fec else 0,
        parityshard=3 if fec else 0,
        nodelay=1,
        interval=10,
        nc=1,
        sndwnd=256,
        rcvwnd=256,
    )
    a = KcpSession(conv=7, crypt=new_packet_crypt(method, KEY), params=params, now=0.0)
    b = KcpSession(conv=7, crypt=new_packet_crypt(method, KEY), params=params, now=0.0)
    data = random.Random(3).randbytes(200_000)
    assert _exchange(a, b, data, loss=0.05) == data
    assert a.snmp.in_csum_errors == b.snmp.in_csum_errors == 0
    if fec:
        assert b.snmp.fec_recovered > 0  # parity, sealed one by one, repaired real losses
