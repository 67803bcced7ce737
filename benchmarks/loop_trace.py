"""Where does the Qt thread's time go? Per-event and per-callback timing for ``gui_lag.py --trace``.

The tunnel waits behind whatever the Qt thread does, so a slow event anywhere (a paint pass, a
layout, a sampler's slot, an asyncio callback) is a late datagram. ``EventTimingApp`` overrides
``QApplication.notify`` and times every top-level event (thread CPU and wall), attributing the
nested events it sends (paints, resizes, layout requests) to it; ``time_handles`` does the same
for asyncio callbacks (qasync runs them inside Qt timer events). Both cost a few microseconds an
event, so they are a measuring mode, never on in a plain benchmark run.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

PARENTED = frozenset({"QTimer", "QSocketNotifier", "QWidgetWindow", "QWidget", "QLabel"})
"""receivers named with their parent's class: on their own they say nothing"""
SLOW_MS = 2.0
"""events or callbacks over this much thread CPU are kept one by one"""


@dataclass(slots=True)
class Slow:
    """One event or callback that held the thread for more than ``SLOW_MS`` of CPU."""

    what: str
    cpu_ms: float
    wall_ms: float
    nested: dict[str, float] = field(default_factory=dict)
    """CPU ms of the events it sent, by kind"""


def _name(receiver: QObject, event: QEvent) -> str:
    kind = event.type().name if hasattr(event.type(), "name") else str(int(event.type()))
    try:
        cls = type(receiver).__name__
        name = receiver.objectName()
        parent = receiver.parent()
        if parent is not None and (cls in PARENTED or name.startswith("qt_")):
            cls = f"{cls}<{type(parent).__name__}>"
    except RuntimeError:  # deleted on the C++ side (deleteLater) while its event is delivered
        return f"{kind} (deleted)"
    return f"{kind} {cls}" + (f"#{name}" if name else "")


class EventTimingApp(QApplication):
    """A ``QApplication`` that times every event it delivers (see the module docstring)."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.recording = False
        self.regions = False
        """name nested paint events with their rectangle (what was dirty)"""
        self.totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        """kind -> [count, CPU ms] of top-level events"""
        self.slow: list[Slow] = []
        self._stack: list[dict[str, float]] = []

    def notify(self, receiver: QObject, event: QEvent) -> bool:
        if not self.recording:
            return super().notify(receiver, event)
        t0, w0 = time.thread_time(), time.perf_counter()
        self._stack.append({})
        try:
            return super().notify(receiver, event)
        finally:
            nested = self._stack.pop()
            cpu = (time.thread_time() - t0) * 1000
            what = _name(receiver, event) if receiver is not None else "?"
            if self._stack:  # nested: counts towards its sender
                if self.regions and event.type() == QEvent.Type.Paint:
                    r = event.rect()  # type: ignore[attr-defined]
                    what += f" {r.width()}x{r.height()}+{r.x()}+{r.y()}"
                self._stack[-1][what] = self._stack[-1].get(what, 0.0) + cpu
            else:
                total = self.totals[what]
                total[0] += 1
                total[1] += cpu
                if cpu > SLOW_MS:
                    wall = (time.perf_counter() - w0) * 1000
                    self.slow.append(Slow(what, cpu, wall, nested))

    def add_callback(self, what: str, cpu: float, wall: float) -> None:
        """An asyncio callback's time (it also shows inside the Timer event that ran it)."""
        if cpu > SLOW_MS:
            self.slow.append(Slow(f"callback {what}", cpu, wall))

    def report(self, top: int = 25) -> dict[str, object]:
        """The kinds of slow events/callbacks, most frequent first, and the costliest kinds."""
        by_kind: dict[str, list[float]] = defaultdict(list)
        for s in self.slow:
            by_kind[s.what].append(s.cpu_ms)
        slow = sorted(by_kind.items(), key=lambda kv: -len(kv[1]))[:top]
        worst = sorted(self.slow, key=lambda s: -s.cpu_ms)[:top]
        for s in sorted((s for s in self.slow if s.nested), key=lambda s: -s.cpu_ms)[:top]:
            if s not in worst:
                worst.append(s)  # the worst events that sent others (paint passes) too
        costly = sorted(self.totals.items(), key=lambda kv: -kv[1][1])[:top]
        return {
            "slow_kinds": [
                {"what": k, "n": len(v), "max_cpu_ms": round(max(v), 2)} for k, v in slow
            ],
            "worst": [
                {
                    "what": s.what,
                    "cpu_ms": round(s.cpu_ms, 2),
                    "wall_ms": round(s.wall_ms, 2),
                    "nested": {k: round(v, 2) for k, v in sorted(s.nested.items(), key=_by_cost)},
                }
                for s in worst
            ],
            "total_cpu": [{"what": k, "n": int(v[0]), "cpu_ms": round(v[1], 1)} for k, v in costly],
        }


def _by_cost(kv: tuple[str, float]) -> float:
    return -kv[1]


def time_methods(app: EventTimingApp, methods: list[tuple[type, str]]) -> None:
    """Time these Python methods too; their CPU shows in the event that ran them (as
    ``py Class.method``), so a slow paint pass says which Python part of it was slow."""
    for cls, name in methods:
        original = getattr(cls, name)
        label = f"py {cls.__name__}.{name}"

        def timed(*args: Any, _f: Any = original, _label: str = label, **kwargs: Any) -> Any:
            if not app.recording or not app._stack:
                return _f(*args, **kwargs)
            t0 = time.thread_time()
            try:
                return _f(*args, **kwargs)
            finally:
                nested = app._stack[0]
                nested[_label] = nested.get(_label, 0.0) + (time.thread_time() - t0) * 1000

        setattr(cls, name, timed)


def time_handles(app: EventTimingApp) -> Callable[[], None]:
    """Time every asyncio callback (``Handle._run``); returns the undo."""
    original: Any = asyncio.Handle._run

    def _run(handle: asyncio.Handle) -> None:
        if not app.recording:
            original(handle)
            return
        t0, w0 = time.thread_time(), time.perf_counter()
        original(handle)
        cpu = (time.thread_time() - t0) * 1000
        if cpu > SLOW_MS:
            cb = getattr(handle, "_callback", None)
            what = getattr(cb, "__qualname__", None) or repr(cb)
            app.add_callback(what, cpu, (time.perf_counter() - w0) * 1000)

    asyncio.Handle._run = _run  # type: ignore[method-assign]

    def undo() -> None:
        asyncio.Handle._run = original  # type: ignore[method-assign]

    return undo
