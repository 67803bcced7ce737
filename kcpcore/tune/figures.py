"""What a measurement found about a link: the input of the recommendation rules.

Plain frozen dataclasses, filled by ``kcpcore.tune.measure`` (from engine counters) or by a test
table. Rates are bits per second of payload (goodput); loss is the fraction of KCP data
segments lost on the way, ``None`` when the measurement could not tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

WindowLimit = Literal["sender", "receiver"]
"""which window held the sender back: its own sndwnd, or the receiver's advertised rcvwnd"""


@dataclass(frozen=True, slots=True)
class DirectionFigures:
    """One direction of the link (``up``: client to server, ``down``: server to client)."""

    rate_bps: float = 0.0
    """payload delivered during the measurement, bits per second"""
    capacity_bps: float | None = None
    """highest rate the link carried when no window held it back (an active test with large
    windows), None if never seen"""
    loss: float | None = None
    """fraction of data segments lost in this direction"""
    window_limit: WindowLimit | None = None
    """the sender spent most of the measurement with a full window, and whose window it was"""
    busy: bool = False
    """the direction carried enough traffic for its rate and window figures to mean something"""


@dataclass(frozen=True, slots=True)
class LinkFigures:
    """Everything one measurement says about a client-server path."""

    rtt_min_ms: float
    """lowest RTT sample: the path without queues"""
    srtt_ms: float
    """KCP's smoothed RTT during the measurement: the path with its queues"""
    up: DirectionFigures = DirectionFigures()
    down: DirectionFigures = DirectionFigures()
    cpu: float | None = None
    """fraction of one core this end's process used (1.0 = a core fully busy)"""
    parity_received: int = 0
    """FEC parity shards that arrived here"""
    fec_recovered: int = 0
    """data packets FEC rebuilt here (parity that paid off)"""
    seconds: float = 0.0
    """how long the measurement lasted"""
    active: bool = False
    """an active test (bounded bulk transfer) rather than passive counters"""
    peer_is_kcpdesk: bool = False
    """the server answered KCP Desk's test service (so its KCP Desk-only settings apply)"""

    def direction(self, name: str) -> DirectionFigures:
        return self.up if name == "up" else self.down
