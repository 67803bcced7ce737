"""Two profiles that listen on the same local port cannot run at once: find which one.

A client listens on TCP (``localaddr``), a server on UDP (``listen``, possibly a port range);
TCP and UDP ports do not collide. An unspecified host (``:1080``, ``0.0.0.0``, ``::``) takes
the port on every address, so it collides with any host on the same port; two specific hosts
collide only when they are the same address (``localhost`` counts as 127.0.0.1).

The editor warns at save (two profiles for two servers may share a local port on purpose and
run one at a time), and Start refuses with the other profile's name while that one runs.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from .config import TunnelConfig, parse_port_range
from .errors import ConfigError
from .profiles import Profile

__all__ = ["LocalEndpoint", "clashing_profile", "local_endpoint"]

_ANY: Final = frozenset({"", "0.0.0.0", "::"})
_ALIASES: Final = {"localhost": "127.0.0.1"}


@dataclass(frozen=True, slots=True)
class LocalEndpoint:
    """What a profile binds on this machine."""

    proto: Literal["tcp", "udp"]
    host: str
    """normalised: "" for every address"""
    first: int
    last: int
    text: str
    """the address as the profile writes it"""

    def overlaps(self, other: LocalEndpoint) -> bool:
        if self.proto != other.proto or self.last < other.first or other.last < self.first:
            return False
        return self.host == "" or other.host == "" or self.host == other.host


def _normal_host(host: str) -> str:
    host = _ALIASES.get(host.lower(), host.lower())
    if host in _ANY:
        return ""
    try:
        return str(ipaddress.ip_address(host.partition("%")[0]))
    except ValueError:
        return host


def local_endpoint(cfg: TunnelConfig) -> LocalEndpoint | None:
    """The local port(s) ``cfg`` binds, or None for port 0 (any free port) or a bad address."""
    text = cfg.localaddr if cfg.role == "client" else cfg.listen
    try:
        ports = parse_port_range(text)
    except ConfigError:
        return None
    if ports.first == 0:
        return None
    proto: Literal["tcp", "udp"] = "tcp" if cfg.role == "client" else "udp"
    return LocalEndpoint(proto, _normal_host(ports.host), ports.first, ports.last, text)


def clashing_profile(cfg: TunnelConfig, others: Iterable[Profile]) -> Profile | None:
    """The first of ``others`` that binds a local port ``cfg`` also binds, or None."""
    mine = local_endpoint(cfg)
    if mine is None:
        return None
    for other in others:
        theirs = local_endpoint(other.config)
        if theirs is not None and mine.overlaps(theirs):
            return other
    return None
