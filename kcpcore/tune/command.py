"""``kcpdesk tune [--profile NAME | client flags] [--seconds N] [--bytes N] [--passive N]``.

Measures the link of a client config and prints the report (``kcpcore.tune.report``). Against
a KCP Desk server started with ``--tuneserve`` it runs the active test (both directions, at the
current windows and with large ones, ``--seconds`` each, at most ``--bytes`` each). Against any
other server it falls back to passive figures: it runs the client on its local address for
``--passive`` seconds (default 30) while the user uses the tunnel, and reads its counters.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from typing import Final

from ..config import TunnelConfig
from ..errors import ConfigError
from ..profiles import peer_config
from .advice import Advice
from .figures import LinkFigures
from .report import changed_flags, outcome, render
from .rules import recommend

OWN_FLAGS: Final = {"seconds": 3.0, "bytes": float(32 << 20), "passive": 0.0}
PASSIVE_DEFAULT: Final = 30.0
SECONDS_MAX: Final = 10.0
BYTES_MAX: Final = 64 << 20
USAGE: Final = """\
usage: kcpdesk tune [--profile NAME | client flags] [--seconds N] [--bytes N] [--passive N] [--json]

Measures the link and prints what to change on each end, and why.
  --seconds N   length of each active-test transfer (default 3, at most 10)
  --bytes N     cap on each transfer (default 33554432, at most 67108864)
  --passive N   skip the active test: run the client for N seconds while you use the tunnel
  --json        print the figures, the changes and each end's changed flags as JSON
The active test needs a KCP Desk server started with --tuneserve; any other server gets the
passive measurement instead.
"""


def split_own_flags(args: Sequence[str]) -> tuple[dict[str, float], list[str]]:
    """(tune's own flags, the rest for the client flag parser); ``--json`` is 1.0 when set."""
    own = dict(OWN_FLAGS)
    own["json"] = 0.0
    rest: list[str] = []
    it = iter(args)
    for arg in it:
        name, eq, value = arg.lstrip("-").partition("=")
        if arg.startswith("-") and name == "json" and not eq:
            own["json"] = 1.0
        elif arg.startswith("-") and name in OWN_FLAGS:
            if not eq:
                value = next(it, "")
            try:
                own[name] = float(value)
            except ValueError:
                raise ConfigError(f"--{name}: expected a number, got {value!r}") from None
            if own[name] < 0:
                raise ConfigError(f"--{name} must not be negative")
        else:
            rest.append(arg)
    own["seconds"] = min(max(own["seconds"], 0.5), SECONDS_MAX)
    own["bytes"] = min(max(own["bytes"], 1 << 20), BYTES_MAX)
    return own, rest


async def measure(
    cfg: TunnelConfig, own: dict[str, float], say: Callable[[str], None] = print
) -> tuple[LinkFigures, TunnelConfig]:
    """The figures and the server config they imply (the server's windows if it said)."""
    from ..aio.tunetest import NoTuneService, run_active_test
    from .measure import active_figures, server_windows

    server = peer_config(cfg)
    if not own["passive"]:
        try:
            phases = await run_active_test(
                cfg,
                seconds=own["seconds"],
                byte_cap=int(own["bytes"]),
                progress=lambda s: say(f"testing: {s}"),
            )
        except NoTuneService as exc:
            say(f"{exc}: measuring passively instead")
        else:
            wnd = server_windows(phases)
            if wnd is not None:
                server = replace(server, sndwnd=wnd[0], rcvwnd=wnd[1])
            return active_figures(phases, cfg, server), server
    return await passive(cfg, server, own["passive"] or PASSIVE_DEFAULT, say), server


async def passive(
    cfg: TunnelConfig, server: TunnelConfig, seconds: float, say: Callable[[str], None] = print
) -> LinkFigures:
    from ..aio.engine import Engine
    from ..aio.linkstats import sample_for
    from .measure import passive_figures

    engine = Engine(cfg)
    await engine.start()
    say(
        f"listening on {cfg.localaddr}: use the tunnel for the next {seconds:.0f} s "
        "(a download shows the most)"
    )
    try:
        samples = await sample_for(
            lambda: engine.tunnel.sessions() if engine.tunnel else [], seconds
        )
    finally:
        await engine.stop()
    return passive_figures(samples, cfg, server)


def report(fig: LinkFigures, cfg: TunnelConfig, server: TunnelConfig) -> tuple[Advice, str]:
    advice = recommend(fig, cfg, server)
    return advice, render(fig, advice, outcome(advice, cfg, server, fig.peer_is_kcpdesk))


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)  # stdout carries only the report


def main(args: Sequence[str]) -> int:
    from ..cli import EXIT_OK, EXIT_USAGE, _config_or_exit, error

    if any(a in ("-h", "-help", "--help", "help") for a in args[:1]):
        sys.stdout.write(USAGE)
        return EXIT_OK
    try:
        own, rest = split_own_flags(args)
    except ConfigError as exc:
        error(exc)
        return EXIT_USAGE
    got = _config_or_exit("client", rest)
    if isinstance(got, int):
        return got
    cfg = got[0]
    try:
        fig, server = asyncio.run(measure(cfg, own, _progress))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        error(f"{exc.strerror or exc} (is the client already running on {cfg.localaddr}?)")
        return 1
    advice, text = report(fig, cfg, server)
    sys.stdout.write(as_json(fig, advice, cfg, server) if own["json"] else text)
    return EXIT_OK


def as_json(fig: LinkFigures, advice: Advice, cfg: TunnelConfig, server: TunnelConfig) -> str:
    """The report for scripts: figures, changes with reasons, each end's changed flags."""
    out = outcome(advice, cfg, server, fig.peer_is_kcpdesk)
    data = {
        "figures": asdict(fig),
        "changes": [asdict(r) for r in advice.changes],
        "findings": list(advice.findings),
        "client_flags": changed_flags(cfg, out.new_client, runs="kcpdesk"),
        "server_flags": changed_flags(server, out.new_server, runs=out.server_runs),
        "server_runs": out.server_runs,
    }
    return json.dumps(data, indent=2) + "\n"
