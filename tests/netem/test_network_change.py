"""Network back, data flowing again: a running client recovers from an outage at once.

The client's interface goes down for 3 s and comes back (its route put back, as a DHCP
client would), or its address is replaced by another; a prober pings through the tunnel
every 50 ms. With the client's route watch (``--netwatch on``, the default) pings must
come back within a generous bound; the measured figures, and the same runs without the
watch (waiting out the 15 s stall watch), are in benchmarks/README.md
(``benchmarks/netchange_bench.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.netlink import netlink_fixture
from tests.helpers.outage import run_outage

pytestmark = [pytest.mark.netem, pytest.mark.slow]
netlink = netlink_fixture()

RECOVERY_BOUND = 5.0  # s; the target is <= 2 s, this only catches a collapse


@pytest.mark.parametrize("scenario", ["link", "address"])
def test_client_recovers_at_once_when_the_network_comes_back(
    scenario: str, netlink, tmp_path: Path
) -> None:
    link = netlink(delay="10ms")
    result = run_outage(link, tmp_path, scenario=scenario, trigger="netwatch", outage=3.0)  # type: ignore[arg-type]
    logs = "\n".join(p.read_text()[-3000:] for p in sorted(tmp_path.glob("*.log")))
    assert result.recovery_s is not None, f"no echo after the network came back\n{logs}"
    assert result.recovery_s <= RECOVERY_BOUND, f"{result}\n{logs}"
    client_log = (tmp_path / "client.log").read_text()
    if scenario == "address":  # the old session is dead for good: it must have been replaced
        assert "the route to the server now leaves from 10.99.1.3" in client_log, logs
    # the same address: KCP's own retransmission usually brings the session back within the
    # watch's 1 s grace (0.1-0.8 s measured), streams kept; not asserted, it is timing
