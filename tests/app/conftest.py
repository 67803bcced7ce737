"""Fixtures for the desktop app's tests: an isolated config dir, a qasync loop, a window.

Every test here gets its own ``KCPDESK_CONFIG_DIR``, so nothing touches the user's profiles or
UI settings. Qt-free modules are tested without these fixtures (and without the gui marker).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "config"
    monkeypatch.setenv("KCPDESK_CONFIG_DIR", str(d))
    return d


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """The app's qasync loop over pytest-qt's QApplication (set as the current loop)."""
    from app.loop import ContextQEventLoop
    from app.main import make_app

    make_app()
    loop = ContextQEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


def run(loop: asyncio.AbstractEventLoop, aw: Awaitable[T], timeout: float = 10.0) -> T:
    """Run a coroutine on the qasync loop (Qt events are processed meanwhile)."""
    return loop.run_until_complete(asyncio.wait_for(aw, timeout))


async def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, step: float = 0.05) -> Any:
    """Poll ``predicate`` on the running loop until it is truthy (or fail after ``timeout``)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > end:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(step)


@pytest.fixture
def window(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[Any]:
    """A main window over an empty store, with the log book installed; shut down cleanly."""
    from app.controllers.manager import ProfileManager
    from app.models.logbook import LogBook
    from app.views.main_window import MainWindow
    from kcpcore.profiles import ProfileStore

    logbook = LogBook()
    logbook.install()
    manager = ProfileManager(ProfileStore(), logbook)
    win = MainWindow(manager, logbook, use_tray=False)
    win.ask = lambda _title, _text: True
    win.load_profiles()
    win.show()
    yield win
    # not qtbot.addWidget: pytest-qt would close the window before this teardown, and a
    # close before shutdown schedules a quit task that outlives the test
    run(qloop, win.shutdown())
    win.close()
    win.deleteLater()
    logbook.uninstall()
