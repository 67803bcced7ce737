"""``kcpdesk server --workers N``: aggregate goodput, CPU per worker, memory per session.

Loopback only, unshaped. The server is ours (``python -m kcpcore server --workers N``); the 16
clients are Debian's Go ``kcptun-client`` processes, one UDP source port each, so the Python
server is the bottleneck being measured (16 Python clients would compete with it for the
same two cores). Traffic flows from the server to the clients, as downloads do: a target
process sends to every connection as fast as it can, and 16 readers (one per client) count
what arrives for ``--seconds``. Runs alternate (1, 2, 1, 2, ...) so machine noise hits both.

Memory: the RSS of the server processes (supervisor + workers) with no session, with
``--idle`` sessions that opened and went quiet (one keyed KCP segment with an smux NOP from
each of ``--idle`` UDP sockets), and during the bulk run.

    .venv/bin/python benchmarks/workers_bench.py
    .venv/bin/python benchmarks/workers_bench.py --workers 1 2 --rounds 3 --seconds 15
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.metrics_scrape import hello  # noqa: E402
from kcpcore.process_options import cpu_count  # noqa: E402

HOST = "127.0.0.1"
KEY = "bench"
COMMON = ["--key", KEY, "--crypt", "aes", "--mode", "fast", "--nocomp", "--quiet"]
CHUNK = bytes(range(256)) * 4096  # 1 MiB


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def source_target(port: int) -> None:
    """Sends to every accepted connection until it closes (a download server)."""
    srv = socket.create_server((HOST, port))

    def pump(c: socket.socket) -> None:
        try:
            while True:
                c.sendall(CHUNK)
        except OSError:
            c.close()

    while True:
        conn, _ = srv.accept()
        threading.Thread(target=pump, args=(conn,), daemon=True).start()


def proc_tree(pid: int) -> list[int]:
    """``pid`` and its children (the workers)."""
    out = [pid]
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    return out + [int(k) for k in kids]


def cpu_seconds(pid: int) -> float:
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def wait_port(port: int, kind: int, timeout: float = 30) -> None:
    """Until something listens on ``port``, read from /proc: a probe connection would open a
    stream through the tunnel and the target would feed it for the whole run."""
    table = "/proc/net/tcp" if kind == socket.SOCK_STREAM else "/proc/net/udp"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            if f[1].endswith(f":{port:04X}") and (kind != socket.SOCK_STREAM or f[3] == "0A"):
                return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} never opened")


def reader(port: int, counts: list[int], i: int, stop: threading.Event) -> None:
    s = socket.create_connection((HOST, port), timeout=30)
    s.settimeout(2)
    while not stop.is_set():
        try:
            n = len(s.recv(1 << 20))
        except TimeoutError:
            continue
        if not n:
            break
        counts[i] += n
    s.close()


def idle_sessions(udp: int, n: int) -> list[socket.socket]:
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((HOST, 0))
        s.sendto(hello(0x20000 + i), (HOST, udp))
        socks.append(s)
        if i % 100 == 99:
            time.sleep(0.05)
    return socks


def start_server(workers: int, target: int) -> tuple[subprocess.Popen[bytes], int]:
    udp = free_port(socket.SOCK_DGRAM)
    srv = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kcpcore",
            "server",
            "-l",
            f"{HOST}:{udp}",
            "-t",
            f"{HOST}:{target}",
            "--workers",
            str(workers),
            *COMMON,
            "--datashard",
            "0",
            "--parityshard",
            "0",
        ],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_port(udp, socket.SOCK_DGRAM)
    time.sleep(1.0 + workers)  # workers start after the supervisor binds
    return srv, udp


def stop_server(srv: subprocess.Popen[bytes]) -> None:
    srv.send_signal(signal.SIGINT)
    try:
        srv.wait(15)
    except subprocess.TimeoutExpired:
        srv.kill()


def idle_run(workers: int, idle: int, target: int) -> tuple[float, float]:
    """(KiB of server RSS per session that opened and went quiet, CPU share they cost)."""
    srv, udp = start_server(workers, target)
    try:
        pids = proc_tree(srv.pid)
        rss0 = rss(pids)
        socks = idle_sessions(udp, idle)
        time.sleep(3)
        grown = rss(pids) - rss0
        c0, t0 = sum(cpu_seconds(p) for p in pids), time.monotonic()
        time.sleep(8)  # well inside smux's 30 s keepalive timeout, which closes them
        cpu = (sum(cpu_seconds(p) for p in pids) - c0) / (time.monotonic() - t0)
        for s in socks:
            s.close()
        return grown / idle / 1024, cpu
    finally:
        stop_server(srv)


def one_run(workers: int, clients: int, seconds: float, target: int) -> dict:
    srv, udp = start_server(workers, target)
    cls: list[subprocess.Popen[bytes]] = []
    try:
        pids = proc_tree(srv.pid)
        rss0 = rss(pids)
        ports = [free_port() for _ in range(clients)]
        for p in ports:
            cls.append(
                subprocess.Popen(
                    [
                        "kcptun-client",
                        "-l",
                        f"{HOST}:{p}",
                        "-r",
                        f"{HOST}:{udp}",
                        *COMMON,
                        "--datashard",
                        "0",
                        "--parityshard",
                        "0",
                        "--conn",
                        "1",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for p in ports:
            wait_port(p, socket.SOCK_STREAM)
        counts = [0] * clients
        stop = threading.Event()
        threads = [
            threading.Thread(target=reader, args=(p, counts, i, stop), daemon=True)
            for i, p in enumerate(ports)
        ]
        for t in threads:
            t.start()
        time.sleep(2)  # ramp-up, not counted
        c0, t0 = sum(counts), time.monotonic()
        cpu0 = {pid: cpu_seconds(pid) for pid in pids}
        time.sleep(seconds)
        c1, t1 = sum(counts), time.monotonic()
        cpu1 = {pid: cpu_seconds(pid) for pid in pids}
        rss_active = rss(pids)
        stop.set()
        return {
            "workers": workers,
            "mbit": (c1 - c0) * 8 / (t1 - t0) / 1e6,
            "cpu": [(cpu1[p] - cpu0[p]) / (t1 - t0) for p in pids],
            "active_kib": (rss_active - rss0) / clients / 1024,
            "streams_ok": sum(1 for c in counts if c > 0),
        }
    finally:
        for c in cls:
            c.terminate()
        stop_server(srv)
        for c in cls:
            c.wait(5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--idle", type=int, default=1000)
    args = ap.parse_args()
    if shutil.which("kcptun-client") is None:
        raise SystemExit("needs Debian's kcptun-client (apt-get install kcptun)")
    target = free_port()
    src = subprocess.Popen([sys.executable, __file__, "--serve-target", str(target)])
    try:
        wait_port(target, socket.SOCK_STREAM)
        print(f"{cpu_count()} cores; {args.clients} Go clients; {args.seconds:g} s per run")
        for w in args.workers if args.idle else ():
            kib, cpu = idle_run(w, args.idle, target)
            print(
                f"workers {w}: {args.idle} idle sessions, {kib:.1f} KiB RSS each, "
                f"{cpu * 100:.0f}% of a core together",
                flush=True,
            )
        for r in range(args.rounds):
            for w in args.workers:
                res = one_run(w, args.clients, args.seconds, target)
                cpu = " ".join(f"{c * 100:.0f}%" for c in res["cpu"])
                print(
                    f"round {r + 1} workers {w}: {res['mbit']:7.1f} Mbit/s aggregate "
                    f"({res['streams_ok']}/{args.clients} streams flowing)  CPU per process "
                    f"(supervisor first when w > 1) {cpu}  active session "
                    f"{res['active_kib']:.0f} KiB RSS each",
                    flush=True,
                )
    finally:
        src.kill()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-target":
        source_target(int(sys.argv[2]))
    else:
        main()
