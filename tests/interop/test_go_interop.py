"""Our tunnel ends against Debian's Go kcptun 20210922, in both directions.

Each case runs one config on both binaries: our client with the Go server, then the Go
client with our server, moving several MB up and down over parallel connections, checked
by sha256.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from kcpcore.config import TunnelConfig
from kcpcore.crypt import CRYPT_METHODS
from tests.helpers.netlink import stop_process
from tests.helpers.peers import (
    EchoServer,
    free_port,
    go_missing_reason,
    logs,
    parallel_transfers,
    peer_argv,
    start_peer,
    tunnel_pair,
)
from tests.helpers.udprelay import LossyUdpRelay

pytestmark = [
    pytest.mark.interop,
    pytest.mark.slow,
    pytest.mark.skipif(go_missing_reason() is not None, reason=str(go_missing_reason())),
]

DIRECTIONS = [("ours", "go"), ("go", "ours")]
SLOW_CRYPTS = {"tea": 1_000_000, "xtea": 1_000_000, "salsa20": 1_000_000}  # pure Python
SIZE = 2_000_000
CONNECTIONS = 3

CASES: list[tuple[str, dict[str, Any]]] = [
    *[(f"crypt-{m}", {"crypt": m}) for m in CRYPT_METHODS],
    *[(f"mode-{m}", {"mode": m}) for m in ("normal", "fast", "fast2", "fast3")],
    ("mode-manual", {"mode": "manual", "nodelay": 1, "interval": 20, "resend": 2, "nc": 1}),
    ("fec-5-5", {"datashard": 5, "parityshard": 5}),
    ("fec-off", {"datashard": 0, "parityshard": 0}),
    ("comp-on", {"nocomp": False}),
    ("smux-v2", {"smuxver": 2}),
    ("smux-v2-comp-fec-off", {"smuxver": 2, "nocomp": False, "datashard": 0}),
    ("conn-4", {"conn": 4}),
    ("mtu-1200-wnd-256", {"mtu": 1200, "sndwnd": 256, "rcvwnd": 256}),
    ("mtu-576-wnd-2048", {"mtu": 576, "sndwnd": 2048, "rcvwnd": 2048}),
    ("dscp-46", {"dscp": 46}),
]


@pytest.fixture(scope="module")
def echo() -> Any:
    server = EchoServer()
    yield server
    server.close()


@pytest.mark.parametrize(("client", "server"), DIRECTIONS, ids=lambda v: v)
@pytest.mark.parametrize(("case", "flags"), CASES, ids=[c for c, _ in CASES])
def test_interop(
    case: str, flags: dict[str, Any], client: str, server: str, tmp_path: Path, echo: EchoServer
) -> None:
    flags = {"nocomp": True, "key": f"interop {case}", **flags}
    size = SLOW_CRYPTS.get(flags.get("crypt", ""), SIZE)
    with tunnel_pair(client, server, tmp_path, echo.port, **flags) as (port, _, _):
        results = parallel_transfers(port, CONNECTIONS, size, timeout=90)
    bad = [r for r in results if not r.ok]
    assert not bad, f"{case} {client}->{server}: {bad}\n{logs(tmp_path)}"


@pytest.mark.parametrize(("client", "server"), DIRECTIONS, ids=lambda v: v)
@pytest.mark.parametrize("mode", ["fast", "fast3"])
def test_kcptun_sending_rules_against_go(
    mode: str, client: str, server: str, tmp_path: Path, echo: EchoServer
) -> None:
    """Our end with pacing and adaptive parity off (``--pacing=false --fecadaptive=false``,
    kcp-go's own sending; the Go end gets no such flags): data moves intact both ways. The
    other interop tests run our defaults, paced."""
    flags = {"nocomp": True, "key": f"interop kcptun sending {mode}", "mode": mode}
    with tunnel_pair(
        client,
        server,
        tmp_path,
        echo.port,
        ours_flags={"pacing": False, "fecadaptive": False},
        **flags,
    ) as (port, client_cfg, server_cfg):
        ours = client_cfg if client == "ours" else server_cfg
        assert not ours.pacing and "--pacing=false" in ours.to_args()
        assert not any("pacing" in a or "fecadaptive" in a for a in peer_argv("go", ours))
        results = parallel_transfers(port, CONNECTIONS, SIZE, timeout=90)
    bad = [r for r in results if not r.ok]
    assert not bad, f"kcptun sending {client}->{server}: {bad}\n{logs(tmp_path)}"


@pytest.mark.parametrize(("client", "server"), DIRECTIONS, ids=lambda v: v)
def test_300_connections(client: str, server: str, tmp_path: Path, echo: EchoServer) -> None:
    with tunnel_pair(client, server, tmp_path, echo.port, nocomp=True) as (port, _, _):
        results = parallel_transfers(port, 300, 30_000, timeout=90)
    bad = [r for r in results if not r.ok]
    assert not bad, f"{len(bad)} of 300 failed, first {bad[:3]}\n{logs(tmp_path)}"


@pytest.mark.parametrize(("client", "server"), DIRECTIONS, ids=lambda v: v)
@pytest.mark.parametrize("loss", [0.0, 0.05], ids=["clean", "loss-5%"])
def test_adaptive_parity_against_go(
    client: str, server: str, loss: float, tmp_path: Path, echo: EchoServer
) -> None:
    """Our end with --pacing --fecadaptive (KCP Desk only) against the Go end, through a
    relay that drops ``loss`` each way: parity we skip looks like lost parity to kcp-go, so
    streams arrive intact both ways (up from our client, down from our server)."""
    ours = {"pacing": True, "fecadaptive": True}
    flags: dict[str, Any] = {"nocomp": True, "key": "interop adaptive", "mode": "fast2"}
    cport, sport = free_port(), free_port(socket.SOCK_DGRAM)
    relay = LossyUdpRelay(("127.0.0.1", sport), loss, seed=5)
    scfg = TunnelConfig(
        role="server",
        listen=f"127.0.0.1:{sport}",
        target=f"127.0.0.1:{echo.port}",
        **flags,
        **(ours if server == "ours" else {}),
    )
    ccfg = TunnelConfig(
        role="client",
        localaddr=f"127.0.0.1:{cport}",
        remoteaddr=f"127.0.0.1:{relay.port}",
        **flags,
        **(ours if client == "ours" else {}),
    )
    procs = []
    try:
        procs.append(start_peer(server, scfg, tmp_path / f"server-{server}.log"))  # type: ignore[arg-type]
        procs.append(start_peer(client, ccfg, tmp_path / f"client-{client}.log"))  # type: ignore[arg-type]
        results = parallel_transfers(cport, CONNECTIONS, SIZE, timeout=120)
    finally:
        for p in reversed(procs):
            stop_process(p)
        relay.close()
    bad = [r for r in results if not r.ok]
    assert not bad, f"adaptive {client}->{server} loss {loss}: {bad}\n{logs(tmp_path)}"
    assert relay.counts["forwarded"] > 1000
