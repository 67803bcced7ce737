"""Scrape cost of ``--metrics`` as the number of live sessions grows.

A real server engine (in this process, loopback only) gets N sessions from N UDP sockets: each
sends one correctly keyed KCP segment carrying an smux NOP, so the server opens a session and
its smux layer, exactly as for a client that connected and went quiet. Then ``/metrics`` is
fetched over HTTP several times and the median time, the body size and the number of samples
are printed, with the snapshot and render steps timed apart.

    .venv/bin/python benchmarks/metrics_scrape.py                 # 100, 1000, 5000 sessions
    .venv/bin/python benchmarks/metrics_scrape.py --sessions 1000 --repeat 20
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kcpcore.aio.engine import Engine
from kcpcore.aio.metrics import render
from kcpcore.aio.metrics_server import MetricsServer
from kcpcore.aio.stats import EngineSnapshot
from kcpcore.config import TunnelConfig
from kcpcore.crypt import derive_key, new_block_crypt, seal
from kcpcore.segment import IKCP_CMD_PUSH, pack_segment
from kcpcore.smux import SMUX_HEADER

HOST = "127.0.0.1"
KEY = "bench"
NOP = 3  # smux cmdNOP


def hello(conv: int) -> bytes:
    """One sealed datagram: KCP PUSH sn 0 holding an smux v1 NOP (no FEC, aes)."""
    frame = SMUX_HEADER.pack(1, NOP, 0, 0)
    body = pack_segment(conv, IKCP_CMD_PUSH, 0, 512, 0, 0, 0, frame)
    return seal(new_block_crypt("aes", derive_key(KEY)), body)


async def open_sessions(engine: Engine, n: int) -> list[socket.socket]:
    socks = []
    port = engine.local_port
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setblocking(False)
        s.bind((HOST, 0))
        s.sendto(hello(0x10000 + i), (HOST, port))
        socks.append(s)
        if i % 100 == 99:
            await asyncio.sleep(0.05)  # let the server read its socket buffer
    deadline = time.monotonic() + 60
    while engine.snapshot().snmp["CurrEstab"] < n and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    return socks


async def fetch(port: int) -> bytes:
    r, w = await asyncio.open_connection(HOST, port)
    w.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    raw = await r.read()
    w.close()
    return raw.partition(b"\r\n\r\n")[2]


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) * 1000


async def measure(n: int, repeat: int) -> None:
    cfg = TunnelConfig(
        role="server",
        listen=f"{HOST}:0",
        target=f"{HOST}:9",
        key=KEY,
        datashard=0,
        parityshard=0,
        nocomp=True,
        quiet=True,
    )
    engine = Engine(cfg)
    await engine.start()

    async def source() -> EngineSnapshot:
        return engine.snapshot()

    server = MetricsServer(source)
    await server.start(HOST, 0)
    socks = await open_sessions(engine, n)
    try:
        live = engine.snapshot().snmp["CurrEstab"]
        snap_ms = timed(engine.snapshot, repeat)
        snap = engine.snapshot()
        render_ms = timed(lambda: render(snap), repeat)
        http = []
        body = b""
        for _ in range(repeat):
            t = time.perf_counter()
            body = await fetch(server.port)
            http.append(time.perf_counter() - t)
        samples = sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
        print(
            f"{live:6d} sessions  snapshot {snap_ms:7.1f} ms  render {render_ms:7.1f} ms  "
            f"GET /metrics {statistics.median(http) * 1000:7.1f} ms (median of {repeat})  "
            f"{len(body) / 1024:7.0f} KiB  {samples} samples"
        )
    finally:
        for s in socks:
            s.close()
        await server.close()
        await engine.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    for n in args.sessions:
        asyncio.run(measure(n, args.repeat))


if __name__ == "__main__":
    main()
