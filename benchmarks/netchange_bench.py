"""Time from "network back" to data flowing again through a running client, per trigger.

Runs ``tests/helpers/outage.py`` on a namespace link (10 ms each way): our client and server,
a prober pinging through the tunnel every 50 ms. Scenarios: ``link`` (the client's interface
down for ``--outage`` s, then up with its route back) and ``address`` (the client's address
replaced by another, as a PPPoE/DHCP renumbering does). Triggers: ``netwatch`` (the client's
own route watch, the default), ``sighup`` (sent once the network is back), ``none`` (only the
15 s stall watch). Needs root (network namespaces).

    .venv/bin/python benchmarks/netchange_bench.py
    .venv/bin/python benchmarks/netchange_bench.py --scenario address --trigger none --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.helpers.netlink import EmulatedLink, netns_unavailable_reason  # noqa: E402
from tests.helpers.outage import run_outage  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", nargs="+", default=["link", "address"])
    ap.add_argument("--trigger", nargs="+", default=["netwatch", "sighup", "none"])
    ap.add_argument("--outage", nargs="+", type=float, default=[3.0, 10.0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--bulk", action="store_true", help="a bulk echo stream beside the pings")
    args = ap.parse_args()
    reason = netns_unavailable_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    print("| scenario | outage s | trigger | recovery s (each run) | median s |")
    print("|---|---|---|---|---|")
    for scenario in args.scenario:
        for outage in args.outage:
            for trigger in args.trigger:
                runs = []
                for _ in range(args.rounds):
                    with EmulatedLink(delay="10ms") as link, tempfile.TemporaryDirectory() as d:
                        r = run_outage(
                            link,
                            Path(d),
                            scenario=scenario,
                            trigger=trigger,
                            outage=outage,
                            with_bulk=args.bulk,
                        )
                    runs.append(r.recovery_s)
                done = [x for x in runs if x is not None]
                each = ", ".join("none in 25 s" if x is None else f"{x:.2f}" for x in runs)
                med = f"{statistics.median(done):.2f}" if done else "-"
                print(f"| {scenario} | {outage:g} | {trigger} | {each} | {med} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
