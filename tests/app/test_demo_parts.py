"""The demo's Qt-free parts on plain asyncio: lossy relay, echo target, traffic generator."""

from __future__ import annotations

import asyncio

import pytest

from app.demo.relay import LossyRelay
from app.demo.traffic import EchoServer, TrafficGenerator
from tests.helpers.waits import until, until_stable


class _Peer(asyncio.DatagramProtocol):
    def __init__(self, echo: bool) -> None:
        self.echo = echo
        self.got: list[bytes] = []
        self.last_at = 0.0
        """loop time of the latest datagram"""
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple) -> None:  # type: ignore[type-arg]
        self.got.append(data)
        self.last_at = asyncio.get_running_loop().time()
        if self.echo and self.transport is not None:
            self.transport.sendto(b"re:" + data, addr)


async def _endpoint(
    echo: bool, remote: tuple[str, int] | None = None
) -> tuple[asyncio.DatagramTransport, _Peer]:
    loop = asyncio.get_running_loop()
    kw = {"remote_addr": remote} if remote else {"local_addr": ("127.0.0.1", 0)}
    return await loop.create_datagram_endpoint(lambda: _Peer(echo), **kw)  # type: ignore[return-value]


async def _relay_round(loss: float, delay: float, n: int) -> tuple[_Peer, LossyRelay, float]:
    server_t, _server = await _endpoint(echo=True)
    relay = LossyRelay(server_t.get_extra_info("sockname")[:2], loss=loss, delay=delay, seed=1)
    port = await relay.start()
    client_t, client = await _endpoint(echo=False, remote=("127.0.0.1", port))
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    for i in range(n):
        client_t.sendto(b"p%d" % i)
    await until(lambda: relay.stats.up > 0)
    # then until the traffic settles: no exact count can be awaited (a burst overflows the
    # relay's socket buffer, and its pending queue while it opens the upstream socket)
    await until_stable(
        lambda: len(client.got) + relay.stats.up + relay.stats.down + relay.stats.dropped,
        quiet=0.1 + 2 * delay,
    )
    elapsed = client.last_at - t0
    client_t.close()
    server_t.close()
    await relay.stop()
    return client, relay, elapsed


def test_relay_forwards_both_ways() -> None:
    client, relay, _ = asyncio.run(_relay_round(0.0, 0.0, 50))
    assert sorted(client.got) == sorted(b"re:p%d" % i for i in range(50))
    assert (relay.stats.up, relay.stats.down, relay.stats.dropped) == (50, 50, 0)


def test_relay_loses_about_the_share_asked() -> None:
    client, relay, _ = asyncio.run(_relay_round(0.3, 0.0, 400))
    up_kept = relay.stats.up - (relay.stats.dropped - (relay.stats.down - len(client.got)))
    assert 0.2 < relay.stats.dropped / (relay.stats.up + relay.stats.down) < 0.4
    assert len(client.got) < up_kept


def test_relay_delays() -> None:
    client, _relay, elapsed = asyncio.run(_relay_round(0.0, 0.1, 5))
    assert len(client.got) == 5 and elapsed >= 0.2  # 100 ms each way


def test_relay_knobs_apply_live() -> None:
    async def go() -> int:
        server_t, server = await _endpoint(echo=False)
        relay = LossyRelay(server_t.get_extra_info("sockname")[:2])
        port = await relay.start()
        client_t, _client = await _endpoint(echo=False, remote=("127.0.0.1", port))
        client_t.sendto(b"a")
        await until(lambda: len(server.got) == 1)
        relay.loss = 1.0
        for _ in range(20):
            client_t.sendto(b"b")
        await until(lambda: relay.stats.dropped == 20)
        client_t.close()
        server_t.close()
        await relay.stop()
        return len(server.got)

    assert asyncio.run(go()) == 1


@pytest.mark.parametrize("rate", [200_000, None])
def test_generator_through_echo(rate: float | None) -> None:
    async def go() -> tuple[int, int, float]:
        echo = EchoServer()
        port = await echo.start()
        gen = TrafficGenerator("127.0.0.1", port, rate=rate)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        gen.start()
        await until(lambda: gen.received >= 50_000)
        await gen.stop()
        elapsed = loop.time() - t0
        await echo.stop()
        return gen.sent, gen.received, elapsed

    sent, received, elapsed = asyncio.run(go())
    assert sent >= received >= 50_000
    if rate is not None:  # paced: about rate x elapsed plus the initial burst allowance
        assert sent <= rate * elapsed + rate * 0.25 + 3 * 16384
