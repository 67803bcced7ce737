"""A network outage under a running client, and how long after "network back" data flows again.

Used by ``tests/netem/test_network_change.py`` (the bound) and ``benchmarks/netchange_bench.py``
(the numbers, with and without the client's network watch). On an ``EmulatedLink``:

* our server and an echo target in the server namespace, our client in the client namespace
  (``--netwatch on`` or ``off``);
* a prober in the client namespace sends an 8-byte ping through the tunnel every 50 ms on one
  TCP connection and waits up to 1 s for its echo; on an error or a timeout it opens a new
  connection. It prints one JSON line each time pings start or stop coming back, with the
  system-wide monotonic time (the same clock in every process);
* the outage: ``link`` takes the client's interface down, then up again and puts its route
  back (as a DHCP client or NetworkManager would); ``address`` removes the client's address
  and gives it another one (a PPPoE or DHCP renumbering, kcptun-libev#10); ``freeze`` stops
  the client process (SIGSTOP) and lets it go on (SIGCONT), as a laptop's sleep does to it:
  longer than smux's 30 s keepalive timeout, the server has closed the session meanwhile;
* ``trigger="sighup"`` sends SIGHUP to the client once the network is back (an OpenWrt hotplug
  script would); ``netwatch`` relies on the client's own route watch; ``none`` on neither.

Recovery is the time from the moment the restore commands returned to the first echo.
The prober is this module's ``main`` (``python tests/helpers/outage.py probe PORT SECONDS``).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

REPO = Path(__file__).resolve().parents[2]
if __name__ == "__main__":  # the prober runs as a script inside a namespace
    sys.path.insert(0, str(REPO))

from kcpcore.config import TunnelConfig  # noqa: E402
from tests.helpers.netlink import (  # noqa: E402
    CLIENT_DEV,
    CLIENT_IP,
    SERVER_IP,
    EmulatedLink,
    stop_process,
    wait_listening,
)
from tests.helpers.peers import peer_argv, start_peer  # noqa: E402

Scenario = Literal["link", "address", "freeze"]
Trigger = Literal["netwatch", "sighup", "none"]

TUNNEL_PORT = 29900
CLIENT_PORT = 12948
NEW_CLIENT_IP = "10.99.1.3"  # the address the client gets in the ``address`` scenario
ROUTER_CLIENT_SIDE = "10.99.1.1"  # netlink.sh RTR_CIP: the client's gateway
PING_PERIOD = 0.05  # s between pings
PING_WAIT = 1.0  # s a ping may take before the prober gives up on its connection
FLAGS: dict[str, Any] = {"key": "outage", "mode": "fast", "nocomp": True}


@dataclass(frozen=True, slots=True)
class OutageResult:
    scenario: str
    trigger: str
    outage_s: float
    """how long the network was gone"""
    recovery_s: float | None
    """from "network back" to the first echo; None if none came within the bound"""


# --------------------------------------------------------------------------- prober


BULK_CHUNK = 65536  # bytes per write of the bulk mode's stream


def bulk(port: int, end: float) -> None:
    """Keep one connection echoing as fast as it goes (the KCP window stays full), opening a
    new one after an error; runs beside the pings."""
    chunk = bytes(range(256)) * (BULK_CHUNK // 256)
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=PING_WAIT) as s:
                s.settimeout(30)
                while time.monotonic() < end:
                    s.sendall(chunk)
                    got = 0
                    while got < len(chunk):
                        data = s.recv(len(chunk) - got)
                        if not data:
                            raise ConnectionError("closed")
                        got += len(data)
        except (OSError, ConnectionError):
            time.sleep(PING_PERIOD)


def probe(port: int, seconds: float, with_bulk: bool = False) -> None:
    """Ping through the tunnel; one JSON line per change between working and not."""
    end = time.monotonic() + seconds
    if with_bulk:
        threading.Thread(target=bulk, args=(port, end), daemon=True).start()
    sock: socket.socket | None = None
    working: bool | None = None
    n = 0

    def report(ok: bool) -> None:
        nonlocal working
        if ok != working:
            working = ok
            print(json.dumps({"ok": ok, "t": time.monotonic()}), flush=True)

    while time.monotonic() < end:
        try:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port), timeout=PING_WAIT)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            n += 1
            msg = n.to_bytes(8, "big")
            sock.sendall(msg)
            got = b""
            while len(got) < len(msg):
                chunk = sock.recv(len(msg) - len(got))
                if not chunk:
                    raise ConnectionError("closed")
                got += chunk
            if got != msg:
                raise ConnectionError(f"echo mismatch: {got!r} != {msg!r}")  # corruption
            report(True)
            time.sleep(PING_PERIOD)
        except (OSError, ConnectionError) as exc:
            if "mismatch" in str(exc):
                print(json.dumps({"corrupt": str(exc)}), flush=True)
            report(False)
            if sock is not None:
                sock.close()
                sock = None
            time.sleep(PING_PERIOD)


# --------------------------------------------------------------------------- the run


def _ip(link: EmulatedLink, *args: str) -> None:
    subprocess.run(["ip", "-n", link.client_ns, *args], check=True, timeout=10, capture_output=True)


def _take_down(link: EmulatedLink, scenario: Scenario, client: subprocess.Popen[Any]) -> None:
    if scenario == "freeze":
        client.send_signal(signal.SIGSTOP)
    elif scenario == "link":
        _ip(link, "link", "set", CLIENT_DEV, "down")
    else:
        _ip(link, "addr", "del", f"{CLIENT_IP}/24", "dev", CLIENT_DEV)


def _bring_back(link: EmulatedLink, scenario: Scenario, client: subprocess.Popen[Any]) -> None:
    if scenario == "freeze":
        client.send_signal(signal.SIGCONT)
        return
    if scenario == "link":
        _ip(link, "link", "set", CLIENT_DEV, "up")
    else:
        _ip(link, "addr", "add", f"{NEW_CLIENT_IP}/24", "dev", CLIENT_DEV)
    deadline = time.monotonic() + 5
    while True:  # the route went with the link or the address; a carrier may take a moment
        try:
            _ip(link, "route", "replace", "10.99.2.0/24", "via", ROUTER_CLIENT_SIDE)
            return
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _start_ends(link: EmulatedLink, logs: Path, netwatch: bool) -> list[subprocess.Popen[Any]]:
    code = (
        f"import sys, time; sys.path.insert(0, {str(REPO)!r})\n"
        "from tests.helpers.peers import EchoServer\n"
        f"e = EchoServer({SERVER_IP!r}); print(e.port, flush=True); time.sleep(600)"
    )
    echo = link.popen(
        link.server_ns, [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True
    )
    assert echo.stdout is not None
    echo_port = int(echo.stdout.readline())
    server = TunnelConfig(
        role="server",
        listen=f"{SERVER_IP}:{TUNNEL_PORT}",
        target=f"{SERVER_IP}:{echo_port}",
        **FLAGS,
    )
    client = TunnelConfig(
        role="client",
        localaddr=f"127.0.0.1:{CLIENT_PORT}",
        remoteaddr=f"{SERVER_IP}:{TUNNEL_PORT}",
        **FLAGS,
    )
    procs = [echo]
    procs.append(
        start_peer("ours", server, logs / "server.log", ns_argv=link.exec_argv(link.server_ns, []))
    )
    argv = [*peer_argv("ours", client), "--netwatch", "on" if netwatch else "off"]
    with open(logs / "client.log", "ab") as f:
        proc = link.popen(
            link.client_ns,
            argv,
            stdout=f,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
    procs.append(proc)
    wait_listening(proc, CLIENT_PORT, "tcp", timeout=20)
    return procs


def run_outage(
    link: EmulatedLink,
    logs: Path,
    *,
    scenario: Scenario = "link",
    trigger: Trigger = "netwatch",
    outage: float = 3.0,
    bound: float = 25.0,
    with_bulk: bool = False,
) -> OutageResult:
    """One outage on a fresh pair of ends; ``bound`` caps the wait for recovery.
    ``with_bulk``: a bulk echo stream runs beside the pings (the KCP window stays full)."""
    procs = _start_ends(link, logs, netwatch=trigger == "netwatch")
    prober = link.popen(
        link.client_ns,
        [
            sys.executable,
            __file__,
            "probe",
            str(CLIENT_PORT),
            str(outage + bound + 15),
            *(["bulk"] if with_bulk else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[dict[str, Any] | None] = queue.Queue()

    def pump() -> None:
        assert prober.stdout is not None
        for raw in prober.stdout:
            lines.put(json.loads(raw))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        _wait_for(lines, lambda ev: ev.get("ok") is True, 15.0, "the tunnel never worked")
        _take_down(link, scenario, procs[-1])
        time.sleep(outage)  # the outage itself: what is being simulated lasts this long
        _bring_back(link, scenario, procs[-1])
        back = time.monotonic()
        if trigger == "sighup":
            procs[-1].send_signal(signal.SIGHUP)
        try:
            ev = _wait_for(
                lines, lambda e: e.get("ok") is True and e["t"] >= back, bound, "no recovery"
            )
            recovery: float | None = ev["t"] - back
        except TimeoutError:
            recovery = None
    finally:
        stop_process(prober)
        for p in procs[1:]:  # the tunnel ends at once: SIGTERM would drain open streams
            with contextlib.suppress(OSError):
                p.send_signal(signal.SIGINT)
        for p in reversed(procs):
            stop_process(p)
    return OutageResult(scenario, trigger, outage, recovery)


def _wait_for(
    lines: queue.Queue[dict[str, Any] | None], cond: Any, timeout: float, what: str
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{what} within {timeout:g} s")
        try:
            ev = lines.get(timeout=left)
        except queue.Empty:
            continue
        if ev is None:
            raise RuntimeError("the prober exited")
        if "corrupt" in ev:
            raise AssertionError(f"data through the tunnel was corrupted: {ev['corrupt']}")
        if cond(ev):
            return ev


if __name__ == "__main__":
    if sys.argv[1:2] != ["probe"] or len(sys.argv) not in (4, 5):
        sys.exit("usage: outage.py probe PORT SECONDS [bulk]")
    probe(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:] == ["bulk"])
