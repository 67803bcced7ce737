"""The 2025 kcptun generation's transport settings, our client against our server on loopback:
port ranges, smux v2 defaults, framesize, closewait, ratelimit, and the smux version fallback.

Every transfer is 3 parallel connections x 2 MB echoed and checked by sha256 (the echo target
gets EOF after the data and echoes everything before closing).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import pytest

from kcpcore.aio.engine import Engine
from kcpcore.aio.tunnel import ClientTunnel, ServerTunnel
from kcpcore.config import TunnelConfig
from tests.aio.test_tunnel import echo, random_bytes, run

SIZE = 2_000_000
STREAMS = 3


async def echo_check(port: int, size: int, seed: int, times: list[float] | None = None) -> bool:
    """Echo ``size`` seeded bytes; ``times`` gets when the first and last byte came back."""
    data = random_bytes(size, seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def send() -> None:
        for off in range(0, size, 65536):
            writer.write(data[off : off + 65536])
            await writer.drain()
        writer.write_eof()

    sender = asyncio.create_task(send())
    got = hashlib.sha256()
    first = 0.0
    while chunk := await reader.read(65536):
        first = first or time.monotonic()
        got.update(chunk)
    if times is not None:
        times += [first, time.monotonic()]
    await sender
    writer.close()
    return got.digest() == hashlib.sha256(data).digest()


async def echo_all(
    port: int, n: int = STREAMS, size: int = SIZE, times: list[float] | None = None
) -> None:
    results = await asyncio.gather(*(echo_check(port, size, i, times) for i in range(n)))
    assert all(results), results


def free_udp_range(count: int) -> int:
    """A first port such that ``count`` consecutive UDP ports are free on 127.0.0.1."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 60000 - count)
        socks: list[socket.socket] = []
        try:
            for p in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free UDP port range")


@asynccontextmanager
async def pair(
    client: dict[str, Any] | None = None,
    server: dict[str, Any] | None = None,
    *,
    listen: str = "127.0.0.1:0",
    remote: str | None = None,
    handler: Any = echo,
) -> AsyncIterator[tuple[int, Engine, Engine]]:
    target = await asyncio.start_server(handler, "127.0.0.1", 0)
    tport = target.sockets[0].getsockname()[1]
    srv = Engine(
        TunnelConfig(
            role="server", listen=listen, target=f"127.0.0.1:{tport}", quiet=True, **(server or {})
        )
    )
    await srv.start()
    cli = Engine(
        TunnelConfig(
            role="client",
            localaddr="127.0.0.1:0",
            quiet=True,
            remoteaddr=remote or f"127.0.0.1:{srv.local_port}",
            **(client or {}),
        )
    )
    await cli.start()
    try:
        yield cli.local_port, cli, srv
    finally:
        await cli.stop()
        await srv.stop()
        target.close()


def server_tunnel(engine: Engine) -> ServerTunnel:
    assert isinstance(engine.tunnel, ServerTunnel)
    return engine.tunnel


def client_tunnel(engine: Engine) -> ClientTunnel:
    assert isinstance(engine.tunnel, ClientTunnel)
    return engine.tunnel


def test_port_range_sessions_land_on_several_ports() -> None:
    """``-r host:MIN-MAX`` picks a port per session; ``-l :MIN-MAX`` listens on all of them."""
    ports = 8
    base = free_udp_range(ports)
    rng = f"{base}-{base + ports - 1}"

    async def main() -> None:
        async with pair({"conn": 12}, listen=f"127.0.0.1:{rng}", remote=f"127.0.0.1:{rng}") as (
            port,
            cli,
            srv,
        ):
            tunnel = server_tunnel(srv)
            assert tunnel.local_ports == list(range(base, base + ports))
            await echo_all(port)  # slots 0-2 carry the 2 MB streams
            await asyncio.gather(*(echo_check(port, 20_000, 10 + i) for i in range(9)))
            assert cli.snmp().curr_estab == 12
            by_port = {p: n for p, n in tunnel.sessions_by_port().items() if n}
            assert sum(by_port.values()) == 12
            # 12 uniform draws over 8 ports all within 2 ports: p < 2e-6
            assert len(by_port) >= 3, by_port
            assert set(by_port) <= set(range(base, base + ports))

    run(main())


def test_kcptun_2025_defaults_speak_smux_v2_with_8k_frames() -> None:
    async def main() -> None:
        gen = {"peer": "kcptun-2025", "nocomp": True}
        async with pair(gen, gen) as (port, cli, srv):
            await echo_all(port)
            [smux] = [m.smux for m in client_tunnel(cli).slots if m is not None]
            [server_mux] = server_tunnel(srv).muxes.values()
            assert smux.version == 2 and server_mux.smux.version == 2
            # 6 MB each way in frames of at most 8192 bytes
            assert server_mux.smux.frames_in >= STREAMS * SIZE // 8192
            assert smux.frames_in >= STREAMS * SIZE // 8192

    run(main())


def test_framesize_bounds_the_frames_sent() -> None:
    async def main() -> None:
        async with pair(
            {"framesize": 1000, "nocomp": True}, {"framesize": 60000, "nocomp": True}
        ) as (port, cli, srv):
            await echo_all(port)
            [client_mux] = [m for m in client_tunnel(cli).slots if m is not None]
            [server_mux] = server_tunnel(srv).muxes.values()
            # the client's 6 MB arrive in >= 6000 frames; the server's echo (frames as large
            # as its TCP reads, up to 60000) in fewer
            assert server_mux.smux.frames_in >= STREAMS * SIZE // 1000
            assert client_mux.smux.frames_in < server_mux.smux.frames_in

    run(main())


def test_ratelimit_caps_goodput_within_ten_percent() -> None:
    """Wire bytes per session are capped at --ratelimit; the goodput sits just below it.

    One way (3 x 2 MB into a target that returns each stream's sha256): with both directions
    limited, each end's ACKs queue behind its own data in its bucket (kcp-go does the same),
    which measures the echo, not the cap.
    """
    limit = 2_000_000
    flags = {"ratelimit": limit, "nocomp": True, "datashard": 0, "parityshard": 0}
    arrivals: list[float] = []

    async def digest(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        h = hashlib.sha256()
        while data := await reader.read(65536):
            arrivals.append(time.monotonic())
            h.update(data)
        writer.write(h.hexdigest().encode())
        await writer.drain()
        writer.close()

    async def upload(port: int, seed: int) -> bool:
        data = random_bytes(SIZE, seed)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for off in range(0, SIZE, 65536):
            writer.write(data[off : off + 65536])
            await writer.drain()
        writer.write_eof()
        reply = await reader.read(-1)
        writer.close()
        return reply.decode() == hashlib.sha256(data).hexdigest()

    async def main() -> None:
        async with pair(
            flags, {"nocomp": True, "datashard": 0, "parityshard": 0}, handler=digest
        ) as (port, cli, _srv):
            t0 = time.monotonic()
            assert all(await asyncio.gather(*(upload(port, i) for i in range(STREAMS))))
            elapsed = time.monotonic() - t0
            goodput = STREAMS * SIZE / (max(arrivals) - min(arrivals))
            assert 0.9 * limit <= goodput <= 1.1 * limit, goodput
            [client_mux] = [m for m in client_tunnel(cli).slots if m is not None]
            limiter = client_mux.driver.limiter
            assert limiter is not None and limiter.sent >= STREAMS * SIZE
            assert limiter.sent <= limit * elapsed + 96_000  # the cap: rate x time + burst

    run(main())


async def _half_close_target(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Says hello, ends its direction, and then reads until the tunnel closes it."""
    writer.write(b"hello")
    writer.write_eof()
    await reader.read(-1)
    CLOSED.append(time.monotonic())
    writer.close()


CLOSED: list[float] = []


@pytest.mark.parametrize("closewait", [0, 1])
def test_closewait_closes_a_half_closed_connection_after_the_wait(closewait: int) -> None:
    async def main() -> None:
        CLOSED.clear()
        async with pair(server={"closewait": closewait}, handler=_half_close_target) as (
            port,
            _cli,
            _srv,
        ):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert await reader.read(-1) == b"hello"  # the target's direction ended
            ended = time.monotonic()
            deadline = ended + (4 if closewait else 2)
            while not CLOSED and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            writer.close()
            with suppress(ConnectionError):
                await writer.wait_closed()
            if closewait:
                assert CLOSED, "still open 4 s after one direction ended"
                assert closewait - 0.2 <= CLOSED[0] - ended <= closewait + 2
            else:
                assert not CLOSED  # 0: the client's direction stays open

    run(main())


def test_client_on_smux_v1_switches_to_a_v2_server_and_remembers() -> None:
    """Default client (kcptun 2021 peer: smux v1) against a kcptun-2025-style server."""

    async def main() -> None:
        async with pair({"nocomp": True}, {"nocomp": True, "peer": "kcptun-2025"}) as (
            port,
            cli,
            _srv,
        ):
            fallback = client_tunnel(cli).fallback
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"x" * 1000)
            # the first session dies at once: our server answers a v1 frame with a v2 NOP
            # (default keepalive 10 s: waiting for it would take 20 s); the cut stream is
            # reset, not ended as if complete
            with pytest.raises(ConnectionResetError):
                await asyncio.wait_for(reader.read(-1), 5)
            writer.close()
            assert fallback.version == 2 and fallback.tried
            await echo_all(port, 1, 200_000)
            for _ in range(40):
                if cli.learned_smuxver is not None:
                    break
                await asyncio.sleep(0.1)
            assert cli.learned_smuxver == 2

    run(main(), timeout=60)


def test_fallback_never_flaps_when_compression_differs() -> None:
    """A mismatch smux cannot fix (nocomp) is not 'learned' as a version."""

    async def main() -> None:
        async with pair({"keepalive": 1, "nocomp": True}, {"keepalive": 1}) as (port, cli, _):
            for _ in range(2):
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"x" * 1000)
                with suppress(ConnectionError):
                    await asyncio.wait_for(reader.read(-1), 20)
                writer.close()
            assert cli.learned_smuxver is None
            assert client_tunnel(cli).fallback.version in (1, 2)

    run(main(), timeout=60)


def test_port_range_beyond_the_descriptor_limit_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A range the process cannot open is refused before any port is bound."""
    import resource

    from kcpcore.errors import ConfigError

    monkeypatch.setattr(resource, "getrlimit", lambda _r: (1024, 1024))
    monkeypatch.setattr(resource, "setrlimit", lambda _r, _v: None)

    async def main() -> None:
        srv = Engine(
            TunnelConfig(role="server", listen="127.0.0.1:20000-21999", target="127.0.0.1:9")
        )
        with pytest.raises(
            ConfigError,
            match=r"needs about 4256 file descriptors and the "
            r"limit here is 1024 \(ulimit -n\)",
        ):
            await srv.start()
        assert not srv.running

    run(main())
