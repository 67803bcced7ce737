"""Work around a PySide6 bug that would crash the app after a few minutes of live charts.

PySide6 6.12.0 drops one reference to ``True``/``False`` every time a Python-defined signal is
emitted with a bool argument to a Python slot (found here: 100 emits lower
``sys.getrefcount(True)`` by 100; 6.11.3 is fine). pyqtgraph, which drew the charts until
issue 14, emitted such signals on every ``setXRange``: with four rolling charts the count
reached zero within minutes and CPython aborted with "bool_dealloc: deallocating True or
False". The app's own bool signals (the demo's ``running_changed``...) are rarer but the same.

``pyproject.toml`` excludes 6.12.0. For an environment that has it anyway, ``check()`` detects
the bug with a real emit and, on CPython < 3.12 (3.12+ bools are immortal, so the bug is
harmless there), raises the two singletons' reference counts far out of reach: the statically
allocated ``True``/``False`` are never freed, so the only effect is that the bad decrefs no
longer matter.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Final

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

_PROBE_EMITS: Final = 8
_HEADROOM: Final = 1 << 40  # decrefs; at 1000/s that is 35 years


class _Probe(QObject):
    flag = Signal(bool)


def bool_emit_leaks() -> bool:
    """Whether emitting a bool signal loses references to ``True`` (the 6.12.0 bug)."""
    probe = _Probe()
    probe.flag.connect(lambda _v: None)
    before = sys.getrefcount(True)
    for _ in range(_PROBE_EMITS):
        probe.flag.emit(True)
    return sys.getrefcount(True) < before - _PROBE_EMITS // 2


def check() -> bool:
    """Detect the bug and neutralise it; True if a workaround was applied."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if not bool_emit_leaks():
        return False
    for obj in (True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += _HEADROOM  # ob_refcnt, first field
    import PySide6

    log.warning(
        "PySide6 %s loses references to True/False on signal emits; worked around "
        "(install another PySide6 version to be safe)",
        PySide6.__version__,
    )
    return True
