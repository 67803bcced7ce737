"""Keys never reach the logs: in-process at DEBUG, and the CLI processes at DEBUG.

The traffic includes the paths most likely to print a config or a packet: startup, streams,
a client with the wrong key (checksum errors), sessions dying, a bad ``-c`` file, shutdown.
Besides the passphrase itself, the PBKDF2-derived key is looked for (hex and raw repr).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from app.demo.relay import LossyRelay
from kcpcore.config import TunnelConfig
from kcpcore.crypt import derive_key
from tests.helpers.netlink import stop_process, wait_listening
from tests.reliability.util import (
    LOCAL,
    AsyncEcho,
    echo_roundtrip,
    engine_pair,
    free_tcp_port,
    free_udp_port,
    short_keepalive,
)

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(90)

DEBUG_MAIN = (
    "import logging, sys\n"
    "from kcpcore import cli\n"
    "setup = cli.setup_logging\n"
    "def debug(cfg):\n"
    "    h = setup(cfg)\n"
    "    logging.getLogger().setLevel(logging.DEBUG)\n"
    "    return h\n"
    "cli.setup_logging = debug\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


def needles(*keys: str) -> list[str]:
    out = []
    for k in keys:
        d = derive_key(k)
        out += [k, d.hex(), repr(d)[2:-1], d[:16].hex()]
    return out


def assert_clean(text: str, keys: list[str], where: str) -> None:
    for n in keys:
        assert n not in text, f"{where} contains key material {n[:6]}..."


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_in_process_debug_logs_hold_no_key(run: Any, monkeypatch: Any) -> None:
    key, wrong = secrets.token_hex(16), secrets.token_hex(16)
    short_keepalive(monkeypatch, timeout=2.0, interval=0.5)
    cap = Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(cap)
    root.setLevel(logging.DEBUG)

    async def main() -> None:
        async with engine_pair(key=key, crypt="aes", quiet=False) as p:
            r = await echo_roundtrip(p.port, 300_000, 1)
            assert r.ok
        async with engine_pair(key=key, client_flags={"key": wrong}, quiet=False) as p:
            r = await echo_roundtrip(p.port, 10_000, 2, timeout=6)
            assert not r.ok
            assert p.server.snmp().in_csum_errors > 0

    try:
        run(main(), 40)
    finally:
        root.removeHandler(cap)
        root.setLevel(old_level)
    text = "\n".join(cap.lines)
    assert "stream opened" in text and "session closed" in text  # the logs did run
    assert_clean(text, needles(key, wrong), "DEBUG log")
    cfg = TunnelConfig(role="client", key=key)
    assert_clean(repr(cfg) + str(cfg), needles(key), "TunnelConfig repr")


def test_cli_processes_at_debug_print_no_key(run: Any, tmp_path: Path) -> None:
    """Server keyed by ``--key``, client by ``KCPTUN_KEY``, a second client by a ``-c`` JSON
    file with a wrong key, a third with a bad ``-c`` file; stdout, stderr and ``--log``
    files are searched."""
    key, wrong = secrets.token_hex(16), secrets.token_hex(16)

    async def main() -> None:
        echo = await AsyncEcho().start()
        sport, c1, c2 = free_udp_port(), free_tcp_port(), free_tcp_port()
        procs: list[subprocess.Popen[bytes]] = []

        def spawn(
            args: list[str], name: str, port: int, proto: str, env: dict[str, str] | None = None
        ) -> subprocess.Popen[bytes]:
            out = open(tmp_path / f"{name}.out", "wb")  # noqa: SIM115 (closed below)
            p = subprocess.Popen(
                [sys.executable, "-c", DEBUG_MAIN, *args],
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
            )
            out.close()
            procs.append(p)
            wait_listening(p, port, proto, timeout=20)
            return p

        try:
            spawn(
                [
                    "server",
                    "--listen",
                    f"{LOCAL}:{sport}",
                    "--target",
                    f"{LOCAL}:{echo.port}",
                    "--key",
                    key,
                    "--log",
                    str(tmp_path / "server.log"),
                ],
                "server",
                sport,
                "udp",
            )
            spawn(
                ["client", "--localaddr", f"{LOCAL}:{c1}", "--remoteaddr", f"{LOCAL}:{sport}"],
                "client",
                c1,
                "tcp",
                env={"KCPTUN_KEY": key},
            )
            (tmp_path / "wrong.json").write_text(
                json.dumps(
                    {"localaddr": f"{LOCAL}:{c2}", "remoteaddr": f"{LOCAL}:{sport}", "key": wrong}
                )
            )
            spawn(["client", "-c", str(tmp_path / "wrong.json")], "wrong", c2, "tcp")
            r = await echo_roundtrip(c1, 200_000, 1, timeout=20)
            assert r.ok, r.error
            await echo_roundtrip(c2, 1000, 2, timeout=3)  # goes nowhere
            (tmp_path / "bad.json").write_text('{"key": "' + key + '", "mtu": "x"')
            bad = subprocess.run(
                [sys.executable, "-c", DEBUG_MAIN, "client", "-c", str(tmp_path / "bad.json")],
                cwd=REPO,
                capture_output=True,
                timeout=20,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )
            assert bad.returncode != 0
            (tmp_path / "bad.out").write_bytes(bad.stdout + bad.stderr)
        finally:
            for p in procs:
                stop_process(p)
            await echo.close()

    run(main(), 70)
    time.sleep(0.1)
    logs = {
        p.name: p.read_text(errors="replace")
        for p in tmp_path.iterdir()
        if p.suffix in (".out", ".log")
    }
    assert "stream opened" in logs["server.log"]
    assert "key: ********" in logs["client.out"]
    for name, text in logs.items():
        assert_clean(text, needles(key, wrong), name)


def test_replayed_datagrams_open_nothing(run: Any) -> None:
    """A client's datagrams are captured on the wire and sent again, all of them, from another
    source port, and the first one alone from 20 more ports. kcptun would open a new session
    for each source and deliver the request to the target again (its protocol has no MAC and
    no timestamps); our server remembers which address each conv opened from and refuses it
    from any other, counted in InErrs, so the target sees the request once."""

    async def main() -> None:
        relay = LossyRelay(delay=0.001)
        captured: list[bytes] = []
        forward = relay._from_client

        def tap(data: bytes, addr: Any) -> None:
            captured.append(data)
            forward(data, addr)

        relay._from_client = tap  # type: ignore[method-assign]
        async with engine_pair(relay=relay, key=secrets.token_hex(8)) as p:
            r = await echo_roundtrip(p.port, 5000, 1)
            assert r.ok and p.echo.accepted == 1 and p.echo.bytes == 5000
            replay = list(captured)
            errs0 = p.server.snmp().in_errs
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind((LOCAL, 0))
                for d in replay:
                    s.sendto(d, (LOCAL, p.server.local_port))
                    await asyncio.sleep(0.002)
            for _ in range(20):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind((LOCAL, 0))
                    s.sendto(replay[0], (LOCAL, p.server.local_port))
            expected = len(replay) + 20
            for _ in range(100):
                if p.demux.replays >= expected:
                    break
                await asyncio.sleep(0.05)
            assert p.demux.replays == expected
            assert p.server.snmp().in_errs - errs0 == expected
            assert p.echo.accepted == 1 and p.echo.bytes == 5000 and len(p.demux.sessions) == 1
            r = await echo_roundtrip(p.port, 5000, 2)  # the real client is unaffected
            assert r.ok and p.echo.bytes == 10000

    run(main(), 20)
