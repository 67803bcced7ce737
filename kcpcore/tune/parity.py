"""How many FEC parity shards a measured loss rate needs: binomial arithmetic, no I/O.

A Reed-Solomon group of ``d`` data and ``m`` parity shards survives any ``m`` losses; with more,
the lost data waits for KCP's retransmission (an RTO or a fast resend later). With independent
losses at rate ``p`` the chance a group cannot be rebuilt is the binomial tail
``P(X > m)``, ``X ~ Bin(d + m, p)``. Parity costs ``m / d`` extra bandwidth on every group, lost
or not, so the rule picks the cheapest ``(d, m)`` whose tail is below a target.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Final

UNRECOVERABLE_TARGET: Final = 0.01
"""at most one group in a hundred left to KCP's retransmission"""
DATASHARD_CHOICES: Final[tuple[int, ...]] = (10, 20)
"""kcptun's default group size and a longer one (cheaper parity, more latency per group)"""
MAX_PARITY: Final = 12


@dataclass(frozen=True, slots=True)
class FecChoice:
    """A datashard/parityshard pair and what it buys at the measured loss."""

    datashard: int
    parityshard: int
    unrecoverable: float
    """fraction of groups FEC cannot rebuild"""

    @property
    def overhead(self) -> float:
        """parity bytes per data byte"""
        return self.parityshard / self.datashard if self.datashard else 0.0


def unrecoverable(datashard: int, parityshard: int, loss: float) -> float:
    """Probability that a group of ``datashard + parityshard`` shards loses more than
    ``parityshard`` of them (independent losses at rate ``loss``)."""
    if datashard <= 0:
        return 0.0
    n = datashard + parityshard
    p = min(max(loss, 0.0), 1.0)
    kept = sum(comb(n, k) * p**k * (1.0 - p) ** (n - k) for k in range(parityshard + 1))
    return max(0.0, 1.0 - kept)


def cheapest(loss: float, target: float = UNRECOVERABLE_TARGET) -> FecChoice:
    """The (datashard, parityshard) with the least overhead whose unrecoverable-group
    probability at ``loss`` is at most ``target`` (ties: the shorter group, less latency)."""
    best: FecChoice | None = None
    for d in DATASHARD_CHOICES:
        for m in range(MAX_PARITY + 1):
            u = unrecoverable(d, m, loss)
            if u <= target:
                choice = FecChoice(d, m, u)
                if best is None or choice.overhead < best.overhead - 1e-9:
                    best = choice
                break
    if best is None:  # loss so high that no allowed group reaches the target
        d = DATASHARD_CHOICES[0]
        best = FecChoice(d, MAX_PARITY, unrecoverable(d, MAX_PARITY, loss))
    return best
