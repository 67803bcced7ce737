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
        assert window.editor.note.text() == "Saved."
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
    async def scenario() -> None:
        window.manager.save(Profile("mine", TunnelConfig(role="server", listen="127.0.0.1:0")))
        assert await window.start_demo()
        window.select(window.demo.client_name)
        await wait_for(lambda: "demo running" in window.log_view.plain_text())
        window.select("mine")
        assert "demo running" not in window.log_view.plain_text()
        window.log_view.all_profiles.setChecked(True)  # everything, each line tagged
        assert "[demo] " in window.log_view.plain_text()
        await window.demo.stop()

    run(qloop, scenario(), timeout=30)
