"""The charts: axis numbers a user reads, peak-keeping decimation, and drawing only what is
needed (hidden charts stay idle, labels are not redrawn for every sample)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from app.charts.scale import nice_top, si_unit, tick_label, x_label, x_ticks, y_ticks
from app.models.series import decimate_peaks


@pytest.mark.parametrize(
    ("data_max", "top"),
    [(0, 1.0), (float("nan"), 1.0), (0.3, 0.5), (7, 10), (12, 20), (99, 200), (2.2e6, 2.5e6)],
)
def test_axis_tops_are_round_and_above_the_data(data_max: float, top: float) -> None:
    assert nice_top(data_max) == pytest.approx(top)


def test_ticks_and_units() -> None:
    assert y_ticks(2.0) == [0, 0.5, 1.0, 1.5, 2.0]
    assert y_ticks(2.5e6)[1] == pytest.approx(5e5)
    assert si_unit(2.5e6, "B/s") == (1e6, "MB/s")
    assert si_unit(0.25, "s") == (1e-3, "ms")
    assert si_unit(2.0, "s") == (1.0, "s")
    assert si_unit(50, "/s") == (1.0, "/s")
    assert tick_label(1.5e6, 1e6) == "1.5"
    assert [x_label(o, 60) for o in x_ticks(60)] == ["-60 s", "-45 s", "-30 s", "-15 s", "now"]
    assert x_label(x_ticks(3600)[0], 3600) == "-60 min"
    assert x_label(0, 60, "12:00:00") == "12:00:00"


def test_decimation_keeps_every_spike_and_gap() -> None:
    t = np.arange(7200.0)
    y = np.zeros(7200)
    y[1234] = 99.0  # one sample in an hour
    y[5000:5100] = np.nan
    dt, dy = decimate_peaks(t, y, 300)
    assert len(dt) <= 2 * 300 + 24
    assert np.nanmax(dy) == 99.0 and np.all(np.diff(dt) >= 0)
    assert np.isnan(dy).any()  # a bucket of nothing but NaN stays a gap
    short = decimate_peaks(t[:100], y[:100], 300)
    assert np.array_equal(short[0], t[:100])  # fewer points than pixels: unchanged


def _plot(qtbot: Any) -> Any:
    from app.charts.timeseries import Curve, TimeSeriesPlot

    plot = TimeSeriesPlot(
        "Bandwidth",
        "rate",
        "B/s",
        [Curve("a", "in", "#2f80ed"), Curve("b", "out", "#f2994a", True)],
    )
    qtbot.addWidget(plot)
    plot.resize(480, 220)
    return plot


def _feed(plot: Any, scale: float, n: int = 120) -> None:
    now = time.time()
    t = now - 60 + np.arange(n) * 0.5
    plot.show_data(t, {"a": np.linspace(0, scale, n), "b": np.full(n, np.nan)}, now, 60.0)


@pytest.mark.gui
def test_hidden_chart_paints_nothing(qtbot: Any) -> None:
    plot = _plot(qtbot)
    _feed(plot, 1000)
    qtbot.wait(30)  # queued events delivered; a hidden widget gets no paint events
    assert plot.paints == 0
    plot.show()
    qtbot.waitExposed(plot)
    qtbot.waitUntil(lambda: plot.paints >= 1)
    assert plot.y_top == 2000  # 1000 * 1.1 rounded up to 1-2-2.5-5


@pytest.mark.gui
def test_labels_are_drawn_once_while_the_scale_holds(qtbot: Any) -> None:
    plot = _plot(qtbot)
    plot.show()
    qtbot.waitExposed(plot)
    for scale in (1000, 1500, 900, 1200):  # all fit the 2000 scale
        before = plot.paints
        _feed(plot, scale)
        qtbot.waitUntil(lambda before=before: plot.paints > before)
    assert plot.frames == 1 and plot.y_top == 2000
    _feed(plot, 5000)  # grows at once
    qtbot.waitUntil(lambda: plot.y_top == 10000 and plot.frames == 2)
    _feed(plot, 4000)  # a small drop keeps the scale
    assert plot.y_top == 10000
    _feed(plot, 100)  # far below: shrinks
    assert plot.y_top == 200
    img = plot.grab().toImage()
    assert img.pixelColor(5, 5).name() == "#ffffff"


@pytest.mark.gui
def test_panel_feeds_only_a_visible_window(qtbot: Any) -> None:
    from app.charts.panel import ChartsPanel

    panel = ChartsPanel()
    qtbot.addWidget(panel)
    panel.refresh()
    assert not panel._stagger.isActive()  # hidden: nothing queued
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: all(p.paints for p in panel.plots.values()))
    panel.showMinimized()
    qtbot.waitUntil(panel.isMinimized)
    panel.refresh()
    assert not panel._stagger.isActive()


@pytest.mark.gui
def test_a_resize_redraws_one_charts_labels_per_pass(qtbot: Any, monkeypatch: Any) -> None:
    """A diagnostics card or the window resizing all four charts at once must not redraw
    all their labels in one paint pass (the tunnels wait behind it): one chart at a time,
    the others stretched meanwhile, until every chart has labels drawn at its new size."""
    from app.charts import timeseries
    from app.charts.panel import ChartsPanel

    panel = ChartsPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    qtbot.waitExposed(panel)
    plots = list(panel.plots.values())
    qtbot.waitUntil(lambda: all(p.paints for p in plots))
    before = [p.frames for p in plots]
    monkeypatch.setattr(timeseries, "FRAME_GAP", 60.0)  # whatever this machine's speed
    monkeypatch.setattr(timeseries.TimeSeriesPlot, "_rebuilt_at", 0.0)
    panel.resize(700, 420)
    panel.layout().activate()
    assert all(p._frame_key[:2] != (p.width(), p.height()) for p in plots)
    panel.repaint()  # every chart in one pass
    assert sum(p.frames for p in plots) - sum(before) == 1
    assert all(p.paints for p in plots)
    monkeypatch.setattr(timeseries, "FRAME_GAP", 0.02)
    for p in plots:
        p.update()
    qtbot.waitUntil(lambda: all(p.frames > b for p, b in zip(plots, before, strict=True)))
    for p in plots:
        assert p._frame_pixmap.deviceIndependentSize().toSize() == p.size()
