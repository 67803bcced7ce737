"""Hostile smux frames: only events come out, buffers stay within config, no poisoning.

tests/core/test_smux.py covers random bytes and any split of a genuine stream. This adds
damaged genuine frame streams (version, command, length and stream-id fields overwritten with
extremes), a scripted session with the adapter's receive-buffer gate (``fuzz.targets``),
frames for unknown streams interleaved with a genuine one, and the stream-id collision fix.
"""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from fuzz.targets import SMUX_EVENTS, check_smux
from kcpcore.events import SessionDead, StreamData, StreamEnded, StreamOpened
from kcpcore.smux import (
    CMD_FIN,
    CMD_NOP,
    CMD_PSH,
    CMD_SYN,
    CMD_UPD,
    HEADER_SIZE,
    SMUX_HEADER,
    SmuxConfig,
    SmuxSession,
)

from .common import fast_and_long, mutations

CONFIGS = [
    SmuxConfig(version=v, max_frame_size=512, max_receive_buffer=16384, max_stream_buffer=8192)
    for v in (1, 2)
]


def split_frames(wire: bytes) -> list[bytes]:
    """The frames of a genuine ``wire``, each with its payload (UPD carries 8 bytes)."""
    out: list[bytes] = []
    off = 0
    while off + HEADER_SIZE <= len(wire):
        _, cmd, length, _ = SMUX_HEADER.unpack_from(wire, off)
        end = off + HEADER_SIZE + (length if cmd == CMD_PSH else 8 if cmd == CMD_UPD else 0)
        out.append(wire[off:end])
        off = end
    return out


def frame_fields(wire: bytes) -> list[tuple[int, int]]:
    """(offset, width) of every header field of every frame in ``wire``."""
    out: list[tuple[int, int]] = []
    off = 0
    for frame in split_frames(wire):
        out += [(off, 1), (off + 1, 1), (off + 2, 2), (off + 4, 4)]
        off += len(frame)
    return out


def genuine_wire(cfg: SmuxConfig, chunks: list[bytes]) -> bytes:
    c = SmuxSession(client=True, config=cfg, now=0.0)
    sids = [c.open_stream() for _ in range(2)]
    for i, chunk in enumerate(chunks):
        c.send(sids[i % 2], chunk)
    c.send_fin(sids[0])
    c.handle_timer(cfg.keepalive_interval)  # a NOP
    if cfg.version == 2:
        c.stream_consumed(sids[1], 1)  # nothing buffered: no UPD; add one by hand
        c._frame(CMD_UPD, sids[1], b"\0" * 8)
    return c.data_to_send()


@st.composite
def damaged_wires(draw: st.DrawFn) -> tuple[SmuxConfig, bytes]:
    cfg = draw(st.sampled_from(CONFIGS))
    wire = genuine_wire(cfg, draw(st.lists(st.binary(min_size=1, max_size=1500), max_size=5)))
    return cfg, draw(mutations(wire, frame_fields(wire), max_ops=5))


def _damaged_frames_only_produce_events(case: tuple[SmuxConfig, bytes], cut: int) -> None:
    cfg, wire = case
    s = SmuxSession(client=False, config=cfg, now=0.0)
    cut %= len(wire) + 1
    events = s.receive_data(wire[:cut]) + s.receive_data(wire[cut:])
    for ev in events:
        assert isinstance(ev, SMUX_EVENTS)
    dead = [ev for ev in events if isinstance(ev, SessionDead)]
    if dead:
        assert events[-1] is dead[0] and len(dead) == 1 and s.closed
        assert s.stream_count == 0 and s.buffered_receive == 0
    else:
        assert s.buffered_receive == sum(
            len(ev.data) for ev in events if isinstance(ev, StreamData)
        )
        assert len(s._inbuf) < HEADER_SIZE + 0xFFFF


test_damaged_frames_only_produce_events, test_damaged_frames_only_produce_events_long = (
    fast_and_long(150, 8000, case=damaged_wires(), cut=st.integers(0, 1 << 16))(
        _damaged_frames_only_produce_events
    )
)


def _smux_script(data: bytes) -> None:
    check_smux(data)


test_smux_script_random, test_smux_script_random_long = fast_and_long(
    100, 6000, data=st.binary(max_size=2000)
)(_smux_script)


def _unknown_stream_frames_do_not_disturb(
    cfg: SmuxConfig, chunks: list[bytes], noise: list[tuple[int, int, bytes]]
) -> None:
    """PSH/UPD/FIN for stream ids that were never opened, and NOPs, between genuine frames:
    the genuine stream's bytes arrive exactly and no state is created for the strangers."""
    frames = split_frames(genuine_wire(cfg, chunks))
    mixed = bytearray()
    for i, frame in enumerate(frames):
        mixed += frame
        if i < len(noise):
            cmd, sid, payload = noise[i]
            sid = 1000 + 2 * sid  # never a genuine stream (client ids are 3, 5)
            if cmd == CMD_PSH:
                mixed += SMUX_HEADER.pack(cfg.version, cmd, len(payload), sid) + payload
            elif cmd == CMD_UPD:
                mixed += SMUX_HEADER.pack(cfg.version, cmd, 8, sid) + payload[:8].ljust(8, b"\0")
            else:
                mixed += SMUX_HEADER.pack(cfg.version, cmd, 0, sid)
    s = SmuxSession(client=False, config=cfg, now=0.0)
    got: dict[int, bytearray] = {}
    for ev in s.receive_data(bytes(mixed)):
        assert not isinstance(ev, SessionDead)
        if isinstance(ev, StreamData):
            got.setdefault(ev.sid, bytearray()).extend(ev.data)
        if isinstance(ev, (StreamOpened, StreamEnded)):
            assert ev.sid in (3, 5)
    assert set(got) <= {3, 5}
    assert bytes(got.get(3, b"")) + bytes(got.get(5, b"")) == b"".join(chunks[0::2]) + b"".join(
        chunks[1::2]
    )
    assert s.buffered_receive == sum(map(len, chunks))


test_unknown_stream_frames_do_not_disturb, test_unknown_stream_frames_do_not_disturb_long = (
    fast_and_long(
        60,
        3000,
        cfg=st.sampled_from(CONFIGS),
        chunks=st.lists(st.binary(min_size=1, max_size=1200), max_size=6),
        noise=st.lists(
            st.tuples(
                st.sampled_from([CMD_PSH, CMD_UPD, CMD_FIN, CMD_NOP]),
                st.integers(0, 1 << 20),
                st.binary(max_size=300),
            ),
            max_size=12,
        ),
    )(_unknown_stream_frames_do_not_disturb)
)


@pytest.mark.parametrize("cfg", CONFIGS, ids=["v1", "v2"])
def test_peer_syn_on_our_next_sid_is_not_clobbered_by_open_stream(cfg: SmuxConfig) -> None:
    """Regression (fuzz/smux, fixed in 3e2a4c8): the peer SYNs the id our next open_stream
    would pick (any parity is accepted, as in smux) and sends data; open_stream used to
    replace that stream, so its unconsumed bytes could never be returned and
    buffered_receive leaked them for good, until the adapter stopped reading forever."""
    s = SmuxSession(client=True, config=cfg, now=0.0)
    s.receive_data(
        SMUX_HEADER.pack(cfg.version, CMD_SYN, 0, 3)
        + SMUX_HEADER.pack(cfg.version, CMD_PSH, 5, 3)
        + b"hello"
    )
    sid = s.open_stream()
    s.stream_consumed(3, 5)  # the application reads the peer's stream 3 to the end
    s.close_stream(3)
    if sid != 3:
        s.close_stream(sid)
    assert s.buffered_receive == 0
