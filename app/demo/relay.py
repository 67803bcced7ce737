"""A lossy UDP relay on asyncio: the demo's stand-in for a bad Internet path.

::

    client --UDP--> [relay port] ~~loss, delay, jitter~~> [upstream socket] --UDP--> server
    client <-UDP--- [relay port] <~~loss, delay, jitter~~ [upstream socket] <-UDP--- server

Each client address gets its own upstream socket, so the server sees one peer per client, as it
would through a NAT. ``loss``, ``delay`` and ``jitter`` are plain attributes read per datagram:
the demo's sliders change them while traffic flows. No Qt; runs on any asyncio loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass
from typing import Any, Final

log = logging.getLogger(__name__)

Addr = tuple[Any, ...]
MAX_PENDING: Final = 256  # datagrams held for a client while its upstream socket opens


@dataclass(slots=True)
class RelayStats:
    """Datagrams seen by the relay, per direction."""

    up: int = 0
    """client -> server, received"""
    down: int = 0
    """server -> client, received"""
    dropped: int = 0
    """lost on purpose, both directions"""


class _Downstream(asyncio.DatagramProtocol):
    def __init__(self, relay: LossyRelay) -> None:
        self.relay = relay

    def datagram_received(self, data: bytes, addr: Addr) -> None:
        self.relay._from_client(data, addr)


class _Upstream(asyncio.DatagramProtocol):
    def __init__(self, relay: LossyRelay, client: Addr) -> None:
        self.relay = relay
        self.client = client

    def datagram_received(self, data: bytes, addr: Addr) -> None:
        self.relay._from_server(data, self.client)

    def error_received(self, exc: Exception) -> None:
        pass  # ICMP port unreachable while the server restarts: a real path drops it too


class LossyRelay:
    """Forwards datagrams between clients and one upstream address, losing and delaying some."""

    def __init__(self, upstream: tuple[str, int], *, loss: float = 0.0, delay: float = 0.0,
                 jitter: float = 0.0, host: str = "127.0.0.1", seed: int | None = None) -> None:
        """
        Args:
            upstream: the server's UDP address.
            loss: probability of dropping each datagram, per direction (0..1).
            delay: one-way delay in seconds.
            jitter: extra uniform random delay in [0, jitter] seconds (reorders packets).
            host: where the relay listens.
            seed: for a reproducible loss pattern.
        """
        self.upstream = upstream
        self.loss = loss
        self.delay = delay
        self.jitter = jitter
        self.host = host
        self.stats = RelayStats()
        self._rng = random.Random(seed)
        self._down: asyncio.DatagramTransport | None = None
        self._ups: dict[Addr, asyncio.DatagramTransport | None] = {}
        self._pending: dict[Addr, list[bytes]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def port(self) -> int:
        assert self._down is not None, "relay not started"
        return int(self._down.get_extra_info("sockname")[1])

    async def start(self, port: int = 0) -> int:
        """Listen for clients; returns the port to give them as the server address."""
        self._loop = asyncio.get_running_loop()
        self._down, _ = await self._loop.create_datagram_endpoint(
            lambda: _Downstream(self), local_addr=(self.host, port))
        return self.port

    async def stop(self) -> None:
        for t in list(self._tasks):
            t.cancel()
        for tr in self._ups.values():
            if tr is not None:
                tr.close()
        self._ups.clear()
        if self._down is not None:
            self._down.close()
            self._down = None

    def _lose(self) -> bool:
        return self.loss > 0 and self._rng.random() < self.loss

    def _later(self, transport: asyncio.DatagramTransport, data: bytes,
               addr: Addr | None = None) -> None:
        assert self._loop is not None
        wait = self.delay + (self._rng.uniform(0, self.jitter) if self.jitter > 0 else 0.0)
        if wait <= 0:
            _send_quietly(transport, data, addr)
        else:
            self._loop.call_later(wait, _send_quietly, transport, data, addr)

    def _from_client(self, data: bytes, client: Addr) -> None:
        self.stats.up += 1
        if self._lose():
            self.stats.dropped += 1
            return
        if client not in self._ups:
            self._ups[client] = None
            self._pending[client] = [data]
            task = asyncio.ensure_future(self._open_upstream(client))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        up = self._ups[client]
        if up is None:
            pending = self._pending.setdefault(client, [])
            if len(pending) < MAX_PENDING:
                pending.append(data)
            return
        self._later(up, data)

    async def _open_upstream(self, client: Addr) -> None:
        assert self._loop is not None
        try:
            up, _ = await self._loop.create_datagram_endpoint(
                lambda: _Upstream(self, client), remote_addr=self.upstream)
        except OSError as exc:
            log.warning("relay: cannot reach %s: %s", self.upstream, exc)
            self._ups.pop(client, None)
            self._pending.pop(client, None)
            return
        self._ups[client] = up
        for data in self._pending.pop(client, []):
            self._later(up, data)

    def _from_server(self, data: bytes, client: Addr) -> None:
        self.stats.down += 1
        if self._lose():
            self.stats.dropped += 1
            return
        if self._down is not None:
            self._later(self._down, data, client)


def _send_quietly(transport: asyncio.DatagramTransport, data: bytes, addr: Addr | None) -> None:
    """A delayed send may outlive its socket (relay stopped): drop it, as a dead path would."""
    if transport.is_closing():
        return
    with contextlib.suppress(OSError):
        transport.sendto(data, addr)
