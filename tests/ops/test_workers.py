"""``kcpdesk server --workers 2`` as a process: 64 clients, sha256-checked, one worker killed.

The clients are 64 in-process KCP Desk client tunnels (one UDP socket, so one source port,
each); the server is the real command line with its supervisor and two worker processes.
Which worker holds which session comes from the metrics endpoint
(``kcpdesk_session_info{conv,worker}``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kcpcore.aio.engine import Engine
from kcpcore.config import TunnelConfig
from kcpcore.process_options import reuseport_available
from tests.helpers.netlink import is_listening
from tests.helpers.peers import free_port, read_snmp_csv
from tests.reliability.util import LOCAL, AsyncEcho, echo_roundtrip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(180),
    pytest.mark.skipif(not reuseport_available(), reason="no SO_REUSEPORT"),
]
REPO = Path(__file__).resolve().parents[2]
CLIENTS = 64
KEY = "workers-test"


async def scrape(port: int) -> dict[str, list[tuple[dict[str, str], float]]]:
    r, w = await asyncio.open_connection(LOCAL, port)
    w.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    raw = await asyncio.wait_for(r.read(), 20)
    w.close()
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(raw.partition(b"\r\n\r\n")[2].decode()):
        for s in family.samples:
            out.setdefault(s.name, []).append((s.labels, s.value))
    return out


def placement(metrics: dict[str, list[tuple[dict[str, str], float]]]) -> dict[str, set[str]]:
    """conv -> the workers listing it (more than one would be a split session)."""
    out: dict[str, set[str]] = {}
    for labels, _ in metrics.get("kcpdesk_session_info", []):
        out.setdefault(labels["conv"], set()).add(labels["worker"])
    return out


@contextlib.asynccontextmanager
async def server(echo_port: int, tmp: Path) -> AsyncIterator[tuple[int, int, Any]]:
    udp, metrics = free_port(socket.SOCK_DGRAM), free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kcpcore",
        "server",
        "-l",
        f"{LOCAL}:{udp}",
        "-t",
        f"{LOCAL}:{echo_port}",
        "--key",
        KEY,
        "--workers",
        "2",
        "--metrics",
        str(metrics),
        "--quiet",
        "--log",
        str(tmp / "server.log"),
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while not is_listening(proc.pid, metrics, "tcp"):
            assert proc.returncode is None and loop.time() < deadline
            await asyncio.sleep(0.1)
        yield udp, metrics, proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def clients(udp: int, n: int) -> list[Engine]:
    out = []
    for _ in range(n):
        e = Engine(
            TunnelConfig(
                role="client",
                localaddr=f"{LOCAL}:0",
                remoteaddr=f"{LOCAL}:{udp}",
                key=KEY,
                quiet=True,
            )
        )
        await e.start()
        out.append(e)
    return out


def conv_of(client: Engine) -> str:
    (session,) = client.tunnel.sessions()  # type: ignore[union-attr]
    return f"{session.conv:08x}"


async def until_ok(port: int, size: int, seed: int, tries: int = 3) -> tuple[bool, int]:
    """(first attempt ok, attempts used); fails the test if no attempt verifies."""
    for attempt in range(1, tries + 1):
        r = await echo_roundtrip(port, size, seed, timeout=45)
        assert r.prefix_ok, r  # whatever arrived is never corrupted
        if r.ok:
            return attempt == 1, attempt
    raise AssertionError(f"client {seed}: no verified transfer in {tries} attempts: {r}")


def test_64_clients_two_workers_one_killed(tmp_path: Path) -> None:
    async def main() -> None:
        echo = await AsyncEcho().start()
        async with server(echo.port, tmp_path) as (udp, mport, proc):
            cs = await clients(udp, CLIENTS)
            try:
                await run_scenario(cs, echo, mport)
            finally:
                for c in cs:
                    await c.stop()
            assert proc.returncode is None  # the supervisor never went down
        await echo.close()

    asyncio.run(asyncio.wait_for(main(), 170))


async def run_scenario(cs: list[Engine], echo: AsyncEcho, mport: int) -> None:
    warm = await asyncio.gather(
        *(echo_roundtrip(c.local_port, 20_000, i, timeout=60) for i, c in enumerate(cs))
    )
    assert all(r.ok for r in warm), [r for r in warm if not r.ok][:3]
    before = await scrape(mport)
    where = placement(before)
    convs = [conv_of(c) for c in cs]
    assert all(len(where[cv]) == 1 for cv in convs)  # every session listed once
    worker_of = [next(iter(where[cv])) for cv in convs]
    assert set(worker_of) == {"0", "1"}  # the kernel spread 64 source ports over both
    victim = "1"
    pid = int(next(v for lab, v in before["kcpdesk_worker_pid"] if lab["worker"] == victim))

    size = 400_000
    start = echo.bytes
    jobs = [asyncio.ensure_future(until_ok(c.local_port, size, 1000 + i)) for i, c in enumerate(cs)]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while echo.bytes - start < CLIENTS * size // 4:  # a quarter of the way: mid-transfer
        assert loop.time() < deadline
        await asyncio.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    results = await asyncio.gather(*jobs)  # every client ends verified (sha256)
    after = await scrape(mport)

    for i, (first_ok, attempts) in enumerate(results):
        if worker_of[i] != victim:
            assert first_ok and attempts == 1, i  # never noticed
            assert conv_of(cs[i]) == convs[i]  # same session throughout
    victims = [i for i, w in enumerate(worker_of) if w == victim]
    assert any(not results[i][0] for i in victims)  # the kill did cut transfers
    for i in victims:
        if not results[i][0]:
            assert conv_of(cs[i]) != convs[i]  # reconnected with a new session
    split = {cv: ws for cv, ws in placement(after).items() if len(ws) > 1}
    assert not split
    for i, cv in enumerate(convs):
        if worker_of[i] != victim:
            assert placement(after)[cv] == {worker_of[i]}  # still on its worker
    assert after["kcpdesk_worker_restarts_total"][0][1] == 1
    assert after["kcpdesk_workers_alive"][0][1] == 2
    total_before = before["kcpdesk_bytes_sent_total"][0][1]
    assert after["kcpdesk_bytes_sent_total"][0][1] >= total_before  # totals never go back


def test_sigusr1_and_snmplog_sum_the_workers_and_sigterm_stops_all(tmp_path: Path) -> None:
    udp = free_port(socket.SOCK_DGRAM)
    log = tmp_path / "server.log"
    pattern = str(tmp_path / "snmp-20060102.csv")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kcpcore",
            "server",
            "-l",
            f"{LOCAL}:{udp}",
            "-t",
            f"{LOCAL}:9",
            "--key",
            KEY,
            "--workers",
            "2",
            "--snmplog",
            pattern,
            "--snmpperiod",
            "1",
            "--log",
            str(log),
        ],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.DEVNULL,
    )
    try:
        wait_text(log, "worker 1 started")
        pids = [
            int(line.rsplit("pid ", 1)[1])
            for line in log.read_text().splitlines()
            if "started: pid" in line
        ]
        deadline = time.monotonic() + 20
        while not all(is_listening(pid, udp, "udp") for pid in pids):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        for _ in range(40):  # garbage from 40 source ports: both workers count some
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(os.urandom(100), (LOCAL, udp))
        csvs = lambda: list(tmp_path.glob("snmp-*.csv"))  # noqa: E731

        def counted() -> bool:  # the CSV may exist before its first row is written
            rows = read_snmp_csv(csvs()[0]) if csvs() else []
            return bool(rows) and errors(rows[-1]) >= 40

        wait_until(counted)
        proc.send_signal(signal.SIGUSR1)
        wait_text(log, "KCP SNMP:")
        time.sleep(0.5)  # a worker that wrongly dumped its own counters would do it now
        dumps = [line for line in log.read_text().splitlines() if "KCP SNMP:" in line]
        assert len(dumps) == 1 and "[worker" not in dumps[0]  # one line, the supervisor's
        fields = dict(kv.split(":") for kv in dumps[0].split("&{", 1)[1].rstrip("}").split())
        assert int(fields["InCsumErrors"]) + int(fields["InErrs"]) >= 40
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        for pid in pids:
            assert (
                not Path(f"/proc/{pid}").exists()
                or "zombie" in Path(f"/proc/{pid}/status").read_text()
            )
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def errors(row: dict[str, str]) -> int:
    return int(row["InCsumErrors"]) + int(row["InErrs"])


def wait_until(pred: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def wait_text(path: Path, text: str) -> None:
    wait_until(lambda: path.exists() and text in path.read_text())
