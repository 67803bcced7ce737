"""The window after issue 16: Restart and its notice, the demo's log lines kept to the demo."""

from __future__ import annotations

from typing import Any

import pytest

from kcpcore.config import TunnelConfig
from kcpcore.profiles import Profile
from tests.app.conftest import run, wait_for

pytestmark = pytest.mark.gui


def test_restart_applies_the_saved_settings_and_the_notice_goes(window: Any, qloop: Any) -> None:
    """Saving a running profile shows "applies when it restarts" with a Restart button; after
    the restart (button or Profile menu) the tunnel runs the saved settings and it is gone."""

    async def scenario() -> None:
        window.manager.save(Profile("s", TunnelConfig(role="server", listen="127.0.0.1:0")))
        window.select("s")
        assert await window.start_profile("s")
        assert window.act_restart.isEnabled() and not window.restart_bar.isVisible()
        engine = window.manager.controller("s").engine
        window.editor._rows["sndwnd"].field.set(333)
        window.editor.save()
        assert window.editor.note.text().startswith("Saved.")
        assert "restart" not in window.editor.note.text()
        assert window.restart_bar.isVisible()
        window.restart_bar.button.click()
        ctrl = window.manager.controller("s")
        await wait_for(lambda: ctrl.engine is not None and ctrl.engine is not engine)
        assert ctrl.profile.config.sndwnd == 333 and not window.restart_bar.isVisible()
        # an edit undone by hand needs no restart either
        window.editor._rows["sndwnd"].field.set(400)
        window.editor.save()
        assert window.restart_bar.isVisible()
        window.editor._rows["sndwnd"].field.set(333)
        window.editor.save()
        assert not window.restart_bar.isVisible()
        await window.stop_profile("s")
        assert not window.act_restart.isEnabled()

    run(qloop, scenario(), timeout=20)


def test_demo_log_lines_stay_in_the_demo_profiles(window: Any, qloop: Any) -> None:
    """... and the demo, which the user is watching, raises no desktop notifications."""
    notes: list[str] = []
    window.notifier.shown.connect(lambda title, _text: notes.append(title))

    async def scenario() -> None:
        window.manager.save(Profile("mine", TunnelConfig(role="server", listen="127.0.0.1:0")))
        assert await window.start_demo()
        window.select(window.demo.client_name)
        await wait_for(lambda: "demo running" in window.log_view.plain_text())
        window.select("mine")
        assert "demo running" not in window.log_view.plain_text()
        window.log_view.all_profiles.setChecked(True)  # everything, each line tagged
        assert "[demo] " in window.log_view.plain_text()
        cli = window.manager.controller(window.demo.client_name)
        await wait_for(lambda: cli.health.link == "up")
        await window.demo.stop()
        assert notes == []

    run(qloop, scenario(), timeout=30)


# --- notifications ------------------------------------------------------------------------------


def test_a_flapping_link_is_told_at_most_once_per_gap_and_ends_on_the_truth() -> None:
    from app.notify import Note, Throttle

    t = Throttle(gap=30.0)
    shown = []
    for i in range(31):  # a minute of "dropped", "connected", ... every 2 s
        now = 2.0 * i
        event = "dropped" if i % 2 else "connected"
        note = t.offer(Note("vps", event, event), now)
        shown += [(now, note)] if note else []
        shown += [(now, n) for n in t.due(now)]
    assert [when for when, _n in shown] == [0.0, 30.0, 60.0]
    assert shown[1][1].folded == 14 and "14 earlier changes" in shown[1][1].body
    # another profile is not held back by this one
    assert t.offer(Note("home", "error", "key"), 61.0) is not None
    # the latest state always comes out once the gap is over
    t.offer(Note("vps", "dropped", "gone"), 62.0)
    assert t.due(89.0) == [] and [n.event for n in t.due(90.0)] == ["dropped"]


def test_notifier_shows_through_its_sink_releases_held_notes_and_can_be_off(qtbot: Any) -> None:
    from app.notify import Notifier

    got: list[tuple[str, str, str]] = []
    n = Notifier(gap=0.3)
    n.attach(lambda title, text, level: got.append((title, text, level)))
    n.tunnel_event("vps", "error", "packets from the server fail the checksum")
    n.tunnel_event("vps", "connected", "connected: packets from the server arrive")
    assert got == [("vps: error", "packets from the server fail the checksum", "error")]
    qtbot.waitUntil(lambda: len(got) == 2, timeout=3000)  # held, then released by its timer
    assert got[1][0] == "vps: connected" and got[1][2] == "info"
    n.set_enabled(False)
    n.tunnel_event("vps", "dropped", "keepalive timeout")
    qtbot.wait(400)
    assert len(got) == 2


def test_notifications_setting_is_kept(window: Any) -> None:
    from app.settings import UiSettings

    assert window.act_notify.isChecked() and window.notifier.enabled
    window.act_notify.setChecked(False)
    assert not window.notifier.enabled and UiSettings().notifications() is False
