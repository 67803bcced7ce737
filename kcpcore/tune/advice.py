"""A recommendation: which setting, on which end, from what to what, and why in plain words.

``Advice`` is what the rules return and what the CLI prints, the GUI shows and ``apply`` turns
into the two ends' new configs. Applying advice never lowers a window (the rules never propose
that; ``apply`` checks again so a hand-built advice cannot either).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..config import Role, TunnelConfig

WINDOW_FIELDS = ("sndwnd", "rcvwnd")


@dataclass(frozen=True, slots=True)
class Recommendation:
    """Change ``setting`` on ``end`` from ``current`` to ``proposed``, because ``reason``."""

    setting: str
    """TunnelConfig attribute (= kcptun flag and JSON key)"""
    end: Role
    current: Any
    proposed: Any
    reason: str
    """plain words: what was measured and what the change should do"""

    def line(self) -> str:
        return f"{self.end}: {self.setting} {self.current} -> {self.proposed}"


@dataclass(frozen=True, slots=True)
class Advice:
    """Recommendations plus findings that need no change (both in plain words)."""

    changes: tuple[Recommendation, ...] = ()
    findings: tuple[str, ...] = ()
    """what the measurement showed, including why something was left alone"""

    def for_end(self, end: Role) -> tuple[Recommendation, ...]:
        return tuple(r for r in self.changes if r.end == end)

    def reasons(self) -> list[str]:
        """Each distinct reason once, in order (one reason often covers both ends)."""
        seen: dict[str, None] = {}
        for r in self.changes:
            seen.setdefault(r.reason, None)
        return list(seen)


@dataclass(slots=True)
class _Builder:
    changes: list[Recommendation] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    def change(self, cfg: TunnelConfig, setting: str, proposed: Any, reason: str) -> None:
        current = getattr(cfg, setting)
        if current == proposed:
            return
        for i, r in enumerate(self.changes):
            if r.end == cfg.role and r.setting == setting:
                if setting in WINDOW_FIELDS and r.proposed >= proposed:
                    return  # an earlier rule already asked for at least as much
                self.changes[i] = Recommendation(setting, cfg.role, current, proposed, reason)
                return
        self.changes.append(Recommendation(setting, cfg.role, current, proposed, reason))

    def build(self) -> Advice:
        return Advice(tuple(self.changes), tuple(self.findings))


def apply(advice: Advice, cfg: TunnelConfig) -> TunnelConfig:
    """``cfg`` with the advice for its role applied (windows are only ever raised)."""
    changes: dict[str, Any] = {}
    for r in advice.for_end(cfg.role):
        if r.setting in WINDOW_FIELDS and r.proposed < getattr(cfg, r.setting):
            continue
        changes[r.setting] = r.proposed
    return replace(cfg, **changes)
