"""Read-only snapshots of live KCP sessions for the tune assistant (``kcpcore.tune.measure``).

The only place that reads a session's KCP control block for tuning; it changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable

from ..session import KcpSession
from ..tune.measure import Sample, SessionSnapshot

SAMPLE_PERIOD = 0.1  # s


def snapshot(session: KcpSession) -> SessionSnapshot:
    """One session's windows, queue, RTT and counters right now."""
    snmp = session.snmp
    return SessionSnapshot(
        conv=session.conv,
        srtt_ms=session.srtt,
        min_rtt_ms=session.min_rtt,
        snd_wnd=session.windows[0],
        rcv_wnd=session.windows[1],
        rmt_wnd=session.peer_window,
        in_flight=session.wait_snd() - session.queued(),
        queued=session.queued(),
        writable=session.writable(),
        snd_nxt=session.snd_nxt,
        retrans_segs=snmp.retrans_segs,
        repeat_segs=snmp.repeat_segs,
        bytes_sent=snmp.bytes_sent,
        bytes_received=snmp.bytes_received,
        fec_recovered=snmp.fec_recovered,
        fec_parity_shards=snmp.fec_parity_shards,
    )


def take_sample(sessions: Iterable[KcpSession]) -> Sample:
    return Sample(
        time.monotonic(), time.process_time(), tuple(snapshot(s) for s in sessions if not s.closed)
    )


async def sample_for(
    sessions: Callable[[], Iterable[KcpSession]],
    seconds: float,
    period: float = SAMPLE_PERIOD,
    until: asyncio.Event | None = None,
) -> list[Sample]:
    """Snapshots every ``period`` for ``seconds`` (or until ``until`` is set)."""
    samples = [take_sample(sessions())]
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until is not None and until.is_set()):
        if until is None:
            await asyncio.sleep(period)
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(until.wait(), period)
        samples.append(take_sample(sessions()))
    return samples
