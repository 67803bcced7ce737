"""Hostile datagrams against the datagram layer (PacketCodec) and the server demux.

Floods with the right key (so the garbage gets past the CRC) from many source addresses: the
session table stays at ``max_sessions``, every session's buffers stay inside their windows,
and a genuine client keeps talking to the server through all of it, byte-exact.
"""

from __future__ import annotations

import hashlib
import random
import struct

import pytest
from hypothesis import strategies as st

from fuzz.targets import (
    CONV,
    MAX_FUZZ_SESSIONS,
    NONCE,
    check_packet,
    crypt_for,
    session_invariants,
)
from kcpcore.crypt import seal
from kcpcore.errors import MalformedPacket
from kcpcore.fec import TYPE_DATA
from kcpcore.listener import ServerDemux
from kcpcore.packet import PacketCodec, peek_conv
from kcpcore.segment import IKCP_CMD_PUSH, pack_segment
from kcpcore.session import KcpSession, SessionParams
from kcpcore.snmp import Snmp

from .common import fast_and_long, mutations, segment_fields


def _packet_script(data: bytes) -> None:
    check_packet(data)


test_packet_script_random, test_packet_script_random_long = fast_and_long(
    60, 4000, data=st.binary(max_size=3000)
)(_packet_script)


@pytest.mark.parametrize("n", range(24))
def test_split_and_peek_conv_refuse_short_bodies(n: int) -> None:
    """Regression (fuzz/packet): bodies under 6 bytes raised IndexError from split and
    peek_conv; both are public, so anything shorter than a KCP header is refused cleanly."""
    for datashard in (0, 3):
        codec = PacketCodec(
            crypt=crypt_for("none"), datashard=datashard, parityshard=2, snmp=Snmp()
        )
        for body in (bytes(n), b"\xff" * n, (b"\0\0\0\0\xf1\x00" + bytes(n))[:n]):
            with pytest.raises(MalformedPacket):
                codec.split(body, 0)
            assert peek_conv(body) is None


PARAMS = SessionParams(mtu=500, sndwnd=32, rcvwnd=32, datashard=4, parityshard=2)


def _genuine_client_survives_flood(seed: int, method: str, flood: list[bytes]) -> None:
    """A client transfer through ServerDemux while datagrams with the right key, from many
    fake addresses and the client's own, carry damaged copies of the client's packets."""
    rng = random.Random(seed)
    crypt = crypt_for(method)
    demux = ServerDemux(crypt=crypt, params=PARAMS, max_sessions=MAX_FUZZ_SESSIONS)
    client = KcpSession(conv=CONV, crypt=crypt, params=PARAMS, now=0.0)
    payload = hashlib.sha256(seed.to_bytes(8, "little")).digest() * 1000
    client.send(payload)
    now = 0.0
    got = bytearray()
    bodies: list[bytes] = []
    for step in range(20_000):
        if len(got) == len(payload):
            break
        for d in client.datagrams_to_send(now):
            if len(bodies) < 50:
                bodies.append(crypt.decrypt(d)[20:])
            demux.route(d, "client", now)
        srv = demux.sessions.get("client")
        if srv is not None:
            while (chunk := srv.recv()) is not None:
                got += chunk
            srv.handle_timer(now)
            for d in srv.datagrams_to_send(now):
                client.receive_datagram(d, now)
        client.handle_timer(now)
        if flood and bodies:
            addr = rng.choice(["client", 1, 2, 3, 4, 5, 6, 7])
            junk = flood[step % len(flood)]
            if addr == "client":
                # With the right key a peer can inject anything (the CRC is no MAC), so the
                # client's own address only gets what a receiver must shrug off: CRC
                # failures and segments of another conv that cannot restart the session.
                if rng.random() < 0.5:
                    demux.route(junk, addr, now)  # unsealed: fails the CRC
                    continue
                other = (CONV + rng.randrange(1, 1 << 32)) & 0xFFFF_FFFF
                sn = rng.randrange(1, 1 << 32)
                junk = (
                    other.to_bytes(4, "little")
                    + bytes([rng.randrange(81, 85)])
                    + rng.randbytes(7)
                    + sn.to_bytes(4, "little")
                    + rng.randbytes(8)
                    + rng.randbytes(rng.randrange(0, 40))
                )
                if rng.random() < 0.5:  # as an FEC data packet
                    junk = b"\0\0\0\x80\xf1\x00" + (len(junk) + 2).to_bytes(2, "little") + junk
            elif rng.random() < 0.5:  # right-key damaged copy of a genuine body
                damaged = bytearray(rng.choice(bodies))
                damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
                junk = bytes(damaged)
            demux.route(seal(crypt, junk, NONCE) if rng.random() < 0.9 else junk, addr, now)
        assert len(demux.sessions) <= MAX_FUZZ_SESSIONS
        for s in demux.sessions.values():
            session_invariants(s)
        now += 0.005
    assert bytes(got) == payload


@st.composite
def flood_bodies(draw: st.DrawFn) -> list[bytes]:
    """Right-key bodies: damaged FEC data packets carrying a KCP PUSH, or plain bytes."""
    seg = pack_segment(CONV ^ 0x5A5A, IKCP_CMD_PUSH, 0, 32, 0, 7, 0, b"hostile")
    base = struct.pack("<IHH", 3, TYPE_DATA, len(seg) + 2) + seg
    fields = [(0, 4), (4, 2), (6, 2), *segment_fields(base, 8)]
    return draw(st.lists(mutations(base, fields) | st.binary(max_size=200), max_size=20))


test_genuine_client_survives_flood, test_genuine_client_survives_flood_long = fast_and_long(
    8,
    200,
    seed=st.integers(0, 2**32),
    method=st.sampled_from(["none", "xor", "aes"]),
    flood=flood_bodies(),
)(_genuine_client_survives_flood)


def test_session_table_is_bounded_under_a_many_address_flood() -> None:
    """10 000 fake addresses with valid-looking first segments: at most max_sessions exist,
    the rest are counted as InErrs."""
    crypt = crypt_for("none")
    demux = ServerDemux(crypt=crypt, params=PARAMS, max_sessions=64)
    rng = random.Random(1)
    for i in range(10_000):
        body = rng.randbytes(4) + b"\x51\x00" + bytes(18)  # conv, PUSH, sn 0
        demux.route(seal(crypt, body, NONCE), ("10.0.0.1", i), float(i))
    assert len(demux.sessions) == 64
    assert demux.snmp.in_errs == 10_000 - 64
