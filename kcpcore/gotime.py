"""Go's ``time.Time.Format`` layout language, for kcptun's ``--snmplog`` file names.

kcptun passes the *file-name part* of ``--snmplog`` through ``time.Now().Format`` (PROTOCOL.md 9),
so ``snmp-20060102.log`` becomes ``snmp-20261124.log``. Go has no escape character: every token
in the name is replaced, including bare digits such as ``1`` (month), ``2`` (day), ``3``, ``4``,
``5`` and ``06``. We reproduce the tokenizer exactly, because a user who copies a kcptun command
line must get the same file.

The token table was checked against the Debian kcptun 20210922 binary (its Go runtime formats
``002``/``__2`` as day of year, and ``,000``/``,999`` as fractional seconds):

=========================== =============================================
token                       meaning
=========================== =============================================
``2006`` / ``06``           year, 4 digits / 2 digits
``January`` / ``Jan``       month name (``Jan`` not followed by a lowercase letter)
``01`` / ``1``              month number, zero-padded / plain
``Monday`` / ``Mon``        weekday name (``Mon`` not followed by a lowercase letter)
``02`` / ``_2`` / ``2``     day, zero-padded / space-padded / plain (``_2006`` is ``_`` + year)
``002`` / ``__2``           day of year, zero-padded / space-padded to 3
``15`` / ``03`` / ``3``     hour 0-23 / 1-12 zero-padded / 1-12
``04`` / ``4``              minute
``05`` / ``5``              second
``PM`` / ``pm``             AM/PM marker
``.000`` ``,000``           fractional second, that many digits (truncated)
``.999`` ``,999``           fractional second, trailing zeros (and a bare separator) dropped
``MST``                     zone abbreviation (``-0700`` style when the zone has none)
``-0700`` ``-07:00`` ``-07`` numeric zone; ``-070000``/``-07:00:00`` with seconds
``Z0700`` ``Z07:00`` ``Z07`` the same, but ``Z`` at UTC (also ``Z070000``, ``Z07:00:00``)
=========================== =============================================
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

__all__ = ["go_time_format", "snmp_log_path"]

_LONG_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_LONG_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Numeric-zone tokens, longest first (Go checks them in this order).
_NUM_TZ = ("-070000", "-07:00:00", "-0700", "-07:00", "-07")
_ISO_TZ = ("Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07")

_FRAC_MAX_DIGITS = 9  # Go prints at most nanoseconds


def _ascii_lower(c: str) -> bool:
    return c != "" and "a" <= c <= "z"


def _ascii_digit(c: str) -> bool:
    return c != "" and "0" <= c <= "9"


def _next_token(layout: str, i: int) -> tuple[str, int] | None:
    """The layout token starting at ``layout[i]`` and its length, or None for a literal byte."""
    rest = layout[i:]
    c = rest[0]
    if c == "J" and rest.startswith("Jan"):
        if rest.startswith("January"):
            return "January", 7
        if not _ascii_lower(rest[3:4]):
            return "Jan", 3
    elif c == "M":
        if rest.startswith("Mon"):
            if rest.startswith("Monday"):
                return "Monday", 6
            if not _ascii_lower(rest[3:4]):
                return "Mon", 3
        if rest.startswith("MST"):
            return "MST", 3
    elif c == "0":
        if rest[1:2] in ("1", "2", "3", "4", "5", "6"):
            return rest[:2], 2
        if rest.startswith("002"):
            return "002", 3
    elif c == "1":
        return ("15", 2) if rest.startswith("15") else ("1", 1)
    elif c == "2":
        return ("2006", 4) if rest.startswith("2006") else ("2", 1)
    elif c == "_":
        if rest.startswith("_2"):
            # "_2006" is a literal underscore followed by the year
            return None if rest.startswith("_2006") else ("_2", 2)
        if rest.startswith("__2"):
            return "__2", 3
    elif c in "345":
        return c, 1
    elif c == "P" and rest.startswith("PM"):
        return "PM", 2
    elif c == "p" and rest.startswith("pm"):
        return "pm", 2
    elif c == "-":
        for tok in _NUM_TZ:
            if rest.startswith(tok):
                return tok, len(tok)
    elif c == "Z":
        for tok in _ISO_TZ:
            if rest.startswith(tok):
                return tok, len(tok)
    elif c in ".," and rest[1:2] in ("0", "9"):
        digit = rest[1]
        j = 1
        while j < len(rest) and rest[j] == digit:
            j += 1
        if not _ascii_digit(rest[j : j + 1]):  # a run of digits that goes on is not a fraction
            return rest[:j], j
    return None


def _zone(t: datetime) -> tuple[str, int]:
    """(abbreviation, offset in seconds); naive datetimes are local time, as Go's Now() is."""
    aware = t if t.tzinfo is not None and t.utcoffset() is not None else t.astimezone()
    offset = aware.utcoffset() or timedelta(0)
    return aware.tzname() or "", int(offset.total_seconds())


def _format_zone(tok: str, offset: int) -> str:
    if tok[0] == "Z" and offset == 0:
        return "Z"
    sign = "-" if offset < 0 else "+"
    offset = abs(offset)
    hours, minutes, seconds = offset // 3600, offset // 60 % 60, offset % 60
    colon = ":" if ":" in tok else ""
    out = f"{sign}{hours:02d}"
    if tok[1:] != "07":  # the short forms carry hours only
        out += f"{colon}{minutes:02d}"
    if len(tok) in (7, 9):  # -070000, -07:00:00 and their Z forms carry seconds
        out += f"{colon}{seconds:02d}"
    return out


def _format_fraction(tok: str, nanos: int) -> str:
    digits = f"{nanos:09d}"[: min(len(tok) - 1, _FRAC_MAX_DIGITS)]
    if tok[1] == "9":
        digits = digits.rstrip("0")
        if not digits:
            return ""
    return tok[0] + digits


def _format_token(tok: str, t: datetime) -> str:
    hour12 = t.hour % 12 or 12
    yday = t.timetuple().tm_yday
    simple = {
        "2006": f"{t.year:04d}",
        "06": f"{t.year % 100:02d}",
        "January": _LONG_MONTHS[t.month - 1],
        "Jan": _LONG_MONTHS[t.month - 1][:3],
        "01": f"{t.month:02d}",
        "1": str(t.month),
        "Monday": _LONG_DAYS[t.weekday()],
        "Mon": _LONG_DAYS[t.weekday()][:3],
        "02": f"{t.day:02d}",
        "_2": f"{t.day:2d}",
        "2": str(t.day),
        "002": f"{yday:03d}",
        "__2": f"{yday:3d}",
        "15": f"{t.hour:02d}",
        "03": f"{hour12:02d}",
        "3": str(hour12),
        "04": f"{t.minute:02d}",
        "4": str(t.minute),
        "05": f"{t.second:02d}",
        "5": str(t.second),
        "PM": "PM" if t.hour >= 12 else "AM",
        "pm": "pm" if t.hour >= 12 else "am",
    }
    if tok in simple:
        return simple[tok]
    if tok[0] in ".,":
        return _format_fraction(tok, t.microsecond * 1000)
    name, offset = _zone(t)
    if tok == "MST":
        return name or _format_zone("-0700", offset)
    return _format_zone(tok, offset)


def go_time_format(layout: str, t: datetime) -> str:
    """Format ``t`` with a Go time layout, exactly as Go's ``Time.Format`` does.

    Args:
        layout: a Go layout such as ``"snmp-20060102.log"``; text that is not a token is copied.
        t: the time to format. A naive datetime is taken as local time (Go's ``time.Now()``);
            zone tokens use its ``tzname()`` and ``utcoffset()``.
    """
    out: list[str] = []
    i = 0
    n = len(layout)
    while i < n:
        hit = _next_token(layout, i)
        if hit is None:
            out.append(layout[i])
            i += 1
            continue
        tok, length = hit
        out.append(_format_token(tok, t))
        i += length
    return "".join(out)


def snmp_log_path(path: str, t: datetime) -> str:
    """kcptun's ``--snmplog`` target at time ``t``: only the part after the last separator is a
    layout (Go's ``filepath.Split``), so directories named ``2006`` are left alone."""
    seps = "/" + (os.sep if os.sep != "/" else "") + (os.altsep or "")
    cut = max(path.rfind(s) for s in seps) + 1
    return path[:cut] + go_time_format(path[cut:], t)
