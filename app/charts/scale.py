"""Axis arithmetic for the charts: round maxima, tick values, SI units, time labels.

No Qt here, so the numbers a user reads off a chart are unit-tested on their own.
"""

from __future__ import annotations

import math
from typing import Final

_SI_UP: Final = ((1e9, "G"), (1e6, "M"), (1e3, "k"))
_SI_DOWN: Final = ((1e-3, "m"), (1e-6, "\u00b5"))
_STEPS: Final = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_top(top: float) -> float:
    """A round axis maximum a little above the data (1, 2, 2.5, 5 x 10^n): tidy labels."""
    if not top > 0 or math.isinf(top):
        return 1.0
    exp = math.floor(math.log10(top * 1.1))
    for m in _STEPS:
        if m * 10.0**exp >= top * 1.1:
            return m * 10.0**exp
    return 10.0 ** (exp + 1)


def y_ticks(top: float) -> list[float]:
    """Evenly spaced values from 0 to ``top`` inclusive, 4 or 5 intervals of a round step."""
    exp = math.floor(math.log10(top)) if top > 0 else 0
    mantissa = round(top / 10**exp, 6)
    parts = 4 if mantissa in (2.0, 10.0) else 5
    return [top * i / parts for i in range(parts + 1)]


def si_unit(top: float, unit: str) -> tuple[float, str]:
    """(divisor, prefixed unit) that shows values up to ``top`` with at most 3 digits.

    Rates and counts get k/M/G (``"B/s"`` -> ``"MB/s"``); seconds only go down
    (``"s"`` -> ``"ms"``).
    """
    if unit == "s":
        if top >= 1:
            return 1.0, unit
        for factor, prefix in _SI_DOWN:
            if top >= factor:
                return factor, prefix + unit
        return 1e-6, "\u00b5s"
    for factor, prefix in _SI_UP:
        if top >= factor:
            return factor, prefix + unit
    return 1.0, unit


def tick_label(value: float, divisor: float) -> str:
    """``2500, 1000`` -> ``"2.5"``: at most 3 significant digits, no trailing zeros."""
    return f"{value / divisor:.3g}"


def x_ticks(span: float) -> list[float]:
    """Offsets (seconds before the newest sample, negative) for the time axis: 4-6 labels."""
    step = next((s for s in (10, 15, 30, 60, 120, 300, 600, 900, 1800) if span / s <= 5), span / 4)
    n = int(span // step)
    return [-step * i for i in range(n, -1, -1)]


def x_label(offset: float, span: float, end: str = "now") -> str:
    """``-30, 60`` -> ``"-30 s"``, ``-300, 300`` -> ``"-5 min"``; 0 is ``end``."""
    if offset == 0:
        return end
    if span >= 300:
        return f"{offset / 60:.0f} min"
    return f"{offset:.0f} s"
