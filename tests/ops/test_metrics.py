"""``--metrics``: Prometheus text read back with prometheus_client's parser, /healthz."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kcpcore.aio.engine import Engine
from kcpcore.aio.metrics import render
from kcpcore.aio.metrics_server import MetricsServer
from kcpcore.aio.stats import EngineSnapshot, SessionSnapshot
from kcpcore.snmp import ATTR_OF
from tests.reliability.util import LOCAL, echo_roundtrip, engine_pair

pytestmark = pytest.mark.timeout(60)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} for every sample in an exposition."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def dump_values(go_dump: str) -> dict[str, int]:
    """kcptun's SIGUSR1 text ``&{BytesSent:1 ...}`` as a dict."""
    return {k: int(v) for k, v in re.findall(r"(\w+):(\d+)", go_dump)}


async def get(port: int, path: str) -> tuple[int, str]:
    r, w = await asyncio.open_connection(LOCAL, port)
    w.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    raw = await asyncio.wait_for(r.read(), 10)
    w.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


async def served(engine: Engine) -> MetricsServer:
    async def source() -> EngineSnapshot:
        return engine.snapshot()

    server = MetricsServer(source)
    await server.start(LOCAL, 0)
    return server


def test_every_snmp_counter_matches_the_sigusr1_dump_and_sessions_are_listed() -> None:
    async def main() -> None:
        async with engine_pair(datashard=10, parityshard=3) as p:
            r = await echo_roundtrip(p.port, 300_000, 3)
            assert r.ok, r
            metrics = await served(p.server)
            try:
                status, text = await get(metrics.port, "/metrics")
                assert status == 200
                got = samples(text)
                # the same instant: the collector and the dump read the same counters
                now = samples(render(p.server.snapshot()).decode())
                dump = dump_values(p.server.snmp().go_dump())
            finally:
                await metrics.close()
            for name, attr in ATTR_OF.items():
                suffix = "" if name in ("MaxConn", "CurrEstab") else "_total"
                assert now[(f"kcpdesk_{attr}{suffix}", ())] == dump[name], name
            assert got[("kcpdesk_bytes_sent_total", ())] >= 300_000
            assert got[("kcpdesk_curr_estab", ())] == 1 == got[("kcpdesk_sessions", ())]
            client_udp = p.client.tunnel.sessions()[0]  # type: ignore[union-attr]
            conv = f"{client_udp.conv:08x}"
            rtt = [k for k in got if k[0] == "kcpdesk_session_rtt_seconds"]
            labels = (("conv", conv), ("worker", "0"))
            assert rtt == [("kcpdesk_session_rtt_seconds", labels)]
            (peer,) = [dict(k[1])["peer"] for k in got if k[0] == "kcpdesk_session_info"]
            (addr,) = p.demux.sessions  # the client's UDP address as the server sees it
            assert peer == f"{addr[0]}:{addr[1]}" and addr[0] == LOCAL
            assert got[("kcpdesk_session_sent_bytes_total", labels)] >= 300_000
            assert got[("kcpdesk_session_received_bytes_total", labels)] >= 300_000
            assert got[("kcpdesk_session_peer_window_segments", labels)] > 0
            assert 0 < got[("kcpdesk_session_rto_seconds", labels)] < 5
            assert got[("kcpdesk_session_age_seconds", labels)] > 0
            info = next(k for k in got if k[0] == "kcpdesk_engine_info")
            assert dict(info[1])["role"] == "server" and dict(info[1])["crypt"] == "aes"
            assert dict(info[1])["peer_generation"] == p.server.cfg.peer != ""

    asyncio.run(asyncio.wait_for(main(), 40))


def test_healthz_and_unknown_paths() -> None:
    async def main() -> None:
        async with engine_pair() as p:
            metrics = await served(p.server)
            try:
                assert await get(metrics.port, "/healthz") == (200, "ok\n")
                assert (await get(metrics.port, "/nope"))[0] == 404
                await p.server.stop()
                assert (await get(metrics.port, "/healthz"))[0] == 503
            finally:
                await metrics.close()

    asyncio.run(asyncio.wait_for(main(), 30))


def fake_snapshot(n: int) -> EngineSnapshot:
    sessions = [
        SessionSnapshot(
            conv=i,
            peer=f"10.0.{i // 250}.{i % 250}:4000",
            rtt_ms=20,
            rto_ms=200,
            window_used=i % 7,
            peer_window=512,
            streams=1,
            bytes_sent=i,
            bytes_received=0,
            retransmits=0,
            fec_recovered=0,
            age_s=1.0,
        )
        for i in range(n)
    ]
    return EngineSnapshot(
        version="t",
        role="server",
        crypt="aes",
        mode="fast",
        snmp={"CurrEstab": n},
        sessions=sessions,
    )


def test_per_session_series_are_capped_at_the_busiest() -> None:
    got: dict[Any, float] = samples(render(fake_snapshot(30), max_sessions=10).decode())
    rtts = [k for k in got if k[0] == "kcpdesk_session_rtt_seconds"]
    assert len(rtts) == 10
    assert {dict(k[1])["conv"] for k in rtts} == {f"{i:08x}" for i in range(20, 30)}
    assert got[("kcpdesk_sessions", ())] == 30
    assert got[("kcpdesk_sessions_unlisted", ())] == 20
    assert got[("kcpdesk_session_rtt_seconds", (("conv", "0000001d"), ("worker", "0")))] == 0.02
    assert (
        "kcpdesk_session_info",
        (("conv", "0000001d"), ("peer", "10.0.0.29:4000"), ("worker", "0")),
    ) in got
