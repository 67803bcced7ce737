"""Human-readable numbers for labels (the charts' axes use ``app.charts.scale``)."""

from __future__ import annotations

import math

_PREFIXES = ("", "k", "M", "G", "T")


def si(value: float, unit: str, digits: int = 3) -> str:
    """``1234567, "B/s"`` -> ``"1.23 MB/s"``: decimal SI prefixes, as network rates use."""
    if value is None or math.isnan(value):
        return "-"
    v, i = float(value), 0
    while abs(v) >= 999.5 and i < len(_PREFIXES) - 1:
        v /= 1000
        i += 1
    text = f"{v:.{digits}g}" if i else f"{v:.0f}"
    return f"{text} {_PREFIXES[i]}{unit}"


def rate_pair(rx: float, tx: float) -> str:
    """The profile list's rate column: down and up arrows like most transfer UIs."""
    return f"\u2193 {si(rx, 'B/s')}  \u2191 {si(tx, 'B/s')}"


def binary_size(n: int) -> str:
    """``4194304`` -> ``"4 MiB"``: buffer sizes are powers of two in kcptun's defaults."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            v = n / (1 << shift)
            return f"{v:.3g} {unit}"
    return f"{n} B"
