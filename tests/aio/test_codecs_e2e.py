"""Our client and server over loopback with the 2025 codecs: aes-128-gcm (FEC on and off),
crypt null and QPP; 3 parallel connections x 2 MB echoed, sha256 checked."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.aio.test_tunnel import echo_check, run, tunnel

SIZE = 2_000_000
CONNECTIONS = 3

CASES = {
    "gcm-fec": {"crypt": "aes-128-gcm"},
    "gcm-nofec": {"crypt": "aes-128-gcm", "datashard": 0, "parityshard": 0},
    "null": {"crypt": "null", "nocomp": True, "datashard": 0, "parityshard": 0},
}


@pytest.mark.parametrize("flags", list(CASES.values()), ids=list(CASES))
def test_three_connections_two_megabytes_each(flags: dict[str, Any]) -> None:
    async def main() -> None:
        async with tunnel(mode="fast2", **flags) as (port, client, server):
            for end in (client, server):
                assert end.tunnel is not None and end.tunnel.crypt.method == flags["crypt"]
            results = await asyncio.gather(
                *(echo_check(port, SIZE, i) for i in range(CONNECTIONS)))
            assert all(results)
            c, s = client.snmp(), server.snmp()
            assert c.bytes_sent >= CONNECTIONS * SIZE and s.bytes_received >= CONNECTIONS * SIZE
            assert c.in_csum_errors == s.in_csum_errors == 0
            assert c.in_errs == s.in_errs == 0  # no datagram taken for a replay

    run(main(), timeout=120.0)
