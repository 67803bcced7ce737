"""The corpus summary: medians per (path, size, direction, variant) and the Markdown table with
the issue 11 ratios (default / max(go, rules), capacity fraction, wire overhead, TCP share)."""

from __future__ import annotations

import statistics
from typing import Any

GOOD = ("ok", "capped")
METRICS = (
    "goodput_mbps",
    "capacity_fraction",
    "wire_per_payload",
    "competitor_mbps",
    "competitor_share",
    "rtt_median_ms",
    "rtt_p99_ms",
    "cpu_s",
)


def _median(values: list[Any]) -> float | None:
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def summarize(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (path, size, direction, variant): medians over the good runs."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in records:
        key = (r["path"], r["size_mb"], r["direction"], r["variant"])
        groups.setdefault(key, []).append(r)
    out = []
    for (path, size, direction, variant), rs in groups.items():
        good = [r for r in rs if r.get("status") in GOOD]
        row: dict[str, Any] = {
            "path": path,
            "size_mb": size,
            "direction": direction,
            "variant": variant,
            "runs": len(rs),
            "good": len(good),
            "capped": sum(r.get("status") == "capped" for r in rs),
        }
        for m in METRICS:
            row[m] = _median([r.get(m) for r in good])
        row["goodput_all"] = [r.get("goodput_mbps") for r in good]
        row["window_s"] = next((r["window_s"] for r in rs if "window_s" in r), None)
        out.append(row)
    return out


def verdicts(summary: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (path, size, direction): every variant's median and the issue's ratios."""
    cells: dict[tuple[Any, ...], dict[str, dict[str, Any]]] = {}
    for s in summary:
        cells.setdefault((s["path"], s["size_mb"], s["direction"]), {})[s["variant"]] = s
    out = []
    for (path, size, direction), by in cells.items():

        def val(v: str, m: str = "goodput_mbps", by: dict[str, Any] = by) -> float | None:
            return by[v][m] if v in by else None

        row: dict[str, Any] = {
            "path": path,
            "size_mb": size,
            "direction": direction,
            "variants": {v: val(v) for v in by},
        }
        base = max((x for x in (val("go"), val("rules")) if x is not None), default=None)
        for v in ("default", "ours>go"):
            if val(v) is not None and base:
                row[f"{v}/best"] = val(v) / base  # type: ignore[operator]
        row["capacity_fraction"] = val("default", "capacity_fraction")
        row["wire"] = {v: val(v, "wire_per_payload") for v in by}
        row["tcp_share"] = {v: val(v, "competitor_share") for v in by}
        row["rtt"] = {v: (val(v, "rtt_median_ms"), val(v, "rtt_p99_ms")) for v in by}
        row["window_s"] = next((s["window_s"] for s in by.values() if s["window_s"]), None)
        row["failed"] = {
            v: by[v]["runs"] - by[v]["good"] for v in by if by[v]["good"] < by[v]["runs"]
        }
        out.append(row)
    return out


def _f(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def markdown(rows: list[dict[str, Any]], variants: list[str], mark_below: float) -> str:
    """The throughput table; a row is marked when default (or ours>go) < mark_below x best."""
    wire_vs = [v for v in ("default", "rules", "go") if v in variants]
    head = [
        "path",
        "MB (or window)",
        "dir",
        *variants,
        "default/max(go,rules)",
        "ours>go/max",
        "default/capacity",
        f"wire/payload ({'/'.join(wire_vs)})",
        "TCP share",
        "",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        ratio, mixed = r.get("default/best"), r.get("ours>go/best")
        bad = [
            n
            for n, x in (("default", ratio), ("ours>go", mixed))
            if x is not None and x < mark_below
        ]
        share = r["tcp_share"]
        shares = "/".join(f"{v} {share[v]:.2f}" for v in variants if share.get(v) is not None)
        note = f"**below {mark_below}: {', '.join(bad)}**" if bad else ""
        if r["failed"]:
            note += " failed: " + ", ".join(f"{v} x{n}" for v, n in r["failed"].items())
        size = f"{r['window_s']:g} s" if r["window_s"] else f"{r['size_mb']:g}"
        cells = [
            r["path"],
            size,
            r["direction"],
            *(_f(r["variants"].get(v), 2) for v in variants),
            _f(ratio, 2),
            _f(mixed, 2),
            _f(r["capacity_fraction"], 2),
            "/".join(_f(r["wire"].get(v), 3) for v in wire_vs),
            shares or "-",
            note,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def latency_markdown(rows: list[dict[str, Any]], variants: list[str]) -> str:
    """fast3 round trips: median / p99 ms per variant; marked when default's median is more
    than 1 ms above Go's or its p99 above Go's (issue 11's latency target)."""
    head = ["path", *(f"{v} median/p99 ms" for v in variants), ""]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        rtt = r["rtt"]
        note = ""
        d, g = rtt.get("default"), rtt.get("go")
        if d and g and None not in (*d, *g) and (d[0] > g[0] + 1.0 or d[1] > g[1]):
            note = "**default slower than go**"
        cells = [
            r["path"],
            *(f"{_f(rtt[v][0])} / {_f(rtt[v][1])}" if v in rtt else "-" for v in variants),
            note,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
