"""Regression tests for the bugs the reliability work found (each names its fix)."""

from __future__ import annotations

import asyncio
import gc
import random
import weakref
from typing import Any

from kcpcore.aio.mux import MuxConnection
from kcpcore.aio.udp import SessionDriver
from kcpcore.listener import ACCEPT_BACKLOG, ServerDemux
from kcpcore.session import KcpSession, SessionParams
from kcpcore.smux import SmuxConfig
from tests.reliability.util import block_crypt, kcp_datagram, smux_syn

KEY, CRYPT = "regression", "aes"
PARAMS = SessionParams()


def test_backlog_bounds_sessions_that_never_deliver_a_byte() -> None:
    """listener.py: ``pending_accepts`` was never incremented, so the backlog check was dead
    code and right-key datagrams with made-up conv/sn opened one session per source address
    (up to 65536, ~100 KB each). Now at most ACCEPT_BACKLOG such sessions exist; the oldest
    is evicted, and a real client opening meanwhile is admitted and kept."""
    demux = ServerDemux(crypt=block_crypt(KEY, CRYPT), params=PARAMS)
    closed: list[Any] = []
    demux.on_close = lambda addr, sess: closed.append(addr)
    rng = random.Random(1)
    for i in range(1000):
        d = kcp_datagram(KEY, CRYPT, rng.getrandbits(32), sn=1 + rng.getrandbits(16), seqid=i)
        assert demux.route(d, ("10.0.0.1", 1000 + i), 0.0) is not None
        assert len(demux.sessions) <= ACCEPT_BACKLOG
    assert demux.pending_accepts == ACCEPT_BACKLOG
    assert demux.evicted == 1000 - ACCEPT_BACKLOG == len(closed)
    # a real client: its first datagram is sn 0 with an smux SYN, so it is not pending
    real = ("10.0.0.2", 4000)
    routed = demux.route(kcp_datagram(KEY, CRYPT, 0xC0FFEE, sn=0, data=smux_syn()), real, 0.0)
    assert routed is not None and routed[1]
    for i in range(1000):
        d = kcp_datagram(KEY, CRYPT, rng.getrandbits(32), sn=5, seqid=i)
        demux.route(d, ("10.0.0.3", 1000 + i), 0.0)
    assert real in demux.sessions and demux.sessions[real].conv == 0xC0FFEE
    assert len(demux.sessions) == ACCEPT_BACKLOG + 1
    # a pending session that later gets its sn 0 is confirmed and leaves the backlog
    late = ("10.0.0.4", 5)
    demux.route(kcp_datagram(KEY, CRYPT, 77, sn=1, data=b"x"), late, 0.0)
    assert demux.pending_accepts == ACCEPT_BACKLOG
    demux.route(kcp_datagram(KEY, CRYPT, 77, sn=0, data=smux_syn()), late, 0.0)
    assert demux.pending_accepts == ACCEPT_BACKLOG - 1
    demux.remove(late)
    assert late not in demux.sessions


def test_closed_session_is_freed_by_refcount_not_gc() -> None:
    """udp.py: SessionDriver kept the consumer's bound-method callbacks after close, a
    driver <-> MuxConnection cycle, so every dead session (~25 KB of Python objects, plus
    ~80 KB of snappy compressor) waited for a gen-2 GC pass: a flood of short-lived
    sessions grew RSS by ~250 MB before one ran. Now the objects go as soon as unused."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        session = KcpSession(conv=1, crypt=block_crypt(KEY, CRYPT), params=PARAMS, now=loop.time())
        driver = SessionDriver(session, lambda d: None, loop)
        mux = MuxConnection(driver, client=False, config=SmuxConfig(), compress=True, loop=loop)
        refs = [weakref.ref(o) for o in (session, driver, mux)]
        mux.kill("test")
        await asyncio.sleep(0)
        del session, driver, mux
        await asyncio.sleep(0)
        assert [r() is None for r in refs] == [True, True, True]

    gc.collect()
    gc.disable()
    try:
        asyncio.run(main())
    finally:
        gc.enable()


def test_nothing_is_sent_through_a_closing_transport() -> None:
    """udp.py: asyncio's datagram transport, closed while datagrams were still queued in it,
    drops its socket once they drain, and the next ``sendto`` raised AttributeError inside
    ``SessionDriver.transmit`` (a traceback in the log at the teardown of a flooded
    session). The driver now asks the transport's ``is_closing`` before each flush."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        closing = False
        sent: list[bytes] = []

        def sendto(d: bytes) -> None:
            if closing:
                raise AttributeError("'NoneType' object has no attribute 'sendto'")
            sent.append(d)

        session = KcpSession(conv=1, crypt=block_crypt(KEY, CRYPT), params=PARAMS, now=loop.time())
        driver = SessionDriver(session, sendto, loop, closing=lambda: closing)
        session.send(b"before")
        driver.transmit()
        assert sent  # an open transport carries the data
        closing = True
        session.send(b"after" * 1000)
        driver.transmit()  # raised AttributeError before the fix
        driver.transmit_soon()
        await asyncio.sleep(0.05)
        driver.close()

    asyncio.run(main())
