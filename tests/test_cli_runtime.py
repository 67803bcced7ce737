"""The headless CLI as a user runs it: a process with kcptun's flags, SIGUSR1, --snmplog."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kcpcore.snmp import CSV_FIELDS
from tests.helpers.peers import free_port, read_snmp_csv

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]


def wait_for(pred, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_server_sigusr1_snmplog_and_clean_sigterm(tmp_path: Path) -> None:
    port = free_port(socket.SOCK_DGRAM)
    log = tmp_path / "server.log"
    pattern = str(tmp_path / "snmp-20060102.csv")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kcpcore",
            "server",
            "-l",
            f"127.0.0.1:{port}",
            "-t",
            "127.0.0.1:9",
            "--key",
            "s3cret-key",
            "--snmplog",
            pattern,
            "--snmpperiod",
            "1",
            "--log",
            str(log),
        ],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for(lambda: log.exists() and "listening on" in log.read_text()), (
            log.read_text() if log.exists() else "no log"
        )
        csvs = lambda: list(tmp_path.glob("snmp-*.csv"))  # noqa: E731
        assert wait_for(lambda: bool(csvs()) and len(read_snmp_csv(csvs()[0])) >= 1, 5)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for _ in range(5):  # garbage: counted, not fatal
                s.sendto(os.urandom(100), ("127.0.0.1", port))
        assert wait_for(lambda: len(read_snmp_csv(csvs()[0])) >= 3, 5)
        proc.send_signal(signal.SIGUSR1)
        assert wait_for(lambda: "KCP SNMP:&{BytesSent:" in log.read_text()), log.read_text()
        rows = read_snmp_csv(csvs()[0])
        assert list(rows[0]) == ["Unix", *CSV_FIELDS]
        assert csvs()[0].name == time.strftime("snmp-%Y%m%d.csv")
        assert int(rows[-1]["InCsumErrors"]) + int(rows[-1]["InErrs"]) >= 5
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert "s3cret-key" not in log.read_text()  # the key is never logged
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
