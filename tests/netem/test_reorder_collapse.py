"""Issue 11's collapse, on a real link: 1 % of datagrams overtake the others.

30 Mbit/s, 100 ms one way, 1 % loss, 1 % of datagrams skipping the delay line (netem's
``reorder``). Before issue 11 the paced default moved 2.1 Mbit/s here where kcptun's rules
moved 13: overtaking datagrams made the pacer's minimum RTT half the path's. This test runs
our ends with the defaults and with ``--pacing=false --fecadaptive=false`` on the same link,
back to back, and asks the default for at least 0.8 x the rules' goodput: a guard against a
gross collapse, not a speed target (those are in benchmarks/linkbench.py's corpus).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kcpcore.config import TunnelConfig
from tests.helpers.netlink import REPO_ROOT, SERVER_IP, EmulatedLink, netlink_fixture, stop_process
from tests.helpers.peers import logs, start_peer
from tests.netem.test_lossy_tunnel import start_echo

pytestmark = [pytest.mark.netem, pytest.mark.slow]
netlink = netlink_fixture()

TUNNEL_PORT = 29911
CLIENT_PORT = 12961
SIZE = 6_000_000  # each way, echoed: both ends send
FLAGS = {"key": "reorder", "mode": "fast2", "nocomp": True, "sndwnd": 1024, "rcvwnd": 1024}
RULES = {"pacing": False, "fecadaptive": False}


def timed_echo(link: EmulatedLink) -> dict[str, object]:
    """One echoed transfer through the tunnel, timed inside the client namespace."""
    code = (
        f"import sys, json, time, dataclasses; sys.path.insert(0, {str(REPO_ROOT)!r})\n"
        "from tests.helpers.peers import echo_transfer\n"
        f"t0 = time.monotonic(); r = echo_transfer({CLIENT_PORT}, {SIZE}, seed=7, "
        "timeout=90)\n"
        "print(json.dumps({**dataclasses.asdict(r), 'seconds': time.monotonic() - t0}))"
    )
    out = subprocess.run(
        link.exec_argv(link.client_ns, [sys.executable, "-c", code]),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return json.loads(out.splitlines()[-1])


def mbps(link: EmulatedLink, tmp: Path, extra: dict[str, bool], name: str) -> float:
    echo, echo_port = start_echo(link, tmp / f"echo-{name}.log")
    server_cfg = TunnelConfig(
        role="server",
        listen=f"{SERVER_IP}:{TUNNEL_PORT}",
        target=f"{SERVER_IP}:{echo_port}",
        **FLAGS,
        **extra,
    )
    client_cfg = TunnelConfig(
        role="client",
        localaddr=f"127.0.0.1:{CLIENT_PORT}",
        remoteaddr=f"{SERVER_IP}:{TUNNEL_PORT}",
        **FLAGS,
        **extra,
    )
    procs = [echo]
    try:
        procs.append(
            start_peer(
                "ours",
                server_cfg,
                tmp / f"server-{name}.log",
                ns_argv=link.exec_argv(link.server_ns, []),
            )
        )
        procs.append(
            start_peer(
                "ours",
                client_cfg,
                tmp / f"client-{name}.log",
                ns_argv=link.exec_argv(link.client_ns, []),
            )
        )
        result = timed_echo(link)
    finally:
        for p in reversed(procs):
            stop_process(p)
    assert result["ok"], f"{name}: {result}\n{logs(tmp)}"
    return 2 * SIZE * 8 / float(result["seconds"]) / 1e6  # both directions' payload


def test_paced_default_keeps_up_with_kcptun_rules_when_datagrams_overtake(
    netlink, tmp_path: Path
) -> None:
    link = netlink(rate="30mbit", delay="100ms", loss="1%", reorder="1%")
    rules = mbps(link, tmp_path, RULES, "rules")
    default = mbps(link, tmp_path, {}, "default")
    assert default >= 0.8 * rules, f"default {default:.1f} vs rules {rules:.1f} Mbit/s"
