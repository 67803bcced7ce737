"""The ``--metrics`` HTTP endpoint: ``GET /metrics`` (Prometheus text) and ``GET /healthz``.

It runs on the engine's own event loop (asyncio streams, HTTP/1.0-style one request per
connection) rather than ``prometheus_client``'s threaded server: the snapshot is then taken
between two loop callbacks, never while a session is half-updated, and there is no thread
to stop. Requests are small and bounded (8 KiB of headers, 5 s to send them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Final

from ..errors import ConfigError
from .stats import EngineSnapshot

__all__ = ["MetricsServer"]

log = logging.getLogger("kcpdesk")

REQUEST_TIMEOUT: Final = 5.0  # s for a scraper to send its request
MAX_HEADER_BYTES: Final = 8192

Source = Callable[[], Awaitable[EngineSnapshot]]


class MetricsServer:
    """Serves snapshots from ``source`` (awaited once per request)."""

    def __init__(self, source: Source) -> None:
        self._source = source
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> None:
        """Bind and listen.

        Raises:
            ConfigError: the address cannot be bound (port in use, unknown host...): an
                operator's mistake in ``--metrics``, reported in one line.
        """
        try:
            self._server = await asyncio.start_server(self._handle, host, port, reuse_address=True)
        except (OSError, socket.gaierror) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise ConfigError(
                f"--metrics {_hostport(host, port)}: {why}", field="metrics"
            ) from None
        log.info("metrics on: http://%s/metrics", _hostport(host, self.port))

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1.0)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT)
            status, ctype, body = await self._respond(head)
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            TimeoutError,
            ConnectionError,
        ):
            status, ctype, body = "400 Bad Request", "text/plain", b"bad request\n"
        try:
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _respond(self, head: bytes) -> tuple[str, str, bytes]:
        if len(head) > MAX_HEADER_BYTES:
            return "431 Request Header Fields Too Large", "text/plain", b"too large\n"
        method, _, rest = head.partition(b" ")
        path = rest.partition(b" ")[0].partition(b"?")[0]
        if method not in (b"GET", b"HEAD"):
            return "405 Method Not Allowed", "text/plain", b"GET only\n"
        if path == b"/metrics":
            from .metrics import CONTENT_TYPE, render  # prometheus_client only when scraped

            # rendering costs ~40 us a sample (10 000 samples at 1 000 sessions): a thread
            # keeps the loop, and so every tunnel, running meanwhile
            body = await asyncio.to_thread(render, await self._source())
            return "200 OK", CONTENT_TYPE, body if method == b"GET" else b""
        if path == b"/healthz":
            snap = await self._source()
            if snap.running:
                return "200 OK", "text/plain", b"ok\n"
            return "503 Service Unavailable", "text/plain", b"not running\n"
        return "404 Not Found", "text/plain", b"try /metrics or /healthz\n"


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
