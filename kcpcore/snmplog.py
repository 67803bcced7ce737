"""Reading kcptun's ``--snmplog`` CSV back: the counters on every platform, without SIGUSR1.

kcptun dumps its counters to the log on SIGUSR1, which Windows does not have. The snmplog (a
CSV row every ``--snmpperiod`` seconds, in a file named by a Go time layout) works everywhere;
``kcpdesk snmp PATTERN`` prints its newest row in the SIGUSR1 line's format.
"""

from __future__ import annotations

import csv
import glob
import os
from datetime import datetime

from .errors import ConfigError
from .gotime import snmp_log_path
from .snmp import ATTR_OF, CSV_FIELDS, Snmp

__all__ = ["latest_row", "log_file"]


def log_file(pattern: str, now: datetime | None = None) -> str:
    """The file ``pattern`` names now (``snmp-20060102.csv`` is today's); failing that, the
    newest existing file the pattern could have named (the day rolled over, a plain name).

    Raises:
        ConfigError: no such file.
    """
    path = snmp_log_path(pattern, now or datetime.now())
    if os.path.isfile(path):
        return path
    head, tail = os.path.split(pattern)
    candidates = glob.glob(os.path.join(head, "".join("?" if c.isdigit() else c for c in tail)))
    files = [f for f in candidates if os.path.isfile(f)]
    if not files:
        raise ConfigError(
            f"no snmplog file at {path} (is a tunnel running with "
            f"--snmplog {pattern} --snmpperiod N?)",
            field="snmplog",
        )
    return max(files, key=os.path.getmtime)


def latest_row(path: str) -> tuple[int, Snmp]:
    """(Unix time, counters) of the last complete row of a snmplog CSV file.

    Raises:
        ConfigError: unreadable, not a snmplog file, or no rows yet.
    """
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror or exc}", field="snmplog") from None
    for row in reversed(rows):
        try:
            values = {ATTR_OF[k]: int(row[k]) for k in CSV_FIELDS}
            return int(row["Unix"]), Snmp(**values)
        except (KeyError, TypeError, ValueError):
            continue  # a row cut short by a writer in mid-line, or a foreign file
    raise ConfigError(f"{path}: no snmplog rows (yet)", field="snmplog")
