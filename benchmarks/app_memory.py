"""Does the desktop app grow while left running? RSS of ``kcpdesk --demo`` minute by minute.

Starts the real window as a user would (``python -m app --demo``: server, lossy relay, client,
1 MB/s of traffic each way, the client's four charts live), on a virtual X server with a
window manager when ``Xvfb`` is installed (``--platform offscreen`` skips both), and reads the
app's resident set size from ``/proc/PID/status`` every ``--interval`` seconds. The report is
the RSS at each minute and the growth against minute 5 (the first minutes include one-time
costs: fonts, the 1 h chart rings filling their pages, allocator arenas). Target (issue 16):
a one-hour run stays within +20 MB of minute 5.

    .venv/bin/python benchmarks/app_memory.py --minutes 20
    .venv/bin/python benchmarks/app_memory.py --minutes 60 --json > /tmp/mem.json

Figures in benchmarks/README.md ("app_memory.py").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.helpers.xdisplay import x_display  # noqa: E402

BASELINE_MINUTE = 5
TARGET_MB = 20.0


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB (VmRSS, kB in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def measure(
    minutes: float, interval: float, env: dict[str, str], repo: Path = REPO
) -> list[tuple[float, float]]:
    """Run the demo for ``minutes``; (seconds since start, RSS MB) every ``interval`` s."""
    with tempfile.TemporaryDirectory() as base:
        env = dict(env, KCPDESK_CONFIG_DIR=base)
        app = subprocess.Popen(
            [sys.executable, "-m", "app", "--demo", "--basedir", base],
            cwd=repo,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        t0 = time.monotonic()
        curve: list[tuple[float, float]] = []
        try:
            end = t0 + minutes * 60
            next_at = t0 + interval
            while next_at <= end + 0.5:
                time.sleep(max(next_at - time.monotonic(), 0))
                if app.poll() is not None:
                    raise RuntimeError(f"the app exited early: {app.stderr.read()}")  # type: ignore[union-attr]
                curve.append((time.monotonic() - t0, rss_mb(app.pid)))
                print(f"  {curve[-1][0]:7.0f} s  {curve[-1][1]:7.1f} MB", file=sys.stderr)
                next_at += interval
        finally:
            app.terminate()
            try:
                app.wait(20)
            except subprocess.TimeoutExpired:
                app.kill()
        return curve


def at_minute(curve: list[tuple[float, float]], minute: int) -> float | None:
    """The sample nearest to ``minute`` (None if the run was shorter)."""
    near = [(abs(t - minute * 60), mb) for t, mb in curve if abs(t - minute * 60) <= 30]
    return min(near)[1] if near else None


def report(curve: list[tuple[float, float]], minutes: float) -> dict[str, object]:
    per_minute = {m: at_minute(curve, m) for m in range(1, int(minutes) + 1)}
    base = per_minute.get(BASELINE_MINUTE)
    last = curve[-1][1] if curve else None
    growth = None if base is None or last is None else last - base
    slope = None
    tail = [(t, mb) for t, mb in curve if t >= BASELINE_MINUTE * 60 - 1]
    if len(tail) >= 2:
        n = len(tail)
        mt = sum(t for t, _ in tail) / n
        mm = sum(mb for _, mb in tail) / n
        var = sum((t - mt) ** 2 for t, _ in tail)
        slope = 60 * sum((t - mt) * (mb - mm) for t, mb in tail) / var if var else 0.0
    return {
        "rss_mb_by_minute": per_minute,
        "baseline_minute": BASELINE_MINUTE,
        "growth_vs_baseline_mb": growth,
        "slope_mb_per_min_after_baseline": slope,
        "target_mb": TARGET_MB,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=20.0)
    ap.add_argument("--interval", type=float, default=30.0, help="seconds between samples")
    ap.add_argument("--size", default="1366x768", help="the virtual screen")
    ap.add_argument("--platform", choices=("xcb", "offscreen"), default="xcb")
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--repo",
        type=Path,
        default=REPO,
        help="run the app from this source tree (an older commit's, to compare)",
    )
    args = ap.parse_args()
    if args.platform == "offscreen" or not shutil.which("Xvfb"):
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        curve = measure(args.minutes, args.interval, env, args.repo)
    else:
        with x_display(args.size) as env:
            curve = measure(args.minutes, args.interval, env, args.repo)
    result = report(curve, args.minutes)
    result["curve"] = [(round(t), round(mb, 1)) for t, mb in curve]
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print("minute  RSS MB")
    for m, mb in result["rss_mb_by_minute"].items():  # type: ignore[attr-defined]
        print(f"{m:6d}  {'-' if mb is None else f'{mb:.1f}'}")
    g, s = result["growth_vs_baseline_mb"], result["slope_mb_per_min_after_baseline"]
    if g is not None:
        print(f"growth since minute {BASELINE_MINUTE}: {g:+.1f} MB ({s:+.2f} MB/min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
