"""Which kcptun the other end runs, and what that changes: defaults and accepted flags.

kcptun kept changing after Debian's 20210922: new flags (``--closewait``, ``--ratelimit``,
``--framesize``, ``--QPP``...), and in v20251205 the ``--smuxver`` default went from 1 to 2,
so two ends that both rely on their defaults no longer understand each other
(PROTOCOL-2025.md). A profile therefore records its peer's generation; the defaults of the
settings that must agree (or that the newer binaries changed) follow it, and an export for a Go
peer carries only the flags that binary accepts: the 2021 binary exits on an unknown flag.

No imports from ``kcpcore.config``: the config module reads this table, not the other way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

__all__ = ["DEFAULT_PEER", "GENERATIONS", "PEERS", "Generation", "generation", "peer_label"]

Since = Literal["kcptun-2021", "kcptun-2025", "kcpdesk"]
"""The first generation that knows a setting (FieldSpec.since)."""


@dataclass(frozen=True, slots=True)
class Generation:
    """One kind of peer: its label, its defaults and which settings its command line knows."""

    name: str
    """value of the ``peer`` setting (CLI ``--peer``, JSON ``"peer"``)"""
    label: str
    """what the GUI shows"""
    knows: frozenset[str]
    """the ``since`` values whose flags this peer's command line accepts"""
    go: bool
    """a Go kcptun binary (exports name its programs and omit KCP Desk's own flags)"""
    defaults: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """setting -> role -> default, where this generation differs from the 2021 one"""
    note: str = ""
    """one line for tooltips: why pick it"""


_KCPTUN_2021: Final = Generation(
    name="kcptun-2021",
    label="kcptun 2021 (Debian)",
    go=True,
    knows=frozenset({"kcptun-2021"}),
    defaults={
        "smuxver": {"client": 1, "server": 1},
        "framesize": {"client": 32768, "server": 32768},
        "closewait": {"client": 0, "server": 0},
    },
    note="Debian's kcptun 20210922 and other builds before 2022: smux v1 by default, and "
    "it refuses flags it does not know.",
)
_KCPTUN_2025: Final = Generation(
    name="kcptun-2025",
    label="kcptun 2025+",
    go=True,
    knows=frozenset({"kcptun-2021", "kcptun-2025"}),
    defaults={
        "smuxver": {"client": 2, "server": 2},
        "framesize": {"client": 8192, "server": 8192},
        "closewait": {"client": 0, "server": 30},
    },
    note="kcptun v20251205 and later (the last releases before upstream was deleted): smux v2 "
    "by default, 8 KiB smux frames, the server closes half-closed connections after "
    "30 s.",
)
_KCPDESK: Final = Generation(
    name="kcpdesk",
    label="KCP Desk",
    go=False,
    knows=frozenset({"kcptun-2021", "kcptun-2025", "kcpdesk"}),
    defaults={
        "smuxver": {"client": 2, "server": 2},
        "framesize": {"client": 32768, "server": 32768},
        "closewait": {"client": 0, "server": 30},
    },
    note="Another KCP Desk: smux v2 (per-stream flow control, so one slow stream cannot stall "
    "the others) and every KCP Desk setting in exports.",
)

GENERATIONS: Final[dict[str, Generation]] = {
    g.name: g for g in (_KCPTUN_2021, _KCPTUN_2025, _KCPDESK)
}
PEERS: Final[tuple[str, ...]] = tuple(GENERATIONS)
DEFAULT_PEER: Final = _KCPTUN_2021.name
"""What a config without a ``peer`` talks to: kcptun 20210922, so nothing changes for it."""


def generation(name: str) -> Generation:
    """The generation called ``name``; an unknown name is treated as the default peer."""
    return GENERATIONS.get(name, GENERATIONS[DEFAULT_PEER])


def peer_label(name: str) -> str:
    """The GUI label for a ``peer`` value (the value itself when unknown)."""
    g = GENERATIONS.get(name)
    return g.label if g is not None else name
