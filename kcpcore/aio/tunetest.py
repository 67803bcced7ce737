"""The active tune test: a bounded bulk transfer between a KCP Desk client and a KCP Desk
server that opted in (``--tuneserve``), measured at both ends.

What the server serves, and to whom (off by default): with ``--tuneserve`` a KCP Desk server
answers KCP sessions whose conv carries ``TUNE_TAG`` in its top 20 bits itself, instead of
forwarding them to its target.
Only a client that holds the key can open such a session (it is encrypted like any other). Each
request sends or receives at most ``BYTES_MAX`` bytes of random data for at most
``SECONDS_MAX`` seconds, may raise that one session's windows up to ``WND_MAX`` (never lower),
and reports the server's own sending figures (segments sent and resent, how often its window
was full). Nothing else is reachable through it.

Against a server without it (Go kcptun, or KCP Desk without the opt-in) the test session's
stream reaches the server's target like any stream: the client waits ``GREETING_WAIT`` seconds
for the service's greeting, sends nothing, closes, and the caller falls back to passive figures.

Wire format inside the stream: the service sends ``GREETING``; the client sends one line
``KCPDESK-TUNE 1 DOWN|UP <bytes> <ms> <wnd>``; data travels as ``u32 length`` + bytes chunks
ended by a zero length; the service ends with ``u32 length`` + a JSON object.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Final

from ..config import TunnelConfig
from ..session import KcpSession
from ..tune.measure import PhaseFigures, Sample, SenderStats, repeats, sender_stats
from .linkstats import sample_for, take_sample
from .tasks import BackgroundTasks

log = logging.getLogger(__name__)

TUNE_TAG: Final = 0x4B445000  # "KDP" in the top 20 bits of conv: a tune test session
TUNE_MASK: Final = 0xFFFFF000
GREETING: Final = b"KCPDESK-TUNE 1\n"
GREETING_WAIT: Final = 3.0  # s
BYTES_MAX: Final = 64 << 20
SECONDS_MAX: Final = 10.0
WND_MAX: Final = 8192
CHUNK: Final = 16384
LOOPBACK_BUF: Final = 65536
QUEUE_AHEAD: Final = 64  # segments
BACKLOG: Final = 128 << 10  # bytes
_U32: Final = struct.Struct(">I")
_RANDOM: Final = os.urandom(1 << 16)  # incompressible: snappy must not flatter the figures


def is_tune_conv(conv: int) -> bool:
    """A tune test session (a Go client picks such a conv by chance once in 2**20 sessions;
    KCP Desk clients never do)."""
    return conv & TUNE_MASK == TUNE_TAG


def new_tune_conv() -> int:
    """A fresh test conv: the server refuses a conv it saw from another address (replay)."""
    return TUNE_TAG | secrets.randbelow(TUNE_MASK ^ 0xFFFFFFFF)


# --- server side ------------------------------------------------------------------------------


class TuneService:
    """The server's opt-in test endpoint: a loopback TCP server the tune sessions' streams are
    piped to (so they reuse the tunnel's stream plumbing unchanged)."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._sessions: dict[int, KcpSession] = {}
        self._tasks = BackgroundTasks()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._tasks.cancel()

    async def connect(
        self, session: KcpSession
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection to the service on behalf of ``session`` (for the tunnel to pipe)."""
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        _small_buffers(writer)
        self._sessions[writer.get_extra_info("sockname")[1]] = session
        return reader, writer

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.track(task)
        _small_buffers(writer)
        try:
            writer.write(GREETING)
            line = await asyncio.wait_for(reader.readline(), 30.0)
            session = self._sessions.pop(writer.get_extra_info("peername")[1], None)
            req = _parse_request(line)
            if req is None or session is None:
                return
            direction, nbytes, seconds, wnd = req
            snd, rcv = session.windows
            windows = {"server_sndwnd": snd, "server_rcvwnd": rcv}
            if wnd:
                session.set_windows(max(wnd, snd), max(wnd, rcv))
            if direction == "DOWN":
                await _serve_down(session, writer, nbytes, seconds, windows)
            else:
                await _serve_up(session, reader, writer, windows)
        except (
            OSError,
            TimeoutError,
            ValueError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ) as exc:  # a bad request ends its stream, nothing else
            log.debug("tune service: %s", exc)
        finally:
            writer.close()


def _small_buffers(writer: asyncio.StreamWriter) -> None:
    """Keep loopback buffers small: data queued there would still be draining through the
    tunnel after the test's time is up (a few MB at a few Mbit/s is seconds)."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, LOOPBACK_BUF)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, LOOPBACK_BUF)
    writer.transport.set_write_buffer_limits(high=LOOPBACK_BUF)


def _parse_request(line: bytes) -> tuple[str, int, float, int] | None:
    parts = line.split()
    if len(parts) != 6 or parts[:2] != [b"KCPDESK-TUNE", b"1"] or parts[2] not in (b"DOWN", b"UP"):
        return None
    try:
        nbytes, ms, wnd = (int(p) for p in parts[3:])
    except ValueError:
        return None
    return (
        parts[2].decode(),
        min(max(nbytes, 0), BYTES_MAX),
        min(max(ms, 0) / 1000.0, SECONDS_MAX),
        min(max(wnd, 0), WND_MAX),
    )


async def _serve_down(
    session: KcpSession,
    writer: asyncio.StreamWriter,
    nbytes: int,
    seconds: float,
    windows: dict[str, int],
) -> None:
    done = asyncio.Event()
    sampler = asyncio.ensure_future(sample_for(lambda: [session], SECONDS_MAX + 5, until=done))
    start = time.monotonic()
    base = session.snmp.bytes_sent
    sent = 0
    while sent < nbytes and time.monotonic() - start < seconds:
        n = min(CHUNK, nbytes - sent)
        off = sent % (len(_RANDOM) - CHUNK)
        writer.write(_U32.pack(n) + _RANDOM[off : off + n])
        sent += n
        await writer.drain()
        await _queue_room([session], sent, base)
    writer.write(_U32.pack(0))
    await writer.drain()
    await _sent_out(session)
    done.set()
    stats = sender_stats(await sampler)
    seconds = time.monotonic() - start
    body = json.dumps({"bytes": sent, "seconds": seconds, **stats.to_json(), **windows})
    writer.write(_U32.pack(len(body)) + body.encode())
    await writer.drain()


async def _queue_room(sessions: list[KcpSession], written: int, base: int) -> None:
    """Write no further ahead than ``BACKLOG`` bytes not yet handed to KCP (loopback socket
    buffers grow to megabytes) and ``QUEUE_AHEAD`` segments waiting in KCP (large windows
    take megabytes at once): otherwise the test runs on long after its time is up."""
    for _ in range(400):  # 2 s at most, then carry on
        taken = sum(s.snmp.bytes_sent for s in sessions) - base
        if written - taken <= BACKLOG and all(
            s.queued() <= QUEUE_AHEAD or s.closed for s in sessions
        ):
            return
        await asyncio.sleep(0.005)


async def _sent_out(session: KcpSession, limit: float = 30.0) -> None:
    """Wait until KCP sent and saw acknowledged what the service wrote (the figures count
    segments, and with large windows most of a transfer sits in KCP's queue at first)."""
    end = time.monotonic() + limit
    empty = 0
    while empty < 2 and time.monotonic() < end and not session.closed:
        empty = empty + 1 if not session.wait_snd() else 0
        await asyncio.sleep(0.05)


async def _serve_up(
    session: KcpSession,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    windows: dict[str, int],
) -> None:
    before = take_sample([session])
    start = time.monotonic()
    got = 0
    while (n := _U32.unpack(await reader.readexactly(4))[0]) and got <= BYTES_MAX + CHUNK:
        got += len(await reader.readexactly(min(n, CHUNK)))
    seconds = time.monotonic() - start
    body = json.dumps(
        {
            "bytes": got,
            "seconds": seconds,
            "repeat_segs": repeats([before, take_sample([session])]),
            **windows,
        }
    )
    writer.write(_U32.pack(len(body)) + body.encode())
    await writer.drain()


# --- client side ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phase:
    """One bounded transfer of the test."""

    direction: str
    """"down" (server to client) or "up\""""
    big_windows: bool
    bytes: int
    seconds: float
    samples: tuple[Sample, ...]
    """the client's sessions during the transfer"""
    sender: SenderStats
    """whoever sent: the server's own figures for downloads, this end's for uploads"""
    server_windows: tuple[int, int] | None = None
    """the server session's (sndwnd, rcvwnd) when the request arrived"""

    @property
    def rate_bps(self) -> float:
        return self.bytes * 8 / self.seconds if self.seconds > 0 else 0.0


class NoTuneService(Exception):
    """The server did not answer the test (not KCP Desk, or --tuneserve is off)."""


async def run_phase(
    tunnel: Any, direction: str, *, seconds: float, byte_cap: int, wnd: int = 0
) -> Phase:
    """One transfer on a new stream of the test tunnel's session.

    Raises:
        NoTuneService: no greeting from the server within ``GREETING_WAIT``.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", tunnel.local_port)
    _small_buffers(writer)
    try:
        try:
            hello = await asyncio.wait_for(reader.readexactly(len(GREETING)), GREETING_WAIT)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            hello = b""
        if hello != GREETING:
            raise NoTuneService(
                "the server did not answer the tune test (Go kcptun, or KCP "
                "Desk without --tuneserve)"
            )
        if wnd:  # this end's half of the large-window phase; the request asks the server
            for session in tunnel.sessions():
                snd, rcv = session.windows
                session.set_windows(max(wnd, snd), max(wnd, rcv))
        ms = int(min(seconds, SECONDS_MAX) * 1000)
        line = f"KCPDESK-TUNE 1 {direction.upper()} {byte_cap} {ms} {wnd}\n"
        writer.write(line.encode())
        transfer = (
            _download(reader)
            if direction == "down"
            else _upload(reader, writer, byte_cap, ms / 1000, tunnel.sessions())
        )
        done = asyncio.Event()
        sampler = asyncio.ensure_future(sample_for(tunnel.sessions, seconds + 30, until=done))
        try:
            nbytes, secs, trailer = await asyncio.wait_for(transfer, seconds + 30)
        finally:
            done.set()
        samples = tuple(await sampler)
        try:
            if direction == "down":
                sender = replace(SenderStats.from_json(trailer), peer_repeats=repeats(samples))
            else:
                sender = replace(
                    sender_stats(samples), peer_repeats=int(trailer.get("repeat_segs", 0))
                )
            windows = (int(trailer.get("server_sndwnd", 0)), int(trailer.get("server_rcvwnd", 0)))
        except (KeyError, TypeError, ValueError):
            raise ConnectionError("tune test: the server's report is malformed") from None
        return Phase(
            direction, bool(wnd), nbytes, secs, samples, sender, windows if all(windows) else None
        )
    finally:
        writer.close()


async def _trailer(reader: asyncio.StreamReader) -> dict[str, Any]:
    n = _U32.unpack(await reader.readexactly(4))[0]
    if n > 65536:
        raise ConnectionError("tune test: oversized report")
    try:
        data = json.loads(await reader.readexactly(n))
    except ValueError:
        raise ConnectionError("tune test: malformed report") from None
    if not isinstance(data, dict):
        raise ConnectionError("tune test: malformed report")
    return data


async def _download(reader: asyncio.StreamReader) -> tuple[int, float, dict[str, Any]]:
    got = 0
    start = last = time.monotonic()
    while n := _U32.unpack(await reader.readexactly(4))[0]:
        if n > CHUNK:
            raise ConnectionError("tune test: oversized chunk")
        if got == 0:
            start = time.monotonic()  # from the first byte: the request's trip is not data
        got += len(await reader.readexactly(n))
        last = time.monotonic()
    trailer = await _trailer(reader)
    return got, max(last - start, 1e-3), trailer


async def _upload(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    cap: int,
    seconds: float,
    sessions: list[KcpSession],
) -> tuple[int, float, dict[str, Any]]:
    start = time.monotonic()
    base = sum(s.snmp.bytes_sent for s in sessions)
    sent = 0
    while sent < cap and time.monotonic() - start < seconds:
        n = min(CHUNK, cap - sent)
        off = sent % (len(_RANDOM) - CHUNK)
        writer.write(_U32.pack(n) + _RANDOM[off : off + n])
        sent += n
        await writer.drain()
        await _queue_room(sessions, sent, base)
    writer.write(_U32.pack(0))
    await writer.drain()
    trailer = await _trailer(reader)
    return (
        int(trailer.get("bytes", sent)),
        float(trailer.get("seconds", 0)) or time.monotonic() - start,
        trailer,
    )


TEST_WINDOW: Final = 4096  # segments asked for in the large-window phases
WARMUP: Final = 0.5  # s


async def run_active_test(
    cfg: TunnelConfig,
    *,
    seconds: float = 3.0,
    byte_cap: int = 32 << 20,
    directions: tuple[str, ...] = ("down", "up"),
    big_window: int = TEST_WINDOW,
    progress: Callable[[str], None] | None = None,
) -> list[PhaseFigures]:
    """Every phase of the test on one test session: each direction at ``cfg``'s windows,
    then each with large windows (raised on both ends for that session only).

    Raises:
        NoTuneService: the server does not offer the test.
    """
    from .tunnel import ClientTunnel

    test_cfg = replace(cfg, localaddr="127.0.0.1:0", conn=1, autoexpire=0, quiet=True, log="")
    tunnel = ClientTunnel(test_cfg, conv=new_tune_conv())
    await tunnel.start()
    phases: list[PhaseFigures] = []
    try:
        # Warm-up, not counted: the first transfer of a session starts from a cold pacer.
        await run_phase(tunnel, directions[0], seconds=WARMUP, byte_cap=byte_cap)
        for wnd in (0, big_window):
            for direction in directions:
                if progress is not None:
                    what = "large windows" if wnd else "current windows"
                    progress(f"{'download' if direction == 'down' else 'upload'}, {what}")
                p = await run_phase(tunnel, direction, seconds=seconds, byte_cap=byte_cap, wnd=wnd)
                phases.append(
                    PhaseFigures(
                        p.direction,
                        p.big_windows,
                        p.rate_bps,
                        p.sender,
                        p.samples,
                        p.server_windows,
                    )
                )
    finally:
        await tunnel.stop()
    return phases
