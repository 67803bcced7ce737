"""The demo's two ends of application traffic: a TCP echo target and a paced generator.

The generator connects to the tunnel client's local port and writes random-looking bytes at a
set rate (or as fast as the tunnel takes them); the server's target echoes everything back, so
both directions of the tunnel carry data and every chart moves. Payload comes from a fixed
pseudo-random block, so snappy compression cannot shrink it to nothing. No Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Final

log = logging.getLogger(__name__)

CHUNK: Final = 16384  # bytes per write
RECONNECT_DELAY: Final = 1.0  # s; the tunnel may be restarting
_BLOCK: Final = random.Random(0x6B6370).randbytes(1 << 20)  # incompressible, reproducible


class EchoServer:
    """TCP server that sends every byte back (the demo server profile's target)."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.bytes = 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        self._server = await asyncio.start_server(self._serve, host, port)
        return self.port

    @property
    def port(self) -> int:
        assert self._server is not None, "echo server not started"
        return int(self._server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while data := await reader.read(65536):
                self.bytes += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for w in list(self._writers):
            w.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 1.0)
        self._server = None


class TrafficGenerator:
    """Writes to ``host:port`` at ``rate`` bytes/s (None: as fast as possible), reads replies."""

    def __init__(self, host: str, port: int, *, rate: float | None = 1_000_000) -> None:
        self.host = host
        self.port = port
        self.rate = rate
        """bytes per second; may be changed while running"""
        self.sent = 0
        self.received = 0
        self.connected = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run(self) -> None:
        while True:
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError as exc:
                log.debug("traffic: connect %s:%d: %s", self.host, self.port, exc)
                await asyncio.sleep(RECONNECT_DELAY)
                continue
            self.connected = True
            reading = asyncio.ensure_future(self._read(reader))
            try:
                await self._write(writer)
            except (ConnectionError, OSError) as exc:
                log.debug("traffic: %s", exc)
            finally:
                self.connected = False
                reading.cancel()
                writer.close()
            await asyncio.sleep(RECONNECT_DELAY)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                self.received += len(data)

    async def _write(self, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        offset = 0
        credit = 0.0
        last = loop.time()
        while not writer.is_closing():
            rate = self.rate
            if rate is not None:
                now = loop.time()
                credit = min(credit + (now - last) * rate, rate * 0.25 + CHUNK)
                last = now
                if credit < CHUNK:
                    await asyncio.sleep(max((CHUNK - credit) / rate, 0.005))
                    continue
                credit -= CHUNK
            chunk = _BLOCK[offset : offset + CHUNK]
            offset = (offset + CHUNK) % (len(_BLOCK) - CHUNK)
            writer.write(chunk)
            self.sent += len(chunk)
            await writer.drain()
