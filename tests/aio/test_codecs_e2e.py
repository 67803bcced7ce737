"""Our client and server over loopback with the 2025 codecs: aes-128-gcm (FEC on and off),
crypt null and QPP; 3 parallel connections x 2 MB echoed, sha256 checked."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import pytest

from kcpcore.aio.engine import Engine
from kcpcore.config import TunnelConfig
from tests.aio.test_tunnel import echo_check, random_bytes, run, tunnel

SIZE = 2_000_000
CONNECTIONS = 3

CASES = {
    "gcm-fec": {"crypt": "aes-128-gcm"},
    "gcm-nofec": {"crypt": "aes-128-gcm", "datashard": 0, "parityshard": 0},
    "null": {"crypt": "null", "nocomp": True, "datashard": 0, "parityshard": 0},
    "gcm-qpp": {"crypt": "aes-128-gcm", "qpp": True, "qppcount": 61, "peer": "kcpdesk"},
}


@pytest.mark.parametrize("flags", list(CASES.values()), ids=list(CASES))
def test_three_connections_two_megabytes_each(flags: dict[str, Any]) -> None:
    async def main() -> None:
        async with tunnel(mode="fast2", **flags) as (port, client, server):
            for end in (client, server):
                assert end.tunnel is not None and end.tunnel.crypt.method == flags["crypt"]
                assert (end.tunnel.qpp_seed is not None) == flags.get("qpp", False)
            results = await asyncio.gather(*(echo_check(port, SIZE, i) for i in range(CONNECTIONS)))
            assert all(results)
            c, s = client.snmp(), server.snmp()
            assert c.bytes_sent >= CONNECTIONS * SIZE and s.bytes_received >= CONNECTIONS * SIZE
            assert c.in_csum_errors == s.in_csum_errors == 0
            assert c.in_errs == s.in_errs == 0  # no datagram taken for a replay

    run(main(), timeout=120.0)


@pytest.mark.parametrize(("client_qpp", "server_qpp"), [(True, True), (True, False)])
def test_qpp_must_match_the_target_sees_the_clear_bytes_only_then(
    client_qpp: bool, server_qpp: bool
) -> None:
    """The target receives the application's bytes when both ends run QPP, permuted bytes
    when only the client does (an echo would hide it: the client's own PRNGs undo it)."""
    data = random_bytes(50_000, 9)

    async def digest(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        got = await reader.read(-1)
        writer.write(hashlib.sha256(got).digest())
        await writer.drain()
        writer.close()

    async def main() -> bytes:
        target = await asyncio.start_server(digest, "127.0.0.1", 0)
        tport = target.sockets[0].getsockname()[1]
        server = Engine(
            TunnelConfig(
                role="server",
                listen="127.0.0.1:0",
                quiet=True,
                target=f"127.0.0.1:{tport}",
                qpp=server_qpp,
                peer="kcpdesk",
            )
        )
        await server.start()
        client = Engine(
            TunnelConfig(
                role="client",
                localaddr="127.0.0.1:0",
                quiet=True,
                remoteaddr=f"127.0.0.1:{server.local_port}",
                qpp=client_qpp,
                peer="kcpdesk",
            )
        )
        await client.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", client.local_port)
            writer.write(data)
            writer.write_eof()
            answer = await reader.read(-1)
            writer.close()
            return answer
        finally:
            await client.stop()
            await server.stop()
            target.close()

    answer = run(main())
    assert len(answer) == 32
    assert (answer == hashlib.sha256(data).digest()) == (client_qpp == server_qpp)
