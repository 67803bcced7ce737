"""How late does the UI get while a tunnel runs flat out on the Qt event loop?

The engine runs in-process on the qasync loop, so every datagram and every KCP flush is a
callback on the GUI thread. This script measures what that costs the UI: a 10 ms ``QTimer``
(``Qt.PreciseTimer``) records how late each tick fires, first with the tunnels idle, then during
a bulk one-way transfer through a client+server pair on loopback. By default the real main
window is up, the client profile is selected and its four charts redraw every 0.5 s, as a user
would see it.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_lag.py            # 10 s each
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
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt, QTimer

from app.controllers.manager import ProfileManager
from app.demo.relay import LossyRelay
from app.loop import ContextQEventLoop
from app.main import freeze_startup_objects, make_app
from app.models.logbook import LogBook
from kcpcore.config import TunnelConfig
from kcpcore.profiles import Profile, ProfileStore

TICK_MS = 10
WARMUP_S = 1.5
NOTICEABLE_MS = 50.0


class TickProbe:
    """Records the lateness of every tick of a 10 ms precise timer."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_tick)
        self.late_ms: list[float] = []
        self._last = 0.0

    def start(self) -> None:
        self.late_ms.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return list(self.late_ms)

    def _on_tick(self) -> None:
        now = time.perf_counter()
        self.late_ms.append(max((now - self._last) * 1000 - TICK_MS, 0.0))
        self._last = now


def summary(late: list[float]) -> dict[str, float]:
    if not late:
        return {"ticks": 0}
    s = sorted(late)

    def pct(p: float) -> float:
        return round(s[min(int(len(s) * p), len(s) - 1)], 2)

    return {"ticks": len(s), "worst_ms": round(s[-1], 2), "p99_ms": pct(0.99),
            "p95_ms": pct(0.95), "median_ms": round(statistics.median(s), 2),
            "over_50ms_pct": round(100 * sum(v > NOTICEABLE_MS for v in s) / len(s), 2)}


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


async def measure(args: argparse.Namespace) -> dict[str, object]:
    logbook = LogBook()
    logbook.install()
    store = ProfileStore(Path(os.environ.get("TMPDIR", "/tmp")) / f"gui-lag-{os.getpid()}")
    manager = ProfileManager(store, logbook)
    window = None
    if not args.no_window:
        from app.views.main_window import MainWindow

        window = MainWindow(manager, logbook, use_tray=False)
        window.resize(1280, 800)
        window.show()
    freeze_startup_objects()  # as app.main does
    sink = Sink()
    sink_port = await sink.start()
    shared = {"key": "gui-lag", "crypt": args.crypt, "mode": args.mode,
              "sndwnd": args.wnd, "rcvwnd": args.wnd}
    server = manager.add_transient(Profile("bench server", TunnelConfig(
        role="server", listen="127.0.0.1:0", target=f"127.0.0.1:{sink_port}", **shared)))
    assert await manager.start(server.name), manager.controller(server.name).detail
    server_port = manager.controller(server.name).engine.local_port
    relay = None
    if args.loss or args.delay:
        relay = LossyRelay(("127.0.0.1", server_port), loss=args.loss, delay=args.delay / 1000,
                           seed=1)
        server_port = await relay.start()
    client = manager.add_transient(Profile("bench client", TunnelConfig(
        role="client", localaddr="127.0.0.1:0", remoteaddr=f"127.0.0.1:{server_port}",
        **shared)))
    assert await manager.start(client.name), manager.controller(client.name).detail
    if window is not None:
        window.select(client.name)
    local_port = manager.controller(client.name).engine.local_port
    await asyncio.sleep(WARMUP_S)  # first paints (fonts, pictures) are not steady state

    probe = TickProbe()
    probe.start()
    await asyncio.sleep(args.seconds)
    idle = summary(probe.stop())

    probe.start()
    t0 = time.perf_counter()
    sent = await bulk(local_port, args.seconds)
    busy_s = time.perf_counter() - t0
    busy = summary(probe.stop())

    await asyncio.sleep(0.5)
    delivered = sink.bytes
    if window is not None:
        await window.shutdown()
    else:
        await manager.stop_all()
    if relay is not None:
        await relay.stop()
    logbook.uninstall()
    return {
        "window": window is not None, "seconds": args.seconds, "mode": args.mode,
        "crypt": args.crypt, "wnd": args.wnd, "loss": args.loss, "delay_ms": args.delay,
        "sent_MB": round(sent / 1e6, 1), "delivered_MB": round(delivered / 1e6, 1),
        "goodput_MBps": round(delivered / busy_s / 1e6, 2),
        "idle": idle, "bulk": busy,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10.0, help="per phase (idle, bulk)")
    p.add_argument("--no-window", action="store_true", help="engine and probe only")
    p.add_argument("--loss", type=float, default=0.0, help="relay loss per direction (0..1)")
    p.add_argument("--delay", type=float, default=0.0, help="relay one-way delay, ms")
    p.add_argument("--mode", default="fast", help="kcptun mode (default: kcptun's fast)")
    p.add_argument("--crypt", default="aes")
    p.add_argument("--wnd", type=int, default=1024, help="sndwnd and rcvwnd, both ends")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--runs", type=int, default=1, help="repeat and report each run")
    args = p.parse_args()
    app = make_app()
    loop = ContextQEventLoop(app)
    asyncio.set_event_loop(loop)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
          "(other processes delay the UI thread too)", file=sys.stderr)
    with loop:
        for _ in range(args.runs):
            report(loop.run_until_complete(measure(args)), args)
    return 0


def report(result: dict[str, object], args: argparse.Namespace) -> None:
    if args.json:
        print(json.dumps(result))
        return
    print(f"window={'yes' if result['window'] else 'no'} mode={args.mode} crypt={args.crypt} "
          f"wnd={args.wnd} loss={args.loss} delay={args.delay} ms")
    print(f"bulk transfer: {result['delivered_MB']} MB delivered in ~{args.seconds:.0f} s "
          f"= {result['goodput_MBps']} MB/s")
    for phase in ("idle", "bulk"):
        s = result[phase]
        assert isinstance(s, dict)
        print(f"{phase:>5}: 10 ms timer lateness worst {s['worst_ms']} ms, p99 {s['p99_ms']} "
              f"ms, p95 {s['p95_ms']} ms, median {s['median_ms']} ms, "
              f">50 ms late {s['over_50ms_pct']}% of {s['ticks']} ticks")


if __name__ == "__main__":
    sys.exit(main())
