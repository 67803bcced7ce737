"""Status from evidence that persists, and advice that never contradicts itself (no Qt).

A minute of a wrong key runs on a virtual clock: cumulative counters go through the same
``StatsRecorder`` window and ``diagnose`` the controller uses, one tick per sample period.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from app.models.diagnostics import MODE_ORDER, diagnose
from app.models.health import NO_REPLY_GRACE, Health, Verdict
from app.models.series import SAMPLE_PERIOD, StatsRecorder
from kcpcore.aio.tunnel import stall_reason
from kcpcore.config import MODES
from kcpcore.snmp import Snmp

WALL0 = 1_800_000_000.0


class Sim:
    """One tunnel's counters, recorder and health on a virtual clock."""

    def __init__(self, role: str) -> None:
        self.role = role
        self.snmp = Snmp()
        self.rec = StatsRecorder(capacity=64)
        self.health = Health(role=role, peer="vps:29900" if role == "client" else "")
        self.now = 1000.0
        self.rec.sample(self.snmp, mono=self.now, wall=WALL0)
        self.events: list[str] = []

    def tick(self, change: Callable[[Snmp], None] = lambda s: None, ended: str = "") -> Verdict:
        self.now += SAMPLE_PERIOD
        change(self.snmp)
        sample = self.rec.sample(self.snmp, mono=self.now, wall=WALL0 + self.now)
        delta, seconds = self.rec.window()
        findings = diagnose(delta, role=self.role, seconds=seconds, mode="fast2", datashard=10)
        v = self.health.update(
            now=self.now,
            tick=sample.delta if sample else {},
            findings=findings,
            session_ended=ended,
            wall=WALL0 + self.now,
        )
        if v.event:
            self.events.append(v.event)
        return v

    def run(self, seconds: float, change: Callable[[Snmp], None] = lambda s: None) -> list[Verdict]:
        return [self.tick(change) for _ in range(int(seconds / SAMPLE_PERIOD))]


def sending_unanswered(s: Snmp) -> None:
    """A wrong-key client: KCP retransmits, nothing decrypts on the way back."""
    s.out_pkts += 6
    s.out_segs += 6
    s.retrans_segs += 5
    s.lost_segs += 5


def good_traffic(s: Snmp) -> None:
    s.in_pkts += 200
    s.out_pkts += 200
    s.out_segs += 200
    s.bytes_sent += 100_000
    s.bytes_received += 100_000


def checksum_failures(s: Snmp) -> None:
    s.in_csum_errors += 6


def test_a_minute_of_a_wrong_key_stays_an_error_on_the_client() -> None:
    sim = Sim("client")
    first = sim.run(NO_REPLY_GRACE, sending_unanswered)
    # the first seconds are "connecting" (a far server may take a moment), never green
    assert {v.status for v in first} == {"connecting"}
    verdicts = sim.run(16, sending_unanswered)  # the stall watch gives up after 15 s
    verdicts.append(sim.tick(ended=stall_reason(Snmp(out_pkts=90))))
    verdicts += sim.run(60)  # no session, no packets: the 5 s window is empty
    assert {v.status for v in verdicts} == {"error"}
    last = verdicts[-1]
    assert "no reply from the server at vps:29900" in last.detail
    assert [f.code for f in last.findings] == ["no-reply"]
    assert "stays until packets from the server arrive" in last.findings[0].advice
    assert sim.events == ["error"]
    # good packets, and only they, clear it
    healed = sim.tick(good_traffic)
    assert healed.status == "running" and healed.detail == ""
    assert sim.events == ["error", "connected"]


def test_a_server_with_checksum_failures_stays_an_error_until_a_good_client() -> None:
    sim = Sim("server")
    verdicts = sim.run(10, checksum_failures) + sim.run(60)
    assert {v.status for v in verdicts} == {"error"}
    assert "fail the checksum" in verdicts[0].detail
    assert [f.code for f in verdicts[-1].findings] == ["checksum"]
    assert sim.tick(good_traffic).status == "running"


def test_a_client_that_went_away_is_not_the_servers_error() -> None:
    """A laptop closed mid-session: the server retransmits into silence until its keepalive
    timeout. That is a note on the server, not a red light that stays until the next client."""
    sim = Sim("server")
    sim.run(2, good_traffic)
    verdicts = sim.run(20, sending_unanswered)
    assert {v.status for v in verdicts} == {"running"}
    assert verdicts[-1].findings[0].code == "client-gone"
    assert verdicts[-1].findings[0].level == "info"
    assert sim.events == ["connected"]


def test_link_events_connected_dropped_and_back() -> None:
    sim = Sim("client")
    sim.run(2, good_traffic)
    sim.run(20)  # idle: still connected, no event
    sim.tick(ended="keepalive timeout")
    sim.run(2, good_traffic)
    assert sim.events == ["connected", "dropped", "connected"]


def test_silence_after_answers_is_a_drop_not_a_key_problem() -> None:
    sim = Sim("client")
    sim.run(2, good_traffic)
    verdicts = sim.run(6, sending_unanswered)  # the server went away mid-transfer
    assert verdicts[-1].status == "error" and "any more (link down" in verdicts[-1].detail
    assert "key" not in verdicts[-1].detail
    assert sim.events == ["connected", "dropped"]


def test_the_stall_watch_blames_the_link_only_when_the_server_answered_before() -> None:
    never = stall_reason(Snmp(out_pkts=50))
    assert "link down" not in never and "key or crypt" in never
    garbled = stall_reason(Snmp(out_pkts=50, in_csum_errors=20))
    assert "link down" not in garbled and "fail the checksum" in garbled
    assert "link down" in stall_reason(Snmp(out_pkts=50, in_pkts=40))


# --- idle vs healthy ----------------------------------------------------------------------------


def test_keepalives_alone_are_idle_not_healthy() -> None:
    """A NOP each way every 10 s used to flip the finding between Idle and healthy."""
    sim = Sim("client")
    sim.run(2, good_traffic)
    codes = []
    for i in range(120):  # a minute, keepalive and its ack every 10 s
        v = sim.tick(_keepalive if i % 20 == 0 else lambda s: None)
        codes.append(v.findings[0].code)
    assert set(codes[12:]) == {"idle"}, codes
    assert sim.events == ["connected"]


def test_a_keepalive_answered_in_the_next_tick_does_not_flicker() -> None:
    """On a long path the ack lands in the tick after the keepalive: no 'waiting' blink."""
    sim = Sim("client")
    sim.run(2, good_traffic)
    verdicts = []
    for i in range(120):
        if i % 20 == 0:
            change = _half_keepalive_out
        elif i % 20 == 1:
            change = _half_keepalive_in
        else:
            change = _nothing
        verdicts.append(sim.tick(change))
    assert {v.status for v in verdicts} == {"running"}
    assert {v.findings[0].code for v in verdicts[12:]} == {"idle"}


def _nothing(s: Snmp) -> None:
    pass


def _half_keepalive_out(s: Snmp) -> None:
    s.out_pkts += 1
    s.bytes_sent += 8


def _half_keepalive_in(s: Snmp) -> None:
    s.in_pkts += 1


def _keepalive(s: Snmp) -> None:
    s.in_pkts += 2
    s.out_pkts += 2
    s.bytes_sent += 8
    s.bytes_received += 8


# --- advice -------------------------------------------------------------------------------------

LOSSY = {"InPkts": 900, "OutPkts": 1000, "OutSegs": 1000, "BytesSent": 10**6}


def _retrans(lost: int, fast: int) -> dict[str, int]:
    return dict(LOSSY, RetransSegs=lost + fast, LostSegs=lost, FastRetransSegs=fast)


def _advice(mode: str, lost: int, fast: int, **kw: int) -> str:
    fs = diagnose(_retrans(lost, fast), role="client", seconds=5, mode=mode, **kw)
    [f] = [f for f in fs if f.code == "retransmits"]
    return f.advice


@pytest.mark.parametrize("reachability", ["no-reply", "checksum"])
def test_no_tuning_advice_beside_nothing_coming_back(reachability: str) -> None:
    d = {"OutPkts": 1000, "OutSegs": 1000, "RetransSegs": 830, "LostSegs": 800}
    if reachability == "checksum":
        d["InCsumErrors"] = 400
    fs = diagnose(d, role="client", seconds=5, mode="fast2", sessions=[_Full()], sndwnd=128)
    assert [f.code for f in fs] == [reachability]
    assert not any("parityshard" in f.advice or "fast3" in f.advice for f in fs)


class _Full:
    srtt_ms = 80
    snd_wnd_used = 128
    rmt_wnd = 0


@pytest.mark.parametrize("mode", [*MODES, "manual"])
@pytest.mark.parametrize(("lost", "fast"), [(120, 30), (30, 120)])
def test_advice_never_suggests_the_mode_in_use(mode: str, lost: int, fast: int) -> None:
    advice = _advice(mode, lost, fast, datashard=10, parityshard=3)
    suggested = re.search(r"faster mode \(([^)]*)\)", advice)
    names = suggested.group(1).split(" or ") if suggested else []
    assert mode not in names
    assert all(MODE_ORDER.index(n) > MODE_ORDER.index(mode) for n in names if mode in MODE_ORDER)
    if mode == "normal":
        assert "'normal' mode" not in advice
    assert "parityshard 3)" not in advice  # the parity it has is not "more"


def test_advice_follows_the_profile() -> None:
    assert "faster mode (fast3)" in _advice("fast2", 120, 30, datashard=10, parityshard=3)
    fast3 = _advice("fast3", 120, 30, datashard=10, parityshard=3)
    assert "faster mode" not in fast3 and "parityshard 5" in fast3
    assert "turning FEC on" in _advice("fast2", 120, 30, datashard=0, parityshard=0)
    assert "parityshard 7" in _advice("fast", 30, 120, datashard=10, parityshard=5)


def test_a_full_window_beside_heavy_loss_is_not_told_to_grow() -> None:
    """'Raise sndwnd' next to 'smaller windows send less' contradicted itself."""
    fs = diagnose(_retrans(30, 120), role="client", seconds=5, sessions=[_Full()], sndwnd=128)
    codes = [f.code for f in fs]
    assert "retransmits" in codes and "window-full" not in codes
    assert not any("Raise sndwnd" in f.advice for f in fs)
