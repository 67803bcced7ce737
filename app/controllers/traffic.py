"""Feeds the traffic totals (``app.models.traffic``) from the tunnels' samples; saves them.

The tunnels already sample their engines' counters every 0.5 s (``TunnelController``); the
meter reads the cumulative figures each time a profile changes and counts what is new since
it last looked. Nothing is counted per packet, and the file is written every
``SAVE_PERIOD`` s while something was counted, and at quit (``flush``): a crash or a kill
loses at most that much.

A restarted engine's counters start from zero again; the controller's ``started_at`` tells
one run from the next, so a restart is never counted as a negative (or double) amount.
The demo's profiles (transient) are not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal

from app.controllers.manager import ProfileManager
from app.models.traffic import FILE_NAME, KINDS, Counts, TrafficBook
from kcpcore.profiles import config_dir

__all__ = ["SAVE_PERIOD", "TrafficMeter"]

SAVE_PERIOD: Final = 60.0  # s between writes while traffic flows
_COUNTERS: Final = {
    "wire_in": "in_bytes",  # kcptun InBytes
    "wire_out": "out_bytes",  # OutBytes
    "payload_in": "bytes_received",  # BytesReceived
    "payload_out": "bytes_sent",  # BytesSent
}


class TrafficMeter(QObject):
    """Per-profile totals, counted from the tunnel controllers' samples."""

    changed = Signal(str)
    """a profile's totals grew"""

    def __init__(
        self,
        manager: ProfileManager,
        *,
        path: Path | None = None,
        today: Callable[[], date] = date.today,
        save_period: float = SAVE_PERIOD,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.manager = manager
        self.book = TrafficBook(path or config_dir() / FILE_NAME, today)
        self._seen: dict[str, tuple[float, tuple[int, ...]]] = {}
        """profile -> (its run's started_at, the cumulative counters last counted)"""
        manager.profile_changed.connect(self.count)
        manager.renamed.connect(self._on_renamed)
        manager.deleted.connect(self._on_deleted)
        self._timer = QTimer(self)
        self._timer.setInterval(int(save_period * 1000))
        self._timer.timeout.connect(self.book.save)
        self._timer.start()

    def count(self, name: str) -> None:
        """Count what ``name``'s tunnel moved since the last look."""
        ctrl = self.manager.controller(name)
        if ctrl is None or self.manager.is_transient(name):
            return
        snap = ctrl.recorder.totals
        now = tuple(int(getattr(snap, _COUNTERS[k])) for k in KINDS)
        epoch, before = self._seen.get(name, (None, None))
        self._seen[name] = (ctrl.started_at, now)
        if epoch != ctrl.started_at or before is None:
            before = (0,) * len(KINDS)  # a new run: its counters started at zero
        delta = {k: max(0, n - b) for k, n, b in zip(KINDS, now, before, strict=True)}
        if any(delta.values()):
            self.book.add(name, delta)
            self.changed.emit(name)

    def totals(self, name: str) -> tuple[Counts, Counts, Counts]:
        """(today, this month, all time)."""
        return self.book.totals(name)

    def flush(self) -> None:
        """Count the latest samples and write the file (quitting)."""
        for name in self.manager.names():
            self.count(name)
        self.book.save()

    def _on_renamed(self, old: str, new: str) -> None:
        self.book.rename(old, new)
        if old in self._seen:
            self._seen[new] = self._seen.pop(old)
        self.changed.emit(new)

    def _on_deleted(self, name: str) -> None:
        self.book.forget(name)
        self._seen.pop(name, None)
