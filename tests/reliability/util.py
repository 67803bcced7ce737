"""Shared pieces of the reliability tests: in-process tunnels (with the demo's impairing UDP
relay, ``app.demo.relay.LossyRelay``, between the ends when asked), hostile datagram builders,
transfers checked by sha256, and memory/task probes.

Everything here binds to 127.0.0.1 only and every wait has a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import gc
import hashlib
import os
import random
import secrets
import socket
import struct
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any, Self

from app.demo.relay import LossyRelay
from kcpcore.aio import tunnel as tunnel_mod
from kcpcore.aio.engine import Engine
from kcpcore.config import TunnelConfig
from kcpcore.crypt import derive_key, new_block_crypt, seal
from kcpcore.fec import DATA_HEADER, TYPE_DATA
from kcpcore.segment import IKCP_CMD_PUSH, pack_segment
from kcpcore.smux import SMUX_HEADER

LOCAL = "127.0.0.1"


# --------------------------------------------------------------------------- payloads


def blob(seed: int, n: int) -> bytes:
    """Seeded incompressible bytes (so snappy cannot hide a corruption)."""
    return random.Random(seed).randbytes(n)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- echo target


class TcpTarget:
    """An asyncio TCP server on a free local port; subclasses say what a connection gets."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None

    async def start(self) -> Self:
        self.server = await asyncio.start_server(self._handle, LOCAL, 0)
        return self

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.sockets[0].getsockname()[1]

    async def _handle(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 2)


class AsyncEcho(TcpTarget):
    """asyncio TCP echo target that honours half-close: echoes until EOF, then sends EOF."""

    def __init__(self) -> None:
        super().__init__()
        self.accepted = 0
        self.open = 0
        self.bytes = 0

    async def _handle(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self.open += 1
        try:
            while data := await r.read(65536):
                self.bytes += len(data)
                w.write(data)
                await w.drain()
            if w.can_write_eof():
                w.write_eof()
        except (ConnectionError, OSError):
            pass
        finally:
            self.open -= 1
            w.close()
            with contextlib.suppress(Exception):
                await w.wait_closed()


# --------------------------------------------------------------------------- transfers


@dataclasses.dataclass
class Result:
    size: int
    received: int
    ok: bool
    error: str = ""
    prefix_ok: bool = True
    """every byte received so far equals the sent stream's prefix (nothing corrupted, even
    when the transfer was cut)"""


class Expect:
    """Checks a received stream against the seeded payload, incrementally."""

    def __init__(self, seed: int, size: int) -> None:
        self._gen = chunks(seed, size)
        self._buf = b""
        self.ok = True
        self.received = 0

    def feed(self, data: bytes) -> bool:
        view = memoryview(data)
        while view and self.ok:
            if not self._buf:
                self._buf = next(self._gen, b"")
                if not self._buf:
                    self.ok = False  # more bytes than were sent
                    break
            n = min(len(view), len(self._buf))
            if view[:n] != self._buf[:n]:
                self.ok = False
            self._buf = self._buf[n:]
            view = view[n:]
            self.received += n
        return self.ok


def chunks(seed: int, size: int, chunk: int = 65536) -> Any:
    """The seeded payload of a transfer, chunk by chunk (never held whole in memory, so RSS
    measurements see the tunnel, not the test's payloads)."""
    for i, off in enumerate(range(0, size, chunk)):
        yield random.Random(seed * 1_000_003 + i).randbytes(min(chunk, size - off))


def expected_sha(seed: int, size: int) -> str:
    h = hashlib.sha256()
    for c in chunks(seed, size):
        h.update(c)
    return h.hexdigest()


async def echo_roundtrip(port: int, size: int, seed: int, *, timeout: float = 60.0) -> Result:
    """Send ``size`` seeded bytes, half-close, read the echo to EOF, compare sha256."""
    sent = hashlib.sha256()
    got = hashlib.sha256()
    expect = Expect(seed, size)
    received = 0
    err = ""
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(LOCAL, port), timeout)
    except (OSError, TimeoutError) as exc:
        return Result(size, 0, False, f"connect: {exc!r}")

    async def writer() -> None:
        for c in chunks(seed, size):
            sent.update(c)
            w.write(c)
            await w.drain()
        w.write_eof()

    async def reader() -> None:
        nonlocal received
        while d := await r.read(65536):
            got.update(d)
            received += len(d)
            expect.feed(d)

    try:
        await asyncio.wait_for(asyncio.gather(writer(), reader()), timeout)
    except (OSError, ConnectionError, TimeoutError) as exc:
        err = f"{exc!r} after {received} of {size} bytes"
    finally:
        w.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(w.wait_closed(), 2)
    ok = not err and received == size and got.hexdigest() == sent.hexdigest()
    if not ok and not err:
        err = f"got {received} of {size} bytes, sha256 {'differs' if received == size else '-'}"
    return Result(size, received, ok, err, expect.ok)


# --------------------------------------------------------------------------- tunnels


def short_keepalive(monkeypatch: Any, timeout: float, interval: float = 1.0) -> None:
    """smux's keepalive timeout is a fixed 30 s in kcptun (no flag); tests of expiry shorten
    it for in-process engines, and say so."""
    real = tunnel_mod.smux_config

    def patched(cfg: TunnelConfig) -> Any:
        return dataclasses.replace(
            real(cfg), keepalive_interval=interval, keepalive_timeout=timeout
        )

    monkeypatch.setattr(tunnel_mod, "smux_config", patched)


@dataclasses.dataclass
class Pair:
    server: Engine
    client: Engine
    echo: AsyncEcho
    relay: LossyRelay | None = None

    @property
    def port(self) -> int:
        return self.client.local_port

    @property
    def server_tunnel(self) -> Any:
        return self.server.tunnel

    @property
    def demux(self) -> Any:
        return self.server.tunnel.demux  # type: ignore[union-attr]


@contextlib.asynccontextmanager
async def engine_pair(
    *, relay: LossyRelay | None = None, client_flags: dict | None = None, **flags: Any
) -> AsyncIterator[Pair]:
    """Echo target + our server + our client in this process; ``relay`` sits between the
    client and the server when given."""
    flags.setdefault("quiet", True)
    echo = await AsyncEcho().start()
    server = Engine(
        TunnelConfig(role="server", listen=f"{LOCAL}:0", target=f"{LOCAL}:{echo.port}", **flags)
    )
    client: Engine | None = None
    try:
        await server.start()
        remote = server.local_port
        if relay is not None:
            relay.upstream = (LOCAL, server.local_port)
            remote = await relay.start()
        cflags = {**flags, **(client_flags or {})}
        client = Engine(
            TunnelConfig(
                role="client", localaddr=f"{LOCAL}:0", remoteaddr=f"{LOCAL}:{remote}", **cflags
            )
        )
        await client.start()
        yield Pair(server, client, echo, relay)
    finally:
        if client is not None:
            await client.stop()
        await server.stop()
        if relay is not None:
            await relay.stop()
        await echo.close()


# --------------------------------------------------------------------------- hostile packets


def kcp_datagram(
    key: str,
    crypt: str,
    conv: int,
    *,
    sn: int = 0,
    data: bytes = b"",
    fec: tuple[int, int] = (10, 3),
    seqid: int = 0,
) -> bytes:
    """One correctly sealed datagram (right key, valid CRC, FEC data framing when ``fec``)
    carrying one KCP PUSH for ``conv``."""
    body = pack_segment(conv, IKCP_CMD_PUSH, 0, 512, 0, sn, 0, data)
    if fec[0] > 0 and fec[1] > 0:
        body = DATA_HEADER.pack(seqid & 0xFFFFFFFF, TYPE_DATA, len(body) + 2) + body
    return seal(block_crypt(key, crypt), body)


@functools.lru_cache(maxsize=16)
def block_crypt(key: str, crypt: str) -> Any:
    return new_block_crypt(crypt, derive_key(key))


def smux_syn(sid: int = 3, version: int = 1) -> bytes:
    return SMUX_HEADER.pack(version, 0, 0, sid)


def random_datagram(rng: random.Random) -> bytes:
    return rng.randbytes(rng.choice((0, 1, 19, 20, 24, 44, rng.randrange(1500))))


# --------------------------------------------------------------------------- probes


def rss_bytes(pid: int | None = None) -> int:
    with open(f"/proc/{pid or 'self'}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def traced_bytes() -> int:
    """Python heap in use (tracemalloc must be running), after a full collection."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def task_count() -> int:
    return len(asyncio.all_tasks())


async def wait_for(cond: Any, timeout: float, step: float = 0.05) -> bool:
    """Poll ``cond()`` until true or ``timeout`` seconds pass."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if cond():
            return True
        await asyncio.sleep(step)
    return bool(cond())


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((LOCAL, 0))
        return s.getsockname()[1]


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOCAL, 0))
        return s.getsockname()[1]


def fresh_key() -> str:
    return secrets.token_hex(12)


def u32(n: int) -> bytes:
    return struct.pack("<I", n & 0xFFFFFFFF)


def env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default
