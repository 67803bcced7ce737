"""Hostile datagrams against open_packet, for every --crypt method.

tests/core/test_crypt.py already checks random bytes and a few flipped bits per method; this
adds structured damage (truncation, extension, splices, CRC/nonce overwrites), every buffer
type, datagrams far past the MTU, and the property that garbage never poisons the cipher's
cached per-key state: a genuine datagram opens correctly right after any garbage.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import strategies as st

from fuzz.targets import NONCE, crypt_for
from kcpcore.crypt import CRYPT_HEADER_SIZE, CRYPT_METHODS, NONCE_SIZE, open_packet, seal
from kcpcore.errors import MalformedPacket

from .common import fast_and_long, mutations

CRC_FIELD = [(NONCE_SIZE, 4), (NONCE_SIZE, 2), (0, 4), (8, 4)]


@st.composite
def hostile(draw: st.DrawFn, method: str) -> tuple[bytes, bytes, bytes]:
    """(body, a genuine datagram for it, a damaged copy or plain garbage)."""
    crypt = crypt_for(method)
    body = draw(st.binary(max_size=1400))
    good = seal(crypt, body, NONCE)
    bad = draw(mutations(good, CRC_FIELD) | st.binary(max_size=1500))
    return body, good, bad


def _garbage_never_poisons(method: str, data: st.DataObject) -> None:
    crypt = crypt_for(method)
    for _ in range(3):
        body, good, bad = data.draw(hostile(method))
        kind = data.draw(st.sampled_from((bytes, bytearray, memoryview)))
        try:
            out = open_packet(crypt, kind(bad))
        except MalformedPacket:  # AuthFailed included
            pass
        else:
            assert type(out) is bytes and len(out) == len(bad) - CRYPT_HEADER_SIZE
            if bad == good:
                assert out == body
        assert open_packet(crypt, kind(good)) == body  # the cached cipher state is intact


_quick, _long = fast_and_long(20, 400, data=st.data())(_garbage_never_poisons)
test_garbage_never_poisons = pytest.mark.parametrize("method", CRYPT_METHODS)(_quick)
test_garbage_never_poisons_long = pytest.mark.parametrize("method", CRYPT_METHODS)(_long)


@pytest.mark.parametrize("method", CRYPT_METHODS)
def test_oversized_datagrams_fail_cleanly_and_fast(method: str) -> None:
    """A 64 KiB UDP payload (far past kcp-go's 1500-byte buffer) is refused, not choked on."""
    crypt = crypt_for(method)
    for size in (1501, 9000, 65507):
        start = time.perf_counter()
        with pytest.raises(MalformedPacket):
            open_packet(crypt, bytes(size))
        assert time.perf_counter() - start < 2.0
    big = bytes(range(256)) * 255
    assert open_packet(crypt, seal(crypt, big, NONCE)) == big
