"""A point-in-time picture of an engine: counters, sessions, identity. Plain data.

The metrics endpoint renders it; with ``--workers`` each worker sends its own as JSON to the
supervisor, which merges them (``merge``). Taking one is O(sessions) and runs on the engine's
loop, so it sees a consistent state and never races the tunnel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..snmp import ATTR_OF, Snmp

__all__ = ["EngineSnapshot", "SessionSnapshot", "merge"]


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """One live KCP session as an operator sees it."""

    conv: int
    peer: str
    """remote ``host:port``"""
    rtt_ms: int
    """smoothed round-trip time"""
    rto_ms: int
    """current retransmission timeout"""
    window_used: int
    """segments queued or in flight"""
    peer_window: int
    """peer's advertised free receive window, in segments"""
    streams: int
    """smux streams open now"""
    bytes_sent: int
    """payload bytes this end queued"""
    bytes_received: int
    """payload bytes delivered in order"""
    retransmits: int
    """segments sent again (timeout, fast and early retransmits)"""
    fec_recovered: int
    """packets rebuilt from parity"""
    age_s: float
    """seconds since the session opened"""
    worker: int = 0
    """the worker process (``--workers``) that owns it"""


@dataclass(frozen=True, slots=True)
class EngineSnapshot:
    """Everything the metrics endpoint shows, for one process or merged over workers."""

    version: str
    role: str
    crypt: str
    mode: str
    snmp: dict[str, int]
    """kcptun counter name -> value (``Snmp.as_kcptun``)"""
    sessions: list[SessionSnapshot] = field(default_factory=list)
    streams_open: int = 0
    workers: int = 1
    """worker processes configured"""
    workers_alive: int = 1
    worker_restarts: int = 0
    running: bool = True
    generation: str = ""
    """the peer generation the settings follow (``--peer``, ``kcpcore.generations``)"""
    worker_pids: dict[int, int] = field(default_factory=dict)
    """worker index -> pid of the live worker processes (empty without ``--workers``)"""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> EngineSnapshot:
        sessions = [SessionSnapshot(**s) for s in obj.get("sessions", [])]
        return cls(**{**obj, "sessions": sessions})

    def total(self) -> Snmp:
        """The counters as an ``Snmp`` (for kcptun's SIGUSR1 dump and CSV)."""
        out = Snmp()
        for name, attr in ATTR_OF.items():
            setattr(out, attr, int(self.snmp.get(name, 0)))
        return out


def merge(
    parts: list[EngineSnapshot], *, base: EngineSnapshot, retired: Snmp, workers: int, restarts: int
) -> EngineSnapshot:
    """Sum workers' snapshots; ``retired`` holds the last counters of workers that died.

    MaxConn is the sum of the workers' peaks (an upper bound of the true peak: the workers
    peaked at different times), CurrEstab the sum of live sessions.
    """
    total = retired.copy()
    total.curr_estab = 0
    total.max_conn = retired.max_conn
    sessions: list[SessionSnapshot] = []
    streams = 0
    for part in parts:
        total.add(part.total())
        sessions.extend(part.sessions)
        streams += part.streams_open
    return EngineSnapshot(
        generation=base.generation,
        version=base.version,
        role=base.role,
        crypt=base.crypt,
        mode=base.mode,
        snmp=total.as_kcptun(),
        sessions=sessions,
        streams_open=streams,
        workers=workers,
        workers_alive=len(parts),
        worker_restarts=restarts,
        running=bool(parts),
    )
