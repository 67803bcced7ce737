"""Issue 11's path corpus: every variant of the sender on every corpus path, same run.

    sudo python3 benchmarks/linkbench.py corpus --quick --runs 1 --json corpus.json
    sudo python3 benchmarks/linkbench.py corpus --runs 3 --sizes 2,40        # the full corpus
    sudo python3 benchmarks/linkbench.py corpus --filter reorder1 --variants default,rules
    sudo python3 benchmarks/linkbench.py corpus --latency --quick            # fast3 round trips

For each run, path, size and direction, every variant moves the same seeded payload over a
fresh link built with the same seed (so each variant sees the same loss and reorder draws):

* ``default``: ours with KCP Desk's default flags (pacing + adaptive parity);
* ``rules``: ours with ``--pacing=false --fecadaptive=false`` (kcptun's sending rules);
* ``go``: Debian's kcptun-client/kcptun-server;
* ``tcp``: direct TCP cubic;
* ``ours>go``: our default sender to a Go receiver (``go-ours`` down, ``ours-go`` up).

The Markdown summary gives per path, size and direction the median Mbit/s of each variant,
default / max(go, rules) (rows below 0.95 are marked), the default's fraction of the
loss-adjusted payload capacity, wire bytes per payload byte and, on the competing-flow path, the
TCP flow's share of the bottleneck next to each variant. Links are torn down after every run,
also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpus_report as report
import linkbench as lb
from corpus_paths import PATHS, CorpusPath, select

from tests.helpers.netlink import (
    SERVER_IP,
    Agent,
    EmulatedLink,
    netns_unavailable_reason,
)

# variant -> tunnel name per direction (linkbench TUNNELS), or "tcp-cubic"
VARIANTS: dict[str, dict[str, str]] = {
    "default": {"down": "ours", "up": "ours"},
    "rules": {"down": "oursk", "up": "oursk"},
    "go": {"down": "go", "up": "go"},
    "tcp": {"down": "tcp-cubic", "up": "tcp-cubic"},
    "ours>go": {"down": "go-ours", "up": "ours-go"},
}
LATENCY_VARIANTS = ("default", "rules", "go")
COMPETE_WINDOW_S = {True: 10.0, False: 20.0}  # quick / full: both flows run this long
MARK_BELOW = 0.95  # issue 11: default >= 0.95 x max(go, rules) on every path


class Runner:
    """Runs one measurement per (run, path, size, direction, variant) on a fresh link."""

    def __init__(self, args: argparse.Namespace, log_dir: Path) -> None:
        self.args, self.log_dir = args, log_dir
        self.records: list[dict[str, Any]] = []

    def measure(
        self, path: CorpusPath, size_mb: float, direction: str, variant: str, run: int
    ) -> dict[str, Any]:
        a = self.args
        seed = a.seed + run
        impl = VARIANTS[variant][direction] if direction != "rr" else VARIANTS[variant]["down"]
        rec: dict[str, Any] = {
            "path": path.name,
            "size_mb": size_mb,
            "direction": direction,
            "variant": variant,
            "impl": impl,
            "run": run,
            "seed": seed,
        }
        link = EmulatedLink(
            path.rate, path.delay, path.loss, seed=seed, backend="lbemu", **path.link_kwargs()
        )
        agents: list[Agent] = []
        tunnel = None
        try:
            with link:
                rec["link_prefix"] = link.prefix
                agents.append(
                    link.agent(
                        link.server_ns,
                        "serve",
                        "--tcp",
                        f"127.0.0.1:{lb.SINK_PORT}",
                        "--tcp",
                        f"{SERVER_IP}:{lb.DIRECT_PORT}",
                    )
                )
                agents.append(link.agent(link.client_ns, "drive"))
                if path.compete and direction != "rr":
                    agents.append(link.agent(link.client_ns, "drive"))
                tunnel = self._tunnel(link, path, impl, rec)
                rec.update(
                    self._transfer(link, path, size_mb, direction, impl, agents, tunnel, seed)
                )
        except Exception as e:  # one broken variant must not end the corpus
            rec["status"] = f"error: {type(e).__name__}: {e}"
            if tunnel is not None:
                rec["log_tail"] = tunnel.log_tail()
        finally:
            if tunnel is not None:
                tunnel.stop()
            for ag in agents:
                ag.close()
        return rec

    def _tunnel(
        self, link: EmulatedLink, path: CorpusPath, impl: str, rec: dict[str, Any]
    ) -> lb.Tunnel | None:
        if impl.startswith("tcp-"):
            return None
        tag = f"{path.name}-{impl}-{rec['direction']}-{rec['run']}-{len(self.records)}"
        mode = lb.LATENCY_MODE if rec["direction"] == "rr" else lb.THROUGHPUT_MODE
        tunnel = lb.Tunnel(link, impl, mode=mode, nocomp=False, log_dir=self.log_dir, tag=tag)
        rec["argv"] = {"client": tunnel.client_argv, "server": tunnel.server_argv}
        tunnel.start()
        return tunnel

    def _transfer(
        self,
        link: EmulatedLink,
        path: CorpusPath,
        size_mb: float,
        direction: str,
        impl: str,
        agents: list[Agent],
        tunnel: lb.Tunnel | None,
        seed: int,
    ) -> dict[str, Any]:
        a = self.args
        tcp = impl.startswith("tcp-")
        host, port = (SERVER_IP, lb.DIRECT_PORT) if tcp else ("127.0.0.1", lb.LOCAL_PORT)
        cc = "cubic" if tcp else None
        drv = agents[1]
        if direction == "rr":
            r = drv.call(
                "echo",
                host=host,
                port=port,
                count=a.latency_count,
                size=lb.ECHO_SIZE,
                cap=a.cap,
                cc=cc,
            )
            return _latency_metrics(r)
        n, cap = int(size_mb * 1e6), a.cap
        competitor: dict[str, Any] = {}
        threads = []
        if path.compete:  # both flows for one fixed window: shares over the same seconds
            cap = COMPETE_WINDOW_S[a.quick]
            competitor["window_s"] = cap
            n = int(path.data_rate(direction) * 1e6 / 8 * cap * 2)
            threads.append(
                _thread(
                    lambda: competitor.update(
                        agents[2].call(
                            "tcp",
                            host=SERVER_IP,
                            port=lb.DIRECT_PORT,
                            op=direction,
                            n=n,
                            seed=seed + 99,
                            cap=cap,
                            cc="cubic",
                        )
                    )
                )
            )
        done = threading.Event()
        applied: list[tuple[float, str]] = []
        if path.steps:
            threads.append(
                _thread(lambda: _run_steps(link, path.step_schedule(size_mb), done, applied))
            )
        c0 = link.counters()
        cpu0 = tunnel.cpu() if tunnel else None
        try:
            r = drv.call("tcp", host=host, port=port, op=direction, n=n, seed=seed, cap=cap, cc=cc)
        finally:
            done.set()
            for t in threads:
                t.join(cap + 40)
        cpu = tunnel.cpu() - cpu0 if tunnel and cpu0 is not None else None
        c1 = link.counters()
        if tunnel and not tunnel.alive():
            raise RuntimeError("a tunnel process exited during the run")
        out = lb.goodput_metrics(r, n, lb.ip_bytes(c0, c1), cpu)
        if path.steps:
            out["steps_applied"] = applied
        out.update(_capacity_metrics(path, direction, size_mb, out, competitor))
        stats = link.emu_stats()
        if stats:
            out["emu"] = {
                d: {
                    k: v
                    for k, v in s.items()
                    if k in ("rx_pkts", "drop_loss", "loss_bursts", "reordered", "drop_overflow")
                }
                for d, s in stats["dirs"].items()
            }
        return out

    def run(
        self,
        paths: list[CorpusPath],
        sizes: list[float],
        directions: list[str],
        variants: list[str],
    ) -> None:
        for run in range(self.args.runs):
            for path in paths:
                for size in sizes:
                    for direction in directions:
                        for variant in variants:
                            rec = self.measure(path, size, direction, variant, run)
                            self.records.append(rec)
                            print(_oneline(rec), file=sys.stderr, flush=True)


def _thread(fn: Any) -> threading.Thread:
    t = threading.Thread(target=fn, daemon=True)
    t.start()
    return t


def _run_steps(
    link: EmulatedLink,
    schedule: list[tuple[float, str]],
    done: threading.Event,
    applied: list[tuple[float, str]],
) -> None:
    """Change both directions' rate at the scheduled seconds after the transfer started."""
    t0 = time.monotonic()
    for at, rate in schedule:
        if done.wait(max(at - (time.monotonic() - t0), 0)):
            return
        link.set_rate(rate, "both")
        applied.append((round(time.monotonic() - t0, 3), rate))


def _capacity_metrics(
    path: CorpusPath,
    direction: str,
    size_mb: float,
    out: dict[str, Any],
    competitor: dict[str, Any],
) -> dict[str, Any]:
    res: dict[str, Any] = {}
    cap = path.capacity(direction, out.get("elapsed_s"), size_mb)
    res["capacity_mbps"] = cap
    if "goodput_mbps" in out:
        res["capacity_fraction"] = out["goodput_mbps"] / cap
    if competitor:
        res["window_s"] = competitor["window_s"]
        got = competitor.get("received", 0) if competitor.get("ok") else 0
        secs = (competitor.get("t_last") or 0) - (competitor.get("t_start") or 0)
        tcp = got * 8 / secs / 1e6 if got and secs > 0 else 0.0
        ours = out.get("goodput_mbps", 0.0)
        res.update(
            competitor_mbps=tcp, competitor_share=tcp / (tcp + ours) if tcp + ours > 0 else None
        )
        res.pop("wire_per_payload", None)
        out.pop("wire_per_payload", None)  # the veth counters carry both flows
    return res


def _latency_metrics(r: dict[str, Any]) -> dict[str, Any]:
    rtts = sorted(r["rtt_ms"])
    if not rtts:
        return {"status": "error: no round trip completed"}
    return {
        "status": "ok" if r["complete"] else "capped",
        "round_trips": len(rtts),
        "rtt_median_ms": statistics.median(rtts),
        "rtt_p99_ms": rtts[min(len(rtts) - 1, int(0.99 * len(rtts)))],
    }


def _oneline(rec: dict[str, Any]) -> str:
    size = f"{rec['size_mb']:>4g}MB" if rec["direction"] != "rr" else "  fast3"
    head = f"  {rec['path']:<22} {size} {rec['direction']:<4} {rec['variant']:<8} run {rec['run']}"
    if "goodput_mbps" in rec:
        extra = (
            f"  tcp {rec['competitor_mbps']:.2f}"
            if "competitor_mbps" in rec
            else f"  wire x{rec['wire_per_payload']:.3f}"
        )
        return (
            f"{head} {rec['goodput_mbps']:8.2f} Mbit/s  cap {rec['capacity_fraction']:.2f}"
            f"{extra}  {rec['status']}"
        )
    if "rtt_median_ms" in rec:
        return f"{head} rtt median {rec['rtt_median_ms']:.1f} p99 {rec['rtt_p99_ms']:.1f} ms"
    return f"{head} {rec['status']}\n{rec.get('log_tail', '')}".rstrip()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="linkbench.py corpus",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="paths: " + ", ".join(p.name for p in PATHS),
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="the quick subset of paths, 2 MB only (unless --sizes), 1 run (unless --runs)",
    )
    ap.add_argument("--runs", type=int, default=None, help="runs per cell (default 3, quick 1)")
    ap.add_argument("--filter", default=None, help="comma list of path name substrings")
    ap.add_argument("--sizes", default=None, help="MB per transfer (default 2,40; quick 2)")
    ap.add_argument("--directions", default="down,up", help="down (server->client), up")
    ap.add_argument(
        "--variants", default=",".join(VARIANTS), help=f"comma list of {', '.join(VARIANTS)}"
    )
    ap.add_argument(
        "--latency",
        action="store_true",
        help="fast3 request/response round trips instead of bulk transfers",
    )
    ap.add_argument(
        "--latency-count",
        type=int,
        default=None,
        help="round trips per run (default 300, quick 100)",
    )
    ap.add_argument(
        "--cap",
        type=float,
        default=None,
        help="seconds per transfer before giving up (default 60; 120 with 40 MB)",
    )
    ap.add_argument("--seed", type=int, default=1100, help="link/payload seed of run 0")
    ap.add_argument("--json", type=Path, default=None, help="write records + summary here")
    ap.add_argument("--keep-logs", type=Path, default=None, help="keep tunnel logs here")
    args = ap.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.runs = args.runs or (1 if args.quick else 3)
    args.sizes = [float(s) for s in (args.sizes or ("2" if args.quick else "2,40")).split(",")]
    args.directions = ["rr"] if args.latency else [d for d in args.directions.split(",") if d]
    if not set(args.directions) <= {"down", "up", "rr"}:
        ap.error("--directions takes down and/or up")
    args.variants = [v for v in args.variants.split(",") if v]
    if args.latency:
        args.variants = [v for v in args.variants if v in LATENCY_VARIANTS]
        args.sizes = [0.0]
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        ap.error(f"unknown variants {sorted(unknown)}; known: {', '.join(VARIANTS)}")
    args.latency_count = args.latency_count or (100 if args.quick else 300)
    if args.cap is None:
        args.cap = 150.0 if args.latency else (120.0 if max(args.sizes) > 10 else 60.0)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    reason = netns_unavailable_reason()
    if reason:
        print(f"corpus: {reason}", file=sys.stderr)
        return 2
    paths = select(args.filter, args.quick)
    log_dir = args.keep_logs or Path(tempfile.mkdtemp(prefix="corpus-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    runner = Runner(args, log_dir)
    t0 = time.monotonic()
    interrupted = False
    signal.signal(signal.SIGTERM, lb._interrupt)  # like Ctrl-C: tear down, report what finished
    try:
        runner.run(paths, args.sizes, args.directions, args.variants)
    except KeyboardInterrupt:
        interrupted = True
        print("corpus: interrupted; reporting what finished", file=sys.stderr)
    finally:
        if args.keep_logs is None:
            shutil.rmtree(log_dir, ignore_errors=True)
    elapsed = time.monotonic() - t0
    summary = report.summarize(runner.records)
    rows = report.verdicts(summary)
    command = shlex.join(["python3", "benchmarks/linkbench.py", "corpus", *args.argv])
    print(
        f"\nCommand: `{command}` ({len(runner.records)} measurements, {args.runs} run(s), "
        f"{elapsed / 60:.0f} min)\n"
    )
    if args.latency:
        print(report.latency_markdown(rows, args.variants))
    else:
        print(report.markdown(rows, args.variants, MARK_BELOW))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "meta": {
                        **lb._meta(argparse.Namespace(latency=args.latency), lb.available_ccs()),
                        "corpus_args": {k: str(v) for k, v in vars(args).items()},
                        "elapsed_s": elapsed,
                        "paths": [dataclasses.asdict(p) for p in paths],
                    },
                    "records": runner.records,
                    "summary": summary,
                    "rows": rows,
                },
                indent=1,
            )
        )
    if interrupted:
        return 130
    return 0 if all(r.get("status") in report.GOOD for r in runner.records) else 1


if __name__ == "__main__":
    sys.exit(main())
