"""SNMP-style counters, the same set kcp-go 5.6.1 keeps (PROTOCOL.md section 9).

kcp-go keeps one process-global struct; we keep one ``Snmp`` per session and total them, so the
GUI can chart a single tunnel while the CLI still prints kcptun's process-wide view. Counters are
cumulative and never reset; ``delta`` gives per-interval rates for charts.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

# Go struct order (used by the SIGUSR1 dump, `%+v`).
KCPTUN_FIELDS: tuple[str, ...] = (
    "BytesSent", "BytesReceived", "MaxConn", "ActiveOpens", "PassiveOpens", "CurrEstab",
    "InErrs", "InCsumErrors", "KCPInErrors", "InPkts", "OutPkts", "InSegs", "OutSegs",
    "InBytes", "OutBytes", "RetransSegs", "FastRetransSegs", "EarlyRetransSegs", "LostSegs",
    "RepeatSegs", "FECRecovered", "FECErrs", "FECParityShards", "FECShortShards",
)  # fmt: skip

# Column order of kcptun's --snmplog CSV (the FEC columns differ from the struct order).
CSV_FIELDS: tuple[str, ...] = (
    "BytesSent", "BytesReceived", "MaxConn", "ActiveOpens", "PassiveOpens", "CurrEstab",
    "InErrs", "InCsumErrors", "KCPInErrors", "InPkts", "OutPkts", "InSegs", "OutSegs",
    "InBytes", "OutBytes", "RetransSegs", "FastRetransSegs", "EarlyRetransSegs", "LostSegs",
    "RepeatSegs", "FECParityShards", "FECErrs", "FECRecovered", "FECShortShards",
)  # fmt: skip


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if (
            ch.isupper()
            and i
            and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower()))
        ):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


ATTR_OF: dict[str, str] = {name: _snake(name) for name in KCPTUN_FIELDS}


@dataclass(slots=True)
class Snmp:
    """Cumulative counters of one session (or a total of several)."""

    bytes_sent: int = 0
    bytes_received: int = 0
    max_conn: int = 0
    active_opens: int = 0
    passive_opens: int = 0
    curr_estab: int = 0
    in_errs: int = 0
    in_csum_errors: int = 0
    kcp_in_errors: int = 0
    in_pkts: int = 0
    out_pkts: int = 0
    in_segs: int = 0
    out_segs: int = 0
    in_bytes: int = 0
    out_bytes: int = 0
    retrans_segs: int = 0
    fast_retrans_segs: int = 0
    early_retrans_segs: int = 0
    lost_segs: int = 0
    repeat_segs: int = 0
    fec_recovered: int = 0
    fec_errs: int = 0
    fec_parity_shards: int = 0
    fec_short_shards: int = 0

    def copy(self) -> Snmp:
        return Snmp(*(getattr(self, f.name) for f in fields(self)))

    def add(self, other: Snmp) -> None:
        """Accumulate another session's counters (MaxConn and CurrEstab are owned by the caller)."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def delta(self, prev: Snmp) -> dict[str, int]:
        """Per-interval change of every counter, keyed by kcptun name (for rate charts)."""
        return {k: getattr(self, a) - getattr(prev, a) for k, a in ATTR_OF.items()}

    def as_kcptun(self) -> dict[str, int]:
        return {k: getattr(self, a) for k, a in ATTR_OF.items()}

    def go_dump(self) -> str:
        """The text kcptun logs on SIGUSR1: Go's ``%+v`` of ``*Snmp``."""
        body = " ".join(f"{k}:{getattr(self, a)}" for k, a in ATTR_OF.items())
        return "&{" + body + "}"

    def csv_header(self) -> str:
        return "Unix," + ",".join(CSV_FIELDS)

    def csv_row(self, unix: int) -> str:
        return f"{unix}," + ",".join(str(getattr(self, ATTR_OF[k])) for k in CSV_FIELDS)
