"""Tunnels and plain TCP over an emulated lossy link: goodput, TTFB, wire overhead, CPU, latency.

For every link profile one namespace link is built (``tests/helpers/netlink.py``); on it, in the
same run, each implementation moves N verified MB downstream and/or upstream:

* ``tcp``: direct TCP client ns -> server ns, cubic and (when the kernel has it) bbr;
* ``go``: Debian's kcptun-client + kcptun-server;
* ``ours``: ``python3 -m kcpcore client`` + ``python3 -m kcpcore server``;
* ``ours-go`` / ``go-ours``: mixed pairs, named client-server.

Tunnel command lines come from the ``ENDPOINTS``/``TUNNELS`` tables (``--ours`` replaces our
command), and every tunnel gets the same kcptun flags (``TUNNEL_FLAGS``). The kcptun server runs
in the server namespace in front of a sink/source on 127.0.0.1 there; the load generator in the
client namespace talks to the kcptun client's local port. All traffic stays inside the
namespaces this script creates, and they are torn down on exit, Ctrl-C or SIGTERM.

    sudo python3 benchmarks/linkbench.py --impls tcp,go --profiles 100m-20ms,20m-50ms-10% \\
        --repeat 2 --json out.json
    sudo python3 benchmarks/linkbench.py --latency --impls tcp,go --latency-count 200
    sudo python3 benchmarks/linkbench.py corpus --quick       # issue 11's path corpus

See benchmarks/README.md for what each column means and for measured numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers.netlink import (
    ETH_HLEN,
    REPO_ROOT,
    SERVER_IP,
    Agent,
    EmulatedLink,
    netns_unavailable_reason,
    proc_cpu_seconds,
    stop_process,
    wait_listening,
)

KCP_PORT = 29900  # kcptun's default UDP port, server namespace
LOCAL_PORT = 12948  # kcptun's default client port, 127.0.0.1 in the client namespace
SINK_PORT = 7000  # sink/source behind the kcptun server (127.0.0.1, server namespace)
DIRECT_PORT = 7001  # the same sink/source for direct TCP (SERVER_IP)
KEY = "linkbench"
THROUGHPUT_MODE = "fast2"
LATENCY_MODE = "fast3"
TUNNEL_FLAGS = ("--crypt", "aes", "--ds", "10", "--ps", "3", "--sndwnd", "1024", "--rcvwnd", "1024")
STARTUP_TIMEOUT = 20.0  # s; a tunnel end must be listening by then
ECHO_SIZE = 64  # bytes per request and per response in --latency


@dataclass(frozen=True)
class Profile:
    """One emulated link: netlink.sh syntax; ``size_mb`` is the default payload per run."""

    name: str
    rate: str
    delay: str
    loss: str
    size_mb: float
    """smaller on slow, lossy links so most runs finish inside the cap"""


PROFILES = (
    Profile("unshaped", "none", "0", "0%", 20),
    Profile("100m-20ms", "100mbit", "20ms", "0%", 20),
    Profile("50m-40ms-2%", "50mbit", "40ms", "2%", 10),
    Profile("20m-50ms-10%", "20mbit", "50ms", "10%", 5),
)

# Our tunnel runs on the project's venv (numpy, cryptography) even when this script does not.
_VENV_PYTHON = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "python"
OURS_PYTHON = str(_VENV_PYTHON) if _VENV_PYTHON.exists() else sys.executable
# implementation -> (client argv prefix, server argv prefix); kcptun flags are appended
ENDPOINTS: dict[str, tuple[list[str], list[str]]] = {
    "go": (["kcptun-client"], ["kcptun-server"]),
    "ours": ([OURS_PYTHON, "-m", "kcpcore", "client"], [OURS_PYTHON, "-m", "kcpcore", "server"]),
}
# Variants of ours: their sending flags are spelled out, so the rows mean the same whatever the
# defaults (since 2026-11-25 ours paces and trims parity by default: `ours` = `oursa`).
OUR_VARIANTS: dict[str, tuple[str, ...]] = {
    "ours": (),  # KCP Desk's defaults
    "oursk": ("--pacing=false", "--fecadaptive=false"),  # kcptun's own sending rules
    "oursp": ("--pacing", "--fecadaptive=false"),  # paced, every parity shard
    "oursa": ("--pacing", "--fecadaptive"),  # paced, parity only as loss needs it
}
for _name in OUR_VARIANTS:
    ENDPOINTS[_name] = ENDPOINTS["ours"]
# flags only one implementation gets, after the common ones (KCP Desk extensions)
EXTRA_FLAGS: dict[str, tuple[str, ...]] = {k: v for k, v in OUR_VARIANTS.items() if v}
# tunnel name -> (client implementation, server implementation); in a mixed pair only one
# direction is ours sending: `X-go` up (our client), `go-X` down (our server)
TUNNELS: dict[str, tuple[str, str]] = {"go": ("go", "go")}
for _name in OUR_VARIANTS:
    TUNNELS[_name] = (_name, _name)
    TUNNELS[f"{_name}-go"] = (_name, "go")
    TUNNELS[f"go-{_name}"] = ("go", _name)
TCP_CCS = ("cubic", "bbr")


# --------------------------------------------------------------------------- setup helpers


def available_ccs() -> list[str]:
    """cubic always; bbr if the kernel offers it (after a quiet modprobe attempt)."""
    path = Path("/proc/sys/net/ipv4/tcp_available_congestion_control")
    avail = path.read_text().split()
    if "bbr" not in avail:
        subprocess.run(["modprobe", "tcp_bbr"], capture_output=True, timeout=10, check=False)
        avail = path.read_text().split()
    return [cc for cc in TCP_CCS if cc in avail]


def parse_profiles(spec: str) -> list[Profile]:
    """Names, indices (0-3) or custom ``RATE/DELAY/LOSS[/SIZE_MB]``."""
    out = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        named = [p for p in PROFILES if p.name == item]
        if named:
            out.append(named[0])
        elif item.isdigit() and int(item) < len(PROFILES):
            out.append(PROFILES[int(item)])
        elif item.count("/") in (2, 3):
            parts = item.split("/")
            size = float(parts[3]) if len(parts) == 4 else 10.0
            out.append(Profile(item, parts[0], parts[1], parts[2], size))
        else:
            raise SystemExit(
                f"unknown profile {item!r}; known: "
                f"{', '.join(p.name for p in PROFILES)} or RATE/DELAY/LOSS[/MB]"
            )
    return out


def parse_impls(spec: str, ccs: list[str]) -> list[str]:
    """``tcp`` expands to every available congestion control; ``all`` to everything."""
    out: list[str] = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        if item == "all":
            out += parse_impls(",".join(["tcp", *TUNNELS]), ccs)
        elif item == "tcp":
            out += [f"tcp-{cc}" for cc in ccs]
        elif item.startswith("tcp-"):
            if item[4:] not in ccs:
                raise SystemExit(f"{item}: congestion control not available ({ccs})")
            out.append(item)
        elif item in TUNNELS:
            out.append(item)
        else:
            raise SystemExit(
                f"unknown impl {item!r}; known: tcp, tcp-<cc>, {', '.join(TUNNELS)}, all"
            )
    return list(dict.fromkeys(out))


class Tunnel:
    """One kcptun client + server pair for one measurement (fresh KCP and smux state)."""

    def __init__(
        self, link: EmulatedLink, name: str, *, mode: str, nocomp: bool, log_dir: Path, tag: str
    ) -> None:
        self.link, self.name = link, name
        cli_impl, srv_impl = TUNNELS[name]
        flags = ["--key", KEY, "--mode", mode, *TUNNEL_FLAGS, *(["--nocomp"] if nocomp else [])]
        self.server_argv = [
            *ENDPOINTS[srv_impl][1],
            "-l",
            f"{SERVER_IP}:{KCP_PORT}",
            "-t",
            f"127.0.0.1:{SINK_PORT}",
            *flags,
            *EXTRA_FLAGS.get(srv_impl, ()),
        ]
        self.client_argv = [
            *ENDPOINTS[cli_impl][0],
            "-l",
            f"127.0.0.1:{LOCAL_PORT}",
            "-r",
            f"{SERVER_IP}:{KCP_PORT}",
            *flags,
            *EXTRA_FLAGS.get(cli_impl, ()),
        ]
        self.logs = (log_dir / f"{tag}-server.log", log_dir / f"{tag}-client.log")
        self.procs: list[subprocess.Popen[Any]] = []

    def start(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONDONTWRITEBYTECODE="1")
        for ns, argv, log, port, proto in (
            (self.link.server_ns, self.server_argv, self.logs[0], KCP_PORT, "udp"),
            (self.link.client_ns, self.client_argv, self.logs[1], LOCAL_PORT, "tcp"),
        ):
            with open(log, "wb") as f:
                p = self.link.popen(
                    ns,
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=f,
                    stderr=subprocess.STDOUT,
                    cwd=REPO_ROOT,
                    env=env,
                )
            self.procs.append(p)
            wait_listening(p, port, proto, STARTUP_TIMEOUT)

    def cpu(self) -> float:
        return sum(proc_cpu_seconds(p.pid) for p in self.procs)

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs)

    def stop(self) -> None:
        for p in self.procs:
            stop_process(p)

    def log_tail(self, lines: int = 6) -> str:
        out = []
        for log in self.logs:
            text = log.read_text(errors="replace").splitlines() if log.exists() else []
            out += [f"  {log.name}: {t}" for t in text[-lines:]]
        return "\n".join(out)


def ip_bytes(c0: dict[str, dict[str, int]], c1: dict[str, dict[str, int]]) -> int:
    """IP bytes both hosts put on their veths (lost ones included) between two snapshots."""
    total = 0
    for host in ("client", "server"):
        d_bytes = c1[host]["tx_bytes"] - c0[host]["tx_bytes"]
        d_pkts = c1[host]["tx_packets"] - c0[host]["tx_packets"]
        total += d_bytes - ETH_HLEN * d_pkts
    return total


# --------------------------------------------------------------------------- one measurement


class Bench:
    """Runs the measurements on one link and collects JSON-able run records."""

    def __init__(self, args: argparse.Namespace, log_dir: Path) -> None:
        self.args, self.log_dir = args, log_dir
        self.runs: list[dict[str, Any]] = []
        self.seed = int(time.time()) & 0xFFFFFF

    def run_profile(self, prof: Profile, impls: list[str], combos: list[bool]) -> None:
        a = self.args
        link = EmulatedLink(prof.rate, prof.delay, prof.loss, backend=a.backend)
        with link:
            print(f"# {prof.name}: {link!r}", file=sys.stderr, flush=True)
            srv = link.agent(
                link.server_ns,
                "serve",
                "--tcp",
                f"127.0.0.1:{SINK_PORT}",
                "--tcp",
                f"{SERVER_IP}:{DIRECT_PORT}",
                log=self.log_dir / f"{link.prefix}-serve.log",
            )
            drv = link.agent(link.client_ns, "drive", log=self.log_dir / f"{link.prefix}-drive.log")
            try:
                for rep in range(a.repeat):
                    for impl in impls:
                        for nocomp in combos if not impl.startswith("tcp-") else [True]:
                            for direction in ["rr"] if a.latency else a.directions:
                                rec = self.measure(link, drv, prof, impl, nocomp, direction, rep)
                                self.runs.append(rec)
                                print(_oneline(rec), file=sys.stderr, flush=True)
            finally:
                drv.close()
                srv.close()

    def measure(
        self,
        link: EmulatedLink,
        drv: Agent,
        prof: Profile,
        impl: str,
        nocomp: bool,
        direction: str,
        rep: int,
    ) -> dict[str, Any]:
        a = self.args
        self.seed += 1
        n = int((a.size_mb or prof.size_mb) * 1e6)
        tunnel = None
        rec: dict[str, Any] = {
            "profile": prof.name,
            "rate": prof.rate,
            "delay": prof.delay,
            "loss": prof.loss,
            "impl": impl,
            "comp": "-" if impl.startswith("tcp-") else ("off" if nocomp else "on"),
            "direction": direction,
            "repeat": rep,
            "backend": link.backend,
        }
        try:
            if impl.startswith("tcp-"):
                host, port, cc = SERVER_IP, DIRECT_PORT, impl[4:]
            else:
                host, port, cc = "127.0.0.1", LOCAL_PORT, None
                tunnel = Tunnel(
                    link,
                    impl,
                    mode=LATENCY_MODE if a.latency else THROUGHPUT_MODE,
                    nocomp=nocomp,
                    log_dir=self.log_dir,
                    tag=f"{prof.name.replace('/', '_')}-{impl}-{self.seed}",
                )
                rec["argv"] = {"client": tunnel.client_argv, "server": tunnel.server_argv}
                tunnel.start()
            c0 = link.counters()
            cpu0 = tunnel.cpu() if tunnel else None
            if a.latency:
                r = drv.call(
                    "echo",
                    host=host,
                    port=port,
                    count=a.latency_count,
                    size=ECHO_SIZE,
                    cap=a.cap,
                    cc=cc,
                )
            else:
                r = drv.call(
                    "tcp", host=host, port=port, op=direction, n=n, seed=self.seed, cap=a.cap, cc=cc
                )
            cpu1 = tunnel.cpu() if tunnel else None
            c1 = link.counters()
            if tunnel and not tunnel.alive():
                raise RuntimeError("a tunnel process exited during the run")
            rec.update(self._metrics(r, n, c0, c1, cpu0, cpu1))
        except Exception as e:  # one broken implementation must not end the whole run
            rec["status"] = f"error: {type(e).__name__}: {e}"
            if tunnel:
                rec["log_tail"] = tunnel.log_tail()
        finally:
            if tunnel:
                tunnel.stop()
        return rec

    def _metrics(
        self,
        r: dict[str, Any],
        n: int,
        c0: dict[str, Any],
        c1: dict[str, Any],
        cpu0: float | None,
        cpu1: float | None,
    ) -> dict[str, Any]:
        wire = ip_bytes(c0, c1)
        cpu = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
        if self.args.latency:
            return latency_metrics(r, wire, cpu)
        return goodput_metrics(r, n, wire, cpu)


def latency_metrics(r: dict[str, Any], wire: int, cpu: float | None) -> dict[str, Any]:
    """Round-trip figures of a request/response run (``--latency``)."""
    rtts = sorted(r["rtt_ms"])
    if not rtts:
        return {"status": "error: no round trip completed", "wire_bytes": wire}
    return {
        "status": "ok" if r["complete"] else "capped",
        "round_trips": len(rtts),
        "rtt_median_ms": statistics.median(rtts),
        "rtt_p99_ms": rtts[min(len(rtts) - 1, int(0.99 * len(rtts)))],
        "rtt_max_ms": rtts[-1],
        "wire_bytes": wire,
        "wire_per_round_trip": wire / len(rtts),
        "cpu_s": cpu,
    }


def goodput_metrics(r: dict[str, Any], n: int, wire: int, cpu: float | None) -> dict[str, Any]:
    """Status, verified bytes, goodput and wire bytes per payload byte of one transfer."""
    verified = r["received"] if r.get("ok") else 0
    status = (
        "ok"
        if r.get("complete") and r.get("ok")
        else (
            "capped" if r.get("ok") and verified else "corrupt" if r.get("received") else "failed"
        )
    )
    out: dict[str, Any] = {
        "status": status,
        "payload_bytes": n,
        "verified_bytes": verified,
        "wire_bytes": wire,
        "cpu_s": cpu,
    }
    if verified and r.get("t_last") and r.get("t_first"):
        secs = r["t_last"] - r["t_start"]
        out.update(
            elapsed_s=secs,
            goodput_mbps=verified * 8 / secs / 1e6,
            ttfb_ms=(r["t_first"] - r["t_start"]) * 1e3,
            wire_per_payload=wire / verified,
            cpu_s_per_gb=None if cpu is None else cpu / (verified / 1e9),
        )
    return out


def _oneline(rec: dict[str, Any]) -> str:
    head = f"  {rec['profile']:<13} {rec['impl']:<9} comp={rec['comp']:<3} {rec['direction']:<4}"
    if "goodput_mbps" in rec:
        cpu = rec.get("cpu_s_per_gb")
        return (
            f"{head} {rec['goodput_mbps']:8.2f} Mbit/s  ttfb {rec['ttfb_ms']:6.0f} ms  "
            f"wire x{rec['wire_per_payload']:.3f}  "
            f"cpu {'-' if cpu is None else f'{cpu:.1f}'} s/GB  {rec['status']}"
        )
    if "rtt_median_ms" in rec:
        return (
            f"{head} rtt median {rec['rtt_median_ms']:.1f} ms  p99 {rec['rtt_p99_ms']:.1f} "
            f"ms  n={rec['round_trips']}  {rec['status']}"
        )
    return f"{head} {rec['status']}\n{rec.get('log_tail', '')}".rstrip()


# --------------------------------------------------------------------------- summary

GROUP = ("profile", "impl", "comp", "direction")


def _stat(values: Iterable[float | None]) -> dict[str, float] | None:
    v = [x for x in values if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


def summarize(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in runs:
        groups.setdefault(tuple(r[k] for k in GROUP), []).append(r)
    out = []
    for key, rs in groups.items():
        good = [r for r in rs if r["status"] in ("ok", "capped")]
        row: dict[str, Any] = dict(zip(GROUP, key, strict=True))
        row.update(
            runs=len(rs),
            ok=sum(r["status"] == "ok" for r in rs),
            capped=sum(r["status"] == "capped" for r in rs),
        )
        for m in (
            "goodput_mbps",
            "ttfb_ms",
            "wire_per_payload",
            "cpu_s_per_gb",
            "rtt_median_ms",
            "rtt_p99_ms",
            "wire_per_round_trip",
        ):
            row[m] = _stat(r.get(m) for r in good)
        out.append(row)
    return out


PAYLOAD_PER_WIRE = 1298 / 1378  # kcptun payload per 1350-byte datagram (aes, FEC) + IP/UDP


def payload_capacity(profile: str) -> float | None:
    """Mbit/s of tunnel payload the link can carry once its loss is paid: rate x 1298/1378 x
    (1 - loss). None when unshaped."""
    prof = next((p for p in PROFILES if p.name == profile), None)
    rate, loss = (prof.rate, prof.loss) if prof else [*profile.split("/"), "", ""][0:3:2]
    m = re.fullmatch(r"([\d.]+)([kmg]?)bit", rate.lower())
    if not m:
        return None
    mbit = float(m[1]) * {"k": 1e-3, "m": 1.0, "g": 1e3, "": 1e-6}[m[2]]
    share = float(loss.rstrip("%") or 0) / 100
    return mbit * PAYLOAD_PER_WIRE * (1 - share)


def ratios(summary: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tunnels against the link's payload capacity; ours-involving ones also against go (same
    compression) and each TCP variant."""
    by = {tuple(s[k] for k in GROUP): s for s in summary}
    out = []
    for s in summary:
        if s["impl"].startswith("tcp-"):
            continue
        cap = payload_capacity(s["profile"])
        if cap and s["goodput_mbps"]:
            out.append(
                {
                    "profile": s["profile"],
                    "direction": s["direction"],
                    "comp": s["comp"],
                    "impl": s["impl"],
                    "vs": "capacity",
                    "goodput_mbps": s["goodput_mbps"]["median"] / cap,
                }
            )
        if s["impl"] == "go":
            continue
        bases = [("go", by.get((s["profile"], "go", s["comp"], s["direction"])))]
        bases += [
            (k[1], v)
            for k, v in by.items()
            if k[1].startswith("tcp-") and k[0] == s["profile"] and k[3] == s["direction"]
        ]
        for base_name, base in bases:
            if base is None:
                continue
            row = {
                "profile": s["profile"],
                "direction": s["direction"],
                "comp": s["comp"],
                "impl": s["impl"],
                "vs": base_name,
            }
            for m in ("goodput_mbps", "cpu_s_per_gb", "rtt_median_ms", "rtt_p99_ms"):
                if s[m] and base[m] and base[m]["median"]:
                    row[m] = s[m]["median"] / base[m]["median"]
            if len(row) > 5:
                out.append(row)
    return out


def _fmt(st: dict[str, float] | None, digits: int = 1, spread: bool = True) -> str:
    if not st:
        return "-"
    f = f"{{:.{digits}f}}"
    med = f.format(st["median"])
    if spread and st["n"] > 1:
        return f"{med} [{f.format(st['min'])}-{f.format(st['max'])}]"
    return med


def print_table(summary: list[dict[str, Any]], rat: list[dict[str, Any]], latency: bool) -> None:
    if latency:
        cols = ("profile", "impl", "comp", "RTT median ms", "RTT p99 ms", "wire B/round trip", "ok")
        rows = [
            (
                s["profile"],
                s["impl"],
                s["comp"],
                _fmt(s["rtt_median_ms"]),
                _fmt(s["rtt_p99_ms"]),
                _fmt(s["wire_per_round_trip"], 0, False),
                f"{s['ok']}/{s['runs']}" + (f" ({s['capped']} capped)" if s["capped"] else ""),
            )
            for s in summary
        ]
    else:
        cols = (
            "profile",
            "impl",
            "comp",
            "dir",
            "goodput Mbit/s",
            "TTFB ms",
            "wire/payload",
            "CPU s/GB",
            "ok",
        )
        rows = [
            (
                s["profile"],
                s["impl"],
                s["comp"],
                s["direction"],
                _fmt(s["goodput_mbps"], 2),
                _fmt(s["ttfb_ms"], 0, False),
                _fmt(s["wire_per_payload"], 3, False),
                _fmt(s["cpu_s_per_gb"], 1, False),
                f"{s['ok']}/{s['runs']}" + (f" ({s['capped']} capped)" if s["capped"] else ""),
            )
            for s in summary
        ]
    _print_rows(cols, rows)
    if rat:
        print()
        metrics = ("rtt_median_ms", "rtt_p99_ms") if latency else ("goodput_mbps", "cpu_s_per_gb")
        cols = ("profile", "dir", "comp", "ratio", *metrics)
        rows = [
            (
                r["profile"],
                r["direction"],
                r["comp"],
                f"{r['impl']}/{r['vs']}",
                *(f"{r[m]:.2f}" if m in r else "-" for m in metrics),
            )
            for r in rat
        ]
        _print_rows(cols, rows)


def _print_rows(cols: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [
        max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(cols)
    ]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


# --------------------------------------------------------------------------- main


def _meta(args: argparse.Namespace, ccs: list[str]) -> dict[str, Any]:
    def version(argv: list[str]) -> str:
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
            return (r.stdout or r.stderr).strip().splitlines()[-1]
        except (OSError, subprocess.TimeoutExpired, IndexError):
            return "?"

    return {
        "argv": sys.argv,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "tcp_ccs": ccs,
        "kcptun": version(["kcptun-client", "-v"]),
        "ours": ENDPOINTS["ours"][0],
        "tunnel_flags": list(TUNNEL_FLAGS),
        "mode": LATENCY_MODE if args.latency else THROUGHPUT_MODE,
        "git": version(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"]),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["corpus"]:  # issue 11's path corpus (benchmarks/corpus.py)
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import corpus

        return corpus.main(argv[1:])
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n", 1)[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="profiles: "
        + ", ".join(f"{p.name} ({p.rate} {p.delay} {p.loss}, {p.size_mb:g} MB)" for p in PROFILES),
    )
    ap.add_argument(
        "--profiles",
        default=",".join(p.name for p in PROFILES),
        help="comma list of names, indices or RATE/DELAY/LOSS[/MB]",
    )
    ap.add_argument(
        "--impls",
        default="all",
        help=f"comma list of tcp, tcp-cubic, tcp-bbr, {', '.join(TUNNELS)}, all",
    )
    ap.add_argument("--directions", default="down,up", help="down (server->client), up")
    ap.add_argument("--size-mb", type=float, default=None, help="payload per run (all profiles)")
    ap.add_argument(
        "--cap",
        type=float,
        default=None,
        help="seconds per run before giving up (default 60; 150 with --latency)",
    )
    ap.add_argument("--repeat", type=int, default=1, help="runs per cell; median [min-max]")
    comp = ap.add_mutually_exclusive_group()
    comp.add_argument(
        "--comp",
        choices=("on", "off", "both"),
        default="on",
        help="kcptun compression (off adds --nocomp)",
    )
    comp.add_argument("--nocomp", action="store_const", const="off", dest="comp")
    ap.add_argument(
        "--latency",
        action="store_true",
        help=f"request/response mode: {ECHO_SIZE}-byte round trips, {LATENCY_MODE}",
    )
    ap.add_argument("--latency-count", type=int, default=1000)
    ap.add_argument(
        "--ours",
        default=None,
        help="command that takes 'client|server' + kcptun flags (default: python3 -m kcpcore)",
    )
    ap.add_argument("--backend", choices=("auto", "netem", "lbemu"), default="auto")
    ap.add_argument("--json", type=Path, default=None, help="write runs + summary here")
    ap.add_argument("--keep-logs", type=Path, default=None, help="keep tunnel logs in this dir")
    args = ap.parse_args(argv)
    if args.cap is None:  # 1000 round trips at 100 ms RTT, plus some retransmissions
        args.cap = 150.0 if args.latency else 60.0
    args.directions = [d for d in args.directions.split(",") if d]
    if not set(args.directions) <= {"down", "up"}:
        ap.error("--directions takes down and/or up")
    if args.ours:
        base = shlex.split(args.ours)
        for name in OUR_VARIANTS:
            ENDPOINTS[name] = ([*base, "client"], [*base, "server"])

    reason = netns_unavailable_reason()
    if reason:
        print(f"linkbench: {reason}", file=sys.stderr)
        return 2
    ccs = available_ccs()
    profiles = parse_profiles(args.profiles)
    impls = parse_impls(args.impls, ccs)
    combos = {"on": [False], "off": [True], "both": [False, True]}[args.comp]
    signal.signal(signal.SIGTERM, _interrupt)  # like Ctrl-C: tear down, report what finished

    log_dir = args.keep_logs or Path(tempfile.mkdtemp(prefix="linkbench-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    bench = Bench(args, log_dir)
    t0 = time.monotonic()
    interrupted = False
    try:
        for prof in profiles:
            bench.run_profile(prof, impls, combos)
    except KeyboardInterrupt:
        interrupted = True
        print("linkbench: interrupted; reporting what finished", file=sys.stderr)
    finally:
        if args.keep_logs is None:
            for f in log_dir.iterdir():
                f.unlink()
            log_dir.rmdir()
    summary = summarize(bench.runs)
    rat = ratios(summary)
    print_table(summary, rat, args.latency)
    print(f"\n{len(bench.runs)} runs in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    if args.json:
        args.json.write_text(
            json.dumps(
                {"meta": _meta(args, ccs), "runs": bench.runs, "summary": summary, "ratios": rat},
                indent=1,
            )
        )
    if interrupted:
        return 130
    return 0 if all(r["status"] in ("ok", "capped") for r in bench.runs) else 1


def _interrupt(_sig: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
