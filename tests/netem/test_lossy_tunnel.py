"""The tunnel over a real lossy link between network namespaces (5% loss, 30 ms, reordering).

Our ends and the Go ends in every pairing move data intact, and our SNMP shows that FEC
rebuilt lost packets and that KCP retransmitted (read from ``--snmplog``, as a user would).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kcpcore.config import TunnelConfig
from tests.helpers.netlink import (
    REPO_ROOT,
    SERVER_IP,
    EmulatedLink,
    netlink_fixture,
    stop_process,
)
from tests.helpers.peers import go_missing_reason, logs, read_snmp_csv, start_peer

pytestmark = [pytest.mark.netem, pytest.mark.slow]
netlink = netlink_fixture()

TUNNEL_PORT = 29900
CLIENT_PORT = 12948
CONNECTIONS = 3
SIZE = 1_000_000
FLAGS = {"key": "lossy link", "mode": "fast2", "nocomp": True}


def in_ns(link: EmulatedLink, ns: str, code: str) -> list[str]:
    return link.exec_argv(ns, [sys.executable, "-c", code])


def start_echo(link: EmulatedLink, log: Path) -> tuple[subprocess.Popen[str], int]:
    code = (
        f"import sys, time; sys.path.insert(0, {str(REPO_ROOT)!r})\n"
        "from tests.helpers.peers import EchoServer\n"
        f"e = EchoServer({SERVER_IP!r}); print(e.port, flush=True); time.sleep(600)"
    )
    with open(log, "w") as err:
        proc = subprocess.Popen(
            in_ns(link, link.server_ns, code), stdout=subprocess.PIPE, stderr=err, text=True
        )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def transfers(link: EmulatedLink, count: int, size: int) -> list[dict[str, object]]:
    code = (
        f"import sys, json, dataclasses; sys.path.insert(0, {str(REPO_ROOT)!r})\n"
        "from tests.helpers.peers import parallel_transfers\n"
        f"r = parallel_transfers({CLIENT_PORT}, {count}, {size}, timeout=120)\n"
        "print(json.dumps([dataclasses.asdict(t) for t in r]))"
    )
    out = subprocess.run(
        in_ns(link, link.client_ns, code), capture_output=True, text=True, timeout=180, check=True
    ).stdout
    return json.loads(out.splitlines()[-1])


@pytest.mark.parametrize(
    ("client", "server"), [("ours", "ours"), ("ours", "go"), ("go", "ours")], ids=lambda v: v
)
def test_lossy_link_intact_with_fec_and_retransmits(
    client: str, server: str, netlink, tmp_path: Path
) -> None:
    if "go" in (client, server) and go_missing_reason():
        pytest.skip(str(go_missing_reason()))
    link = netlink(rate="50mbit", delay="30ms", loss="5%", jitter="3ms", reorder="2%")
    echo, echo_port = start_echo(link, tmp_path / "echo.log")
    snmp = {"client": tmp_path / "client-snmp.csv", "server": tmp_path / "server-snmp.csv"}
    server_cfg = TunnelConfig(
        role="server",
        listen=f"{SERVER_IP}:{TUNNEL_PORT}",
        target=f"{SERVER_IP}:{echo_port}",
        snmplog=str(snmp["server"]),
        snmpperiod=1,
        **FLAGS,
    )
    client_cfg = TunnelConfig(
        role="client",
        localaddr=f"127.0.0.1:{CLIENT_PORT}",
        remoteaddr=f"{SERVER_IP}:{TUNNEL_PORT}",
        snmplog=str(snmp["client"]),
        snmpperiod=1,
        **FLAGS,
    )
    procs = [echo]
    try:
        procs.append(
            start_peer(
                server,
                server_cfg,
                tmp_path / f"server-{server}.log",
                ns_argv=link.exec_argv(link.server_ns, []),
            )
        )
        procs.append(
            start_peer(
                client,
                client_cfg,
                tmp_path / f"client-{client}.log",
                ns_argv=link.exec_argv(link.client_ns, []),
            )
        )
        results = transfers(link, CONNECTIONS, SIZE)
        time.sleep(1.5)  # one more snmplog row after the last byte
    finally:
        for p in reversed(procs):
            stop_process(p)
    assert all(r["ok"] for r in results), f"{results}\n{logs(tmp_path)}"
    ours = [role for role, impl in (("client", client), ("server", server)) if impl == "ours"]
    for role in ours:
        last = read_snmp_csv(snmp[role])[-1]
        assert int(last["RetransSegs"]) > 0, f"{role}: {last}"
        assert int(last["FECRecovered"]) > 0, f"{role}: {last}"
        assert int(last["BytesReceived"]) >= CONNECTIONS * SIZE, f"{role}: {last}"
