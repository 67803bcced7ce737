"""The namespace link itself: does it shape, delay and drop as configured, and always clean up?

Everything else under ``tests/netem`` and ``benchmarks/linkbench.py`` trusts these numbers, so
they are measured here from the outside (sockets in the two end namespaces), not read back from
the configuration.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.netlink import (
    CLIENT_IP,
    REPO_ROOT,
    SERVER_IP,
    EmulatedLink,
    kernel_has_netem,
    netlink_fixture,
    parse_duration_us,
    parse_percent,
    parse_rate,
    skip_unless_netns,
)

netlink = netlink_fixture()

TCP_PORT = 5001
UDP_PORT = 5002
RATE_BPS = 20_000_000
ONE_WAY_MS = 30.0
LOSS = 0.05
TRANSFER_BYTES = 3_000_000
UDP_PROBES = 2000


def _namespaces() -> set[str]:
    out = subprocess.run(
        ["ip", "netns", "list"], capture_output=True, text=True, timeout=10, check=True
    ).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def _prefixed(prefix: str) -> set[str]:
    return {ns for ns in _namespaces() if ns.startswith(prefix + "-")}


def _emu_alive(link: EmulatedLink) -> bool:
    """Is an lbemu still serving this link? (it runs from the link's own run dir)"""
    marker = f"/tmp/netlink-{link.prefix}/".encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def _cc() -> str:
    """bbr when the kernel has it: the point is the link, and cubic at 5 % loss crawls."""
    avail = Path("/proc/sys/net/ipv4/tcp_available_congestion_control").read_text().split()
    return "bbr" if "bbr" in avail else "cubic"


@pytest.mark.parametrize(
    ("text", "bps"),
    [
        ("100mbit", 100_000_000),
        ("800kbit", 800_000),
        ("20", 20_000_000),
        ("1gbit", 10**9),
        ("none", 0),
        ("0", 0),
        ("1mbps", 8_000_000),
    ],
)
def test_parse_rate_follows_netlink_sh(text: str, bps: int) -> None:
    assert parse_rate(text) == bps


def test_parse_delay_and_percent() -> None:
    assert [parse_duration_us(t) for t in ("20ms", "500us", "0.02s", "7", None)] == [
        20_000,
        500,
        20_000,
        7_000,
        0,
    ]
    assert parse_percent("2%") == pytest.approx(0.02)
    assert parse_percent("10") == pytest.approx(0.10)
    with pytest.raises(ValueError):
        parse_percent("150%")
    with pytest.raises(ValueError):
        parse_rate("fast")


@pytest.mark.netem
@pytest.mark.slow
@pytest.mark.timeout(240)
def test_lossy_link_transfers_delays_and_drops_as_configured(netlink) -> None:
    link = netlink(rate="20mbit", delay="30ms", loss="5%", seed=3)
    prefix = link.prefix
    assert _prefixed(prefix) == {f"{prefix}-cli", f"{prefix}-rtr", f"{prefix}-srv"}
    assert link.backend == ("netem" if kernel_has_netem() else "lbemu")
    assert (link.client_ip, link.server_ip) == (CLIENT_IP, SERVER_IP)

    srv = link.agent(
        link.server_ns,
        "serve",
        "--tcp",
        f"{SERVER_IP}:{TCP_PORT}",
        "--udp",
        f"{SERVER_IP}:{UDP_PORT}",
    )
    cli = link.agent(link.client_ns, "drive")

    # 1. a few MB client -> server, verified by sha256 on the far side, through the bottleneck
    r = cli.call(
        "tcp",
        host=SERVER_IP,
        port=TCP_PORT,
        op="up",
        n=TRANSFER_BYTES,
        seed=11,
        cap=120.0,
        cc=_cc(),
    )
    assert r["complete"] and r["ok"], r
    goodput = TRANSFER_BYTES * 8 / (r["t_last"] - r["t_start"])
    assert 0.5e6 < goodput < RATE_BPS * 1.05, f"goodput {goodput / 1e6:.2f} Mbit/s"

    # 2. RTT = 2 x 30 ms: TCP handshakes (median ignores the odd lost SYN) and UDP echoes
    conn = cli.call("connect", host=SERVER_IP, port=TCP_PORT, count=15, cap=30.0)["connect_ms"]
    assert len(conn) >= 10
    assert 2 * ONE_WAY_MS - 1 <= statistics.median(conn) <= 2 * ONE_WAY_MS + 15, conn

    # 3. loss each way from 2000 paced UDP probes (20 % of the bottleneck rate, no queueing)
    probe = cli.call(
        "udp_probe",
        host=SERVER_IP,
        port=UDP_PORT,
        count=UDP_PROBES,
        probe=1,
        size=200,
        pps=2500.0,
        linger=1.0,
    )
    reached = srv.call("udp_count", probe=1)["received"]
    up_loss = 1 - reached / UDP_PROBES
    down_loss = 1 - probe["echoed"] / reached
    assert abs(up_loss - LOSS) <= 0.025, up_loss
    assert abs(down_loss - LOSS) <= 0.025, down_loss
    rtt = statistics.median(probe["rtt_ms"])
    assert 2 * ONE_WAY_MS - 1 <= rtt <= 2 * ONE_WAY_MS + 15, rtt

    if link.backend == "lbemu":  # the delay line agrees with what the sockets saw
        stats = link.emu_stats()
        assert stats is not None and stats["dirs"]["lup"]["drop_loss"] >= UDP_PROBES - reached

    # 4. teardown leaves nothing with our prefix
    link.down()
    assert _prefixed(prefix) == set()
    assert not _emu_alive(link)
    assert not Path(f"/tmp/netlink-{prefix}").exists()
    assert cli.proc.poll() is not None and srv.proc.poll() is not None


@pytest.mark.netem
@pytest.mark.parametrize("exc", [ZeroDivisionError, KeyboardInterrupt])
def test_teardown_on_exception(exc: type[BaseException]) -> None:
    skip_unless_netns()
    link = EmulatedLink("100mbit", "5ms", "1%")
    with pytest.raises(exc), link:
        assert len(_prefixed(link.prefix)) == 3
        assert _emu_alive(link)
        link.popen(link.server_ns, ["sleep", "30"])
        raise exc
    assert _prefixed(link.prefix) == set()
    assert not _emu_alive(link)


@pytest.mark.netem
def test_explicit_prefix_never_replaces_a_live_link() -> None:
    """netlink.sh ``up`` tears down first, so a clash must fail instead of killing a link."""
    skip_unless_netns()
    with EmulatedLink("none", "0", "0") as first:
        other = EmulatedLink("none", "0", "0", prefix=first.prefix)
        with pytest.raises(RuntimeError, match="already exist"):
            other.up()
        assert len(_prefixed(first.prefix)) == 3
        # a default (random) prefix steps around it
        with EmulatedLink("none", "0", "0") as second:
            assert second.prefix != first.prefix
            assert len(_prefixed(second.prefix)) == 3
    assert _prefixed(first.prefix) == set()


@pytest.mark.netem
@pytest.mark.parametrize("ending", ["exit", "sigint"])
def test_atexit_and_sigint_fallback(ending: str) -> None:
    """A process that leaves without ``down()`` (or is interrupted) still removes its link."""
    skip_unless_netns()
    script = textwrap.dedent(f"""
        import sys, time
        from tests.helpers.netlink import EmulatedLink
        link = EmulatedLink("50mbit", "10ms", "2%").up()
        print(link.prefix, flush=True)
        if {ending!r} == "exit":
            sys.exit(0)
        time.sleep(30)
    """)
    p = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert p.stdout is not None
        prefix = p.stdout.readline().strip()
        assert prefix.startswith("kd")
        assert len(_prefixed(prefix)) == 3
        if ending == "sigint":
            p.send_signal(signal.SIGINT)
        # the teardown deletes three namespaces: the kernel serialises netns cleanup, so
        # it can take long on a machine that is creating and deleting others
        p.wait(60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(10)
    deadline = time.monotonic() + 10
    while _prefixed(prefix) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _prefixed(prefix) == set()


# --------------------------------------------------------------------------- path-corpus knobs


def _probe_order(link: EmulatedLink, count: int, pps: float) -> tuple[list[int], list[float]]:
    """``count`` paced UDP probes client -> server: (sequence numbers in the order the server
    got them, round-trip times of the echoes in ms)."""
    srv = link.agent(link.server_ns, "serve", "--udp", f"{SERVER_IP}:{UDP_PORT}")
    cli = link.agent(link.client_ns, "drive")
    r = cli.call(
        "udp_probe",
        host=SERVER_IP,
        port=UDP_PORT,
        count=count,
        probe=7,
        size=100,
        pps=pps,
        linger=0.5,
    )
    return srv.call("udp_order", probe=7)["order"], r["rtt_ms"]


@pytest.mark.netem
@pytest.mark.timeout(90)
def test_gilbert_elliott_loss_keeps_the_average_and_comes_in_bursts(netlink) -> None:
    link = netlink(rate="none", delay="1ms", loss="3%", loss_burst=5, seed=4)
    count = 8000
    order, _ = _probe_order(link, count, pps=5000.0)
    got = set(order)
    loss = 1 - len(got) / count
    assert abs(loss - 0.03) <= 0.015, loss
    runs, run = [], 0  # lengths of consecutive missing sequence numbers
    for seq in range(count):
        if seq in got:
            if run:
                runs.append(run)
            run = 0
        else:
            run += 1
    mean_burst = statistics.mean(runs)
    assert 3.0 <= mean_burst <= 8.0, (mean_burst, runs)  # independent 3 % loss: ~1.03
    stats = link.emu_stats()
    assert stats is not None and stats["loss_burst"] == pytest.approx(5.0)


@pytest.mark.netem
@pytest.mark.timeout(90)
@pytest.mark.parametrize(("gap", "expected_ms"), [("3ms", 3.0), (None, 20.0)])
def test_reorder_displaces_by_the_gap_or_the_whole_delay(
    netlink, gap: str | None, expected_ms: float
) -> None:
    """5 % of packets each way overtake by ``gap`` (or skip the 20 ms delay line): the early
    echoes come back that much sooner, and the server really sees them out of order."""
    link = netlink(rate="none", delay="20ms", loss="0%", reorder="5%", reorder_gap=gap, seed=9)
    count = 2000
    order, rtts = _probe_order(link, count, pps=2000.0)
    assert sorted(order) == list(range(count))  # nothing lost, nothing duplicated
    early = sum(1 for i, seq in enumerate(order) if seq > min(order[i:]))
    assert 0.02 * count <= early <= 0.08 * count, early
    # ~90 % of round trips take 40 ms; ~10 % had one reordered leg and are shorter by the gap
    median, low = statistics.median(rtts), rtts[int(0.04 * len(rtts))]
    assert 0.5 * expected_ms <= median - low <= 1.6 * expected_ms, (median, low)
    stats = link.emu_stats()
    assert stats is not None and stats["dirs"]["lup"]["reordered"] >= early


@pytest.mark.netem
@pytest.mark.timeout(60)
def test_asymmetric_rates_policer_and_live_rate_change(netlink) -> None:
    link = netlink(
        rate="100mbit", delay="5ms", loss="0%", rate_up="8mbit", queue_bytes=3028, burst_bytes=62500
    )

    def tbf(dev: str) -> str:
        out = subprocess.run(
            ["tc", "-n", link.router_ns, "qdisc", "show", "dev", dev],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        return next(line for line in out.splitlines() if "tbf" in line)

    assert "rate 100Mbit" in tbf("rc0") and "rate 8Mbit" in tbf("rs0")
    assert "burst 62" in tbf("rc0")  # the policer's bucket, tc prints ~62.5Kb
    link.set_rate("20mbit", "down")
    assert "rate 20Mbit" in tbf("rc0") and "rate 8Mbit" in tbf("rs0")
    link.set_rate("100mbit")
    assert "rate 100Mbit" in tbf("rc0") and "rate 100Mbit" in tbf("rs0")
    with pytest.raises(ValueError):
        link.set_rate("20mbit", "sideways")


# --------------------------------------------------------------------------- the issue 11 corpus


def _corpus_modules() -> tuple[Any, Any]:
    bench = str(REPO_ROOT / "benchmarks")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    import corpus
    import corpus_paths

    return corpus, corpus_paths


def test_every_corpus_path_builds_a_valid_link_and_capacity() -> None:
    """Every named path parses into lbemu knobs (no namespaces needed to check that), and the
    capacity the summary divides by follows the rate steps that fell inside the run."""
    _, cp = _corpus_modules()
    for path in cp.PATHS:
        link = EmulatedLink(path.rate, path.delay, path.loss, backend="lbemu", **path.link_kwargs())
        assert link.delay_us == path.rtt_ms() * 500
        assert path.capacity("down") > 0 and path.capacity("up") > 0
    step = next(p for p in cp.PATHS if p.steps)
    full = step.capacity("down", elapsed_s=0.5)  # before the first step: the full rate
    assert full == pytest.approx(100 * cp.PAYLOAD_PER_WIRE)
    # 1 s at 100, 3 s at 20, 1 s at 100 Mbit/s: 52 Mbit/s on average
    assert step.capacity("down", elapsed_s=5.0) == pytest.approx(52 * cp.PAYLOAD_PER_WIRE)
    asym = next(p for p in cp.PATHS if p.rate_up)
    assert asym.capacity("up") < asym.capacity("down") / 10
    assert [p.name for p in cp.select("reorder1", quick=True)] == [
        "reorder1-full",
        "reorder1-small",
        "reorder1-full-jitter10",
    ]


@pytest.mark.netem
@pytest.mark.timeout(120)
def test_corpus_runner_measures_a_path_and_tears_it_down(tmp_path: Path) -> None:
    """One corpus cell end to end (direct TCP, the cheapest variant): a verified transfer, a
    capacity fraction in range, a Markdown row, and no namespace left behind."""
    skip_unless_netns()
    corpus, _ = _corpus_modules()
    out = tmp_path / "c.json"
    rc = corpus.main(
        [
            "--filter",
            "asym-100-8",
            "--variants",
            "tcp",
            "--sizes",
            "0.5",
            "--runs",
            "1",
            "--directions",
            "up",
            "--json",
            str(out),
        ]
    )
    assert rc == 0
    data = json.loads(out.read_text())
    (rec,) = data["records"]
    assert rec["status"] == "ok" and rec["verified_bytes"] == 500_000
    assert 0.05 < rec["capacity_fraction"] <= 1.1, rec  # 8 Mbit/s up is the bottleneck
    assert rec["emu"] is None or "lup" in rec["emu"]
    assert rec["link_prefix"].startswith("kd")
    assert _prefixed(rec["link_prefix"]) == set()  # other links on the machine may come and go
