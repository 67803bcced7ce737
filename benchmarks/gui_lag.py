"""What does the window cost the tunnel? Both share the Qt thread (the engine runs on qasync).

Every datagram and every KCP flush is a callback on the GUI thread, so every stall of the GUI
delays the tunnel. Three phases, each ``--seconds`` long, in this order:

* idle: tunnels up, no traffic; a 10 ms ``QTimer`` (``Qt.PreciseTimer``) records how late each
  tick fires (the lateness any callback, a datagram's too, would see);
* rr: a game-like request/response flow (64 bytes out, 64 back, every 20 ms) through a
  client+server pair in fast3 mode, echoed at the far end: the round-trip times a user sees;
* bulk: the probe during a one-way bulk transfer through a second pair (``--mode``).

By default the real main window is up with the active pair's client selected and its four
charts redrawing every 0.5 s, as a user would see it; ``--no-window`` is the same engine
headless. ``--compare N`` runs both N times back to back (subprocesses, alternating) and prints
the medians and each run's load average: on a shared machine only same-run comparisons mean
anything. Targets (issue 14): the window adds at most 2 ms to the headless p99 lateness, idle
and bulk, and at most 2 ms to the rr p99 RTT.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_lag.py --compare 3 --seconds 10
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_lag.py --seconds 20 --loss 0.02
    .venv/bin/python benchmarks/gui_lag.py --no-window --json

``--loss``/``--delay`` put the demo's lossy relay between the ends (retransmits and FEC
recovery cost CPU too). Lateness = actual interval - 10 ms; the report gives worst, p99, p95,
median, and the share of ticks more than 50 ms late (a frame a user would notice).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loop_trace import EventTimingApp, time_handles, time_methods
from PySide6.QtCore import QEvent, Qt, QTimer

from app.controllers.manager import ProfileManager
from app.demo.relay import LossyRelay
from app.demo.traffic import EchoServer
from app.loop import ContextQEventLoop
from app.main import freeze_startup_objects, make_app
from app.models.logbook import LogBook
from app.views.main_window import MainWindow
from kcpcore.config import TunnelConfig
from kcpcore.profiles import Profile, ProfileStore

TICK_MS = 10
WARMUP_S = 1.5
NOTICEABLE_MS = 50.0
RR_SIZE = 64  # bytes each way, a game's input/state update
RR_PERIOD = 0.02  # s between requests (50 Hz)
TARGET_MS = 2.0  # the window may add this much to a headless p99


class TickProbe:
    """Records the lateness of every tick of a 10 ms precise timer."""

    def __init__(self, window: TimedWindow | None = None) -> None:
        self.window = window
        self.passes: list[float] = []
        """the window's paint passes (CPU ms) during the phases, not between them"""
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_tick)
        self.late_ms: list[float] = []
        self._last = 0.0

    def start(self) -> None:
        self.late_ms.clear()
        self._last = time.perf_counter()
        self._cpu0, self._wall0 = time.process_time(), time.perf_counter()
        if self.window is not None:
            self.window.pass_ms.clear()
        _set_recording(True)
        self.timer.start()

    def stop(self) -> dict[str, float]:
        """The lateness summary, plus the process's CPU use over the phase (all threads)."""
        self.timer.stop()
        _set_recording(False)
        cpu = (time.process_time() - self._cpu0) / (time.perf_counter() - self._wall0)
        if self.window is not None:
            self.passes += self.window.pass_ms
        return {**summary(self.late_ms), "cpu_pct": round(100 * cpu, 1)}

    def _on_tick(self) -> None:
        now = time.perf_counter()
        self.late_ms.append(max((now - self._last) * 1000 - TICK_MS, 0.0))
        self._last = now


def _set_recording(on: bool) -> None:
    app = EventTimingApp.instance()
    if isinstance(app, EventTimingApp):
        app.recording = on


def summary(late: list[float]) -> dict[str, float]:
    if not late:
        return {"ticks": 0}
    s = sorted(late)

    def pct(p: float) -> float:
        return round(s[min(int(len(s) * p), len(s) - 1)], 2)

    return {
        "ticks": len(s),
        "worst_ms": round(s[-1], 2),
        "p99_ms": pct(0.99),
        "p95_ms": pct(0.95),
        "median_ms": round(statistics.median(s), 2),
        "over_50ms_pct": round(100 * sum(v > NOTICEABLE_MS for v in s) / len(s), 2),
    }


def rtt_summary(rtts: list[float]) -> dict[str, float]:
    if not rtts:
        return {"requests": 0}
    s = sorted(rtts)
    return {
        "requests": len(s),
        "median_ms": round(statistics.median(s), 2),
        "p99_ms": round(s[min(int(len(s) * 0.99), len(s) - 1)], 2),
        "worst_ms": round(s[-1], 2),
    }


async def request_response(port: int, seconds: float) -> list[float]:
    """RTTs (ms) of ``RR_SIZE``-byte requests every ``RR_PERIOD`` s, echoed back in full."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    loop = asyncio.get_running_loop()
    payload = os.urandom(RR_SIZE)
    rtts: list[float] = []
    end = loop.time() + seconds
    next_at = loop.time()
    try:
        while loop.time() < end:
            t0 = time.perf_counter()
            writer.write(payload)
            await reader.readexactly(RR_SIZE)
            rtts.append((time.perf_counter() - t0) * 1000)
            next_at += RR_PERIOD
            await asyncio.sleep(max(next_at - loop.time(), 0))
    finally:
        writer.close()
    return rtts


class TimedWindow(MainWindow):
    """The main window, timing the CPU each paint pass (one ``UpdateRequest``) takes: what a
    redraw holds the loop for, free of other processes' noise (thread CPU time, not wall)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.pass_ms: list[float] = []

    def event(self, event: QEvent) -> bool:
        if event.type() != QEvent.Type.UpdateRequest:
            return super().event(event)
        t0 = time.thread_time()
        handled = super().event(event)
        self.pass_ms.append((time.thread_time() - t0) * 1000)
        return handled


def pass_summary(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"passes": 0}
    s = sorted(ms)
    return {
        "passes": len(s),
        "median_ms": round(statistics.median(s), 2),
        "p99_ms": round(s[min(int(len(s) * 0.99), len(s) - 1)], 2),
        "worst_ms": round(s[-1], 2),
    }


class Sink:
    """TCP target that discards everything (the bulk transfer's far end)."""

    def __init__(self) -> None:
        self.bytes = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(1 << 16):
            self.bytes += len(data)
        writer.close()


async def bulk(port: int, seconds: float) -> int:
    """Write incompressible data as fast as the tunnel takes it, for ``seconds``."""
    block = os.urandom(1 << 16)
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    sent = 0
    while loop.time() < end:
        writer.write(block)
        sent += len(block)
        await writer.drain()
    writer.close()
    return sent


async def start_pair(
    manager: ProfileManager,
    name: str,
    target_port: int,
    args: argparse.Namespace,
    mode: str,
    relay: LossyRelay | None = None,
) -> tuple[str, int]:
    """A server and a client profile on loopback; (the client's name, its TCP port)."""
    shared = {
        "key": "gui-lag",
        "crypt": args.crypt,
        "mode": mode,
        "sndwnd": args.wnd,
        "rcvwnd": args.wnd,
    }
    server = manager.add_transient(
        Profile(
            f"{name} server",
            TunnelConfig(
                role="server", listen="127.0.0.1:0", target=f"127.0.0.1:{target_port}", **shared
            ),
        )
    )
    assert await manager.start(server.name), manager.controller(server.name).detail
    server_port = manager.controller(server.name).engine.local_port
    if relay is not None:
        relay.upstream = ("127.0.0.1", server_port)
        server_port = await relay.start()
    client = manager.add_transient(
        Profile(
            f"{name} client",
            TunnelConfig(
                role="client",
                localaddr="127.0.0.1:0",
                remoteaddr=f"127.0.0.1:{server_port}",
                **shared,
            ),
        )
    )
    assert await manager.start(client.name), manager.controller(client.name).detail
    return client.name, manager.controller(client.name).engine.local_port


async def phases(
    args: argparse.Namespace,
    window: MainWindow | None,
    bulk_client: str,
    bulk_port: int,
    rr_client: str,
    rr_port: int,
) -> dict[str, object]:
    """idle, rr, then bulk (whose queued data takes seconds to drain), each ``args.seconds``
    long; the active pair's client selected, so its charts are the ones drawing."""
    if window is not None:
        window.select(rr_client)
    await asyncio.sleep(WARMUP_S)  # first paints (fonts, pictures) are not steady state
    probe = TickProbe(window)
    probe.start()
    await asyncio.sleep(args.seconds)
    idle = probe.stop()
    probe.start()
    rtts = await request_response(rr_port, args.seconds)
    rr = {**rtt_summary(rtts), "lateness": probe.stop()}
    if window is not None:
        window.select(bulk_client)
    await asyncio.sleep(WARMUP_S)
    probe.start()
    t0 = time.perf_counter()
    sent = await bulk(bulk_port, args.seconds)
    busy_s = time.perf_counter() - t0
    busy = probe.stop()
    paints = pass_summary(probe.passes)
    return {
        "sent": sent,
        "busy_s": busy_s,
        "idle": idle,
        "bulk": busy,
        "rr": rr,
        "paint_cpu": paints,
    }


async def measure(args: argparse.Namespace) -> dict[str, object]:
    logbook = LogBook()
    logbook.install()
    store = ProfileStore(Path(os.environ.get("TMPDIR", "/tmp")) / f"gui-lag-{os.getpid()}")
    manager = ProfileManager(store, logbook)
    window: TimedWindow | None = None
    if not args.no_window:
        window = TimedWindow(manager, logbook, use_tray=False)
        window.resize(1280, 800)
        window.show()
    freeze_startup_objects()  # as app.main does
    sink, echo = Sink(), EchoServer()
    relay = None
    if args.loss or args.delay:
        relay = LossyRelay(loss=args.loss, delay=args.delay / 1000, seed=1)
    bulk_client, bulk_port = await start_pair(
        manager, "bulk", await sink.start(), args, args.mode, relay
    )
    rr_client, rr_port = await start_pair(manager, "rr", await echo.start(), args, "fast3")
    result = await phases(args, window, bulk_client, bulk_port, rr_client, rr_port)
    delivered = sink.bytes
    if window is not None:
        await window.shutdown()
    else:
        await manager.stop_all()
    if relay is not None:
        await relay.stop()
    await echo.stop()
    logbook.uninstall()
    return {
        "window": window is not None,
        "seconds": args.seconds,
        "mode": args.mode,
        "crypt": args.crypt,
        "wnd": args.wnd,
        "loss": args.loss,
        "delay_ms": args.delay,
        "load_before": round(args.load_before, 2),
        "sent_MB": round(int(result["sent"]) / 1e6, 1),  # type: ignore[call-overload]
        "delivered_MB": round(delivered / 1e6, 1),
        "goodput_MBps": round(delivered / float(result["busy_s"]) / 1e6, 2),  # type: ignore[arg-type]
        "idle": result["idle"],
        "bulk": result["bulk"],
        "rr": result["rr"],
        "paint_cpu": result["paint_cpu"],
        **_trace_report(),
    }


def _trace_report() -> dict[str, object]:
    app = EventTimingApp.instance()
    return {"trace": app.report()} if isinstance(app, EventTimingApp) else {}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10.0, help="per phase (idle, bulk, rr)")
    p.add_argument("--no-window", action="store_true", help="engine and probe only")
    p.add_argument("--loss", type=float, default=0.0, help="relay loss per direction (0..1)")
    p.add_argument("--delay", type=float, default=0.0, help="relay one-way delay, ms")
    p.add_argument("--mode", default="fast", help="bulk pair's kcptun mode (default: fast)")
    p.add_argument("--crypt", default="aes")
    p.add_argument("--wnd", type=int, default=1024, help="sndwnd and rcvwnd, both ends")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--trace",
        action="store_true",
        help="time every Qt event and asyncio callback (loop_trace.py); report the slow ones",
    )
    p.add_argument("--runs", type=int, default=1, help="repeat and report each run")
    p.add_argument(
        "--compare",
        type=int,
        default=0,
        metavar="N",
        help="N x (headless, window) back to back in subprocesses; medians",
    )
    return p.parse_args(argv)


def main() -> int:
    args = parse_args()
    if args.compare:
        return compare(args)
    if args.trace:
        EventTimingApp([sys.argv[0]]).regions = bool(os.environ.get("GUI_LAG_REGIONS"))
        time_handles(EventTimingApp.instance())  # type: ignore[arg-type]
        time_methods(EventTimingApp.instance(), traced_methods())  # type: ignore[arg-type]
    app = make_app()
    loop = ContextQEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        for _ in range(args.runs):
            args.load_before = os.getloadavg()[0]
            if not args.json:
                print(
                    f"load average before: {args.load_before:.2f} on {os.cpu_count()} CPUs "
                    "(other processes delay the UI thread too)",
                    file=sys.stderr,
                )
            report(loop.run_until_complete(measure(args)), args)
    return 0


def traced_methods() -> list[tuple[type, str]]:
    """The Python parts of a paint pass worth telling apart in ``--trace``."""
    from app.charts.timeseries import TimeSeriesPlot
    from app.views.profile_list import ProfileDelegate

    return [
        (ProfileDelegate, "paint"),
        (ProfileDelegate, "_render_top"),
        (ProfileDelegate, "_with_third"),
        (TimeSeriesPlot, "_frame"),
        (TimeSeriesPlot, "_paint_curves"),
        (MainWindow, "_refresh_header"),
    ]


def report(result: dict[str, object], args: argparse.Namespace) -> None:
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"window={'yes' if result['window'] else 'no'} mode={args.mode} crypt={args.crypt} "
        f"wnd={args.wnd} loss={args.loss} delay={args.delay} ms"
    )
    print(
        f"bulk transfer: {result['delivered_MB']} MB delivered in ~{args.seconds:.0f} s "
        f"= {result['goodput_MBps']} MB/s"
    )
    for phase in ("idle", "bulk"):
        s = result[phase]
        assert isinstance(s, dict)
        print(
            f"{phase:>5}: 10 ms timer lateness worst {s['worst_ms']} ms, p99 {s['p99_ms']} "
            f"ms, p95 {s['p95_ms']} ms, median {s['median_ms']} ms, "
            f">50 ms late {s['over_50ms_pct']}% of {s['ticks']} ticks, CPU {s['cpu_pct']}%"
        )
    rr = result["rr"]
    assert isinstance(rr, dict)
    print(
        f"   rr: fast3 request/response RTT median {rr['median_ms']} ms, p99 {rr['p99_ms']} "
        f"ms, worst {rr['worst_ms']} ms over {rr['requests']} requests, "
        f"CPU {rr['lateness']['cpu_pct']}%"
    )
    if "trace" in result:
        print(json.dumps(result["trace"], indent=1))
    paints = result["paint_cpu"]
    assert isinstance(paints, dict)
    if paints.get("passes"):
        print(
            f"paint passes (CPU per pass, during the phases): median {paints['median_ms']} ms, "
            f"p99 {paints['p99_ms']} ms, worst {paints['worst_ms']} ms of {paints['passes']}"
        )


# --- --compare: headless and window back to back -----------------------------------------------


def run_child(args: argparse.Namespace, window: bool) -> dict[str, object]:
    argv = [
        sys.executable,
        __file__,
        "--json",
        "--seconds",
        str(args.seconds),
        "--mode",
        args.mode,
        "--crypt",
        args.crypt,
        "--wnd",
        str(args.wnd),
        "--loss",
        str(args.loss),
        "--delay",
        str(args.delay),
        *([] if window else ["--no-window"]),
    ]
    out = subprocess.run(
        argv, check=True, capture_output=True, text=True, timeout=args.seconds * 6 + 120
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


METRICS = (
    ("idle p99 lateness", "idle", "p99_ms"),
    ("bulk p99 lateness", "bulk", "p99_ms"),
    ("rr p99 RTT", "rr", "p99_ms"),
    ("rr median RTT", "rr", "median_ms"),
    ("idle worst lateness", "idle", "worst_ms"),
    ("bulk MB/s", None, "goodput_MBps"),
    ("idle CPU %", "idle", "cpu_pct"),
    ("bulk CPU %", "bulk", "cpu_pct"),
    ("paint pass CPU p99 ms", "paint_cpu", "p99_ms"),
)


def pick(result: dict[str, object], phase: str | None, key: str) -> float:
    part = result if phase is None else result[phase]
    assert isinstance(part, dict)
    return float(part.get(key, 0.0))


def compare(args: argparse.Namespace) -> int:
    """``--compare N``: alternate headless and window runs, print each and the medians."""
    runs: dict[bool, list[dict[str, object]]] = {False: [], True: []}
    for i in range(args.compare):
        for window in (False, True):
            r = run_child(args, window)
            runs[window].append(r)
            print(
                f"run {i + 1} {'window  ' if window else 'headless'} load {r['load_before']:5.2f}"
                + "".join(f" | {name} {pick(r, ph, k)}" for name, ph, k in METRICS),
                flush=True,
            )
    print(
        f"\nmedians of {args.compare} runs each ({os.cpu_count()} CPUs, load averages "
        f"{min(float(r['load_before']) for rs in runs.values() for r in rs):.2f}.."
        f"{max(float(r['load_before']) for rs in runs.values() for r in rs):.2f}):"
    )
    print("| | headless | window + charts | difference |\n|---|---|---|---|")
    for name, ph, k in METRICS:
        h = statistics.median(pick(r, ph, k) for r in runs[False])
        w = statistics.median(pick(r, ph, k) for r in runs[True])
        print(f"| {name} | {h:.2f} | {w:.2f} | {w - h:+.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
