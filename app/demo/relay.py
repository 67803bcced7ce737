"""A lossy UDP relay on asyncio: the demo's stand-in for a bad Internet path, and the tests'.

::

    client --UDP--> [relay port] ~~impairments~~> [upstream socket] --UDP--> server
    client <-UDP--- [relay port] <~~impairments~~ [upstream socket] <-UDP--- server

Each client address gets its own upstream socket, so the server sees one peer per client, as it
would through a NAT. Per datagram and direction the relay may lose it, duplicate it, corrupt
1..3 bytes of each copy, hold a copy back (reordering) and delay it (``delay`` plus a uniform
``jitter``). The probabilities and delays are plain attributes read per datagram: the demo's
sliders change them while traffic flows. With ``seed`` the dice are reproducible (a probability
of 0 draws nothing). No Qt; runs on any asyncio loop (``tests/helpers/udprelay.py`` runs one in
a thread for tests whose peers are other processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from kcpcore.aio.tasks import BackgroundTasks

log = logging.getLogger(__name__)

Addr = tuple[Any, ...]
MAX_PENDING: Final = 256  # datagrams held for a client while its upstream socket opens


@dataclass(slots=True)
class RelayStats:
    """Datagrams seen by the relay."""

    up: int = 0
    """client -> server, received"""
    down: int = 0
    """server -> client, received"""
    dropped: int = 0
    """lost on purpose, both directions"""
    forwarded: int = 0
    """copies sent on (or scheduled), both directions; a duplicate counts twice"""
    duplicated: int = 0
    corrupted: int = 0
    reordered: int = 0


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
    """Forwards datagrams between clients and one upstream address, impairing them both ways."""

    def __init__(
        self,
        upstream: tuple[str, int] | None = None,
        *,
        loss: float = 0.0,
        delay: float = 0.0,
        jitter: float = 0.0,
        dup: float = 0.0,
        corrupt: float = 0.0,
        reorder: float = 0.0,
        reorder_delay: float = 0.02,
        host: str = "127.0.0.1",
        seed: int | None = None,
    ) -> None:
        """
        Args:
            upstream: the server's UDP address (may be set on the attribute before ``start``).
            loss: probability of dropping each datagram, per direction (0..1).
            delay: one-way delay in seconds.
            jitter: extra uniform random delay in [0, jitter] seconds (reorders packets).
            dup: probability of sending a datagram twice.
            corrupt: probability that 1..3 bytes of a copy are flipped.
            reorder: probability that a copy is held back by an extra 1 ms..``reorder_delay``.
            reorder_delay: seconds; see ``reorder``.
            host: where the relay listens.
            seed: for a reproducible impairment pattern.
        """
        self.upstream = upstream
        self.loss = loss
        self.delay = delay
        self.jitter = jitter
        self.dup = dup
        self.corrupt = corrupt
        self.reorder = reorder
        self.reorder_delay = reorder_delay
        self.host = host
        self.stats = RelayStats()
        self.upstreams: dict[Addr, asyncio.DatagramTransport | None] = {}
        """client address -> its upstream socket (None while it opens)"""
        self._rng = random.Random(seed)
        self._down: asyncio.DatagramTransport | None = None
        self._pending: dict[Addr, list[bytes]] = {}
        self._tasks = BackgroundTasks()
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def port(self) -> int:
        assert self._down is not None, "relay not started"
        return int(self._down.get_extra_info("sockname")[1])

    @property
    def counts(self) -> dict[str, int]:
        """The stats under the names the reliability tests' figures use."""
        s = self.stats
        return dict(
            to_server=s.up,
            to_client=s.down,
            forwarded=s.forwarded,
            lost=s.dropped,
            duplicated=s.duplicated,
            corrupted=s.corrupted,
            reordered=s.reordered,
        )

    async def start(self, port: int = 0) -> int:
        """Listen for clients; returns the port to give them as the server address."""
        assert self.upstream is not None, "relay has no upstream address"
        self._loop = asyncio.get_running_loop()
        self._down, _ = await self._loop.create_datagram_endpoint(
            lambda: _Downstream(self), local_addr=(self.host, port)
        )
        return self.port

    async def stop(self) -> None:
        self._tasks.cancel()
        for tr in self.upstreams.values():
            if tr is not None:
                tr.close()
        self.upstreams.clear()
        self._pending.clear()
        if self._down is not None:
            self._down.close()
            self._down = None

    def _chance(self, p: float) -> bool:
        return p > 0 and self._rng.random() < p

    def _impair(self, data: bytes, send: Callable[[bytes], None]) -> None:
        """Lose, duplicate, corrupt, reorder and delay one datagram; ``send`` the copies left."""
        assert self._loop is not None
        s, rng = self.stats, self._rng
        if self._chance(self.loss):
            s.dropped += 1
            return
        copies = 2 if self._chance(self.dup) else 1
        s.duplicated += copies - 1
        for _ in range(copies):
            d = data
            if d and self._chance(self.corrupt):
                b = bytearray(d)
                for _ in range(rng.randint(1, 3)):
                    b[rng.randrange(len(b))] ^= 1 + rng.randrange(255)
                d = bytes(b)
                s.corrupted += 1
            wait = self.delay + (rng.uniform(0, self.jitter) if self.jitter > 0 else 0.0)
            if self._chance(self.reorder):
                wait += rng.uniform(0.001, self.reorder_delay)
                s.reordered += 1
            s.forwarded += 1
            if wait <= 0:
                send(d)
            else:
                self._loop.call_later(wait, send, d)

    def _from_client(self, data: bytes, client: Addr) -> None:
        self.stats.up += 1
        if client not in self.upstreams:
            self.upstreams[client] = None
            self._pending[client] = []
            self._tasks.spawn(self._open_upstream(client))
        self._impair(data, lambda d: self._to_server(client, d))

    def _to_server(self, client: Addr, data: bytes) -> None:
        up = self.upstreams.get(client)
        if up is not None:
            _send_quietly(up, data, None)
        elif (pending := self._pending.get(client)) is not None and len(pending) < MAX_PENDING:
            pending.append(data)

    async def _open_upstream(self, client: Addr) -> None:
        assert self._loop is not None
        try:
            up, _ = await self._loop.create_datagram_endpoint(
                lambda: _Upstream(self, client), remote_addr=self.upstream
            )
        except OSError as exc:
            log.warning("relay: cannot reach %s: %s", self.upstream, exc)
            self.upstreams.pop(client, None)
            self._pending.pop(client, None)
            return
        self.upstreams[client] = up
        for data in self._pending.pop(client, []):
            _send_quietly(up, data, None)

    def _from_server(self, data: bytes, client: Addr) -> None:
        self.stats.down += 1
        down = self._down
        if down is not None:
            self._impair(data, lambda d: _send_quietly(down, d, client))


def _send_quietly(transport: asyncio.DatagramTransport, data: bytes, addr: Addr | None) -> None:
    """A delayed send may outlive its socket (relay stopped): drop it, as a dead path would."""
    if transport.is_closing():
        return
    with contextlib.suppress(OSError):
        transport.sendto(data, addr)
