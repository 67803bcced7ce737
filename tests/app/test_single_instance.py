"""One KCP Desk per user and config directory (``app.single_instance``): a second launch
reaches the first (show, ``--start NAME``, ``--stop NAME``); a crash's stale socket does not
block the next start; another config directory is another instance."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDir

from app.single_instance import InstanceServer, instance_key, send_request
from kcpcore.config import TunnelConfig
from kcpcore.profiles import Profile, ProfileStore
from tests.app.conftest import run

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
CLIENT = (
    "import json, sys; from app.single_instance import send_request; "
    "print(json.dumps(send_request(sys.argv[1], json.loads(sys.argv[2]))))"
)


def test_key_depends_on_user_and_config_dir(tmp_path: Path) -> None:
    a = instance_key(tmp_path / "a", user="ann")
    assert a == instance_key(tmp_path / "a", user="ann")
    assert a != instance_key(tmp_path / "b", user="ann") != instance_key(tmp_path / "a", user="bo")
    assert len(Path(a).name) < 60 and Path(a).name.startswith("kcpdesk-ann-")
    runtime = tmp_path / "run"
    runtime.mkdir()
    in_runtime = instance_key(tmp_path / "a", user="ann", env={"XDG_RUNTIME_DIR": str(runtime)})
    assert os.name != "posix" or in_runtime == str(runtime / Path(a).name)


def _served(qloop: Any, key: str) -> tuple[InstanceServer, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    async def handler(request: dict[str, Any]) -> dict[str, Any]:
        seen.append(request)
        return {"ok": request.get("cmd") == "show", "message": f"did {request.get('cmd')}"}

    def spawn(coro: Any) -> Any:
        return qloop.create_task(coro)

    return InstanceServer(key, handler, spawn), seen


def test_second_launch_reaches_the_first(qloop: Any, tmp_path: Path) -> None:
    key = instance_key(tmp_path / "cfg")
    first, seen = _served(qloop, key)
    assert first.listen()
    second, _ = _served(qloop, key)
    assert not second.listen()  # the name is taken by a live instance

    async def ask(request: dict[str, Any], to: str = key) -> Any:
        # another process, as in real use: the client blocks in Qt calls that keep
        # Python's GIL, which would stop this process's server from answering
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", CLIENT, to, json.dumps(request),
            cwd=REPO, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await proc.communicate()
        return json.loads(out)

    try:
        assert run(qloop, ask({"cmd": "show"})) == {"ok": True, "message": "did show"}
        reply = run(qloop, ask({"cmd": "start", "name": "x"}))
        assert reply == {"ok": False, "message": "did start"}
        assert seen == [{"cmd": "show"}, {"cmd": "start", "name": "x"}]
        assert run(qloop, ask({"cmd": "show"}, instance_key(tmp_path / "other"))) is None
    finally:
        first.close()


@pytest.mark.skipif(os.name != "posix", reason="a stale Unix socket file is a POSIX thing")
def test_stale_socket_after_a_crash_does_not_block_startup(qloop: Any, tmp_path: Path) -> None:
    import socket

    key = instance_key(tmp_path / "cfg")
    path = Path(key) if os.path.isabs(key) else Path(QDir.tempPath()) / key
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))  # what a killed instance leaves: the file, nobody listening
    s.close()
    try:
        assert path.exists() and send_request(key, {"cmd": "show"}) is None
        server, _ = _served(qloop, key)
        assert server.listen()
        server.close()
    finally:
        path.unlink(missing_ok=True)


def _app(basedir: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "app", "--basedir", str(basedir), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_kcpdesk_start_and_stop_reach_the_running_app(tmp_path: Path, qapp: Any) -> None:
    """Two real processes over one config dir: the second hands ``--start``/``--stop`` to
    the first and exits; a SIGTERM (logout) quits the first cleanly, remembering the run."""
    base = tmp_path / "cfg"
    ProfileStore(base / "profiles").save(
        Profile("srv", TunnelConfig(role="server", listen="127.0.0.1:0"))
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    first = subprocess.Popen(
        [sys.executable, "-m", "app", "--basedir", str(base)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    key = instance_key(base.resolve())
    try:
        deadline = time.monotonic() + 30
        while send_request(key, {"cmd": "show"}) is None:
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first instance never listened"
            time.sleep(0.2)
        started = _app(base, "--start", "srv")
        assert started.returncode == 0, started.stderr
        assert "srv: running: listening on 127.0.0.1:" in started.stdout
        unknown = _app(base, "--start", "nope")
        assert unknown.returncode == 1 and "no profile named 'nope'" in unknown.stderr
        shown = _app(base)
        assert shown.returncode == 0 and "already running" in shown.stdout
        first.send_signal(signal.SIGTERM)
        _out, err = first.communicate(timeout=20)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    from app.settings import UiSettings

    # the running set, for reconnecting at the next launch
    assert UiSettings(str(base / "ui.ini")).running_profiles() == ["srv"]
    # nobody runs now: --stop says so, --start opens the app and starts the profile
    assert "not running" in _app(base, "--stop", "srv").stdout
    proc = _app(base, "--start", "srv", "--smoke-test", "2500")
    assert proc.returncode == 0, proc.stderr
    assert "smoke: profiles=1 running=1" in proc.stdout


def test_requests_are_answered_by_the_desk(window: Any, qloop: Any, qtbot: Any) -> None:
    desk = window.desk
    window.manager.save(Profile("srv", TunnelConfig(role="server", listen="127.0.0.1:0")))
    window.hide()
    with qtbot.waitSignal(desk.show_requested):
        assert run(qloop, desk.handle_request({"cmd": "show"}))["ok"]
    assert window.isVisible()
    reply = run(qloop, desk.handle_request({"cmd": "start", "name": "srv"}))
    assert reply["ok"] and window.manager.running() == ["srv"]
    reply = run(qloop, desk.handle_request({"cmd": "stop", "name": "srv"}))
    assert reply == {"ok": True, "message": "srv: stopped"} and window.manager.running() == []
    reply = run(qloop, desk.handle_request({"cmd": "start", "name": "x"}))
    assert not reply["ok"] and "profiles: srv" in reply["message"]
    assert not run(qloop, desk.handle_request({"cmd": "format-disk"}))["ok"]
    run(qloop, window.shutdown())
    assert "quitting" in run(qloop, desk.handle_request({"cmd": "show"}))["message"]
