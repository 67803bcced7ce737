"""Hostile datagrams against the aes-128-gcm opener (``AeadCrypt.open``) and its replay filter.

GCM authenticates every byte, so the property is stronger than for the CRC methods: any change
to a genuine datagram (a flipped bit in nonce, ciphertext or tag, truncation, extension, a
splice) must fail with ``AuthFailed``, nothing else may escape, and garbage never disturbs the
cipher for the next genuine datagram.
"""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from fuzz.targets import GCM_NONCE, aead_for, check_aead, join_records
from kcpcore.aead import GCM_NONCE_SIZE, AeadCrypt
from kcpcore.crypt import derive_key
from kcpcore.errors import AuthFailed
from kcpcore.replay import ReplayedPacket, ReplayFilter

from .common import fast_and_long, mutations

FIELDS = [(0, 4), (8, 4), (GCM_NONCE_SIZE, 4)]


def _edited_datagrams_never_open(data: st.DataObject) -> None:
    crypt = aead_for()
    for _ in range(3):
        body = data.draw(st.binary(max_size=1400))
        good = crypt.seal(body, GCM_NONCE)
        bad = data.draw(mutations(good, FIELDS) | st.binary(max_size=1500))
        kind = data.draw(st.sampled_from((bytes, bytearray, memoryview)))
        if bad == good:
            assert crypt.open(kind(bad)) == body
        else:
            with pytest.raises(AuthFailed):
                crypt.open(kind(bad))
        assert crypt.open(kind(good)) == body


test_edited_datagrams_never_open, test_edited_datagrams_never_open_long = fast_and_long(
    30, 600, data=st.data()
)(_edited_datagrams_never_open)


def _replays_are_refused_within_the_window(data: st.DataObject) -> None:
    capacity = data.draw(st.integers(2, 64))
    crypt = AeadCrypt(derive_key("k")[:16], replay=ReplayFilter(capacity))
    sent = [crypt.seal(bytes([i % 256]) * 30) for i in range(data.draw(st.integers(1, 200)))]
    for d in sent:
        crypt.open(d)
    accepted = list(sent)  # the filter remembers the last capacity // 2 accepted nonces
    order = data.draw(st.lists(st.integers(0, len(sent) - 1), max_size=50))
    for i in order:
        recent = sent[i] in accepted[-(capacity // 2) :]
        try:
            crypt.open(sent[i])
        except ReplayedPacket:
            continue
        assert not recent, "a replay inside the window got through"
        accepted.append(sent[i])  # an old copy past the window is accepted (KCP drops it)
    assert crypt.replay is not None and len(crypt.replay) <= capacity


test_replays_are_refused, test_replays_are_refused_long = fast_and_long(30, 600, data=st.data())(
    _replays_are_refused_within_the_window
)


def _check_aead_contract(data: bytes) -> None:
    check_aead(data)


test_check_aead_on_random_input, test_check_aead_on_random_input_long = fast_and_long(
    50,
    2000,
    data=st.binary(max_size=600)
    | st.builds(
        lambda m, b, e, t: bytes([m | 4]) + join_records([b, e, t]),
        st.integers(0, 255),
        st.binary(max_size=300),
        st.binary(max_size=30),
        st.binary(max_size=8),
    ),
)(_check_aead_contract)
