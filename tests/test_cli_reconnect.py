"""``kcpdesk client`` reconnects on SIGHUP (``systemctl reload``): the open connection is
reset, not ended as if complete, and the next one goes through a new session."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.netlink import stop_process, wait_listening
from tests.helpers.peers import EchoServer, free_port
from tests.test_cli_runtime import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="Unix")]
REPO = Path(__file__).resolve().parents[1]


def _start(role: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kcpcore", role, "--key", "hup", "--log", str(log), *args],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _echo(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        got = b""
        while len(got) < len(data):
            got += s.recv(len(data) - len(got)) or b"!"
        return got


def test_sighup_drops_the_session_resets_streams_and_reconnects(tmp_path: Path) -> None:
    echo = EchoServer()
    uport, tport = free_port(socket.SOCK_DGRAM), free_port()
    server = _start(
        "server", tmp_path / "s.log", "-l", f"127.0.0.1:{uport}", "-t", f"127.0.0.1:{echo.port}"
    )
    client = _start(
        "client", tmp_path / "c.log", "-l", f"127.0.0.1:{tport}", "-r", f"127.0.0.1:{uport}"
    )
    clog = tmp_path / "c.log"
    try:
        wait_listening(server, uport, "udp")
        wait_listening(client, tport, "tcp")
        held = socket.create_connection(("127.0.0.1", tport), timeout=10)
        held.sendall(b"ping")
        assert held.recv(4) == b"ping"
        client.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "SIGHUP: 1 sessions dropped" in clog.read_text()), clog.read_text()
        with pytest.raises(ConnectionResetError):
            held.recv(10)
        held.close()
        assert _echo(tport, b"after") == b"after"
        assert clog.read_text().count("smux session opened") == 2
        assert client.poll() is None  # kcptun dies of SIGHUP; we do not
    finally:
        stop_process(client)
        stop_process(server)
        echo.close()
