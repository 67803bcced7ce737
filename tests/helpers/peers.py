"""Tunnel ends as processes (Debian's Go kcptun or ours) plus an echo target and a checker.

Both implementations get the same kcptun flags from ``TunnelConfig.to_args``, so a test
states one config and runs it on either binary. Traffic never half-closes: kcptun closes both
directions as soon as one ends, so each connection sends N bytes, reads N echoed bytes, and
only then closes.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from kcpcore.config import TunnelConfig
from tests.helpers.netlink import payload, stop_process, wait_listening

Impl = Literal["go", "ours"]
GO_BINARY = {"client": "kcptun-client", "server": "kcptun-server"}
REPO = Path(__file__).resolve().parents[2]


def go_missing_reason() -> str | None:
    missing = [b for b in GO_BINARY.values() if shutil.which(b) is None]
    return f"Debian kcptun not installed ({', '.join(missing)})" if missing else None


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peer_argv(impl: Impl, cfg: TunnelConfig) -> list[str]:
    head = [GO_BINARY[cfg.role]] if impl == "go" else [sys.executable, "-m", "kcpcore", cfg.role]
    return head + cfg.to_args(kcptun=impl == "go")


def start_peer(
    impl: Impl,
    cfg: TunnelConfig,
    log: Path,
    *,
    ns_argv: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start one end; returns once it listens (TCP for a client, UDP for a server)."""
    argv = (ns_argv or []) + peer_argv(impl, cfg)
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    with open(log, "ab") as f:
        proc = subprocess.Popen(
            argv, stdout=f, stderr=subprocess.STDOUT, env=full_env, stdin=subprocess.DEVNULL
        )
    addr = cfg.localaddr if cfg.role == "client" else cfg.listen
    port = int(addr.rsplit(":", 1)[1])
    try:
        wait_listening(proc, port, "tcp" if cfg.role == "client" else "udp", timeout=20)
    except Exception as exc:
        stop_process(proc)
        raise RuntimeError(f"{impl} {cfg.role} did not start: {log.read_text()[-2000:]}") from exc
    return proc


class EchoServer:
    """Threaded TCP echo target: echoes every byte, closes when the peer closes."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    @staticmethod
    def _echo(conn: socket.socket) -> None:
        conn.settimeout(120)
        with conn, contextlib.suppress(OSError):
            while data := conn.recv(65536):
                conn.sendall(data)

    def close(self) -> None:
        self._stop = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


@dataclasses.dataclass
class Transfer:
    sent: int
    received: int
    ok: bool
    error: str = ""


def echo_transfer(
    port: int, size: int, seed: int, timeout: float = 60.0, host: str = "127.0.0.1"
) -> Transfer:
    """Send ``size`` seeded bytes through the tunnel and check the echo by sha256."""
    data = payload(seed, size)
    deadline = time.monotonic() + timeout
    got = hashlib.sha256()
    received = 0
    try:
        s = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        return Transfer(0, 0, False, f"connect: {exc}")
    with s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        err: list[str] = []

        def send() -> None:
            try:
                s.sendall(data)
            except OSError as exc:
                err.append(f"send: {exc}")

        t = threading.Thread(target=send, daemon=True)
        t.start()
        try:
            while received < size:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = s.recv(65536)
                if not chunk:
                    err.append(f"EOF after {received} of {size} bytes")
                    break
                got.update(chunk)
                received += len(chunk)
        except OSError as exc:
            err.append(f"recv after {received} bytes: {exc}")
        t.join(max(0.0, deadline - time.monotonic()))
    ok = received == size and got.digest() == hashlib.sha256(data).digest()
    return Transfer(size, received, ok and not err, "; ".join(err))


def parallel_transfers(
    port: int, count: int, size: int, timeout: float = 60.0, host: str = "127.0.0.1"
) -> list[Transfer]:
    out: list[Transfer | None] = [None] * count

    def run(i: int) -> None:
        out[i] = echo_transfer(port, size, seed=i + 1, timeout=timeout, host=host)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 5)
    return [t if t is not None else Transfer(size, 0, False, "timed out") for t in out]


@contextlib.contextmanager
def tunnel_pair(
    client: Impl,
    server: Impl,
    tmp: Path,
    target_port: int,
    *,
    ours_flags: dict[str, Any] | None = None,
    **flags: Any,
) -> Iterator[tuple[int, TunnelConfig, TunnelConfig]]:
    """A client and a server on loopback with the same ``flags``; yields the client's port.

    ``ours_flags`` go to our end(s) only: KCP Desk extensions (``pacing``) Go does not know.
    """
    cport, sport = free_port(), free_port(socket.SOCK_DGRAM)
    extra = ours_flags or {}
    server_cfg = TunnelConfig(
        role="server",
        listen=f"127.0.0.1:{sport}",
        target=f"127.0.0.1:{target_port}",
        **{**flags, **(extra if server == "ours" else {})},
    )
    client_cfg = TunnelConfig(
        role="client",
        localaddr=f"127.0.0.1:{cport}",
        remoteaddr=f"127.0.0.1:{sport}",
        **{**flags, **(extra if client == "ours" else {})},
    )
    procs = []
    try:
        procs.append(start_peer(server, server_cfg, tmp / f"server-{server}.log"))
        procs.append(start_peer(client, client_cfg, tmp / f"client-{client}.log"))
        yield cport, client_cfg, server_cfg
    finally:
        for p in reversed(procs):
            stop_process(p)


def read_snmp_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def logs(tmp: Path) -> str:
    return "\n".join(
        f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(tmp.glob("*.log"))
    )
