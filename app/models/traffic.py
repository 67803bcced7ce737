"""Traffic totals per profile (today, this month, all time; both directions), kept on disk.

What a user on a metered VPS or phone plan asks: how much did this tunnel move today and
this month. The figures are the UDP bytes on the network (``InBytes``/``OutBytes``: what a
provider bills, FEC parity and retransmissions included); the payload bytes the tunnel's
applications sent and received (``BytesReceived``/``BytesSent``) are kept beside them.

No Qt here: ``app.controllers.traffic.TrafficMeter`` feeds it counter deltas from the
tunnels' samples and calls ``save`` now and then and at quit; this module does the
bookkeeping, the calendar and the file. Days and months are the local calendar's, read from
an injected ``today`` function so tests can cross midnight and month ends. The file is one
small JSON object written atomically (``kcpcore.profiles.atomic_write_text``), so a crash
loses at most the bytes since the last save, never the file.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from kcpcore.profiles import atomic_write_text

log = logging.getLogger(__name__)

__all__ = ["FILE_NAME", "KINDS", "Counts", "Totals", "TrafficBook"]

FILE_NAME: Final = "traffic.json"
FORMAT: Final = 1
KINDS: Final = ("wire_in", "wire_out", "payload_in", "payload_out")
"""UDP bytes received/sent, then payload bytes received/sent"""


@dataclass(slots=True)
class Counts:
    """Bytes of each kind in one period."""

    wire_in: int = 0
    wire_out: int = 0
    payload_in: int = 0
    payload_out: int = 0

    def add(self, delta: Mapping[str, int]) -> None:
        for k in KINDS:
            setattr(self, k, getattr(self, k) + max(0, int(delta.get(k, 0))))

    def to_list(self) -> list[int]:
        return [getattr(self, k) for k in KINDS]

    @classmethod
    def from_list(cls, values: Any) -> Counts:
        if not isinstance(values, list) or len(values) != len(KINDS):
            return cls()
        return cls(*(v if isinstance(v, int) and v >= 0 else 0 for v in values))


@dataclass(slots=True)
class Totals:
    """One profile's totals: all time, plus the day and month they were last counted in."""

    all_time: Counts = field(default_factory=Counts)
    day: str = ""
    """ISO date of ``today`` (YYYY-MM-DD)"""
    today: Counts = field(default_factory=Counts)
    month: str = ""
    """YYYY-MM"""
    this_month: Counts = field(default_factory=Counts)

    def roll(self, now: date) -> None:
        """Start a new day or month when the calendar has moved on since the last count."""
        if self.day != now.isoformat():
            self.day, self.today = now.isoformat(), Counts()
        if self.month != now.strftime("%Y-%m"):
            self.month, self.this_month = now.strftime("%Y-%m"), Counts()

    def to_json(self) -> dict[str, Any]:
        return {
            "all": self.all_time.to_list(),
            "day": self.day,
            "today": self.today.to_list(),
            "month": self.month,
            "this_month": self.this_month.to_list(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> Totals:
        if not isinstance(obj, dict):
            return cls()
        return cls(
            all_time=Counts.from_list(obj.get("all")),
            day=str(obj.get("day", "")),
            today=Counts.from_list(obj.get("today")),
            month=str(obj.get("month", "")),
            this_month=Counts.from_list(obj.get("this_month")),
        )


class TrafficBook:
    """All profiles' totals and the file they live in."""

    def __init__(self, path: Path, today: Callable[[], date] = date.today) -> None:
        self.path = path
        self._today = today
        self._totals: dict[str, Totals] = {}
        self.dirty = False
        """counted since the last save"""
        self.load()

    def load(self) -> None:
        """Read the file; a missing one is an empty book, a damaged one is set aside (and
        logged) so the next save does not silently replace what could still be read by hand."""
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("traffic totals: cannot read %s (%s); starting from zero", self.path, exc)
            self._set_aside()
            return
        profiles = data.get("profiles") if isinstance(data, dict) else None
        if isinstance(profiles, dict):
            self._totals = {str(k): Totals.from_json(v) for k, v in profiles.items()}

    def _set_aside(self) -> None:
        with contextlib.suppress(OSError):
            self.path.replace(self.path.with_name(self.path.name + ".corrupt"))

    def save(self) -> None:
        """Write the file if anything was counted since the last save."""
        if not self.dirty:
            return
        data = {
            "format": FORMAT,
            "profiles": {name: t.to_json() for name, t in sorted(self._totals.items())},
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, json.dumps(data, indent=1) + "\n")
        except OSError as exc:
            log.warning("traffic totals: cannot write %s: %s", self.path, exc)
            return
        self.dirty = False

    def add(self, name: str, delta: Mapping[str, int]) -> None:
        """Count bytes (by kind, see ``KINDS``) for ``name`` in today's and this month's
        periods and all time."""
        if not any(delta.get(k, 0) > 0 for k in KINDS):
            return
        t = self._totals.setdefault(name, Totals())
        t.roll(self._today())
        for counts in (t.all_time, t.today, t.this_month):
            counts.add(delta)
        self.dirty = True

    def totals(self, name: str) -> tuple[Counts, Counts, Counts]:
        """(today, this month, all time) for ``name``; a past day or month reads as zero."""
        t = self._totals.get(name)
        if t is None:
            return Counts(), Counts(), Counts()
        now = self._today()
        today = t.today if t.day == now.isoformat() else Counts()
        month = t.this_month if t.month == now.strftime("%Y-%m") else Counts()
        return today, month, t.all_time

    def rename(self, old: str, new: str) -> None:
        if old in self._totals and old != new:
            self._totals[new] = self._totals.pop(old)
            self.dirty = True

    def forget(self, name: str) -> None:
        if self._totals.pop(name, None) is not None:
            self.dirty = True

    def __iter__(self) -> Iterator[str]:
        return iter(self._totals)
