"""smux codec: frames byte for byte as smux 1.5.16 writes them, and its receive rules."""

from __future__ import annotations

import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcpcore.errors import ConfigError, LocalProtocolError
from kcpcore.events import SessionDead, StreamData, StreamEnded, StreamOpened, StreamWritable
from kcpcore.smux import (
    CMD_FIN,
    CMD_PSH,
    CMD_SYN,
    CMD_UPD,
    INITIAL_PEER_WINDOW,
    SMUX_HEADER,
    SmuxConfig,
    SmuxSession,
    StreamReset,
)

V1 = SmuxConfig(version=1)
V2 = SmuxConfig(version=2)


def frame(ver: int, cmd: int, sid: int, payload: bytes = b"", length: int | None = None) -> bytes:
    return SMUX_HEADER.pack(ver, cmd, len(payload) if length is None else length, sid) + payload


def pair(cfg: SmuxConfig) -> tuple[SmuxSession, SmuxSession]:
    return SmuxSession(client=True, config=cfg, now=0.0), SmuxSession(
        client=False, config=cfg, now=0.0
    )


def test_client_first_syn_is_sid_3_like_kcptun() -> None:
    c = SmuxSession(client=True, config=V1, now=0.0)
    assert c.open_stream() == 3
    assert c.open_stream() == 5
    assert c.data_to_send() == bytes.fromhex("01000000030000000100000005000000")


def test_psh_frames_split_at_max_frame_size() -> None:
    c = SmuxSession(client=True, config=SmuxConfig(max_frame_size=1000), now=0.0)
    sid = c.open_stream()
    c.data_to_send()
    assert c.send(sid, b"x" * 2500) == 2500
    out = c.data_to_send()
    lengths = []
    off = 0
    while off < len(out):
        ver, cmd, length, s = SMUX_HEADER.unpack_from(out, off)
        assert (ver, cmd, s) == (1, CMD_PSH, sid)
        lengths.append(length)
        off += 8 + length
    assert lengths == [1000, 1000, 500]


def test_keepalive_nop_bytes_and_timeout() -> None:
    s = SmuxSession(client=True, config=V1, now=100.0)
    assert s.get_timer() == 110.0
    assert s.handle_timer(110.0) == []
    assert s.data_to_send() == bytes.fromhex("0103000000000000")  # PROTOCOL 6.4 [V]
    s.handle_timer(120.0)
    s.data_to_send()
    events = s.handle_timer(130.0)  # 30 s without a single frame from the peer
    assert len(events) == 1 and isinstance(events[0], SessionDead)
    assert "keepalive" in events[0].reason
    assert s.closed and s.get_timer() is None


def test_any_frame_keeps_the_session_alive() -> None:
    s = SmuxSession(client=True, config=V1, now=0.0)
    for t in (10.0, 20.0):
        s.handle_timer(t)
    s.receive_data(frame(1, 3, 0))  # the peer's NOP
    assert s.handle_timer(30.0) == []
    assert not s.closed


def test_full_receive_buffer_is_not_a_dead_peer() -> None:
    cfg = SmuxConfig(max_receive_buffer=100, max_stream_buffer=100)
    s = SmuxSession(client=False, config=cfg, now=0.0)
    s.receive_data(frame(1, CMD_SYN, 3) + frame(1, CMD_PSH, 3, b"z" * 100))
    s._data_ready = False
    assert s.handle_timer(30.0) == []  # smux: bucket exhausted, recvLoop blocked by us
    assert not s.closed


def test_receive_events_and_token_accounting() -> None:
    s = SmuxSession(client=False, config=V1, now=0.0)
    data = (
        frame(1, CMD_SYN, 3)
        + frame(1, CMD_PSH, 3, b"hello")
        + frame(1, CMD_PSH, 9, b"lost")
        + frame(1, CMD_FIN, 3)
        + frame(1, CMD_SYN, 3)
    )
    events = s.receive_data(data)
    assert events == [StreamOpened(3), StreamData(3, b"hello"), StreamEnded(3)]
    assert s.buffered_receive == 5  # data for an unknown sid is read and thrown away
    s.stream_consumed(3, 5)
    assert s.buffered_receive == 0
    assert s.data_to_send() == b""  # v1 never sends UPD


def test_frames_split_anywhere_decode_the_same() -> None:
    s = SmuxSession(client=False, config=V2, now=0.0)
    data = (
        frame(2, CMD_SYN, 3)
        + frame(2, CMD_PSH, 3, bytes(range(200)))
        + frame(2, CMD_UPD, 3, struct.pack("<II", 0, 1 << 20))
        + frame(2, CMD_FIN, 3)
    )
    whole = SmuxSession(client=False, config=V2, now=0.0).receive_data(data)
    rng = random.Random(7)
    for _ in range(50):
        cuts = sorted(rng.sample(range(1, len(data)), 5))
        parts = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
        s = SmuxSession(client=False, config=V2, now=0.0)
        assert [e for p in parts for e in s.receive_data(p)] == whole


@pytest.mark.parametrize("bad", [frame(2, CMD_SYN, 3), frame(1, 7, 3)])
def test_wrong_version_or_unknown_command_kills_the_session(bad: bytes) -> None:
    s = SmuxSession(client=False, config=V1, now=0.0)
    events = s.receive_data(bad + frame(1, CMD_SYN, 5))
    assert len(events) == 1 and isinstance(events[0], SessionDead)
    assert s.closed and s.receive_data(frame(1, CMD_SYN, 7)) == []


def test_upd_payload_is_always_8_bytes_whatever_length_says() -> None:
    s = SmuxSession(client=False, config=V2, now=0.0)
    upd = SMUX_HEADER.pack(2, CMD_UPD, 0, 3) + struct.pack("<II", 1, 2)
    events = s.receive_data(frame(2, CMD_SYN, 3) + upd + frame(2, CMD_FIN, 3))
    assert events == [StreamOpened(3), StreamEnded(3)]


def test_v2_upd_on_first_read_then_every_half_window() -> None:
    cfg = SmuxConfig(version=2, max_stream_buffer=2097152)
    s = SmuxSession(client=False, config=cfg, now=0.0)
    s.receive_data(frame(2, CMD_SYN, 3) + frame(2, CMD_PSH, 3, b"a" * 17))
    s.stream_consumed(3, 17)
    # kcptun's server after a 17-byte first chunk (PROTOCOL 6.5 [V])
    assert s.data_to_send() == frame(2, CMD_UPD, 3, struct.pack("<II", 17, 2097152))
    s.receive_data(frame(2, CMD_PSH, 3, b"b" * 60000) * 18)
    for _ in range(17):
        s.stream_consumed(3, 60000)
    assert s.data_to_send() == b""  # 1020000 < half of 2097152
    s.stream_consumed(3, 60000)
    out = s.data_to_send()
    assert out == frame(2, CMD_UPD, 3, struct.pack("<II", 17 + 18 * 60000, 2097152))


def test_v2_sender_respects_peer_window_and_resumes_on_upd() -> None:
    c, srv = pair(V2)
    sid = c.open_stream()
    assert c.send(sid, b"x" * (INITIAL_PEER_WINDOW + 1000)) == INITIAL_PEER_WINDOW
    assert c.send(sid, b"y") == 0
    srv_events = srv.receive_data(c.data_to_send())
    assert sum(len(e.data) for e in srv_events if isinstance(e, StreamData)) == INITIAL_PEER_WINDOW
    srv.stream_consumed(sid, INITIAL_PEER_WINDOW)
    assert c.receive_data(srv.data_to_send()) == [StreamWritable(sid)]
    assert c.send(sid, b"y" * 10) == 10


def test_v2_partial_write_queues_exactly_what_it_reports() -> None:
    """A write straddling the peer window queues only the accepted prefix (a bug once sent
    the whole last frame, duplicating bytes after the window reopened)."""
    c, srv = pair(SmuxConfig(version=2, max_frame_size=32768))
    sid = c.open_stream()
    assert c.send(sid, bytes(INITIAL_PEER_WINDOW - 1000)) == INITIAL_PEER_WINDOW - 1000
    tail = bytes(range(256)) * 20
    assert c.send(sid, tail) == 1000
    events = srv.receive_data(c.data_to_send())
    got = b"".join(e.data for e in events if isinstance(e, StreamData))
    assert len(got) == INITIAL_PEER_WINDOW and got.endswith(tail[:1000])


def test_v2_blocked_writer_is_woken_by_fin_and_still_obeys_the_window() -> None:
    """A FIN wakes a writer blocked on the window (kcptun's peer will never send UPD after
    it; ours, half-closed, still will), but the window still rules what may be sent."""
    c, _ = pair(V2)
    sid = c.open_stream()
    c.send(sid, b"x" * INITIAL_PEER_WINDOW)
    assert c.send(sid, b"y") == 0
    assert c.receive_data(frame(2, CMD_FIN, sid)) == [StreamWritable(sid), StreamEnded(sid)]
    assert c.send(sid, b"y") == 0
    c.receive_data(frame(2, CMD_UPD, sid, struct.pack("<II", 1000, INITIAL_PEER_WINDOW)))
    assert c.send(sid, b"y" * 2000) == 1000


def test_v2_peer_claiming_more_consumed_than_written_resets_the_stream() -> None:
    c, _ = pair(V2)
    sid = c.open_stream()
    c.send(sid, b"x" * 10)
    c.receive_data(frame(2, CMD_UPD, sid, struct.pack("<II", 11, 1 << 20)))
    with pytest.raises(StreamReset):
        c.send(sid, b"y")


def test_u32_wraparound_of_written_and_consumed() -> None:
    c, _ = pair(V2)
    sid = c.open_stream()
    stream = c._streams[sid]
    stream.num_written = stream.peer_consumed = 0xFFFFFFFF - 100
    assert c.send(sid, b"x" * 1000) == 1000
    assert stream.num_written == 899
    c.receive_data(frame(2, CMD_UPD, sid, struct.pack("<II", 899, INITIAL_PEER_WINDOW)))
    assert c.send(sid, b"x" * INITIAL_PEER_WINDOW) == INITIAL_PEER_WINDOW


def test_half_close_keeps_receiving_and_close_returns_tokens() -> None:
    c, srv = pair(V1)
    sid = c.open_stream()
    c.send_fin(sid)
    with pytest.raises(LocalProtocolError):
        c.send(sid, b"late")
    srv.receive_data(c.data_to_send())
    srv.send(sid, b"reply")
    assert c.receive_data(srv.data_to_send()) == [StreamData(sid, b"reply")]
    assert c.buffered_receive == 5
    c.close_stream(sid)
    assert c.buffered_receive == 0
    assert c.data_to_send() == b""  # FIN went already; close does not send a second one


def test_stream_ids_exhausted_fail_locally() -> None:
    c = SmuxSession(client=True, config=V1, now=0.0)
    c._next_sid = 0xFFFFFFFF
    with pytest.raises(LocalProtocolError):
        c.open_stream()
    assert c.data_to_send() == b""


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"version": 3}, "smuxver"),
        ({"keepalive_interval": 31.0}, "keepalive"),
        ({"keepalive_interval": 0.0}, "keepalive"),
        ({"max_stream_buffer": 5, "max_receive_buffer": 4}, "streambuf"),
        ({"max_frame_size": 65536}, "max_frame_size"),
    ],
)
def test_config_rules_of_smux_verify_config(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(ConfigError) as info:
        SmuxConfig(**kwargs).verify()  # type: ignore[arg-type]
    assert info.value.field == field


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([V1, V2]))
def test_garbage_never_raises_and_buffers_stay_bounded(data: bytes, cfg: SmuxConfig) -> None:
    s = SmuxSession(client=False, config=cfg, now=0.0)
    for ev in s.receive_data(data):
        assert isinstance(ev, (StreamOpened, StreamData, StreamEnded, StreamWritable, SessionDead))
    assert s.buffered_receive <= len(data)
    assert len(s._inbuf) < 8 + 65535 + 8


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.binary(min_size=0, max_size=5000), min_size=1, max_size=8),
    st.sampled_from([V1, V2]),
    st.integers(1, 4000),
)
def test_streams_round_trip_exactly(chunks: list[bytes], cfg: SmuxConfig, cut: int) -> None:
    c, srv = pair(cfg)
    sid = c.open_stream()
    got = bytearray()
    pending = list(chunks)
    for _ in range(1000):
        if pending:
            n = c.send(sid, pending[0])
            pending[0] = pending[0][n:]
            if not pending[0]:
                pending.pop(0)
                if not pending:
                    c.send_fin(sid)
        wire = c.data_to_send()
        for off in range(0, len(wire), cut):
            for ev in srv.receive_data(wire[off : off + cut]):
                if isinstance(ev, StreamData):
                    got += ev.data
                    srv.stream_consumed(ev.sid, len(ev.data))
        c.receive_data(srv.data_to_send())
        if not pending and not wire:
            break
    assert bytes(got) == b"".join(chunks)


def test_open_stream_skips_an_id_the_peer_already_opened() -> None:
    """smux accepts a SYN of any parity, so the peer may take the id we would pick next; it
    must not be replaced (its unconsumed bytes would leak from the session budget)."""
    s = SmuxSession(client=True, config=V1, now=0.0)
    s.receive_data(frame(1, CMD_SYN, 3) + frame(1, CMD_PSH, 3, b"hello"))
    assert s.open_stream() == 5
    s.stream_consumed(3, 5)
    assert s.buffered_receive == 0
