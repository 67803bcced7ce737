"""A client reconnects at once after a sleep or a network change (``kcpcore.aio.netchange``,
``ClientTunnel.reconnect/network_changed/resumed``), instead of waiting 15 s for its stall
watch: open streams are reset (never ended as if complete), new connections work at once,
and a hint never drops a session that still works."""

from __future__ import annotations

import asyncio
import socket
import struct
from contextlib import suppress

import pytest

import kcpcore.aio.tunnel as tunnel_mod
from kcpcore.aio.engine import Engine
from kcpcore.aio.netchange import (
    ResumeDetector,
    message_kinds,
    route_source,
    watch_resume,
)
from kcpcore.config import TunnelConfig
from kcpcore.errors import ConfigError
from kcpcore.process_options import parse
from tests.aio.test_tunnel import echo, echo_check, run, tunnel
from tests.helpers.waits import until


def convs(engine: Engine) -> list[int]:
    return [s.conv for s in engine.session_stats()]


# ------------------------------------------------------------------ resume detector (pure)


def test_resume_detector_sees_wall_clock_run_ahead_of_monotonic() -> None:
    """Linux/macOS: the monotonic clock stops while suspended; the wall clock does not."""
    d = ResumeDetector(mono=100.0, wall=1_000.0, period=1.0, threshold=5.0)
    assert d.observe(101.0, 1_001.0) is None  # an ordinary tick
    assert d.observe(102.05, 1_002.1) is None  # a little late, a little drift
    gap = d.observe(103.0, 1_603.1)  # one tick, 600 s of wall time: slept ten minutes
    assert gap == pytest.approx(601.0 - 0.95, abs=0.01)  # wall minus monotonic
    assert d.observe(104.0, 1_604.1) is None  # and only once


def test_resume_detector_sees_a_late_tick_when_monotonic_kept_counting() -> None:
    """Windows' monotonic clock counts through sleep: the tick itself comes late."""
    d = ResumeDetector(mono=0.0, wall=0.0, period=1.0, threshold=5.0)
    gap = d.observe(61.0, 61.0)
    assert gap == pytest.approx(60.0)


def test_resume_detector_ignores_a_clock_set_backwards_and_small_drift() -> None:
    d = ResumeDetector(mono=0.0, wall=5_000.0, period=1.0, threshold=5.0)
    assert d.observe(1.0, 1_000.0) is None  # someone set the clock back an hour
    assert d.observe(2.0, 1_004.9) is None  # 3.9 s ahead: under the threshold
    assert d.observe(3.0, 1_011.0) is not None  # 5.1 s ahead: over it


def test_watch_resume_calls_back_with_the_gap_from_injected_clocks() -> None:
    mono = iter([0.0, 0.01, 0.02, 0.03])
    wall = iter([0.0, 0.01, 900.02, 900.03])
    seen: list[float] = []

    async def main() -> None:
        task = asyncio.ensure_future(
            watch_resume(
                seen.append, period=0.001, clock=lambda: next(mono), wall=lambda: next(wall)
            )
        )
        await until(lambda: seen, 5)
        task.cancel()
        with suppress(asyncio.CancelledError, StopIteration, RuntimeError):
            await task

    run(main(), timeout=10)
    assert seen == [pytest.approx(900.0, abs=0.1)]


# ------------------------------------------------------------------ small helpers


def test_route_source_names_the_local_address_and_none_without_route() -> None:
    assert route_source(socket.AF_INET, ("127.0.0.1", 9)) == "127.0.0.1"
    assert route_source(socket.AF_INET, ("0.0.0.0", 0)) in (None, "127.0.0.1")  # no crash


def test_netlink_messages_are_named_and_junk_is_skipped() -> None:
    def msg(kind: int, body: bytes = b"") -> bytes:
        raw = struct.pack("=IHHII", 16 + len(body), kind, 0, 0, 0) + body
        return raw + b"\0" * (-len(raw) % 4)

    data = msg(16, b"x" * 5) + msg(3) + msg(24) + msg(21) + b"\x01\x02"
    assert message_kinds(data) == ["link changed", "route added", "address removed"]
    assert message_kinds(struct.pack("=IHHII", 4, 16, 0, 0, 0)) == []  # bad length: stop


def test_netwatch_flag_is_checked_and_client_only() -> None:
    assert parse({}, "client").netwatch is True
    assert parse({"netwatch": "off"}, "client").netwatch is False
    with pytest.raises(ConfigError, match="netwatch"):
        parse({"netwatch": "sometimes"}, "client")
    with pytest.raises(ConfigError, match="client only"):
        parse({"netwatch": "on"}, "server")


# ------------------------------------------------------------------ engine behaviour


def test_reconnect_resets_open_streams_and_new_connections_work() -> None:
    """A program with a stream open sees a reset, not an end that looks complete; the next
    connection goes through a new session (new conv) at once."""

    async def main() -> None:
        async with tunnel() as (port, client, _server):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"hello")
            assert await reader.readexactly(5) == b"hello"
            before = convs(client)
            assert client.reconnect("test") == 1
            with pytest.raises(ConnectionResetError):
                await asyncio.wait_for(reader.read(-1), 5)
            writer.close()
            assert await echo_check(port, 20_000, 1)
            after = convs(client)
            assert len(after) == 1 and after != before
            assert client.last_error is None  # a reconnect is not an error to report

    run(main())


def test_server_and_stopped_engines_ignore_reconnect() -> None:
    async def main() -> None:
        async with tunnel() as (port, client, server):
            assert await echo_check(port, 1_000, 2)
            assert server.reconnect("test") == 0
            server.network_changed("test")
            server.resumed(3600)
            assert await echo_check(port, 1_000, 3)
        assert client.reconnect("test") == 0

    run(main())


def test_hint_keeps_a_session_that_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tunnel_mod, "HINT_WINDOW", 0.6)

    async def main() -> None:
        async with tunnel() as (port, client, _server):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"a")
            assert await reader.readexactly(1) == b"a"
            before = convs(client)
            client.network_changed("test: link changed")
            client.resumed(2.0)  # a short sleep is a hint too
            t = client.tunnel
            assert isinstance(t, tunnel_mod.ClientTunnel)
            await until(lambda: t._hint_task is not None and t._hint_task.done(), 5)
            writer.write(b"b")
            assert await reader.readexactly(1) == b"b"  # the stream lived through it
            assert convs(client) == before
            writer.close()

    run(main())


def test_long_sleep_replaces_every_session() -> None:
    """Asleep longer than smux's keepalive timeout: the server has closed our session."""

    async def main() -> None:
        async with tunnel() as (port, client, _server):
            assert await echo_check(port, 1_000, 4)
            before = convs(client)
            client.resumed(600.0)
            await until(lambda: convs(client) and convs(client) != before, 5)
            assert await echo_check(port, 1_000, 5)

    run(main())


def test_hint_replaces_a_stalled_session_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server vanished and came back (as after a sleep or a link outage): with data
    unacknowledged, a hint replaces the session within a second instead of after 15 s."""
    monkeypatch.setattr(tunnel_mod, "SCAVENGE_PERIOD", 0.2)  # the stall watch samples faster

    async def main() -> None:
        target = await asyncio.start_server(echo, "127.0.0.1", 0)
        tport = target.sockets[0].getsockname()[1]

        def server_cfg(port: int) -> TunnelConfig:
            return TunnelConfig(
                role="server", listen=f"127.0.0.1:{port}", quiet=True, target=f"127.0.0.1:{tport}"
            )

        server = Engine(server_cfg(0))
        await server.start()
        sport = server.local_port
        client = Engine(
            TunnelConfig(
                role="client", localaddr="127.0.0.1:0", quiet=True, remoteaddr=f"127.0.0.1:{sport}"
            )
        )
        await client.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", client.local_port)
            writer.write(b"a")
            assert await reader.readexactly(1) == b"a"
            await server.stop()
            writer.write(b"lost in the outage")  # in flight, never acknowledged
            await asyncio.sleep(tunnel_mod.HINT_STALL + 0.5)  # the outage lasts a while
            server = Engine(server_cfg(sport))
            await server.start()
            loop = asyncio.get_running_loop()
            back = loop.time()
            client.network_changed("test: route added")
            with pytest.raises(ConnectionResetError):
                await asyncio.wait_for(reader.read(-1), 5)
            assert await asyncio.wait_for(echo_check(client.local_port, 20_000, 6), 5)
            assert loop.time() - back < 3.0  # ~1.1 s here; the stall watch alone takes 15 s
            writer.close()
        finally:
            await client.stop()
            await server.stop()
            target.close()

    run(main(), timeout=60)


def test_a_new_source_address_replaces_even_a_working_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The route to the server now leaves from another address (a renumbering): the server
    answers the old one, so the session is replaced at once, however well it worked."""

    async def main() -> None:
        async with tunnel() as (port, client, _server):
            assert await echo_check(port, 1_000, 7)
            before = convs(client)
            monkeypatch.setattr(tunnel_mod, "route_source", lambda _f, _a: "192.0.2.7")
            client.network_changed("test: address added")
            await until(lambda: convs(client) and convs(client) != before, 2)
            monkeypatch.undo()
            assert await echo_check(port, 1_000, 8)

    run(main())


def test_nothing_is_dropped_while_there_is_no_route(monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline (no route to the server): a new session could not do better, so the stuck one
    and its streams are left alone; once the route is back it is replaced."""
    monkeypatch.setattr(tunnel_mod, "SCAVENGE_PERIOD", 0.2)
    route: list[str | None] = [None]
    real = tunnel_mod.route_source
    monkeypatch.setattr(tunnel_mod, "route_source", lambda f, a: real(f, a) if route[0] else None)

    async def main() -> None:
        async with tunnel() as (port, client, server):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"a")
            assert await reader.readexactly(1) == b"a"
            before = convs(client)
            await server.stop()  # the server is unreachable: data stays unacknowledged
            writer.write(b"stuck")
            client.network_changed("test: link changed")
            t = client.tunnel
            assert isinstance(t, tunnel_mod.ClientTunnel)
            await until(lambda: t._hint_task is not None and t._hint_task.done(), 10)
            assert convs(client) == before  # kept: there was no route all along
            route[0] = "back"
            client.network_changed("test: route added")
            with pytest.raises(ConnectionResetError):
                await asyncio.wait_for(reader.read(-1), 5)
            assert convs(client) != before
            writer.close()

    run(main())
