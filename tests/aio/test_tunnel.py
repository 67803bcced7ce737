"""Client and server engines in one event loop over loopback UDP: what a user of ours at both
ends relies on (intact data, half-close, many connections, errors that reach the TCP side)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

import pytest

from kcpcore.aio.engine import Engine
from kcpcore.config import TunnelConfig
from tests.helpers.waits import until

T = TypeVar("T")
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def run(coro: Awaitable[T], timeout: float = 60.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.write_eof()
    except ConnectionError:
        pass
    finally:
        writer.close()


@asynccontextmanager
async def tunnel(
    handler: Handler = echo, **flags: Any
) -> AsyncIterator[tuple[int, Engine, Engine]]:
    target = await asyncio.start_server(handler, "127.0.0.1", 0)
    tport = target.sockets[0].getsockname()[1]
    server = Engine(
        TunnelConfig(
            role="server", listen="127.0.0.1:0", target=f"127.0.0.1:{tport}", quiet=True, **flags
        )
    )
    await server.start()
    client = Engine(
        TunnelConfig(
            role="client",
            localaddr="127.0.0.1:0",
            quiet=True,
            remoteaddr=f"127.0.0.1:{server.local_port}",
            **flags,
        )
    )
    await client.start()
    try:
        yield client.local_port, client, server
    finally:
        await client.stop()
        await server.stop()
        target.close()


async def echo_check(port: int, size: int, seed: int) -> bool:
    data = random_bytes(size, seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def send() -> None:
        for off in range(0, size, 50_000):
            writer.write(data[off : off + 50_000])
            await writer.drain()
        writer.write_eof()

    sender = asyncio.create_task(send())
    got = await reader.read(-1)  # half-closed: the echo still comes back in full
    await sender
    writer.close()
    return hashlib.sha256(got).digest() == hashlib.sha256(data).digest()


def random_bytes(size: int, seed: int) -> bytes:
    import random

    return random.Random(seed).randbytes(size)


@pytest.mark.parametrize(
    "flags",
    [
        {},
        {"nocomp": True, "smuxver": 2},
        {"conn": 4, "crypt": "salsa20", "datashard": 0, "parityshard": 0},
        {"mode": "normal", "mtu": 600, "sndwnd": 64, "rcvwnd": 64, "smuxver": 2},
    ],
    ids=["defaults", "v2-nocomp", "conn4-salsa20-fecoff", "normal-small"],
)
def test_parallel_echo_intact(flags: dict[str, Any]) -> None:
    async def main() -> None:
        async with tunnel(**flags) as (port, client, server):
            results = await asyncio.gather(*(echo_check(port, 300_000, i) for i in range(4)))
            assert all(results)
            c, s = client.snmp(), server.snmp()
            assert c.bytes_sent >= 1_200_000 and s.bytes_received >= 1_200_000
            assert c.curr_estab == min(4, flags.get("conn", 1))
            assert all(st.srtt_ms >= 0 and st.rto_ms > 0 for st in client.session_stats())

    run(main())


def test_half_close_reply_after_client_eof() -> None:
    """The client's FIN reaches the target as EOF; its reply still comes back."""

    async def digest(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        h = hashlib.sha256()
        while data := await reader.read(65536):
            h.update(data)
        writer.write(h.hexdigest().encode())
        await writer.drain()
        writer.close()

    async def main() -> None:
        async with tunnel(digest) as (port, _, _):
            data = os.urandom(200_000)
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(data)
            writer.write_eof()
            reply = await reader.read(-1)
            writer.close()
            assert reply.decode() == hashlib.sha256(data).hexdigest()

    run(main())


def test_300_simultaneous_connections() -> None:
    async def main() -> None:
        async with tunnel(nocomp=True) as (port, client, server):
            results = await asyncio.gather(*(echo_check(port, 20_000, i) for i in range(300)))
            assert sum(results) == 300
            await until(lambda: client.streams_open == 0 and server.streams_open == 0, 5)

    run(main(), timeout=120)


def test_unreachable_target_closes_the_client_connection() -> None:
    async def main() -> None:
        dead = socket.socket()
        dead.bind(("127.0.0.1", 0))
        port = dead.getsockname()[1]
        dead.close()  # nothing listens there now
        server = Engine(
            TunnelConfig(
                role="server", listen="127.0.0.1:0", target=f"127.0.0.1:{port}", quiet=True
            )
        )
        await server.start()
        client = Engine(
            TunnelConfig(
                role="client", localaddr="127.0.0.1:0", remoteaddr=f"127.0.0.1:{server.local_port}"
            )
        )
        await client.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", client.local_port)
            writer.write(b"hello")
            assert await asyncio.wait_for(reader.read(-1), 10) == b""
            writer.close()
        finally:
            await client.stop()
            await server.stop()

    run(main())


def test_port_in_use_is_an_oserror_at_start() -> None:
    async def main() -> None:
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        engine = Engine(
            TunnelConfig(role="client", localaddr=f"127.0.0.1:{port}", remoteaddr="127.0.0.1:9")
        )
        with pytest.raises(OSError):
            await engine.start()
        assert not engine.running
        busy.close()

    run(main())


def test_wrong_key_moves_nothing_and_is_counted() -> None:
    async def main() -> None:
        target = await asyncio.start_server(echo, "127.0.0.1", 0)
        server = Engine(
            TunnelConfig(
                role="server",
                listen="127.0.0.1:0",
                key="right",
                target=f"127.0.0.1:{target.sockets[0].getsockname()[1]}",
            )
        )
        await server.start()
        client = Engine(
            TunnelConfig(
                role="client",
                localaddr="127.0.0.1:0",
                key="wrong",
                remoteaddr=f"127.0.0.1:{server.local_port}",
            )
        )
        await client.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", client.local_port)
            writer.write(b"ping")
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(reader.read(1), 1.0)
            writer.close()
            s, c = server.snmp(), client.snmp()
            assert s.in_csum_errors > 0 and s.curr_estab == 0
            assert c.out_pkts > 0 and c.in_pkts == 0
        finally:
            await client.stop()
            await server.stop()
            target.close()

    run(main())


def test_stop_closes_streams_and_frees_ports() -> None:
    async def main() -> None:
        async with tunnel() as (port, client, _):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"x")
            assert await reader.readexactly(1) == b"x"
            await client.stop()
            assert await asyncio.wait_for(reader.read(-1), 5) == b""
            writer.close()
            again = await asyncio.start_server(echo, "127.0.0.1", port)  # the port is free
            again.close()

    run(main())


def test_autoexpire_new_session_for_new_connections_scavenger_closes_old() -> None:
    """kcptun's --autoexpire/--scavengettl: after expiry new connections get a new session,
    the old stream keeps working until the scavenger closes its session."""

    async def main() -> None:
        async with tunnel(autoexpire=1, scavengettl=2) as (port, client, _):
            r1, w1 = await asyncio.open_connection("127.0.0.1", port)
            w1.write(b"a")
            assert await r1.readexactly(1) == b"a"
            assert client.snmp().active_opens == 1
            loop = asyncio.get_running_loop()
            expires = client.tunnel.expires  # type: ignore[union-attr]
            await until(lambda: loop.time() >= max(expires.values()), 5)  # the slot expired
            assert await echo_check(port, 10_000, 1)  # expired slot: a second session
            assert client.snmp().active_opens == 2
            w1.write(b"b")  # the old session still carries its stream
            assert await r1.readexactly(1) == b"b"
            assert await asyncio.wait_for(r1.read(-1), 4) == b""  # scavenged at 1 + 2 s
            w1.close()
            assert client.snmp().curr_estab == 1

    run(main())


def test_restarted_server_is_found_again_without_restarting_the_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server dies and comes back on the same port: the client notices the stall (no ack
    for in-flight data), says why, and the next connections get a new session."""
    import kcpcore.aio.tunnel as tunnel_mod

    monkeypatch.setattr(tunnel_mod, "STALL_TIMEOUT", 1.5)

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
            assert await echo_check(client.local_port, 50_000, 1)
            await server.stop()
            server = Engine(server_cfg(sport))
            await server.start()
            ok, tries = False, 0
            while not ok and tries < 10:
                tries += 1
                with suppress(TimeoutError, ConnectionError):
                    ok = await asyncio.wait_for(echo_check(client.local_port, 50_000, 2), 4)
            assert ok, "no working connection after the server came back"
            assert client.last_error is not None
            assert "no acknowledgement" in client.last_error[1]
            assert client.snmp().active_opens == 2
        finally:
            await client.stop()
            await server.stop()
            target.close()

    run(main(), timeout=60)


def test_a_stream_cut_by_a_dead_session_is_reset_not_ended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server vanishes mid-stream: when the stall watch gives the session up, the
    program's connection is reset, so a cut download never looks complete (kcptun ends it
    with a FIN)."""
    import kcpcore.aio.tunnel as tunnel_mod

    monkeypatch.setattr(tunnel_mod, "STALL_TIMEOUT", 1.5)

    async def main() -> None:
        async with tunnel() as (port, client, server):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"x" * 1000)
            assert await reader.readexactly(1000) == b"x" * 1000
            await server.stop()
            writer.write(b"y" * 10_000)  # in flight, never acknowledged
            with pytest.raises(ConnectionResetError):
                await asyncio.wait_for(reader.read(-1), 10)
            writer.close()
            assert client.last_error is not None
            assert "no acknowledgement" in client.last_error[1]

    run(main(), timeout=30)


def test_last_error_is_empty_while_all_is_well() -> None:
    async def main() -> None:
        async with tunnel() as (port, client, server):
            assert await echo_check(port, 10_000, 3)
            assert client.last_error is None and server.last_error is None

    run(main())
