"""A client whose settings do not match the server's.

Wrong key or cipher: the server decrypts nothing, so it opens no session and sends nothing
back (a kcptun server is silent to strangers); it counts every datagram in InCsumErrors. The
client sees only silence: OutPkts rise, InPkts stay 0, its checksum counter stays 0, and smux's
keepalive timeout ends the session. A relay in between counts the datagrams each way, so
"silent" is checked on the wire. The GUI's diagnosis (``app.models.diagnostics``) turns those
counters into "no reply" on the client and "checksum" on the server.

Different FEC shard counts are *not* a mismatch in kcptun: kcp-go strips FEC headers whatever
its own setting, so data flows both ways (only the parity is wasted). Different compression
or smux version: the server answers, and the session dies on its first frames with a reason.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.demo.relay import LossyRelay
from app.models.diagnostics import diagnose
from kcpcore.snmp import Snmp
from tests.reliability.util import (
    echo_roundtrip,
    engine_pair,
    short_keepalive,
    wait_for,
)

pytestmark = pytest.mark.timeout(60)

STRANGERS = [
    pytest.param({"key": "right"}, {"key": "wrong"}, id="wrong-key"),
    pytest.param({"crypt": "aes"}, {"crypt": "salsa20"}, id="aes-vs-salsa20"),
    pytest.param({"crypt": "aes"}, {"crypt": "none"}, id="aes-vs-none"),
    pytest.param({"crypt": "aes"}, {"crypt": "aes-128"}, id="aes-vs-aes128"),
    pytest.param({"crypt": "none"}, {"crypt": "xor"}, id="none-vs-xor"),
]


def findings(engine: Any, before: Snmp, role: str, seconds: float) -> list[str]:
    return [f.code for f in diagnose(engine.snmp().delta(before), role=role, seconds=seconds)]


@pytest.mark.parametrize(("server", "client"), STRANGERS)
def test_stranger_gets_silence_and_both_ends_say_why(
    run: Any, figures: Any, monkeypatch: Any, server: dict, client: dict
) -> None:
    short_keepalive(monkeypatch, timeout=3.0, interval=1.0)

    async def main() -> None:
        relay = LossyRelay(delay=0.001)
        async with engine_pair(relay=relay, client_flags=client, **server) as p:
            s0, c0 = p.server.snmp(), p.client.snmp()
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            r = await echo_roundtrip(p.port, 100_000, 1, timeout=10)
            took = loop.time() - t0
            # the app's connection ends (no bytes) once smux gives up, not never
            assert not r.ok and r.received == 0
            assert took < 8
            mux = p.client.tunnel.slots[0]
            assert mux is not None and mux.dead and "keepalive timeout" in mux.dead_reason
            await asyncio.sleep(0.2)
            sent = relay.counts["to_server"]
            assert sent > 0
            assert relay.counts["to_client"] == 0  # the server stays silent to the stranger
            ss, cs = p.server.snmp(), p.client.snmp()
            assert ss.out_pkts == 0 and ss.passive_opens == 0 and not p.demux.sessions
            assert ss.in_csum_errors == sent  # every datagram counted, none routed
            assert cs.out_pkts == sent and cs.in_pkts == 0 and cs.in_csum_errors == 0
            seconds = loop.time() - t0
            assert "no-reply" in findings(p.client, c0, "client", seconds)
            assert "checksum" in findings(p.server, s0, "server", seconds)
            figures.add("mismatch.stranger", **{f"{server}->{client}": sent})

    run(main(), 40)


@pytest.mark.parametrize(
    ("server", "client"),
    [
        pytest.param({"datashard": 0, "parityshard": 0}, {}, id="server-fec-off"),
        pytest.param({}, {"datashard": 0, "parityshard": 0}, id="client-fec-off"),
        pytest.param(
            {"datashard": 5, "parityshard": 5},
            {"datashard": 10, "parityshard": 3},
            id="5-5-vs-10-3",  # the peer skips parity: see test_fec's mismatched layouts
        ),
    ],
)
def test_mismatched_fec_still_carries_every_byte(run: Any, server: dict, client: dict) -> None:
    async def main() -> None:
        relay = LossyRelay(loss=0.02, delay=0.001, seed=3)
        async with engine_pair(relay=relay, client_flags=client, **server) as p:
            results = await asyncio.gather(
                *(echo_roundtrip(p.port, 1 << 20, i, timeout=40) for i in range(3))
            )
            for r in results:
                assert r.ok, r.error
            for e in (p.server, p.client):
                assert e.snmp().in_csum_errors == 0

    run(main(), 50)


@pytest.mark.parametrize(
    ("server", "client", "reason"),
    [
        pytest.param({"nocomp": True}, {"nocomp": False}, "snappy", id="nocomp"),
        pytest.param({"nocomp": False}, {"nocomp": True}, "smux: frame version", id="comp"),
    ],
)  # a smuxver mismatch no longer keeps killing: the client switches (aio/test_generations)
def test_compression_or_smux_mismatch_kills_the_session_with_a_reason(
    run: Any, monkeypatch: Any, server: dict, client: dict, reason: str
) -> None:
    short_keepalive(monkeypatch, timeout=3.0, interval=1.0)

    async def main() -> None:
        async with engine_pair(client_flags=client, **server) as p:
            c0 = p.client.snmp()
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            for i in range(3):  # each new connection dials again and dies again
                r = await echo_roundtrip(p.port, 50_000, i, timeout=8)
                assert not r.ok
            mux = p.client.tunnel.slots[0]
            assert mux is not None
            assert await wait_for(lambda: mux.dead, 5)
            assert reason in mux.dead_reason
            assert p.client.snmp().active_opens - c0.active_opens >= 2
            codes = findings(p.client, c0, "client", loop.time() - t0)
            assert "reopens" in codes, codes

    run(main(), 50)
