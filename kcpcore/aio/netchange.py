"""Noticing that the machine slept or its network changed, so a client reconnects at once.

kcptun's sessions are tied to one UDP socket and one source address; the server keys them by
that address and cannot move one to another (no connection migration in the protocol). After
a sleep, a Wi-Fi/LTE switch or a PPPoE renumbering the old session is dead, and a client only
notices through its 15 s stall watch or smux's 30 s keepalive check (users asked for years:
xtaci/kcptun#192, #326, #680; kcptun-libev#10). Three cheap signals end that wait:

* ``ResumeDetector``: the wall clock ran ahead of the monotonic one (Linux and macOS stop the
  monotonic clock while suspended), or a 1 s tick came late (platforms whose monotonic clock
  keeps counting, and a process that was frozen). Pure: fed clock readings, returns the gap.
* ``RouteWatch`` (Linux only): an ``AF_NETLINK``/``NETLINK_ROUTE`` socket subscribed to link,
  address and route changes; any of them is a hint. No polling: the loop wakes on an event.
* ``route_source``: which local address the kernel would now use to reach the server (a UDP
  ``connect`` sends nothing). A session whose socket has another address is dead for sure.

What a client does with each signal is the tunnel's business (``ClientTunnel.reconnect``,
``network_changed``, ``resumed``); ``start_watchers`` wires them to an engine for the CLI. The
desktop app wires its own (``app/netwatch.py``: Qt's QNetworkInformation plus this detector).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import sys
import time
from collections.abc import Callable
from typing import Any, Final, Protocol

__all__ = [
    "RESUME_CHECK_PERIOD",
    "RESUME_JUMP",
    "Reconnectable",
    "ResumeDetector",
    "RouteWatch",
    "route_source",
    "start_watchers",
    "watch_resume",
]

log = logging.getLogger(__name__)

RESUME_CHECK_PERIOD: Final = 1.0  # s between two clock readings
RESUME_JUMP: Final = 5.0  # s of unexplained time between two readings that mean "we slept"

# linux/rtnetlink.h: multicast groups and the message types we treat as "the network changed"
RTMGRP_LINK: Final = 0x1
RTMGRP_IPV4_IFADDR: Final = 0x10
RTMGRP_IPV4_ROUTE: Final = 0x40
RTMGRP_IPV6_IFADDR: Final = 0x100
RTMGRP_IPV6_ROUTE: Final = 0x400
RTM_NAMES: Final = {
    16: "link changed",  # RTM_NEWLINK (up/down state changes come as NEWLINK too)
    17: "link removed",  # RTM_DELLINK
    20: "address added",  # RTM_NEWADDR
    21: "address removed",  # RTM_DELADDR
    24: "route added",  # RTM_NEWROUTE
    25: "route removed",  # RTM_DELROUTE
}
NLMSG_HEADER: Final = struct.Struct("=IHHII")  # len, type, flags, seq, pid (netlink.h nlmsghdr)
NETLINK_READ: Final = 65536  # bytes per recv; a burst of route changes fits a few reads


class ResumeDetector:
    """Tells a resume from sleep (or a frozen process) from two clock readings a period apart.

    Why both clocks: Linux's and macOS's monotonic clock stops while the machine is suspended,
    so after a resume the wall clock is ahead of it by the time slept; where the monotonic
    clock keeps counting (Windows), the tick itself comes late. A wall clock set backwards is
    not a resume and is ignored; one set forwards by more than ``threshold`` is reported like
    a short sleep (harmless: the client then only replaces sessions that stopped working).
    """

    def __init__(
        self,
        *,
        mono: float,
        wall: float,
        period: float = RESUME_CHECK_PERIOD,
        threshold: float = RESUME_JUMP,
    ) -> None:
        self._mono = mono
        self._wall = wall
        self.period = period
        """s the caller waits between two ``observe`` calls"""
        self.threshold = threshold
        """s of unexplained time that count as a resume"""

    def observe(self, mono: float, wall: float) -> float | None:
        """Feed the clocks now; returns the seconds that went missing, None when none did."""
        d_mono, d_wall = mono - self._mono, wall - self._wall
        self._mono, self._wall = mono, wall
        missing = max(d_wall - d_mono, d_mono - self.period)
        if missing >= self.threshold:
            return missing
        return None


async def watch_resume(
    on_resume: Callable[[float], object],
    *,
    period: float = RESUME_CHECK_PERIOD,
    threshold: float = RESUME_JUMP,
    clock: Callable[[], float] = time.monotonic,
    wall: Callable[[], float] = time.time,
) -> None:
    """Call ``on_resume(seconds)`` after each resume, until cancelled."""
    detector = ResumeDetector(mono=clock(), wall=wall(), period=period, threshold=threshold)
    while True:
        await asyncio.sleep(period)
        gap = detector.observe(clock(), wall())
        if gap is not None:
            log.info("the clock jumped %.0f s: resumed from sleep?", gap)
            on_resume(gap)


def route_source(family: int, remote: tuple[Any, ...]) -> str | None:
    """The local address the kernel picks for ``remote`` now; None when there is no route.

    A ``connect`` on a UDP socket only looks the route up: nothing is sent.
    """
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect(remote)
            host: str = s.getsockname()[0]
            return host
    except OSError:
        return None


class RouteWatch:
    """Linux: calls ``on_change(what)`` when a link, address or route changes.

    ``open`` returns None where there is no netlink (not Linux, or a sandbox forbids it) or
    the loop cannot watch a file descriptor (Windows' proactor): the caller carries on with
    the other signals.
    """

    def __init__(
        self,
        sock: socket.socket,
        loop: asyncio.AbstractEventLoop,
        on_change: Callable[[str], object],
    ) -> None:
        self._sock = sock
        self._loop = loop
        self._on_change = on_change
        loop.add_reader(sock.fileno(), self._readable)

    @classmethod
    def open(
        cls, loop: asyncio.AbstractEventLoop, on_change: Callable[[str], object]
    ) -> RouteWatch | None:
        if not sys.platform.startswith("linux") or not hasattr(socket, "AF_NETLINK"):
            return None
        groups = (
            RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE
        ) | RTMGRP_IPV6_ROUTE
        try:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        except OSError as exc:
            log.debug("no route watch: %s", exc)
            return None
        try:
            sock.setblocking(False)
            sock.bind((0, groups))
            return cls(sock, loop, on_change)
        except (OSError, NotImplementedError) as exc:
            log.debug("no route watch: %s", exc)
            sock.close()
            return None

    def _readable(self) -> None:
        kinds: list[str] = []
        try:
            for _ in range(64):  # bounded: the rest waits for the next wake-up
                kinds += message_kinds(self._sock.recv(NETLINK_READ))
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:  # ENOBUFS: we missed some, which still means "it changed"
            log.debug("route watch: %s", exc)
            kinds.append("changes (some missed)")
        if kinds:
            self._on_change("network " + ", ".join(dict.fromkeys(kinds)))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._loop.remove_reader(self._sock.fileno())
        self._sock.close()


def message_kinds(data: bytes) -> list[str]:
    """The change each netlink message in ``data`` reports (unknown types are skipped)."""
    out = []
    off = 0
    while off + NLMSG_HEADER.size <= len(data):
        length, kind, _, _, _ = NLMSG_HEADER.unpack_from(data, off)
        if length < NLMSG_HEADER.size:
            break
        if kind in RTM_NAMES:
            out.append(RTM_NAMES[kind])
        off += (length + 3) & ~3  # NLMSG_ALIGN
    return out


class Reconnectable(Protocol):
    """What the watchers drive: ``kcpcore.aio.engine.Engine``."""

    def reconnect(self, reason: str) -> int: ...

    def network_changed(self, reason: str) -> None: ...

    def resumed(self, slept: float) -> None: ...


def start_watchers(loop: asyncio.AbstractEventLoop, engine: Reconnectable) -> Callable[[], None]:
    """The resume detector and (Linux) the route watch, for a headless client; returns the
    function that stops them."""
    task = loop.create_task(watch_resume(engine.resumed))
    watch = RouteWatch.open(loop, engine.network_changed)
    log.debug("network watch: resume detector%s", " and route watch" if watch else "")

    def stop() -> None:
        task.cancel()
        if watch is not None:
            watch.close()

    return stop
