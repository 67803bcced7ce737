"""Does the tune assistant's advice reach the best setting a grid search finds? (issue 13)

For each path: a KCP Desk client and server (``--tuneserve`` on the server) start from kcptun's
default flags (client fast, sndwnd 128, rcvwnd 512; server sndwnd 1024, rcvwnd 1024; FEC 10/3)
on an emulated link (``tests/helpers/netlink.py``, lbemu). In the same run:

* ``before``: the download goodput of N verified MB with the defaults;
* ``advice``: ``kcpdesk tune --json`` in the client namespace (the active test), whose changed
  flags go to each end;
* ``after``: the same download with the advice applied to both ends;
* ``grid``: the same download for every mode x windows x FEC setting of the grid.

Before, after and the grid are measured round robin, ``--repeat`` rounds, median per setting:
the machine's load drifts, and every setting should see the drift alike.

The target (issue 13): after >= 0.9 x the grid's best, and never below before. Numbers go to
benchmarks/README.md. Needs root (namespaces); every namespace is torn down on exit.

    sudo .venv/bin/python benchmarks/tune_bench.py --json tune.json
    sudo .venv/bin/python benchmarks/tune_bench.py --paths clean,loss2 --grid small --size-mb 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import linkbench as lb
from corpus_paths import CorpusPath

from tests.helpers.netlink import (
    REPO_ROOT,
    SERVER_IP,
    EmulatedLink,
    netns_unavailable_reason,
    stop_process,
    wait_listening,
)

KEY = "tunebench"
DEFAULTS = ("--mode", "fast", "--crypt", "aes", "--datashard", "10", "--parityshard", "3")
PATHS: tuple[CorpusPath, ...] = (
    CorpusPath("clean-100", "100mbit", "10ms", note="100 Mbit/s, RTT 20 ms, clean"),
    CorpusPath("loss2", "50mbit", "20ms", "2%", note="50 Mbit/s, RTT 40 ms, 2 % loss"),
    CorpusPath("loss10", "20mbit", "25ms", "10%", note="20 Mbit/s, RTT 50 ms, 10 % loss"),
    CorpusPath("rtt300", "50mbit", "150ms", note="50 Mbit/s, RTT 300 ms, clean"),
    CorpusPath(
        "jitter10",
        "30mbit",
        "25ms",
        "1%",
        jitter="10ms",
        note="30 Mbit/s, RTT 50 ms, 10 ms FIFO jitter, 1 % loss",
    ),
    CorpusPath(
        "asym-50-5",
        "50mbit",
        "20ms",
        rate_up="5mbit",
        note="50 Mbit/s down, 5 Mbit/s up, RTT 40 ms",
    ),
)
WINDOWS = {
    "default": ((), ()),  # (client flags, server flags)
    "1024": (("--sndwnd", "1024", "--rcvwnd", "1024"), ("--sndwnd", "1024", "--rcvwnd", "1024")),
    "4096": (("--sndwnd", "4096", "--rcvwnd", "4096"), ("--sndwnd", "4096", "--rcvwnd", "4096")),
}
GRIDS = {
    "full": (("fast", "fast2", "fast3"), tuple(WINDOWS), ("10/3", "10/0", "20/5")),
    "small": (("fast", "fast3"), ("default", "1024", "4096"), ("10/3", "10/0")),
    "tiny": (("fast",), ("default", "4096"), ("10/3",)),  # a smoke test of the harness
}


@dataclass
class Ends:
    client: list[str]
    server: list[str]


class Pair:
    """A KCP Desk client + server for one download, with the given flags on each end."""

    def __init__(self, link: EmulatedLink, ends: Ends, log_dir: Path, tag: str) -> None:
        common = ["--key", KEY, "--quiet"]
        py = [lb.OURS_PYTHON, "-m", "kcpcore"]
        self.server_argv = [
            *py,
            "server",
            "-l",
            f"{SERVER_IP}:{lb.KCP_PORT}",
            "-t",
            f"127.0.0.1:{lb.SINK_PORT}",
            "--tuneserve",
            *common,
            *ends.server,
        ]
        self.client_argv = [
            *py,
            "client",
            "-l",
            f"127.0.0.1:{lb.LOCAL_PORT}",
            "-r",
            f"{SERVER_IP}:{lb.KCP_PORT}",
            *common,
            *ends.client,
        ]
        self.link, self.log_dir, self.tag = link, log_dir, tag
        self.procs: list[subprocess.Popen[Any]] = []

    def __enter__(self) -> Pair:
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONDONTWRITEBYTECODE="1")
        for ns, argv, port, proto, side in (
            (self.link.server_ns, self.server_argv, lb.KCP_PORT, "udp", "server"),
            (self.link.client_ns, self.client_argv, lb.LOCAL_PORT, "tcp", "client"),
        ):
            with open(self.log_dir / f"{self.tag}-{side}.log", "wb") as f:
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
            wait_listening(p, port, proto, lb.STARTUP_TIMEOUT)
        return self

    def __exit__(self, *exc: object) -> None:
        for p in self.procs:
            stop_process(p)


def fec_flags(spec: str) -> list[str]:
    ds, ps = spec.split("/")
    return ["--datashard", ds, "--parityshard", ps]


def grid_settings(grid: str) -> list[tuple[str, Ends]]:
    modes, windows, fecs = GRIDS[grid]
    out = []
    for mode in modes:
        for w in windows:
            for fec in fecs:
                cw, sw = WINDOWS[w]
                flags = ["--mode", mode, "--crypt", "aes", *fec_flags(fec)]
                out.append((f"{mode} wnd={w} fec={fec}", Ends([*flags, *cw], [*flags, *sw])))
    return out


class TuneBench:
    def __init__(self, args: argparse.Namespace, log_dir: Path) -> None:
        self.args, self.log_dir = args, log_dir
        self.results: list[dict[str, Any]] = []
        self.seed = int(time.time()) & 0xFFFF

    def download(self, link: EmulatedLink, drv: Any, ends: Ends, tag: str) -> float | None:
        """Median Mbit/s of ``--repeat`` verified downloads (fresh processes each); None if
        none completed."""
        rates = [
            r
            for r in (self._once(link, drv, ends, f"{tag}-{i}") for i in range(self.args.repeat))
            if r
        ]
        return statistics.median(rates) if rates else None

    def _once(self, link: EmulatedLink, drv: Any, ends: Ends, tag: str) -> float | None:
        tag = re.sub(r"[^A-Za-z0-9.-]+", "_", tag)
        self.seed += 1
        n = int(self.args.size_mb * 1e6)
        try:
            with Pair(link, ends, self.log_dir, tag):
                r = drv.call(
                    "tcp",
                    host="127.0.0.1",
                    port=lb.LOCAL_PORT,
                    op="down",
                    n=n,
                    seed=self.seed,
                    cap=self.args.cap,
                    cc=None,
                )
        except Exception as exc:  # one broken setting must not end the run
            print(f"    {tag}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            return None
        if not (r.get("ok") and r.get("received") and r.get("t_last")):
            return None
        return float(r["received"] * 8 / (r["t_last"] - r["t_start"]) / 1e6)

    def advise(self, link: EmulatedLink) -> dict[str, Any]:
        """``kcpdesk tune --json`` from the client namespace against a default pair."""
        base = Ends(list(DEFAULTS), list(DEFAULTS))
        with Pair(link, base, self.log_dir, "advise"):
            argv = [
                lb.OURS_PYTHON,
                "-m",
                "kcpcore",
                "tune",
                "-r",
                f"{SERVER_IP}:{lb.KCP_PORT}",
                "-l",
                "127.0.0.1:0",
                "--key",
                KEY,
                *DEFAULTS,
                "--seconds",
                str(self.args.tune_seconds),
                "--json",
            ]
            env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
            p = link.popen(
                link.client_ns,
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=REPO_ROOT,
                env=env,
            )
            out, _ = p.communicate(timeout=180)
        return dict(json.loads(out))

    def run_path(self, path: CorpusPath) -> dict[str, Any]:
        a = self.args
        link = EmulatedLink(
            path.rate, path.delay, path.loss, seed=7, backend="lbemu", **path.link_kwargs()
        )
        rec: dict[str, Any] = {"path": path.name, "note": path.note}
        with link:
            srv = link.agent(link.server_ns, "serve", "--tcp", f"127.0.0.1:{lb.SINK_PORT}")
            drv = link.agent(link.client_ns, "drive")
            try:
                report = self.advise(link)
                rec["changes"] = [
                    f"{c['end']}: {c['setting']} {c['current']} -> {c['proposed']}"
                    for c in report["changes"]
                ]
                rec["client_flags"], rec["server_flags"] = (
                    report["client_flags"],
                    report["server_flags"],
                )
                after = Ends(
                    [*DEFAULTS, *report["client_flags"]], [*DEFAULTS, *report["server_flags"]]
                )
                settings = [
                    ("before", Ends(list(DEFAULTS), list(DEFAULTS))),
                    ("after", after),
                    *grid_settings(a.grid),
                ]
                rates: dict[str, list[float]] = {name: [] for name, _ in settings}
                # Round robin: on a shared machine the load drifts; every setting sees it alike.
                for rnd in range(a.repeat):
                    for name, ends in settings:
                        r = self._once(link, drv, ends, f"{path.name}-{name}-{rnd}")
                        if r:
                            rates[name].append(r)
                        print(f"    {name}: {r}", file=sys.stderr, flush=True)
                med = {k: statistics.median(v) if v else None for k, v in rates.items()}
                rec["before"], rec["after"] = med.pop("before"), med.pop("after")
                rec["grid"] = med
                rec["samples"] = rates
            finally:
                drv.close()
                srv.close()
        good = {k: v for k, v in rec["grid"].items() if v}
        if good:
            best = max(good, key=lambda k: good[k])
            rec["grid_best"], rec["grid_best_setting"] = good[best], best
        if rec.get("after") and rec.get("grid_best"):
            rec["after_vs_best"] = rec["after"] / rec["grid_best"]
        return rec


def table(results: list[dict[str, Any]]) -> str:
    def f(x: Any) -> str:
        return "-" if not x else f"{x:.1f}"

    lines = [
        "| path | before | after | grid best (setting) | after / best | advice |",
        "|---|---:|---:|---|---:|---|",
    ]
    for r in results:
        ratio = r.get("after_vs_best")
        lines.append(
            f"| {r['path']} | {f(r.get('before'))} | {f(r.get('after'))} | "
            f"{f(r.get('grid_best'))} ({r.get('grid_best_setting', '-')}) | "
            f"{'-' if ratio is None else f'{ratio:.2f}'} | "
            f"{'; '.join(r.get('changes', [])) or 'none'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", help="comma-separated names (default: all six)")
    ap.add_argument("--grid", choices=tuple(GRIDS), default="small")
    ap.add_argument("--size-mb", type=float, default=10.0)
    ap.add_argument("--cap", type=float, default=15.0, help="seconds per download at most")
    ap.add_argument("--tune-seconds", type=float, default=2.0)
    ap.add_argument(
        "--repeat", type=int, default=2, help="rounds over every setting (median per setting)"
    )
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lb._interrupt)  # like Ctrl-C: the links are torn down
    why = netns_unavailable_reason()
    if why:
        print(f"tune_bench: {why}", file=sys.stderr)
        return 2
    names = [n.strip() for n in (args.paths or "").split(",") if n.strip()]
    paths = [p for p in PATHS if not names or p.name in names]
    log_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"tune_bench-{os.getpid()}"
    log_dir.mkdir(parents=True, exist_ok=True)
    bench = TuneBench(args, log_dir)
    for path in paths:
        print(f"# {path.name}: {path.note}", file=sys.stderr, flush=True)
        rec = bench.run_path(path)
        bench.results.append(rec)
        print(
            json.dumps({k: v for k, v in rec.items() if k != "grid"}), file=sys.stderr, flush=True
        )
        if args.json:
            Path(args.json).write_text(json.dumps(bench.results, indent=2))
    print(table(bench.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
