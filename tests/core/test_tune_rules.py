"""The tuning rules, table-driven: each row is a measured link and what the advice must say."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest

from kcpcore.config import TunnelConfig
from kcpcore.tune import DirectionFigures, LinkFigures, apply, cheapest, recommend, unrecoverable
from kcpcore.tune.rules import needed_window, segment_payload, window_rate

CLIENT = TunnelConfig(role="client")  # kcptun defaults: fast, sndwnd 128, rcvwnd 512, FEC 10/3
SERVER = TunnelConfig(role="server")  # sndwnd 1024, rcvwnd 1024


def busy(rate: float, **kw: Any) -> DirectionFigures:
    return DirectionFigures(rate_bps=rate, busy=True, **kw)


def changes(advice: Any) -> dict[tuple[str, str], Any]:
    return {(r.end, r.setting): r.proposed for r in advice.changes}


# (name, figures, client overrides, server overrides, expected changes, settings that must not
# change)
CASES = [
    (
        "window-limited upload: our sndwnd",
        LinkFigures(
            rtt_min_ms=170,
            srtt_ms=180,
            up=busy(7.4e6, capacity_bps=31e6, loss=0.0, window_limit="sender"),
        ),
        {},
        {"rcvwnd": 512},
        {("client", "sndwnd"): 1024, ("server", "rcvwnd"): 1024},
        [("server", "sndwnd"), ("client", "rcvwnd"), ("client", "mode")],
    ),
    (
        "window-limited download, ceiling unknown: step 4x",
        LinkFigures(rtt_min_ms=100, srtt_ms=100, down=busy(53e6, window_limit="sender", loss=0.0)),
        {},
        {"sndwnd": 512},
        {("server", "sndwnd"): 2048, ("client", "rcvwnd"): 2048},
        [("client", "sndwnd")],
    ),
    (
        "peer-window-limited upload: only the server's rcvwnd",
        LinkFigures(
            rtt_min_ms=50,
            srtt_ms=60,
            up=busy(2.7e6, capacity_bps=40e6, loss=0.0, window_limit="receiver"),
        ),
        {"sndwnd": 1024},
        {"rcvwnd": 16},
        {("server", "rcvwnd"): 512},
        [("client", "sndwnd"), ("server", "sndwnd")],
    ),
    (
        "loss-limited: fast2; more parity only said (it costs bulk goodput), windows kept",
        LinkFigures(rtt_min_ms=110, srtt_ms=120, down=busy(8e6, loss=0.10)),
        {},
        {},
        {("client", "mode"): "fast2", ("server", "mode"): "fast2"},
        [
            ("client", "rcvwnd"),
            ("server", "sndwnd"),
            ("client", "parityshard"),
            ("client", "datashard"),
        ],
    ),
    (
        "CPU-limited: no window change, compression off, fast3 to fast2",
        LinkFigures(
            rtt_min_ms=20, srtt_ms=20, cpu=0.97, down=busy(60e6, window_limit="sender", loss=0.0)
        ),
        {"mode": "fast3"},
        {"mode": "fast3"},
        {
            ("client", "nocomp"): True,
            ("server", "nocomp"): True,
            ("client", "mode"): "fast2",
            ("server", "mode"): "fast2",
        },
        [("client", "rcvwnd"), ("server", "sndwnd")],
    ),
    (
        "asymmetric: each direction's windows from its own rate",
        LinkFigures(
            rtt_min_ms=200,
            srtt_ms=200,
            down=busy(10e6, capacity_bps=50e6, loss=0.0, window_limit="sender"),
            up=busy(6.5e6, capacity_bps=15e6, loss=0.0, window_limit="sender"),
        ),
        {},
        {"sndwnd": 128, "rcvwnd": 128},
        {
            ("server", "sndwnd"): 2048,
            ("client", "rcvwnd"): 2048,
            ("client", "sndwnd"): 512,
            ("server", "rcvwnd"): 512,
        },
        [],
    ),
    (
        "loss holes: large windows carried twice as much below the textbook ceiling",
        LinkFigures(
            rtt_min_ms=80,
            srtt_ms=103,
            down=busy(1.9e6, capacity_bps=3.8e6, loss=0.013),
        ),
        {"rcvwnd": 64},
        {},
        {("client", "rcvwnd"): 256},
        [("server", "sndwnd")],
    ),
    (
        "clean low-RTT link: parity off, fast2 flushes faster than the RTT",
        LinkFigures(rtt_min_ms=10, srtt_ms=11, down=busy(90e6, loss=0.0)),
        {},
        {},
        {
            ("client", "parityshard"): 0,
            ("server", "parityshard"): 0,
            ("client", "mode"): "fast2",
            ("server", "mode"): "fast2",
        },
        [("client", "rcvwnd")],
    ),
    (
        "long RTT, clean: the mode's interval is small beside it, left alone",
        LinkFigures(rtt_min_ms=300, srtt_ms=310, down=busy(20e6, loss=0.0)),
        {},
        {},
        {},
        [("client", "mode"), ("client", "rcvwnd")],
    ),
    (
        "loss not measured: FEC untouched",
        LinkFigures(rtt_min_ms=10, srtt_ms=11, down=busy(90e6)),
        {},
        {},
        {},
        [("client", "parityshard"), ("client", "datashard")],
    ),
]


@pytest.mark.parametrize(
    ("name", "fig", "cli", "srv", "want", "unchanged"), CASES, ids=[c[0] for c in CASES]
)
def test_rules(
    name: str,
    fig: LinkFigures,
    cli: dict[str, Any],
    srv: dict[str, Any],
    want: dict[tuple[str, str], Any],
    unchanged: list[tuple[str, str]],
) -> None:
    advice = recommend(fig, replace(CLIENT, **cli), replace(SERVER, **srv))
    got = changes(advice)
    for key, value in want.items():
        assert got.get(key) == value, (key, advice)
    for key in unchanged:
        assert key not in got, (key, advice)
    for r in advice.changes:
        assert r.reason and r.proposed != r.current


def test_reason_shows_the_arithmetic() -> None:
    fig = CASES[0][1]
    advice = recommend(fig, CLIENT, replace(SERVER, rcvwnd=512))
    reason = next(r.reason for r in advice.changes if r.setting == "sndwnd")
    assert "128 segments x 1.30 kB / 180 ms = 7.4 Mbit/s" in reason
    assert "31.0 Mbit/s in the test" in reason
    assert "sndwnd on the client to 1024" in reason and "rcvwnd on the server to 1024" in reason


def test_windows_already_big_enough_change_nothing() -> None:
    fig = LinkFigures(rtt_min_ms=50, srtt_ms=50, down=busy(20e6, capacity_bps=21e6, loss=0.0))
    advice = recommend(fig, replace(CLIENT, rcvwnd=4096), replace(SERVER, sndwnd=4096))
    assert not [r for r in advice.changes if r.setting in ("sndwnd", "rcvwnd")]
    assert any("not the limit" in f for f in advice.findings)


def test_advice_never_lowers_a_window() -> None:
    rng = random.Random(13)
    for _ in range(300):
        d = DirectionFigures(
            rate_bps=rng.uniform(1e5, 2e8),
            busy=rng.random() < 0.8,
            capacity_bps=rng.choice([None, rng.uniform(1e5, 3e8)]),
            loss=rng.choice([None, 0.0, rng.uniform(0, 0.3)]),
            window_limit=rng.choice([None, "sender", "receiver"]),
        )
        fig = LinkFigures(
            rtt_min_ms=rng.uniform(1, 400),
            srtt_ms=rng.uniform(1, 600),
            down=d,
            up=replace(d, rate_bps=d.rate_bps / 3),
            cpu=rng.choice([None, rng.random()]),
        )
        client = replace(CLIENT, sndwnd=rng.randint(1, 8192), rcvwnd=rng.randint(1, 8192))
        server = replace(SERVER, sndwnd=rng.randint(1, 8192), rcvwnd=rng.randint(1, 8192))
        advice = recommend(fig, client, server)
        for before in (client, server):
            after = apply(advice, before)
            assert after.sndwnd >= before.sndwnd and after.rcvwnd >= before.rcvwnd
            assert not after.validate(), (after.validate(), advice)


def test_needed_window_covers_the_bdp_with_headroom() -> None:
    payload = segment_payload(CLIENT)
    assert payload == 1350 - 24 - 20 - 8
    w = needed_window(31e6, 180, payload, 0.0)
    assert window_rate(w, payload, 180) >= 1.25 * 31e6
    assert needed_window(31e6, 180, payload, 0.1) >= w


@pytest.mark.parametrize("loss", [0.005, 0.01, 0.02, 0.05, 0.1, 0.2])
def test_fec_choice_meets_the_target_at_least_cost(loss: float) -> None:
    choice = cheapest(loss)
    assert choice.unrecoverable <= 0.01
    for d in (10, 20):  # one parity shard fewer would miss the target
        m = round(choice.overhead * d)
        if m >= 1 and m / d <= choice.overhead:
            assert unrecoverable(d, m - 1, loss) > 0.01


def test_unrecoverable_is_the_binomial_tail() -> None:
    # 10/3 at 10 % loss: P(more than 3 of 13 lost), computed by hand from the pmf
    assert unrecoverable(10, 3, 0.1) == pytest.approx(0.0342, abs=5e-4)
    assert unrecoverable(10, 0, 0.0) == 0.0
    assert unrecoverable(10, 3, 1.0) == pytest.approx(1.0)


def test_more_parity_is_explained_not_proposed() -> None:
    fig = LinkFigures(rtt_min_ms=110, srtt_ms=120, down=busy(8e6, loss=0.10))
    advice = recommend(fig, CLIENT, SERVER)
    assert any("20/7 would leave" in f and "not for downloads" in f for f in advice.findings)


def test_no_faster_interval_without_spare_cpu() -> None:
    fig = LinkFigures(rtt_min_ms=10, srtt_ms=11, cpu=0.6, down=busy(90e6, loss=0.0))
    assert ("client", "mode") not in changes(recommend(fig, CLIENT, SERVER))
