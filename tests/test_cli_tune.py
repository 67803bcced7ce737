"""``kcpdesk tune`` end to end: a ``kcpdesk server --tuneserve`` process, the command's JSON."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kcpcore import cli

REPO = Path(__file__).resolve().parents[1]


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_tune_json_against_a_tuneserve_server(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_udp_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kcpcore",
            "server",
            "--tuneserve",
            "--quiet",
            "-l",
            f"127.0.0.1:{port}",
            "-t",
            "127.0.0.1:9",
            "--key",
            "tune-cli",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(1.0)  # the UDP socket binds within the interpreter's start-up
        assert server.poll() is None
        rc = cli.main(
            [
                "tune",
                "-r",
                f"127.0.0.1:{port}",
                "-l",
                "127.0.0.1:0",
                "--key",
                "tune-cli",
                "--seconds",
                "0.5",
                "--json",
            ]
        )
    finally:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:  # a graceful stop may wait for its sessions
            server.kill()
            server.wait(5)
    out = capsys.readouterr()
    assert rc == 0, out.err
    data = json.loads(out.out)
    assert data["figures"]["active"] is True
    assert data["figures"]["down"]["busy"] and data["figures"]["down"]["rate_bps"] > 0
    assert isinstance(data["client_flags"], list) and isinstance(data["server_flags"], list)
    for change in data["changes"]:
        assert change["reason"] and change["end"] in ("client", "server")
