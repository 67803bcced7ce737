"""In-process datagram pipe with seeded loss, delay, jitter, reordering and duplication.

Runs on a virtual millisecond clock, so state-machine tests are deterministic and fast. It is a
complement to the namespace link in ``tests/netem``, not a substitute.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field


@dataclass
class LossyLink:
    seed: int = 0
    loss: float = 0.0
    """probability that a datagram is dropped"""
    delay_ms: int = 10
    jitter_ms: int = 0
    """uniform extra delay in [0, jitter_ms], which also reorders"""
    dup: float = 0.0
    """probability that a datagram is delivered twice"""
    corrupt: float = 0.0
    """probability that one byte of a datagram is flipped"""
    _rng: random.Random = field(init=False, repr=False)
    _queue: list[tuple[int, int, bytes]] = field(init=False, default_factory=list, repr=False)
    _n: int = field(init=False, default=0, repr=False)
    sent: int = field(init=False, default=0)
    dropped: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def send(self, datagram: bytes, now_ms: int) -> None:
        rng = self._rng
        self.sent += 1
        if rng.random() < self.loss:
            self.dropped += 1
            return
        copies = 2 if rng.random() < self.dup else 1
        for _ in range(copies):
            data = datagram
            if self.corrupt and rng.random() < self.corrupt and data:
                i = rng.randrange(len(data))
                data = data[:i] + bytes([data[i] ^ (1 + rng.randrange(255))]) + data[i + 1 :]
            at = now_ms + self.delay_ms + (rng.randint(0, self.jitter_ms) if self.jitter_ms else 0)
            self._n += 1
            heapq.heappush(self._queue, (at, self._n, data))

    def receive(self, now_ms: int) -> list[bytes]:
        out = []
        q = self._queue
        while q and q[0][0] <= now_ms:
            out.append(heapq.heappop(q)[2])
        return out

    def next_arrival(self) -> int | None:
        return self._queue[0][0] if self._queue else None

    def __len__(self) -> int:
        return len(self._queue)
