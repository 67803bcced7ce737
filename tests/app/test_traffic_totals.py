"""Traffic totals per profile: counted from real tunnels, kept across a restart, rolled over
at midnight and at the month's end (injected clock)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.models.traffic import TrafficBook
from tests.app.conftest import run, wait_for


class Clock:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


def _delta(wire_in: int, wire_out: int = 0) -> dict[str, int]:
    return {"wire_in": wire_in, "wire_out": wire_out, "payload_in": wire_in // 2}


def test_totals_persist_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "traffic.json"
    clock = Clock(date(2026, 12, 3))
    book = TrafficBook(path, clock)
    book.add("vps", _delta(1000, 200))
    book.add("vps", _delta(500, 50))
    book.save()
    assert not book.dirty
    again = TrafficBook(path, clock)  # the next launch
    today, month, all_time = again.totals("vps")
    assert (today.wire_in, today.wire_out, today.payload_in) == (1500, 250, 750)
    assert month == today == all_time
    assert again.totals("other")[2].wire_in == 0
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_day_and_month_roll_over(tmp_path: Path) -> None:
    clock = Clock(date(2026, 1, 31))
    book = TrafficBook(tmp_path / "t.json", clock)
    book.add("vps", _delta(100))
    clock.day = date(2026, 2, 1)  # midnight, and a new month
    today, month, all_time = book.totals("vps")
    assert (today.wire_in, month.wire_in, all_time.wire_in) == (0, 0, 100)
    book.add("vps", _delta(10))
    clock.day = date(2026, 2, 2)  # next day, same month
    book.add("vps", _delta(1))
    today, month, all_time = book.totals("vps")
    assert (today.wire_in, month.wire_in, all_time.wire_in) == (1, 11, 111)
    book.save()
    clock.day = date(2027, 2, 2)  # same day and month number a year later: not "today"
    today, month, all_time = TrafficBook(tmp_path / "t.json", clock).totals("vps")
    assert (today.wire_in, month.wire_in, all_time.wire_in) == (0, 0, 111)


def test_a_damaged_file_is_set_aside_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "traffic.json"
    path.write_text("{not json")
    book = TrafficBook(path, Clock(date(2026, 12, 3)))
    assert list(book) == [] and (tmp_path / "traffic.json.corrupt").read_text() == "{not json"
    book.add("a", _delta(5))
    book.save()
    assert json.loads(path.read_text())["profiles"]["a"]["all"][0] == 5


def test_rename_and_delete_follow_the_profile(tmp_path: Path) -> None:
    book = TrafficBook(tmp_path / "t.json", Clock(date(2026, 12, 3)))
    book.add("old", _delta(7))
    book.rename("old", "new")
    assert book.totals("new")[2].wire_in == 7 and book.totals("old")[2].wire_in == 0
    book.forget("new")
    assert list(book) == []


@pytest.mark.gui
def test_real_tunnels_count_and_survive_restart(
    window: Any, qloop: Any, config_dir: Path, qtbot: Any
) -> None:
    """A client and server pair moves data; the meter counts both profiles, the view shows
    it, quitting writes the file and a new meter (the next launch) reads the same totals."""
    from app.controllers.traffic import TrafficMeter
    from tests.app.test_tunnels import _pair

    async def scenario() -> None:
        echo, gen = await _pair(window, rate=300_000)
        try:
            await wait_for(lambda: gen.received > 60_000, timeout=10)
        finally:
            await gen.stop()
            await echo.stop()
        await window.stop_profile("cli")  # the last sample is counted on stop
        await window.shutdown()

    run(qloop, scenario(), timeout=30)
    meter = window.desk.traffic
    cli_all = meter.totals("cli")[2]
    srv_all = meter.totals("srv")[2]
    assert cli_all.payload_out >= 60_000 and cli_all.wire_out > cli_all.payload_out
    assert srv_all.wire_in > 0 and srv_all.payload_in > 0
    saved = json.loads((config_dir / "traffic.json").read_text())
    assert set(saved["profiles"]) == {"cli", "srv"}
    next_launch = TrafficMeter(window.manager)
    assert next_launch.totals("cli") == meter.totals("cli")
    window.select("cli")
    labels = [v.text() for v in window.traffic_view.values]
    assert all(t.startswith("\u2193 ") and "\u2191 " in t for t in labels)
    assert labels[0] != "\u2193 0 B  \u2191 0 B"
    for v in window.traffic_view.values:  # fixed size (no relayout per sample), text whole
        assert v.minimumSize() == v.maximumSize()
        assert v.fontMetrics().horizontalAdvance(v.text()) <= v.width()
