"""TCP half-close through our client and server: a FIN one way while data still flows back.

kcptun closes both directions when either ends; our tunnel maps an EOF to an smux FIN and a FIN
to ``write_eof``, so request/response protocols that shut down their sending side first (HTTP/1.0
style uploads, ``nc -N``, rsync) keep working our-to-our.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.reliability.util import LOCAL, Expect, chunks, engine_pair

MB = 1 << 20
pytestmark = pytest.mark.timeout(60)


class ReplyAfterEof:
    """Reads the whole request to EOF, *then* answers with ``reply`` seeded bytes and the
    request's sha256 (so the answer flows strictly after the client's FIN)."""

    def __init__(self, reply: int) -> None:
        self.reply = reply
        self.requests: list[str] = []

    async def handle(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        h = hashlib.sha256()
        while d := await r.read(65536):
            h.update(d)
        self.requests.append(h.hexdigest())
        w.write(h.hexdigest().encode())
        for c in chunks(2, self.reply):
            w.write(c)
            await w.drain()
        w.close()


class GreetThenListen:
    """Sends ``greeting`` bytes and its own FIN at once, then keeps reading the upload."""

    def __init__(self, greeting: int) -> None:
        self.greeting = greeting
        self.uploads: list[tuple[int, str]] = []

    async def handle(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        for c in chunks(3, self.greeting):
            w.write(c)
        w.write_eof()
        h, n = hashlib.sha256(), 0
        while d := await r.read(65536):
            h.update(d)
            n += len(d)
        self.uploads.append((n, h.hexdigest()))
        w.close()


@contextlib.asynccontextmanager
async def connection_through_tunnel(
    handler: Any, smuxver: int
) -> AsyncIterator[tuple[Any, asyncio.StreamReader, asyncio.StreamWriter]]:
    """A TCP target served by ``handler``, our client and server in between, one connection."""
    srv = await asyncio.start_server(handler, LOCAL, 0)
    try:
        async with engine_pair(smuxver=smuxver) as p:
            p.server.tunnel.target = f"{LOCAL}:{srv.sockets[0].getsockname()[1]}"
            r, w = await asyncio.open_connection(LOCAL, p.port)
            yield p, r, w
    finally:
        srv.close()


async def send_all(w: asyncio.StreamWriter, seed: int, size: int) -> str:
    """Write ``size`` seeded bytes; returns their sha256."""
    sent = hashlib.sha256()
    for c in chunks(seed, size):
        sent.update(c)
        w.write(c)
        await w.drain()
    return sent.hexdigest()


async def read_to_eof(r: asyncio.StreamReader, seed: int, size: int) -> int:
    """Read until EOF, checking the bytes against ``chunks(seed, size)``; returns the count."""
    expect, total = Expect(seed, size), 0
    while d := await asyncio.wait_for(r.read(65536), 30):
        assert expect.feed(d)
        total += len(d)
    return total


@pytest.mark.parametrize("smuxver", [1, 2])
def test_client_fin_then_server_keeps_sending(run: Any, smuxver: int) -> None:
    async def main() -> None:
        target = ReplyAfterEof(reply=3 * MB)
        async with connection_through_tunnel(target.handle, smuxver) as (_, r, w):
            sent = await send_all(w, 1, 2 * MB)
            w.write_eof()  # our FIN; the answer has not started yet
            digest = await asyncio.wait_for(r.readexactly(64), 30)
            assert digest.decode() == sent
            # ...all of it arrived after our FIN, then EOF
            assert await read_to_eof(r, 2, 3 * MB) == 3 * MB
            w.close()
            assert target.requests == [sent]

    run(main(), 50)


@pytest.mark.parametrize("smuxver", [1, 2])
def test_server_fin_then_client_keeps_sending(run: Any, smuxver: int) -> None:
    async def main() -> None:
        target = GreetThenListen(greeting=1 * MB)
        async with connection_through_tunnel(target.handle, smuxver) as (p, r, w):
            # the target's FIN reached us as EOF...
            assert await read_to_eof(r, 3, 1 * MB) == 1 * MB
            sent = await send_all(w, 4, 3 * MB)  # ...and our direction still carries data
            w.write_eof()
            ok = False
            for _ in range(300):
                if target.uploads:
                    ok = True
                    break
                await asyncio.sleep(0.1)
            assert ok and target.uploads == [(3 * MB, sent)]
            w.close()
            # both directions ended: the stream is gone on both ends
            for _ in range(50):
                if p.client.streams_open == 0 and p.server.streams_open == 0:
                    break
                await asyncio.sleep(0.1)
            assert p.client.streams_open == 0 and p.server.streams_open == 0

    run(main(), 50)
