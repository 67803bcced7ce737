"""Process-level flags as an operator meets them: one-line errors and exit 2, the key file
check, and SIGTERM letting open streams finish."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kcpcore import process_options
from kcpcore.config import TunnelConfig
from kcpcore.errors import ConfigError
from kcpcore.keyfile import check_key_file, key_file_problem
from tests.helpers.peers import free_port

pytestmark = pytest.mark.timeout(60)
REPO = Path(__file__).resolve().parents[2]


def kcpdesk(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kcpcore", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def server_args() -> list[str]:
    return [
        "server",
        "-l",
        f"127.0.0.1:{free_port(socket.SOCK_DGRAM)}",
        "-t",
        "127.0.0.1:9",
        "--key",
        "k",
    ]


def one_line_error(p: subprocess.CompletedProcess[str]) -> str:
    errors = [line for line in p.stderr.splitlines() if "error:" in line]
    assert p.returncode == 2, p.stderr
    assert len(errors) == 1 and "Traceback" not in p.stderr, p.stderr
    return errors[0]


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--workers", "0", "--workers 0: must be 1..256"),
        ("--workers", "abc", "--workers 'abc': expected a number"),
        ("--metrics", "abc", "--metrics 'abc'"),
        ("--metrics", "127.0.0.1:99999", "out of range"),
        ("--log-format", "xml", "--log-format 'xml'"),
        ("--drain-timeout", "-1", "--drain-timeout '-1'"),
    ],
)
def test_bad_process_flags_are_one_line_exit_2(flag: str, value: str, says: str) -> None:
    assert says in one_line_error(kcpdesk(*server_args(), flag, value))


def test_workers_is_a_server_flag() -> None:
    p = kcpdesk("client", "-r", "127.0.0.1:1", "--workers", "2")
    assert "-workers" in one_line_error(p)


def test_metrics_port_in_use_and_unknown_host_are_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = one_line_error(kcpdesk(*server_args(), "--metrics", str(port)))
    assert f"--metrics 127.0.0.1:{port}" in line and "in use" in line
    line = one_line_error(kcpdesk(*server_args(), "--metrics", "no-such-host.invalid:9100"))
    assert "no-such-host.invalid" in line


def test_metrics_address_forms() -> None:
    parse = process_options.parse_metrics_addr
    assert parse("") is None
    assert parse("9100") == ("127.0.0.1", 9100) == parse(":9100")
    assert parse("0.0.0.0:9100") == ("0.0.0.0", 9100)
    assert parse("[::1]:9100") == ("::1", 9100)
    with pytest.raises(ConfigError):
        parse("localhost")


def test_workers_auto_is_the_core_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process_options, "cpu_count", lambda: 6)
    monkeypatch.setattr(process_options, "reuseport_available", lambda: True)
    assert process_options.parse_workers("auto") == 6
    monkeypatch.setattr(process_options, "reuseport_available", lambda: False)
    with pytest.raises(ConfigError, match="no SO_REUSEPORT"):
        process_options.parse_workers("2")
    assert process_options.parse_workers("1") == 1  # one process needs no sharing


def test_key_file_readable_by_others_is_warned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"listen": ":4000", "KEY": "secret"}))
    path.chmod(0o644)
    assert "chmod 600" in (key_file_problem(str(path)) or "")
    with caplog.at_level(logging.WARNING):
        check_key_file(str(path), TunnelConfig(role="server", key="secret"))
    assert "readable by other users (mode 0644)" in caplog.text
    path.chmod(0o600)
    assert key_file_problem(str(path)) is None
    nokey = tmp_path / "n.json"
    nokey.write_text(json.dumps({"listen": ":4000"}))
    nokey.chmod(0o644)
    assert key_file_problem(str(nokey)) is None  # nothing secret in it


@pytest.mark.slow
def test_sigterm_lets_an_open_stream_finish(tmp_path: Path) -> None:
    """A stream through the real processes stays open across the server's SIGTERM; the
    server exits 0 as soon as the stream ends, well before --drain-timeout."""
    with socket.socket() as target:
        target.bind(("127.0.0.1", 0))
        target.listen()
        udp = free_port(socket.SOCK_DGRAM)
        tcp = free_port()
        log = tmp_path / "server.log"
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        common = ["--key", "k", "--log", str(log)]
        srv = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kcpcore",
                "server",
                "-l",
                f"127.0.0.1:{udp}",
                "-t",
                f"127.0.0.1:{target.getsockname()[1]}",
                "--drain-timeout",
                "30",
                *common,
            ],
            env=env,
        )
        cli = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kcpcore",
                "client",
                "-l",
                f"127.0.0.1:{tcp}",
                "-r",
                f"127.0.0.1:{udp}",
                "--key",
                "k",
                "--log",
                str(tmp_path / "client.log"),
            ],
            env=env,
        )
        try:
            conn = connect_retry(tcp)
            target.settimeout(15)
            inner, _ = target.accept()
            wait_log(log, "stream opened")
            srv.send_signal(signal.SIGTERM)
            wait_log(log, "waiting up to 30 s for 1 open streams")
            conn.sendall(b"after sigterm")
            inner.settimeout(10)
            assert inner.recv(100) == b"after sigterm"  # the stream still carries data
            assert srv.poll() is None
            ended = time.monotonic()
            inner.close()
            conn.close()
            assert srv.wait(15) == 0
            assert time.monotonic() - ended < 10  # it stopped when the stream ended
        finally:
            for p in (srv, cli):
                if p.poll() is None:
                    p.kill()
                p.wait(5)


def connect_retry(port: int) -> socket.socket:
    deadline = time.monotonic() + 15
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def wait_log(log: Path, text: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
