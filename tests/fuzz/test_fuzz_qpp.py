"""The QPP stream codec under arbitrary chunkings and arbitrary ciphertext.

A smux stream hands QPP whatever pieces TCP and smux produced, so the same stream must come out
the same however it is cut; any bytes are a valid ciphertext, so decoding garbage must neither
raise nor change lengths (the stream cannot tell, the application above it may).
"""

from __future__ import annotations

from hypothesis import strategies as st

from fuzz.targets import QPP_COUNTS, QPP_SEED, check_qpp, join_records
from kcpcore.qpp import QppDecoder, QppEncoder

from .common import fast_and_long


def _any_chunking_gives_the_same_stream(data: st.DataObject) -> None:
    count = data.draw(st.sampled_from(QPP_COUNTS))
    plain = data.draw(st.binary(max_size=3000))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(plain)), max_size=12)))
    pieces = [plain[a:b] for a, b in zip([0, *cuts], [*cuts, len(plain)], strict=True)]
    enc = QppEncoder(QPP_SEED, count)
    wire = b"".join(enc.encrypt(p) for p in pieces)
    assert wire == QppEncoder(QPP_SEED, count).encrypt(plain)
    dec = QppDecoder(QPP_SEED, count)
    cuts2 = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=12)))
    back = b"".join(
        dec.decrypt(wire[a:b]) for a, b in zip([0, *cuts2], [*cuts2, len(wire)], strict=True)
    )
    assert back == plain


test_any_chunking, test_any_chunking_long = fast_and_long(30, 500, data=st.data())(
    _any_chunking_gives_the_same_stream
)


def _check_qpp_contract(data: bytes) -> None:
    check_qpp(data)


test_check_qpp_on_random_input, test_check_qpp_on_random_input_long = fast_and_long(
    40,
    1500,
    data=st.binary(max_size=800)
    | st.builds(
        lambda c, parts: bytes([c]) + join_records(parts),
        st.integers(0, 255),
        st.lists(st.binary(max_size=200), max_size=10),
    ),
)(_check_qpp_contract)
