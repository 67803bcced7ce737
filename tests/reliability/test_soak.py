"""Soak: mixed traffic for a while, memory and object counts sampled, nothing may leak.

Traffic through our client and server (in this process, over a relay with 1% loss and some
reordering): bulk echo transfers, many short connections, and connections the app abandons
mid-transfer. The client runs ``conn=2`` sessions that expire (``autoexpire``) and are
scavenged, so session turnover is part of the run; smux's keepalive timeout is shortened so
the server also drops the expired sessions during the run. (``scavengettl`` is longer than any
transfer here: like kcptun, the scavenger closes an expired session with whatever streams it
still carries, and those streams are reset.)

Checks: every finished transfer is intact (sha256); the RSS trend over the second half of the
run (least squares) projects less than ``MAX_GROWTH_MB`` over the whole run; after the traffic
stops, streams (ours and smux's), sessions, target connections and asyncio tasks return to
their starting values, and the objects a leak would show as (streams, sessions, writers,
transports) are exactly those of the live sessions. (The total object count grows with the FEC
decoders' bounded caches of inverted matrices, up to 256 loss patterns per session; it is
reported, not checked.) Runs shorter than ``SETTLE_S`` check a total RSS bound instead of
the trend, because the allocator's high water takes a minute or two of traffic to settle.

Default run (CI): ``test_soak_short``, 60 s. The long run: ``test_soak_long``, 10 minutes, or
``KCPDESK_SOAK_SECONDS`` seconds::

    python -m pytest tests/reliability/test_soak.py -m soak -s
    KCPDESK_SOAK_SECONDS=3600 python -m pytest tests/reliability/test_soak.py -m soak -s
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
from typing import Any

import pytest

from app.demo.relay import LossyRelay
from tests.reliability.util import (
    LOCAL,
    chunks,
    echo_roundtrip,
    engine_pair,
    env_float,
    rss_bytes,
    short_keepalive,
    task_count,
    wait_for,
)

MB = 1 << 20
MAX_GROWTH_MB = 8.0
SETTLE_S = 300  # runs shorter than this check a total bound instead of the trend
MAX_TOTAL_GROWTH_MB = 48.0
LEAK_TYPES = (
    "MuxStream",
    "MuxConnection",
    "KcpSession",
    "SessionDriver",
    "SmuxSession",
    "StreamWriter",
    "_SelectorSocketTransport",
    "_SelectorDatagramTransport",
)


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (t, y)."""
    n = len(points)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (y - my) for t, y in points) / den if den else 0.0


def objects() -> tuple[int, dict[str, int]]:
    """All tracked objects, and the count of each type a leak would show up as."""
    gc.collect()
    objs = gc.get_objects()
    counts = dict.fromkeys(LEAK_TYPES, 0)
    for o in objs:
        name = type(o).__name__
        if name in counts:
            counts[name] += 1
    return len(objs), counts


async def soak(seconds: float, *, autoexpire: int, scavengettl: int) -> dict[str, Any]:
    relay = LossyRelay(loss=0.01, reorder=0.02, reorder_delay=0.01, delay=0.001, seed=5)
    async with engine_pair(
        relay=relay, key="soak", conn=2, autoexpire=autoexpire, scavengettl=scavengettl
    ) as p:
        warm = await asyncio.gather(*(echo_roundtrip(p.port, 2 * MB, i) for i in range(4)))
        assert all(r.ok for r in warm)
        await asyncio.sleep(0.5)
        tasks0, (objs0, kinds0), echo0 = task_count(), objects(), p.echo.open
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        end = t0 + seconds
        stats = dict(bulk=0, short=0, abandoned=0, bytes_verified=0)
        failures: list[str] = []

        async def bulk(k: int) -> None:
            i = 0
            while loop.time() < end:
                r = await echo_roundtrip(p.port, 3 * MB, 1000 * k + i, timeout=120)
                if not r.ok:
                    failures.append(f"bulk {k}/{i}: {r.error}")
                stats["bulk"] += 1
                stats["bytes_verified"] += 2 * r.received
                i += 1

        async def short(k: int) -> None:
            rng = random.Random(k)
            i = 0
            while loop.time() < end:
                r = await echo_roundtrip(
                    p.port, rng.randint(1, 64 * 1024), 10**6 * k + i, timeout=60
                )
                if not r.ok:
                    failures.append(f"short {k}/{i}: {r.error}")
                stats["short"] += 1
                stats["bytes_verified"] += 2 * r.received
                i += 1

        async def abandon() -> None:
            i = 0
            while loop.time() < end:
                try:
                    _r, w = await asyncio.open_connection(LOCAL, p.port)
                    for c in chunks(i, 256 * 1024):
                        w.write(c)
                    await asyncio.sleep(0.05)
                    w.transport.abort()  # RST mid-transfer, echo unread
                except OSError as exc:
                    failures.append(f"abandon {i}: {exc!r}")
                stats["abandoned"] += 1
                i += 1
                await asyncio.sleep(0.2)

        samples: list[tuple[float, float]] = []
        peak = dict(streams=0, sessions=0, tasks=0)

        async def sampler() -> None:
            while loop.time() < end:
                samples.append((loop.time() - t0, rss_bytes() / MB))
                peak["streams"] = max(peak["streams"], p.client.streams_open)
                peak["sessions"] = max(peak["sessions"], len(p.demux.sessions))
                peak["tasks"] = max(peak["tasks"], task_count())
                await asyncio.sleep(max(1.0, seconds / 120))

        workers = [bulk(k) for k in range(2)] + [short(k) for k in range(6)] + [abandon()]
        await asyncio.gather(sampler(), *workers)
        elapsed = loop.time() - t0
        assert not failures, failures[:5]

        # quiescence: everything the traffic created is gone again
        client, server = p.client.tunnel, p.server.tunnel
        assert await wait_for(lambda: client.streams_open == 0 and server.streams_open == 0, 10)
        assert await wait_for(lambda: p.echo.open == echo0, 10), p.echo.open
        muxes = [m for m in client.slots if m is not None and not m.dead]
        assert all(not m.streams and m.smux.stream_count == 0 for m in muxes)
        assert all(not m.streams and m.smux.stream_count == 0 for m in server.muxes.values())
        # the server keeps only the client's live sessions (slots, plus expired ones the
        # scavenger has not closed yet); the ones it closed time out on the server
        live = {id(m): m for m in [*client.slots, *client._scavenge] if m is not None}

        def matched() -> bool:
            alive = sum(1 for m in live.values() if not m.dead)
            return len(p.demux.sessions) == len(server.muxes) == alive

        assert await wait_for(matched, 15), (len(p.demux.sessions), len(server.muxes))
        assert await wait_for(lambda: task_count() <= tasks0, 10), task_count() - tasks0
        objs, kinds = objects()
        half = [s for s in samples if s[0] >= elapsed / 2]
        growth = slope(half) * elapsed
        total = samples[-1][1] - samples[0][1]
        result = dict(
            seconds=round(elapsed),
            **stats,
            rss_start_mb=round(samples[0][1], 1),
            rss_end_mb=round(samples[-1][1], 1),
            rss_max_mb=round(max(y for _, y in samples), 1),
            rss_trend_mb_per_run=round(growth, 2),
            objects_delta=objs - objs0,
            leak_types_delta={k: kinds[k] - kinds0[k] for k in LEAK_TYPES},
            peak_streams=peak["streams"],
            peak_server_sessions=peak["sessions"],
            peak_tasks=peak["tasks"],
            sessions_opened=p.server.snmp().passive_opens,
            relay=dict(relay.counts),
        )
        # no stream, session, writer or transport outlives its use: what is left is exactly
        # the live sessions (each: KcpSession, driver, MuxConnection, SmuxSession; a client
        # session also has its own UDP transport)
        alive = sum(1 for m in live.values() if not m.dead)
        assert kinds["MuxStream"] == 0 and kinds["StreamWriter"] == kinds0["StreamWriter"]
        assert kinds["_SelectorSocketTransport"] == kinds0["_SelectorSocketTransport"], result
        for k in ("KcpSession", "SessionDriver", "MuxConnection", "SmuxSession"):
            assert kinds[k] == 2 * alive, (k, result)
        # + the server's socket and the relay's (one front, one upstream per client session)
        assert kinds["_SelectorDatagramTransport"] == alive + 2 + len(relay.upstreams), result
        # memory: the allocator's high water settles within a minute or two of traffic (a
        # 3-minute run: +24 MB over the first 60 s, then flat); long runs must show no trend
        if elapsed >= SETTLE_S:
            assert growth < MAX_GROWTH_MB, result
        else:
            assert total < MAX_TOTAL_GROWTH_MB, result
        return result


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_soak_short(run: Any, figures: Any, monkeypatch: Any) -> None:
    short_keepalive(monkeypatch, timeout=5.0, interval=1.0)
    start = time.monotonic()
    figures.add(
        "soak.short",
        **run(soak(60.0, autoexpire=20, scavengettl=30), 140),
        wall_s=round(time.monotonic() - start),
    )


@pytest.mark.soak
@pytest.mark.timeout(0)
def test_soak_long(run: Any, figures: Any, monkeypatch: Any) -> None:
    seconds = env_float("KCPDESK_SOAK_SECONDS", 600.0)
    short_keepalive(monkeypatch, timeout=10.0, interval=2.0)
    figures.add("soak.long", **run(soak(seconds, autoexpire=120, scavengettl=60), seconds + 300))
