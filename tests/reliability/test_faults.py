"""Faults: an impaired link, a server killed and restarted, a client killed, a stalled reader.

* Impaired link: an asyncio UDP relay between our client and server loses, duplicates,
  reorders and corrupts datagrams both ways at once; every byte must arrive (sha256), the
  corrupted datagrams are counted (InCsumErrors) and never delivered.
* Restarted server / killed client: real ``python -m kcpcore`` processes are killed with
  SIGKILL. kcptun notices a dead peer only through smux's keepalive timeout (a fixed 30 s,
  checked every 30 s, so 30-60 s); the default run shortens it to 3 s for the in-process end
  that must notice, and ``test_*_default_timeouts`` (marker ``soak``) use the real 30 s.
* Stalled reader: a TCP peer that stops reading; memory stays bounded by smuxbuf, streambuf
  and the KCP windows, and no byte is lost once it reads again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from app.demo.relay import LossyRelay
from kcpcore.config import TunnelConfig
from tests.helpers.netlink import stop_process
from tests.helpers.peers import start_peer
from tests.helpers.waits import until, until_stable
from tests.reliability.util import (
    LOCAL,
    AsyncEcho,
    Expect,
    TcpTarget,
    chunks,
    echo_roundtrip,
    engine_pair,
    free_tcp_port,
    free_udp_port,
    rss_bytes,
    short_keepalive,
    task_count,
    wait_for,
)

MB = 1 << 20
KEY = "faults-key"

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------- impaired link


@pytest.mark.timeout(120)
@pytest.mark.parametrize("crypt", ["aes", "none"])
def test_loss_dup_reorder_corruption_at_once(run: Any, figures: Any, crypt: str) -> None:
    async def main() -> None:
        relay = LossyRelay(
            loss=0.05,
            dup=0.05,
            corrupt=0.03,
            reorder=0.15,
            reorder_delay=0.025,
            delay=0.002,
            seed=11,
        )
        async with engine_pair(relay=relay, key=KEY, crypt=crypt, mode="fast2") as p:
            bulk = [echo_roundtrip(p.port, 3 * MB, i, timeout=90) for i in range(3)]
            short = [
                echo_roundtrip(p.port, 20_000 + 997 * i, 100 + i, timeout=90) for i in range(24)
            ]
            results = await asyncio.gather(*bulk, *short)
            bad = [r for r in results if not r.ok]
            assert not bad, bad[:3]
            c = relay.counts
            assert min(c["lost"], c["duplicated"], c["corrupted"], c["reordered"]) > 50, c
            cs, ss = p.client.snmp(), p.server.snmp()
            # a corrupted datagram fails the CRC at whichever end gets it (flips in the 16-byte
            # nonce of aes/none are harmless: CFB garbles only the nonce block)
            assert cs.in_csum_errors + ss.in_csum_errors > 0.3 * c["corrupted"]
            figures.add(
                f"faults.impaired_link.{crypt}",
                **c,
                csum_errors=cs.in_csum_errors + ss.in_csum_errors,
                retrans=cs.retrans_segs + ss.retrans_segs,
                fec_recovered=cs.fec_recovered + ss.fec_recovered,
                bytes_verified=2 * sum(r.size for r in results),
            )

    run(main(), 110)


# --------------------------------------------------------------------------- processes


def server_cfg(port: int, target: int, **kw: Any) -> TunnelConfig:
    return TunnelConfig(
        role="server", listen=f"{LOCAL}:{port}", target=f"{LOCAL}:{target}", key=KEY, **kw
    )


def client_cfg(port: int, server: int, **kw: Any) -> TunnelConfig:
    return TunnelConfig(
        role="client", localaddr=f"{LOCAL}:{port}", remoteaddr=f"{LOCAL}:{server}", key=KEY, **kw
    )


def kill9(proc: Any) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


async def restart_scenario(
    client_port: int, scfg: TunnelConfig, tmp: Path, detect_within: float, echo: AsyncEcho
) -> dict[str, Any]:
    """The server dies by SIGKILL mid-transfer and a new one starts on the same port."""
    loop = asyncio.get_running_loop()
    srv = await asyncio.to_thread(start_peer, "ours", scfg, tmp / "server1.log")
    try:
        warm = await echo_roundtrip(client_port, 256 * 1024, 1, timeout=20)
        assert warm.ok, warm.error
        echoed = echo.bytes
        inflight = asyncio.ensure_future(
            echo_roundtrip(client_port, 500 * MB, 2, timeout=detect_within + 30)
        )
        await until(lambda: echo.bytes >= echoed + MB, 15)  # the transfer is under way
        assert not inflight.done()
        kill9(srv)
        t_kill = loop.time()
        srv = await asyncio.to_thread(start_peer, "ours", scfg, tmp / "server2.log")
        cut = await inflight
        t_cut = loop.time() - t_kill
        # the cut transfer ends (no hang) and everything it delivered was the right bytes
        assert not cut.ok and cut.prefix_ok, cut
        assert t_cut < detect_within, f"in-flight stream hung {t_cut:.1f} s"
        recovered = None
        for i in range(int(detect_within) * 2):
            r = await echo_roundtrip(client_port, 1 * MB, 10 + i, timeout=detect_within)
            if r.ok:
                recovered = loop.time() - t_kill
                break
            await asyncio.sleep(0.5)
        assert recovered is not None, "no new connection worked after the restart"
        more = await asyncio.gather(
            *(echo_roundtrip(client_port, 2 * MB, 50 + i, timeout=40) for i in range(4))
        )
        assert all(r.ok for r in more), more
        return dict(
            inflight_cut_after_s=round(t_cut, 1),
            inflight_bytes_ok=cut.received,
            new_connections_after_s=round(recovered, 1),
            bytes_verified=warm.size * 2 + 2 * MB + 8 * MB + cut.received,
        )
    finally:
        stop_process(srv)


@pytest.mark.timeout(90)
def test_server_killed_mid_transfer_and_restarted(
    run: Any, figures: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Server: ``python -m kcpcore server``. Client: our engine in-process, with smux's
    keepalive timeout shortened to 3 s (kcptun's is a fixed 30 s)."""
    short_keepalive(monkeypatch, timeout=3.0, interval=1.0)

    async def main() -> dict[str, Any]:
        echo = await AsyncEcho().start()
        sport = free_udp_port()
        from kcpcore.aio.engine import Engine

        client = Engine(client_cfg(0, sport, quiet=True))
        await client.start()
        try:
            return await restart_scenario(
                client.local_port,
                server_cfg(sport, echo.port),
                tmp_path,
                detect_within=12,
                echo=echo,
            )
        finally:
            await client.stop()
            await echo.close()

    figures.add("faults.server_restart.keepalive_3s", **run(main(), 80))


async def client_kill_scenario(
    server: Any, echo: AsyncEcho, ccfg: TunnelConfig, tmp: Path, free_within: float
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    tasks0 = task_count()
    cli = await asyncio.to_thread(start_peer, "ours", ccfg, tmp / "client.log")
    conns = []
    try:
        cport = int(ccfg.localaddr.rsplit(":", 1)[1])
        for i in range(4):
            r, w = await asyncio.open_connection(LOCAL, cport)
            data = b"".join(chunks(i, 100_000))
            w.write(data)
            got = await asyncio.wait_for(r.readexactly(len(data)), 20)
            assert got == data
            conns.append(w)
        tunnel = server.tunnel
        assert len(tunnel.demux.sessions) == 1 and tunnel.streams_open == 4
        assert echo.open == 4
        kill9(cli)
        t_kill = loop.time()
        freed = await wait_for(
            lambda: (
                not tunnel.demux.sessions
                and not tunnel.muxes
                and tunnel.streams_open == 0
                and echo.open == 0
            ),
            free_within,
        )
        took = loop.time() - t_kill
        assert freed, (len(tunnel.demux.sessions), tunnel.streams_open, echo.open)
        assert not tunnel.proto.drivers
        assert await wait_for(lambda: task_count() <= tasks0, 5), task_count() - tasks0
        return dict(freed_after_s=round(took, 1), streams_freed=4)
    finally:
        for w in conns:
            w.close()
        stop_process(cli)


@pytest.mark.timeout(60)
def test_client_killed_server_frees_session_and_streams(
    run: Any, figures: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Client: ``python -m kcpcore client``, SIGKILLed with 4 open streams. Server: our
    engine in-process, keepalive timeout shortened to 3 s: its session, streams, target
    connections and tasks are all gone within two checks (3-6 s)."""
    short_keepalive(monkeypatch, timeout=3.0, interval=1.0)

    async def main() -> dict[str, Any]:
        from kcpcore.aio.engine import Engine

        echo = await AsyncEcho().start()
        server = Engine(server_cfg(0, echo.port, quiet=True))
        await server.start()
        try:
            ccfg = client_cfg(free_tcp_port(), server.local_port)
            return await client_kill_scenario(server, echo, ccfg, tmp_path, free_within=8)
        finally:
            await server.stop()
            await echo.close()

    figures.add("faults.client_kill.keepalive_3s", **run(main(), 50))


@pytest.mark.soak
@pytest.mark.timeout(300)
def test_kills_with_default_timeouts(run: Any, figures: Any, tmp_path: Path) -> None:
    """Both kill scenarios with kcptun's real keepalive (10 s interval, 30 s timeout): the
    client-side and server-side detection take 30-60 s. (``-m soak``)"""

    async def main() -> None:
        from kcpcore.aio.engine import Engine

        echo = await AsyncEcho().start()
        sport = free_udp_port()
        client = Engine(client_cfg(0, sport, quiet=True))
        await client.start()
        try:
            figures.add(
                "faults.server_restart.default_30s",
                **await restart_scenario(
                    client.local_port,
                    server_cfg(sport, echo.port),
                    tmp_path,
                    detect_within=70,
                    echo=echo,
                ),
            )
        finally:
            await client.stop()
        server = Engine(server_cfg(0, echo.port, quiet=True))
        await server.start()
        try:
            ccfg = client_cfg(free_tcp_port(), server.local_port)
            figures.add(
                "faults.client_kill.default_30s",
                **await client_kill_scenario(server, echo, ccfg, tmp_path, free_within=65),
            )
        finally:
            await server.stop()
            await echo.close()

    run(main(), 280)


# --------------------------------------------------------------------------- stalled reader


class Source(TcpTarget):
    """A TCP target that writes ``size`` seeded bytes as fast as the socket takes them."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self.written = 0

    async def _handle(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            for c in chunks(7, self.size):
                w.write(c)
                await w.drain()
                self.written += len(c)
            w.write_eof()
            await r.read()
        except (ConnectionError, OSError):
            pass
        finally:
            w.close()


class Hole(TcpTarget):
    """A TCP target that reads nothing until ``release`` is set, then reads and hashes all."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.digest = hashlib.sha256()
        self.got = 0

    async def _handle(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await self.release.wait()
        while d := await r.read(65536):
            self.digest.update(d)
            self.got += len(d)
        w.close()


SMUXBUF, STREAMBUF = 2 * MB, 512 * 1024


@pytest.mark.timeout(90)
@pytest.mark.parametrize("smuxver", [1, 2])
def test_stalled_reader_memory_bounded_then_nothing_lost(
    run: Any, figures: Any, smuxver: int
) -> None:
    """Two directions: (a) the app stops reading while the target sends 32 MB; (b) the
    target stops reading while the app sends 32 MB. The sender stalls once smuxbuf, the
    socket write buffers and the KCP windows are full; RSS grows by at most that much; when
    the reader resumes every byte arrives in order."""
    size = 32 * MB
    flags = dict(
        key=KEY, smuxbuf=SMUXBUF, streambuf=STREAMBUF, smuxver=smuxver, sndwnd=256, rcvwnd=256
    )

    async def downstream() -> dict[str, Any]:
        source = await Source(size).start()
        try:
            async with engine_pair(**flags) as p:
                # aim the server at the source instead of the echo target
                p.server.tunnel.target = f"{LOCAL}:{source.port}"
                rss0 = rss_bytes()
                r, w = await asyncio.open_connection(LOCAL, p.port)
                w.transport.pause_reading()  # the app reads nothing...
                stalled_at = await until_stable(
                    lambda: source.written, quiet=1.0, timeout=30, slack=MB // 4
                )
                assert stalled_at < size * 3 // 4, "sender never stalled"
                growth = rss_bytes() - rss0
                w.transport.resume_reading()  # ...then everything
                expect = Expect(7, size)
                total = 0
                while d := await asyncio.wait_for(r.read(1 << 20), 30):
                    assert expect.feed(d), f"wrong bytes at offset {total}"
                    total += len(d)
                    if total == size:
                        break
                w.close()
                assert total == size
                return dict(stalled_after_bytes=stalled_at, rss_growth_mb=round(growth / MB, 1))
        finally:
            await source.close()

    async def upstream() -> dict[str, Any]:
        hole = await Hole().start()
        try:
            async with engine_pair(**flags) as p:
                p.server.tunnel.target = f"{LOCAL}:{hole.port}"
                rss0 = rss_bytes()
                _r, w = await asyncio.open_connection(LOCAL, p.port)
                sent = hashlib.sha256()
                written = 0
                gen = chunks(8, size)

                async def pump() -> None:
                    nonlocal written
                    for c in gen:
                        sent.update(c)
                        w.write(c)
                        await w.drain()
                        written += len(c)
                    w.write_eof()

                task = asyncio.ensure_future(pump())
                stalled_at = await until_stable(
                    lambda: written, quiet=1.0, timeout=30, slack=MB // 4
                )
                assert stalled_at < size * 3 // 4, "sender never stalled"
                growth = rss_bytes() - rss0
                hole.release.set()
                await asyncio.wait_for(task, 60)
                assert await wait_for(lambda: hole.got == size, 30), hole.got
                assert hole.digest.hexdigest() == sent.hexdigest()
                w.close()
                return dict(stalled_after_bytes=stalled_at, rss_growth_mb=round(growth / MB, 1))
        finally:
            await hole.close()

    async def main() -> None:
        down = await downstream()
        up = await upstream()
        # smuxbuf + streambuf-sized socket buffers + two KCP windows (256 x 1350 B), twice
        # over for the two ends, plus slack for the allocator
        bound = 2 * (SMUXBUF + 1 * MB + 2 * 256 * 1350) + 8 * MB
        for name, d in (("app_stops_reading", down), ("target_stops_reading", up)):
            assert d["rss_growth_mb"] * MB < bound, (name, d, bound / MB)
            figures.add(
                f"faults.stalled_reader.smux{smuxver}.{name}",
                **d,
                bound_mb=round(bound / MB, 1),
                bytes_verified=size,
            )

    run(main(), 85)
