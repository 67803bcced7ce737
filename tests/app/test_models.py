"""Chart series, diagnostics and the log book: pure data, no Qt."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pytest

from app.models.diagnostics import diagnose
from app.models.logbook import CURRENT_PROFILE, MASK, LogBook
from app.models.series import COLUMN_NAMES, DIAGNOSIS_WINDOW, Ring, StatsRecorder
from kcpcore.snmp import Snmp


@dataclass
class Sess:
    srtt_ms: int = 50
    rto_ms: int = 200
    snd_wnd_used: int = 0
    rmt_wnd: int = 512


# --- ring and recorder ------------------------------------------------------------------------


def test_ring_wraps_and_keeps_order() -> None:
    ring = Ring(["a"], capacity=4)
    for i in range(6):
        ring.append(float(i), {"a": i * 10.0})
    assert len(ring) == 4
    assert ring.times().tolist() == [2.0, 3.0, 4.0, 5.0]
    assert ring.column("a").tolist() == [20.0, 30.0, 40.0, 50.0]
    t, cols = ring.since(3.5, ["a"])
    assert t.tolist() == [4.0, 5.0] and cols["a"].tolist() == [40.0, 50.0]
    assert ring.last("a") == 50.0
    ring.append(6.0, {})
    assert math.isnan(ring.last("a"))


def test_recorder_turns_counters_into_rates() -> None:
    rec = StatsRecorder(capacity=100)
    assert rec.sample(Snmp(), mono=10.0, wall=1000.0) is None  # baseline
    snmp = Snmp(
        bytes_received=50_000,
        bytes_sent=10_000,
        retrans_segs=6,
        lost_segs=4,
        fast_retrans_segs=2,
        fec_parity_shards=30,
        fec_recovered=3,
        in_pkts=100,
        out_pkts=80,
    )
    sample = rec.sample(snmp, [Sess(srtt_ms=40), Sess(srtt_ms=60)], mono=10.5, wall=1000.5)
    assert sample is not None
    assert sample.rates["payload_in"] == 100_000  # per second over 0.5 s
    assert sample.rates["payload_out"] == 20_000
    assert sample.rates["retrans"] == 12 and sample.rates["lost"] == 8
    assert sample.rates["fec_segs"] == 60 and sample.rates["fec_recovered"] == 6
    assert sample.rates["rtt"] == pytest.approx(0.050)  # mean smoothed RTT, in seconds
    assert rec.ring.times().tolist() == [1000.5]
    # no sessions: RTT is a gap, not a zero
    rec.sample(snmp, [], mono=11.0, wall=1001.0)
    assert math.isnan(rec.ring.last("rtt")) and rec.ring.last("payload_in") == 0


def test_recorder_window_sums_recent_deltas() -> None:
    rec = StatsRecorder(capacity=100)
    rec.sample(Snmp(), mono=0.0)
    for i in range(1, 30):
        rec.sample(Snmp(out_pkts=10 * i, in_csum_errors=i), mono=i * 0.5)
    delta, seconds = rec.window()
    assert seconds == pytest.approx(DIAGNOSIS_WINDOW, abs=0.6)
    assert delta["OutPkts"] == pytest.approx(10 * seconds / 0.5, abs=10)


def test_recorder_reset_after_restart_never_goes_negative() -> None:
    rec = StatsRecorder(capacity=100)
    rec.sample(Snmp(), mono=0.0)
    rec.sample(Snmp(bytes_sent=1000), mono=1.0)
    rec.reset()
    assert rec.sample(Snmp(), mono=2.0) is None  # new engine: counters restart at 0
    s = rec.sample(Snmp(bytes_sent=10), mono=3.0)
    assert s is not None and s.rates["payload_out"] == 10


def test_csv_export_has_every_column_with_units() -> None:
    rec = StatsRecorder(capacity=10)
    rec.sample(Snmp(), mono=0.0, wall=1_700_000_000.0)
    rec.sample(Snmp(bytes_received=1000), [Sess()], mono=1.0, wall=1_700_000_001.0)
    rec.sample(Snmp(bytes_received=3000), [], mono=2.0, wall=1_700_000_002.0)
    lines = rec.to_csv().splitlines()
    header = lines[0].split(",")
    assert header[:2] == ["unix_time", "iso_time"]
    assert "payload_in_Bps" in header and "rtt_s" in header and "retrans_per_s" in header
    assert len(header) == 2 + len(COLUMN_NAMES)
    assert len(lines) == 3
    row = dict(zip(header, lines[2].split(","), strict=True))
    assert float(row["payload_in_Bps"]) == 2000 and row["rtt_s"] == ""


def test_ring_memory_is_fixed() -> None:
    rec = StatsRecorder()
    before = sum(a.nbytes for a in rec.ring._cols.values())
    for i in range(rec.ring.capacity + 50):
        rec.ring.append(float(i), {"payload_in": 1.0})
    assert sum(a.nbytes for a in rec.ring._cols.values()) == before
    assert np.all(np.diff(rec.ring.times()) > 0)


# --- diagnostics ------------------------------------------------------------------------------


def codes(findings: list) -> list[str]:
    return [f.code for f in findings]


def test_no_data_and_idle() -> None:
    assert codes(diagnose({}, role="client", seconds=0)) == ["no-data"]
    assert codes(diagnose({}, role="client", seconds=5)) == ["idle"]


def test_checksum_failures_mean_key_or_crypt() -> None:
    f = diagnose({"InCsumErrors": 120, "InPkts": 0, "OutPkts": 0}, role="server", seconds=5)
    assert codes(f) == ["checksum"] and f[0].level == "error"
    assert "key" in f[0].advice and "crypt" in f[0].advice
    # a couple of stray packets among thousands is not a mismatch
    ok = diagnose({"InCsumErrors": 3, "InPkts": 5000, "OutPkts": 5000}, role="server", seconds=5)
    assert "checksum" not in codes(ok)


def test_nothing_arriving_means_unreachable() -> None:
    f = diagnose({"OutPkts": 40, "InPkts": 0}, role="client", seconds=5, peer="vps:29900")
    assert codes(f) == ["no-reply"]
    assert "vps:29900" in f[0].title and "firewall" in f[0].advice
    # a few packets out is still connecting, not a diagnosis (and not "healthy" either)
    assert codes(diagnose({"OutPkts": 2}, role="client", seconds=5)) == ["waiting"]


def test_fec_errors_without_recoveries() -> None:
    d = {"InPkts": 500, "OutPkts": 500, "FECErrs": 12, "FECRecovered": 0}
    assert "fec-mismatch" in codes(diagnose(d, role="client", seconds=5))
    d["FECRecovered"] = 20
    assert "fec-mismatch" not in codes(diagnose(d, role="client", seconds=5))


def test_repeated_session_opens_point_at_compression_or_smux() -> None:
    d = {"InPkts": 50, "OutPkts": 50, "PassiveOpens": 3}
    f = diagnose(d, role="server", seconds=5)
    assert "reopens" in codes(f) and "nocomp" in f[0].advice


@pytest.mark.parametrize(("lost", "fast", "word"), [(120, 30, "faster mode"), (30, 120, "parity")])
def test_heavy_retransmits_suggest_what_helps(lost: int, fast: int, word: str) -> None:
    d = {
        "InPkts": 900,
        "OutPkts": 1000,
        "OutSegs": 1000,
        "BytesSent": 1_000_000,
        "RetransSegs": lost + fast,
        "LostSegs": lost,
        "FastRetransSegs": fast,
    }
    f = diagnose(d, role="client", seconds=5)
    assert codes(f)[0] == "retransmits" and word in f[0].advice
    assert "15% of segments" in f[0].title
    light = dict(d, RetransSegs=20, LostSegs=10, FastRetransSegs=10)
    assert codes(diagnose(light, role="client", seconds=5)) == ["healthy"]


def test_window_limits() -> None:
    d = {"InPkts": 900, "OutPkts": 1000, "OutSegs": 1000}
    full = diagnose(d, role="client", seconds=5, sessions=[Sess(snd_wnd_used=127)], sndwnd=128)
    assert "window-full" in codes(full) and "sndwnd" in full[0].advice
    peer = diagnose(d, role="client", seconds=5, sessions=[Sess(rmt_wnd=0)], sndwnd=128)
    assert "peer-window" in codes(peer)


def test_findings_are_sorted_by_severity() -> None:
    d = {
        "InCsumErrors": 50,
        "OutPkts": 100,
        "OutSegs": 100,
        "RetransSegs": 60,
        "LostSegs": 60,
        "FECErrs": 5,
    }
    levels = [f.level for f in diagnose(d, role="server", seconds=5)]
    assert levels == sorted(levels, key=["error", "warning", "info", "ok"].index)


# --- log book ---------------------------------------------------------------------------------


@pytest.fixture
def book() -> LogBook:
    lb = LogBook(max_entries=3)
    lb.install()
    yield lb
    lb.uninstall()


def test_records_are_filed_under_the_current_profile(book: LogBook) -> None:
    lg = logging.getLogger("kcpcore.aio.tunnel")
    lg.info("app-wide")
    token = CURRENT_PROFILE.set("office")
    try:
        lg.info("stream opened")
    finally:
        CURRENT_PROFILE.reset(token)
    logging.getLogger("app.x").warning("explicit", extra={"profile": "home"})
    assert [e.message for e in book.entries([""])] == ["app-wide"]
    assert [e.message for e in book.entries(["office"])] == ["stream opened"]
    assert [e.profile for e in book.entries()] == ["", "office", "home"]


def test_keys_never_reach_the_log(book: LogBook) -> None:
    book.set_secret("office", "hunter22")
    book.set_secret("tiny", "ab")  # too short to scrub safely
    logging.getLogger("kcpcore").warning("bad key %s in %r", "hunter22", {"key": "hunter22"})
    (entry,) = book.entries()
    assert "hunter22" not in entry.message and entry.message.count(MASK) == 2
    book.set_secret("office", "newsecret")
    logging.getLogger("kcpcore").info("old hunter22 new newsecret")
    assert book.entries()[-1].message == f"old hunter22 new {MASK}"


def test_history_is_bounded_and_listeners_survive_dead_ones(book: LogBook) -> None:
    seen: list[str] = []

    def dead(_e: object) -> None:
        raise RuntimeError("Internal C++ object already deleted")

    book.subscribe(dead)
    book.subscribe(lambda e: seen.append(e.message))
    for i in range(5):
        logging.getLogger("kcpcore").info("line %d", i)
    assert [e.message for e in book.entries()] == ["line 2", "line 3", "line 4"]
    assert seen == [f"line {i}" for i in range(5)]
    assert dead not in book._listeners
