"""Prometheus text exposition of an ``EngineSnapshot`` (``--metrics``).

``prometheus_client`` writes the format (escaping, ``# HELP``/``# TYPE``, ``_total``
suffixes) and its parser reads it back in the tests; kcptun has nothing to scrape (only
SIGUSR1 and a CSV). A custom collector turns one snapshot, taken on the engine's loop at
scrape time, into metric families; nothing is kept between scrapes, so a process with no
scraper pays nothing.

Names: ``kcpdesk_<kcptun counter in snake case>_total`` for every SNMP counter (the HELP text
gives kcptun's name), ``kcpdesk_session_*{conv,worker}`` per live session, its peer address
once in ``kcpdesk_session_info{conv,worker,peer}`` (join on conv; a label fewer on every other
series makes a scrape of 1 000 sessions about a quarter cheaper), and ``kcpdesk_engine_info``.
Per-session series are capped at ``MAX_SESSION_SERIES`` (the busiest by bytes);
``kcpdesk_sessions_unlisted`` says how many were left out, so a server with ten thousand
sessions still answers a scrape in bounded time and size (benchmarks/metrics_scrape.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from ..config import KCPTUN_VERSION
from ..snmp import ATTR_OF
from .stats import EngineSnapshot, SessionSnapshot

__all__ = ["CONTENT_TYPE", "MAX_SESSION_SERIES", "SnapshotCollector", "render"]

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
MAX_SESSION_SERIES: Final = 1000
PREFIX: Final = "kcpdesk"
GAUGE_COUNTERS: Final = frozenset({"MaxConn", "CurrEstab"})  # kcptun's two levels, not counts
SESSION_LABELS: Final = ("conv", "worker")

# (metric suffix, SessionSnapshot attribute, divisor, help, counter?)
_SESSION_SERIES: Final = (
    ("rtt_seconds", "rtt_ms", 1000, "smoothed round-trip time", False),
    ("rto_seconds", "rto_ms", 1000, "retransmission timeout", False),
    ("window_used_segments", "window_used", 1, "segments queued or in flight", False),
    ("peer_window_segments", "peer_window", 1, "peer's advertised free receive window", False),
    ("streams", "streams", 1, "smux streams open", False),
    ("age_seconds", "age_s", 1, "seconds since the session opened", False),
    ("sent_bytes", "bytes_sent", 1, "payload bytes sent", True),
    ("received_bytes", "bytes_received", 1, "payload bytes received in order", True),
    ("retransmits", "retransmits", 1, "segments retransmitted (timeout, fast, early)", True),
    ("fec_recovered", "fec_recovered", 1, "packets rebuilt from FEC parity", True),
)


def _busiest(sessions: list[SessionSnapshot], cap: int) -> list[SessionSnapshot]:
    if len(sessions) <= cap:
        return sessions
    return sorted(sessions, key=lambda s: s.bytes_sent + s.bytes_received, reverse=True)[:cap]


class SnapshotCollector(Collector):
    """Metric families for one snapshot; ``collect`` may run any number of times."""

    def __init__(self, snapshot: EngineSnapshot, *, max_sessions: int = MAX_SESSION_SERIES) -> None:
        self.snapshot = snapshot
        self.max_sessions = max_sessions

    def collect(self) -> Iterator[Metric]:
        yield from self._engine()
        yield from self._snmp()
        yield from self._sessions()

    def _engine(self) -> Iterator[Metric]:
        snap = self.snapshot
        yield InfoMetricFamily(
            f"{PREFIX}_engine",
            "KCP Desk engine identity",
            value={
                "version": snap.version,
                "kcptun_compatible": KCPTUN_VERSION,
                "role": snap.role,
                "crypt": snap.crypt,
                "mode": snap.mode,
                "peer_generation": snap.generation,
            },
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_up", "1 while the tunnel runs", value=1 if snap.running else 0
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_streams_open", "smux streams open", value=snap.streams_open
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_workers", "worker processes configured", value=snap.workers
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_workers_alive", "worker processes running", value=snap.workers_alive
        )
        pids = GaugeMetricFamily(
            f"{PREFIX}_worker_pid", "process id of each live worker", labels=("worker",)
        )
        for index, pid in sorted(snap.worker_pids.items()):
            pids.add_metric((str(index),), pid)
        yield pids
        yield CounterMetricFamily(
            f"{PREFIX}_worker_restarts",
            "worker processes restarted after dying",
            value=snap.worker_restarts,
        )

    def _snmp(self) -> Iterator[Metric]:
        for name, attr in ATTR_OF.items():
            value = self.snapshot.snmp.get(name, 0)
            help_text = f"kcptun SNMP {name}"
            if name in GAUGE_COUNTERS:
                yield GaugeMetricFamily(f"{PREFIX}_{attr}", help_text, value=value)
            else:
                yield CounterMetricFamily(f"{PREFIX}_{attr}", help_text, value=value)

    def _sessions(self) -> Iterator[Metric]:
        sessions = self.snapshot.sessions
        shown = _busiest(sessions, self.max_sessions)
        yield GaugeMetricFamily(f"{PREFIX}_sessions", "live KCP sessions", value=len(sessions))
        yield GaugeMetricFamily(
            f"{PREFIX}_sessions_unlisted",
            f"live sessions beyond the {self.max_sessions} busiest, "
            "which get no per-session series",
            value=len(sessions) - len(shown),
        )
        labels = [(f"{s.conv:08x}", str(s.worker)) for s in shown]
        info = InfoMetricFamily(
            f"{PREFIX}_session", "a live session's peer address", labels=SESSION_LABELS
        )
        for s, label in zip(shown, labels, strict=True):
            info.add_metric(label, {"peer": s.peer})
        yield info
        for suffix, attr, scale, help_text, counter in _SESSION_SERIES:
            family_type = CounterMetricFamily if counter else GaugeMetricFamily
            family = family_type(f"{PREFIX}_session_{suffix}", help_text, labels=SESSION_LABELS)
            for s, label in zip(shown, labels, strict=True):
                family.add_metric(label, getattr(s, attr) / scale)
            yield family


def render(snapshot: EngineSnapshot, *, max_sessions: int = MAX_SESSION_SERIES) -> bytes:
    """The ``/metrics`` body for ``snapshot``."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snapshot, max_sessions=max_sessions))
    return generate_latest(registry)
