"""Process-level options of ``kcpdesk server|client``: log format, metrics endpoint, workers.

These describe how one process runs, not the tunnel: they never go into a profile, a kcptun
JSON file or a share link, so they live here rather than in ``config.FIELD_SPECS``. Each is
defined once, in ``PROCESS_FLAGS``; the CLI turns the rows into flags and ``parse`` checks the
values (every problem is a ``ConfigError``: one line, exit 2).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .config import Role, parse_hostport
from .errors import ConfigError
from .logformat import LOG_FORMATS, LogFormat

__all__ = [
    "PROCESS_FLAGS",
    "ProcessFlag",
    "ProcessOptions",
    "cpu_count",
    "parse",
    "parse_metrics_addr",
    "parse_workers",
    "reuseport_available",
]

MAX_WORKERS: Final = 256
MAX_DRAIN_TIMEOUT: Final = 3600  # s
METRICS_DEFAULT_HOST: Final = "127.0.0.1"  # never expose the counters unless asked to


@dataclass(frozen=True, slots=True)
class ProcessFlag:
    """One process-level flag (string-valued; ``parse`` checks it)."""

    dest: str
    name: str
    help: str
    default: str
    roles: tuple[Role, ...] = ("client", "server")


PROCESS_FLAGS: Final = (
    ProcessFlag(
        "log_format",
        "log-format",
        "KCP Desk only: log line format, text (kcptun's) or json (one object per line)",
        "text",
    ),
    ProcessFlag(
        "metrics",
        "metrics",
        "KCP Desk only: serve Prometheus metrics and /healthz on [HOST:]PORT "
        f"(host {METRICS_DEFAULT_HOST} unless given; off when empty)",
        "",
    ),
    ProcessFlag(
        "workers",
        "workers",
        "KCP Desk only: server processes sharing the UDP port (SO_REUSEPORT); auto = one per core",
        "1",
        roles=("server",),
    ),
    ProcessFlag(
        "netwatch",
        "netwatch",
        "KCP Desk only: on = reconnect at once after a sleep or a network change (a clock "
        "jump; on Linux a link, address or route change) instead of after the 15 s stall "
        "watch; off = only SIGHUP reconnects",
        "on",
        roles=("client",),
    ),
    ProcessFlag(
        "drain_timeout",
        "drain-timeout",
        "KCP Desk only: seconds SIGTERM waits for open streams to finish before closing "
        "them (SIGINT, or a second SIGTERM, stops at once)",
        "10",
    ),
)


@dataclass(frozen=True, slots=True)
class ProcessOptions:
    """The checked process-level options."""

    log_format: LogFormat = "text"
    metrics: tuple[str, int] | None = None
    """(host, port) of the metrics endpoint, None when off"""
    workers: int = 1
    """server processes sharing the UDP port"""
    drain_timeout: float = 10.0
    """seconds SIGTERM waits for open streams"""
    netwatch: bool = True
    """a client reconnects at once after a sleep or network change"""


def cpu_count() -> int:
    """Cores this process may run on (the affinity mask, so containers and taskset count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def reuseport_available() -> bool:
    """Whether UDP sockets here can share a port with the kernel spreading peers over them."""
    if not hasattr(socket, "SO_REUSEPORT"):
        return False
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    except OSError:
        return False
    return True


def parse_workers(value: str) -> int:
    """``auto`` (one per core) or an integer 1..MAX_WORKERS.

    Raises:
        ConfigError: anything else, or more than one worker where SO_REUSEPORT is missing.
    """
    text = value.strip().lower()
    if text == "auto":
        n = cpu_count()
    else:
        try:
            n = int(text, 10)
        except ValueError:
            raise ConfigError(
                f"--workers {value!r}: expected a number of processes (1..{MAX_WORKERS}) or 'auto'",
                field="workers",
            ) from None
        if not 1 <= n <= MAX_WORKERS:
            raise ConfigError(
                f"--workers {n}: must be 1..{MAX_WORKERS} (or 'auto')", field="workers"
            )
    if n > 1 and not reuseport_available():
        raise ConfigError(
            f"--workers {n}: this system has no SO_REUSEPORT for UDP, so "
            "processes cannot share the port; run with --workers 1",
            field="workers",
        )
    return n


def parse_metrics_addr(value: str) -> tuple[str, int] | None:
    """``PORT``, ``:PORT``, ``HOST:PORT`` or ``[V6]:PORT``; empty turns metrics off.

    A bare port or an empty host binds 127.0.0.1: counters and peer addresses are not for
    the whole internet unless the operator writes ``0.0.0.0:PORT``.

    Raises:
        ConfigError: malformed address or port.
    """
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        text = f":{text}"
    try:
        host, port = parse_hostport(text)
    except (ConfigError, ValueError) as exc:
        raise ConfigError(f"--metrics {value!r}: {exc}", field="metrics") from None
    if ":" not in text:
        raise ConfigError(f"--metrics {value!r}: expected [HOST:]PORT", field="metrics")
    return host or METRICS_DEFAULT_HOST, port


def parse(values: Mapping[str, Any], role: Role) -> ProcessOptions:
    """Check the process flags given on a command line (``{dest: str}``).

    Raises:
        ConfigError: a bad value; the message names the flag.
    """
    for flag in PROCESS_FLAGS:
        if flag.dest in values and role not in flag.roles:
            raise ConfigError(
                f"--{flag.name} is for {' and '.join(flag.roles)} only", field=flag.dest
            )
    fmt = str(values.get("log_format", "text")).strip().lower()
    if fmt not in LOG_FORMATS:
        raise ConfigError(
            f"--log-format {fmt!r}: expected {' or '.join(LOG_FORMATS)}", field="log_format"
        )
    log_format: LogFormat = "json" if fmt == "json" else "text"
    drain = str(values.get("drain_timeout", "10")).strip()
    try:
        drain_timeout = float(drain)
    except ValueError:
        drain_timeout = -1.0
    if not 0 <= drain_timeout <= MAX_DRAIN_TIMEOUT:
        raise ConfigError(
            f"--drain-timeout {drain!r}: expected seconds, 0..{MAX_DRAIN_TIMEOUT}",
            field="drain_timeout",
        )
    netwatch = str(values.get("netwatch", "on")).strip().lower()
    if netwatch not in ("on", "off"):
        raise ConfigError(f"--netwatch {netwatch!r}: expected on or off", field="netwatch")
    return ProcessOptions(
        netwatch=netwatch == "on",
        log_format=log_format,
        metrics=parse_metrics_addr(str(values.get("metrics", ""))),
        workers=parse_workers(str(values.get("workers", "1"))),
        drain_timeout=drain_timeout,
    )
