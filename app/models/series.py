"""Recorded chart series: counter deltas turned into rates, kept in fixed-size numpy rings.

The engine's counters are cumulative (``kcpcore.snmp.Snmp``); charts want rates. A
``StatsRecorder`` is fed one snapshot per sampling tick (the controller's timer, every
``SAMPLE_PERIOD`` s) and keeps, per column, a ring long enough for the longest chart span (1 h).
Memory is fixed up front (``capacity * columns * 8`` bytes, about 1 MB), however long a tunnel
runs, and appending is O(1): no per-packet work, nothing grows.

No Qt here: the recorder is tested on its own, and CSV export works without a window.
"""

from __future__ import annotations

import csv
import io
import math
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

import numpy as np

from kcpcore.snmp import Snmp

SAMPLE_PERIOD: Final = 0.5  # s; twice the 1 Hz minimum, qutebrowser's download rate too
LONGEST_SPAN: Final = 3600.0  # s; the "1 h" chart span
DEFAULT_CAPACITY: Final = int(LONGEST_SPAN / SAMPLE_PERIOD) + 16  # samples
DIAGNOSIS_WINDOW: Final = 5.0  # s of counter deltas the diagnostics look at


@dataclass(frozen=True, slots=True)
class Column:
    """One recorded series."""

    name: str
    """key in the recorder, and the CSV header stem"""
    label: str
    """legend text"""
    unit: str
    """CSV unit suffix and axis unit"""
    counter: str | None = None
    """kcptun SNMP counter whose per-second change this is (None: computed otherwise)"""


COLUMNS: Final[tuple[Column, ...]] = (
    Column("payload_in", "received (payload)", "B/s", "BytesReceived"),
    Column("payload_out", "sent (payload)", "B/s", "BytesSent"),
    Column("wire_in", "received (UDP)", "B/s", "InBytes"),
    Column("wire_out", "sent (UDP)", "B/s", "OutBytes"),
    Column("rtt", "smoothed RTT", "s"),
    Column("rto", "RTO", "s"),
    Column("retrans", "RetransSegs", "1/s", "RetransSegs"),
    Column("fast_retrans", "FastRetransSegs", "1/s", "FastRetransSegs"),
    Column("early_retrans", "EarlyRetransSegs", "1/s", "EarlyRetransSegs"),
    Column("lost", "LostSegs", "1/s", "LostSegs"),
    Column("fec_segs", "FECSegs (parity)", "1/s", "FECParityShards"),
    Column("fec_recovered", "FECRecovered", "1/s", "FECRecovered"),
    Column("fec_errs", "FECErrs", "1/s", "FECErrs"),
    Column("in_pkts", "InPkts", "1/s", "InPkts"),
    Column("out_pkts", "OutPkts", "1/s", "OutPkts"),
    Column("csum_errs", "InCsumErrors", "1/s", "InCsumErrors"),
)
COLUMN_NAMES: Final = tuple(c.name for c in COLUMNS)


class _SessionLike(Protocol):
    @property
    def srtt_ms(self) -> int: ...
    @property
    def rto_ms(self) -> int: ...


class Ring:
    """Fixed-capacity time series: a timestamp ring plus one float64 ring per column."""

    def __init__(self, names: Sequence[str], capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 2:
            raise ValueError("capacity must be at least 2")
        self.capacity = capacity
        self.names = tuple(names)
        self._t = np.zeros(capacity)
        self._cols = {n: np.full(capacity, np.nan) for n in self.names}
        self._head = 0  # next write position
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def append(self, t: float, values: Mapping[str, float]) -> None:
        i = self._head
        self._t[i] = t
        for n, arr in self._cols.items():
            arr[i] = values.get(n, math.nan)
        self._head = (i + 1) % self.capacity
        self._count = min(self._count + 1, self.capacity)

    def _ordered(self, arr: np.ndarray) -> np.ndarray:
        if self._count < self.capacity:
            return arr[: self._count]
        return np.concatenate((arr[self._head :], arr[: self._head]))

    def times(self) -> np.ndarray:
        """Timestamps, oldest first (a copy when the ring has wrapped)."""
        return self._ordered(self._t)

    def column(self, name: str) -> np.ndarray:
        return self._ordered(self._cols[name])

    def since(self, t0: float, names: Iterable[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The samples with ``t >= t0``: what a chart span shows."""
        t = self.times()
        start = int(np.searchsorted(t, t0, side="left"))
        return t[start:], {n: self.column(n)[start:] for n in names}

    def last(self, name: str) -> float:
        if not self._count:
            return math.nan
        return float(self._cols[name][(self._head - 1) % self.capacity])

    def clear(self) -> None:
        self._head = self._count = 0


@dataclass(frozen=True, slots=True)
class Sample:
    """What one sampling tick produced."""

    t: float
    """wall-clock time (Unix seconds), the chart's x"""
    rates: dict[str, float]
    """per-second values by column name"""
    delta: dict[str, int]
    """raw counter changes since the previous tick, by kcptun name"""


class StatsRecorder:
    """Turns successive cumulative snapshots into rate series and a recent-delta window."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.ring = Ring(COLUMN_NAMES, capacity)
        self._prev: Snmp | None = None
        self._prev_mono = 0.0
        self._recent: deque[tuple[float, dict[str, int]]] = deque()
        self.totals = Snmp()
        """the last cumulative snapshot"""

    def reset(self) -> None:
        """Forget the baseline (a restarted engine's counters start again from zero)."""
        self._prev = None
        self._recent.clear()

    def sample(
        self,
        snmp: Snmp,
        sessions: Sequence[_SessionLike] = (),
        *,
        mono: float | None = None,
        wall: float | None = None,
    ) -> Sample | None:
        """Record one snapshot; returns the sample, or None for the first (baseline) call.

        Args:
            snmp: the engine's cumulative counters now.
            sessions: per-session stats (RTT is their mean smoothed RTT; NaN when none).
            mono: monotonic clock for the rate's divisor; ``time.monotonic()`` if None.
            wall: Unix time stamped on the sample; ``time.time()`` if None.
        """
        mono = time.monotonic() if mono is None else mono
        wall = time.time() if wall is None else wall
        prev, self._prev, self.totals = self._prev, snmp.copy(), snmp.copy()
        prev_mono, self._prev_mono = self._prev_mono, mono
        if prev is None or mono <= prev_mono:
            return None
        dt = mono - prev_mono
        delta = snmp.delta(prev)
        rates: dict[str, float] = {
            c.name: max(delta[c.counter], 0) / dt for c in COLUMNS if c.counter is not None
        }
        srtt = [s.srtt_ms for s in sessions if s.srtt_ms > 0]
        rates["rtt"] = sum(srtt) / len(srtt) / 1000 if srtt else math.nan
        rto = [s.rto_ms for s in sessions]
        rates["rto"] = sum(rto) / len(rto) / 1000 if rto else math.nan
        self.ring.append(wall, rates)
        self._recent.append((mono, delta))
        while self._recent and self._recent[0][0] < mono - DIAGNOSIS_WINDOW:
            self._recent.popleft()
        return Sample(wall, rates, delta)

    def window(self) -> tuple[dict[str, int], float]:
        """Summed counter deltas over the last ``DIAGNOSIS_WINDOW`` s, and the seconds covered."""
        total: dict[str, int] = {}
        for _t, d in self._recent:
            for k, v in d.items():
                total[k] = total.get(k, 0) + v
        span = len(self._recent) * SAMPLE_PERIOD if self._recent else 0.0
        if len(self._recent) >= 2:
            span = self._recent[-1][0] - self._recent[0][0] + SAMPLE_PERIOD
        return total, span

    def to_csv(self, out: io.TextIOBase | Any | None = None) -> str:
        """Every recorded sample as CSV (one row per tick, units in the header).

        Writes to ``out`` when given; returns the text either way.
        """
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["unix_time", "iso_time", *(f"{c.name}_{_unit_slug(c.unit)}" for c in COLUMNS)])
        t = self.ring.times()
        cols = [self.ring.column(c.name) for c in COLUMNS]
        for i, ts in enumerate(t):
            iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(ts))
            w.writerow([f"{ts:.3f}", iso, *(_fmt(col[i]) for col in cols)])
        text = buf.getvalue()
        if out is not None:
            out.write(text)
        return text


def _unit_slug(unit: str) -> str:
    return {"B/s": "Bps", "1/s": "per_s", "s": "s"}.get(unit, unit)


def _fmt(v: float) -> str:
    if math.isnan(v):
        return ""
    return f"{v:.6g}"


def decimate_peaks(t: np.ndarray, y: np.ndarray, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """At most about ``2 * buckets`` points that keep every spike: each bucket's min and max.

    A chart ``buckets`` pixels wide cannot show more than a min and a max per pixel column, so
    the 1 h span (7,200 samples) draws as cheaply as 1 min. NaN (no session, no RTT) stays a
    gap unless the bucket also has numbers. Short series come back unchanged.
    """
    n = len(t)
    if buckets < 1 or n <= 2 * buckets:
        return t, y
    size = -(-n // buckets)
    whole = n - n % size
    y2 = y[:whole].reshape(-1, size)
    x = np.repeat(t[:whole:size], 2)
    peaks = np.empty(2 * len(y2))
    peaks[0::2] = np.fmin.reduce(y2, axis=1)
    peaks[1::2] = np.fmax.reduce(y2, axis=1)
    return np.concatenate((x, t[whole:])), np.concatenate((peaks, y[whole:]))
