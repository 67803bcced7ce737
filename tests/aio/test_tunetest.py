"""The active tune test between a KCP Desk client and server in one loop, over the lossy relay:
the opt-in server answers it, a server without the opt-in never sees a byte of it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import pytest

from app.demo.relay import LossyRelay
from kcpcore.aio import tunetest
from kcpcore.aio.engine import Engine
from kcpcore.aio.tunetest import NoTuneService, run_active_test
from kcpcore.config import TunnelConfig
from kcpcore.tune import recommend
from kcpcore.tune.measure import active_figures

T = TypeVar("T")


def run(coro: Awaitable[T], timeout: float = 90.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


class Target:
    """A TCP target that records every connection and the bytes it received."""

    def __init__(self) -> None:
        self.connections = 0
        self.received = b""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        while data := await reader.read(65536):
            self.received += data
        writer.close()


async def pair(tuneserve: bool, target: Target, loss: float = 0.0):  # type: ignore[no-untyped-def]
    tsrv = await asyncio.start_server(target.handle, "127.0.0.1", 0)
    tport = tsrv.sockets[0].getsockname()[1]
    server = TunnelConfig(
        role="server",
        listen="127.0.0.1:0",
        target=f"127.0.0.1:{tport}",
        quiet=True,
        tuneserve=tuneserve,
    )
    engine = Engine(server)
    await engine.start()
    relay = LossyRelay(("127.0.0.1", engine.local_port), loss=loss, delay=0.02, seed=13)
    port = await relay.start()
    client = TunnelConfig(
        role="client", localaddr="127.0.0.1:0", quiet=True, remoteaddr=f"127.0.0.1:{port}"
    )
    return client, server, engine, relay, tsrv


def test_active_test_measures_both_directions_without_touching_the_target() -> None:
    async def main() -> None:
        target = Target()
        client, server, engine, relay, tsrv = await pair(True, target, loss=0.02)
        try:
            steps: list[str] = []
            phases = await run_active_test(
                client, seconds=1.0, byte_cap=4 << 20, progress=steps.append
            )
        finally:
            await relay.stop()
            await engine.stop()
            tsrv.close()
        assert [(p.direction, p.big_windows) for p in phases] == [
            ("down", False),
            ("up", False),
            ("down", True),
            ("up", True),
        ]
        assert len(steps) == 4
        for p in phases:
            assert p.rate_bps > 100_000, p
            assert p.sender.new_segs >= 64 and len(p.samples) >= 2
        fig = active_figures(phases, client, server)
        assert fig.active and fig.peer_is_kcpdesk
        assert fig.down.busy and fig.up.busy
        assert fig.rtt_min_ms >= 30  # 20 ms each way through the relay
        assert fig.down.loss is not None and fig.up.loss is not None
        assert fig.down.capacity_bps is not None
        advice = recommend(fig, client, server)
        assert advice.changes or advice.findings
        assert target.connections == 0  # the test sessions never reached the target

    run(main())


def test_server_without_the_opt_in_gets_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tunetest, "GREETING_WAIT", 1.0)

    async def main() -> None:
        target = Target()
        client, _server, engine, relay, tsrv = await pair(False, target)
        try:
            with pytest.raises(NoTuneService, match="tuneserve"):
                await run_active_test(client, seconds=0.5)
            for _ in range(100):  # the stream reached the target like any other: wait for it
                if target.connections:
                    break
                await asyncio.sleep(0.05)
        finally:
            await relay.stop()
            await engine.stop()
            tsrv.close()
        assert target.connections == 1 and target.received == b""  # the client sent nothing

    run(main())


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"GET / HTTP/1.1\r\n",
        b"KCPDESK-TUNE 2 DOWN 1 1 0\n",
        b"KCPDESK-TUNE 1 SIDEWAYS 1 1 0\n",
        b"KCPDESK-TUNE 1 DOWN x 1 0\n",
        b"KCPDESK-TUNE 1 DOWN 1 1\n",
        b"\xff" * 100,
    ],
)
def test_the_service_ignores_anything_but_a_request(line: bytes) -> None:
    assert tunetest._parse_request(line) is None


def test_requests_are_bounded() -> None:
    big = tunetest._parse_request(b"KCPDESK-TUNE 1 DOWN 999999999999 99999999 999999\n")
    assert big == ("DOWN", tunetest.BYTES_MAX, tunetest.SECONDS_MAX, tunetest.WND_MAX)
    neg = tunetest._parse_request(b"KCPDESK-TUNE 1 UP -5 -5 -5\n")
    assert neg == ("UP", 0, 0.0, 0)


def test_tune_convs_are_tagged_and_random() -> None:
    convs = {tunetest.new_tune_conv() for _ in range(50)}
    assert all(tunetest.is_tune_conv(c) for c in convs) and len(convs) > 40
    assert not tunetest.is_tune_conv(0x12345678)
