"""TCP half-close through our client and server: a FIN one way while data still flows back.

kcptun closes both directions when either ends; our tunnel maps an EOF to an smux FIN and a FIN
to ``write_eof``, so request/response protocols that shut down their sending side first (HTTP/1.0
style uploads, ``nc -N``, rsync) keep working our-to-our.
"""

from __future__ import annotations

import asyncio
import hashlib
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


@pytest.mark.parametrize("smuxver", [1, 2])
def test_client_fin_then_server_keeps_sending(run: Any, smuxver: int) -> None:
    async def main() -> None:
        target = ReplyAfterEof(reply=3 * MB)
        srv = await asyncio.start_server(target.handle, LOCAL, 0)
        try:
            async with engine_pair(smuxver=smuxver) as p:
                p.server.tunnel.target = f"{LOCAL}:{srv.sockets[0].getsockname()[1]}"
                r, w = await asyncio.open_connection(LOCAL, p.port)
                sent = hashlib.sha256()
                for c in chunks(1, 2 * MB):
                    sent.update(c)
                    w.write(c)
                    await w.drain()
                w.write_eof()  # our FIN; the answer has not started yet
                digest = await asyncio.wait_for(r.readexactly(64), 30)
                assert digest.decode() == sent.hexdigest()
                expect, total = Expect(2, 3 * MB), 0
                while d := await asyncio.wait_for(r.read(65536), 30):
                    assert expect.feed(d)
                    total += len(d)
                assert total == 3 * MB  # ...all of it arrived after our FIN, then EOF
                w.close()
                assert target.requests == [sent.hexdigest()]
        finally:
            srv.close()

    run(main(), 50)


@pytest.mark.parametrize("smuxver", [1, 2])
def test_server_fin_then_client_keeps_sending(run: Any, smuxver: int) -> None:
    async def main() -> None:
        target = GreetThenListen(greeting=1 * MB)
        srv = await asyncio.start_server(target.handle, LOCAL, 0)
        try:
            async with engine_pair(smuxver=smuxver) as p:
                p.server.tunnel.target = f"{LOCAL}:{srv.sockets[0].getsockname()[1]}"
                r, w = await asyncio.open_connection(LOCAL, p.port)
                expect, total = Expect(3, 1 * MB), 0
                while d := await asyncio.wait_for(r.read(65536), 30):
                    assert expect.feed(d)
                    total += len(d)
                assert total == 1 * MB  # the target's FIN reached us as EOF...
                sent = hashlib.sha256()
                for c in chunks(4, 3 * MB):  # ...and our direction still carries data
                    sent.update(c)
                    w.write(c)
                    await w.drain()
                w.write_eof()
                ok = False
                for _ in range(300):
                    if target.uploads:
                        ok = True
                        break
                    await asyncio.sleep(0.1)
                assert ok and target.uploads == [(3 * MB, sent.hexdigest())]
                w.close()
                # both directions ended: the stream is gone on both ends
                for _ in range(50):
                    if p.client.streams_open == 0 and p.server.streams_open == 0:
                        break
                    await asyncio.sleep(0.1)
                assert p.client.streams_open == 0 and p.server.streams_open == 0
        finally:
            srv.close()

    run(main(), 50)
