"""The tune report as text (``kcpdesk tune`` prints it; the GUI shows the same lines), and the
two ends' configs after the advice, with the other end's part as JSON or a command line."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from ..config import FIELD_SPECS, TunnelConfig, fields_for
from ..generations import generation
from ..profiles import command_line, export_json
from .advice import Advice, apply
from .figures import DirectionFigures, LinkFigures
from .rules import mbit, pct


@dataclass(frozen=True, slots=True)
class Outcome:
    """Both ends before and after the advice."""

    client: TunnelConfig
    server: TunnelConfig
    new_client: TunnelConfig
    new_server: TunnelConfig
    server_is_kcpdesk: bool

    def server_command(self) -> str:
        """The server's new command line, for the program it runs (its addresses are what
        this end assumes: check them)."""
        if self.server_runs == "kcpdesk":
            return command_line(self.new_server, ["kcpdesk", "server"])
        return command_line(self.new_server, runs=self.server_runs)

    @property
    def server_runs(self) -> str:
        """The server's generation: KCP Desk if it answered the test, else the profile's peer."""
        return "kcpdesk" if self.server_is_kcpdesk else self.client.peer

    def server_json(self) -> str:
        return export_json(self.new_server)

    def server_flags(self) -> str:
        """Only the server's changed settings, as flags to add to its command line."""
        return shlex.join(changed_flags(self.server, self.new_server, runs=self.server_runs))

    def server_json_changes(self) -> str:
        """Only the server's changed settings, as keys to merge into its -c JSON file."""
        return json.dumps(changed_keys(self.server, self.new_server, runs=self.server_runs))

    def client_command(self) -> str:
        return command_line(self.new_client, ["kcpdesk", "client"])


def changed_keys(old: TunnelConfig, new: TunnelConfig, *, runs: str) -> dict[str, Any]:
    """The settings that differ, by kcptun JSON key, that the generation ``runs`` knows (a
    Go kcptun refuses KCP Desk's flags, and kcptun 2021 those added in 2025)."""
    knows = generation(runs).knows
    return {
        s.json_key: getattr(new, s.name)
        for s in fields_for(new.role)
        if getattr(new, s.name) != getattr(old, s.name) and s.since in knows
    }


def changed_flags(old: TunnelConfig, new: TunnelConfig, *, runs: str) -> list[str]:
    args: list[str] = []
    for key, value in changed_keys(old, new, runs=runs).items():
        flag = "--" + FIELD_SPECS[key].flags[0]
        if isinstance(value, bool):
            args.append(flag if value else flag + "=false")
        else:
            args += [flag, str(value)]
    return args


def outcome(
    advice: Advice, client: TunnelConfig, server: TunnelConfig, server_is_kcpdesk: bool
) -> Outcome:
    return Outcome(client, server, apply(advice, client), apply(advice, server), server_is_kcpdesk)


def _direction(name: str, d: DirectionFigures) -> str:
    if not d.busy:
        return f"  {name}: no traffic measured"
    parts = [f"{mbit(d.rate_bps)}"]
    if d.capacity_bps is not None:
        parts.append(f"{mbit(d.capacity_bps)} with large windows")
    parts.append(f"loss {pct(d.loss)}" if d.loss is not None else "loss unknown")
    if d.window_limit is not None:
        parts.append(f"window-limited ({d.window_limit}'s window)")
    return f"  {name}: " + ", ".join(parts)


def figures_lines(fig: LinkFigures) -> list[str]:
    how = "active test" if fig.active else "passive (this end's counters)"
    lines = [
        f"Measured: {how}, {fig.seconds:.1f} s",
        f"  RTT: {fig.rtt_min_ms:.0f} ms at least, {fig.srtt_ms:.0f} ms smoothed",
        _direction("download", fig.down),
        _direction("upload", fig.up),
    ]
    if fig.cpu is not None:
        lines.append(f"  CPU: {pct(fig.cpu)} of a core")
    if fig.parity_received:
        lines.append(
            f"  FEC: {fig.parity_received} parity shards received, "
            f"{fig.fec_recovered} packets rebuilt"
        )
    return lines


def render(fig: LinkFigures, advice: Advice, out: Outcome) -> str:
    """The whole report: figures, findings, each change with its reason, and the commands."""
    lines = figures_lines(fig)
    if advice.findings:
        lines += ["", "Findings:"] + [f"  - {f}" for f in advice.findings]
    lines.append("")
    if not advice.changes:
        lines.append("Nothing to change: the settings fit what was measured.")
        return "\n".join(lines) + "\n"
    lines.append("Recommendations:")
    for reason in advice.reasons():
        changes = [r.line() for r in advice.changes if r.reason == reason]
        lines.append("  * " + "; ".join(changes))
        lines.append(f"    why: {reason}")
    program = generation(out.server_runs).label
    lines += [
        "",
        "This end (client), the whole command:",
        "  " + out.client_command(),
        "",
        f"The server ({program}): add these flags",
        "  " + out.server_flags(),
        "  or merge into its -c JSON file: " + out.server_json_changes(),
    ]
    return "\n".join(lines) + "\n"
