"""The systemd units: installed for this environment, valid for systemd, hardened, and their
ExecStart command line runs a server that stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kcpcore import service
from tests.helpers.netlink import is_listening
from tests.helpers.peers import free_port

pytestmark = pytest.mark.timeout(60)
REPO = Path(__file__).resolve().parents[2]


def unit_values(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key, []).append(value)
    return out


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    units = tmp_path / "units"
    notes = service.install(units, tmp_path / "etc", sys.executable)
    assert [n for n in notes if n.startswith("wrote")] == [
        f"wrote {units / name}" for name in service.UNITS
    ]
    return units


def test_units_are_hardened_and_run_this_python(installed: Path) -> None:
    for name in service.UNITS:
        v = unit_values((installed / name).read_text())
        role = name.split("-")[1].split("@")[0]
        assert v["ExecStart"] == [
            f"{sys.executable} -m kcpcore {role} -c ${{CREDENTIALS_DIRECTORY}}/config $KCPDESK_ARGS"
        ]
        assert v["LoadCredential"] == ["config:/etc/kcpdesk/%i.json"]
        for key, value in [
            ("DynamicUser", "yes"),
            ("ProtectSystem", "strict"),
            ("NoNewPrivileges", "yes"),
            ("Restart", "on-failure"),
            ("CapabilityBoundingSet", "CAP_NET_BIND_SERVICE"),
            ("KillSignal", "SIGTERM"),
            ("KillMode", "mixed"),
            ("Environment", "KCPDESK_ARGS="),
        ]:
            assert v[key] == [value], key
        assert float(v["TimeoutStopSec"][0]) > 10  # longer than the default --drain-timeout


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)
def test_systemd_analyze_verify_accepts_both_units(installed: Path) -> None:
    instances = [str(installed / name.replace("@.", "@demo.")) for name in service.UNITS]
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *instances],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_execstart_runs_a_server_that_stops_on_sigterm(installed: Path, tmp_path: Path) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    udp = free_port(socket.SOCK_DGRAM)
    log = tmp_path / "server.log"
    (creds / "config").write_text(
        json.dumps(
            {
                "listen": f"127.0.0.1:{udp}",
                "target": "127.0.0.1:9",
                "key": "unit-test",
                "log": str(log),
            }
        )
    )
    (creds / "config").chmod(0o400)  # as systemd hands a credential over
    exec_start = unit_values((installed / service.UNITS[0]).read_text())["ExecStart"][0]
    metrics = free_port()
    args = {"$KCPDESK_ARGS": ["--metrics", str(metrics), "--log-format", "json"]}  # as systemd
    argv = [
        b
        for a in shlex.split(exec_start)  # expands a bare $VAR: split on whitespace
        for b in args.get(a, [a.replace("${CREDENTIALS_DIRECTORY}", str(creds))])
    ]
    proc = subprocess.Popen(
        argv,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not is_listening(proc.pid, metrics, "tcp"):  # serving: signal handlers are set
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        lines = [json.loads(line) for line in log.read_text().splitlines()]
        assert f"listening on: 127.0.0.1:{udp}" in [o["msg"] for o in lines]
        with socket.create_connection(("127.0.0.1", metrics), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
            assert s.recv(100).startswith(b"HTTP/1.1 200 OK")
        assert "readable by other users" not in log.read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def test_install_warns_about_readable_configs_and_fails_in_one_line(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "open.json").write_text(json.dumps({"key": "x"}))
    (etc / "open.json").chmod(0o644)
    notes = service.install(tmp_path / "units", etc, sys.executable)
    assert any("open.json holds the tunnel key" in n for n in notes)
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kcpcore",
            "install-service",
            "--unit-dir",
            str(blocker / "units"),
            "--no-reload",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "install-service:" in done.stderr
