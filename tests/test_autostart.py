"""Start at login (``app.autostart``): the XDG file is written, read back and removed here;
the Windows Run value and the macOS LaunchAgent are checked on content (not run here)."""

from __future__ import annotations

import configparser
import plistlib
import shutil
import subprocess
from pathlib import Path

import pytest

from app.autostart import (
    Autostart,
    desktop_entry,
    desktop_exec,
    launch_agent_plist,
    launch_command,
    windows_run_value,
)

AWKWARD = ["/opt/KCP Desk/bin/python3", "-m", "app", "--basedir", '/home/u/my "cfg" $x\\y 100%']


def _unquote_exec(value: str) -> list[str]:
    """Read an Exec value back the way the spec says a launcher does: string unescape
    (``\\\\`` -> ``\\``), then the quoting rules, then ``%%`` -> ``%``."""
    text = value.replace("\\\\", "\\")
    words: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == " ":
            i += 1
            continue
        word = ""
        if text[i] == '"':
            i += 1
            while text[i] != '"':
                if text[i] == "\\" and text[i + 1] in '"`$\\':
                    i += 1
                word += text[i]
                i += 1
            i += 1
        else:
            while i < len(text) and text[i] != " ":
                word += text[i]
                i += 1
        words.append(word.replace("%%", "%"))
    return words


def test_launch_command_starts_hidden_with_the_same_profiles(tmp_path: Path) -> None:
    env = {"KCPDESK_CONFIG_DIR": str(tmp_path / "c")}
    cmd = launch_command(executable="/usr/bin/python3", frozen=False, env=env)
    assert cmd == [
        "/usr/bin/python3",
        "-m",
        "app",
        "--basedir",
        str((tmp_path / "c").resolve()),
        "--minimized",
    ]
    assert launch_command(executable="/opt/kcpdesk/kcpdesk", frozen=True, env={}) == [
        "/opt/kcpdesk/kcpdesk",
        "--minimized",
    ]
    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "kcpdesk").write_text("#!/bin/sh\n")
    assert launch_command(executable=str(venv / "python3"), frozen=False, env={}) == [
        str(venv / "kcpdesk"),
        "--minimized",
    ]


def test_desktop_exec_quotes_as_the_spec_says() -> None:
    value = desktop_exec(AWKWARD)
    assert value.startswith('"/opt/KCP Desk/bin/python3" -m app --basedir "')
    assert "%%" in value and "100%" not in value.replace("%%", "")
    assert _unquote_exec(value) == AWKWARD


def test_xdg_file_written_read_back_and_removed(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    auto = Autostart(platform="linux", cmd=AWKWARD, env=env, home=tmp_path)
    path = tmp_path / "xdg" / "autostart" / "kcpdesk.desktop"
    assert auto.path() == path and not auto.enabled()
    auto.set_enabled(True)
    assert auto.enabled() and path.read_bytes() == desktop_entry(AWKWARD).encode()
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(path)
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Name"] == "KCP Desk"
    assert _unquote_exec(section["Exec"]) == AWKWARD
    if shutil.which("desktop-file-validate"):
        proc = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    auto.set_enabled(False)
    assert not path.exists() and not auto.enabled()
    auto.set_enabled(False)  # already off: no error


def test_a_custom_config_dir_gets_its_own_entry(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "KCPDESK_CONFIG_DIR": str(tmp_path / "p")}
    auto = Autostart(platform="linux", env=env, home=tmp_path)
    assert auto.path().name.startswith("kcpdesk-") and auto.path().name.endswith(".desktop")
    assert "--basedir" in auto.cmd and auto.cmd[-1] == "--minimized"


class FakeRegistry:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def test_windows_run_value() -> None:
    cmd = [r"C:\Program Files\KCP Desk\kcpdesk.exe", "--basedir", r"D:\my cfg", "--minimized"]
    assert windows_run_value(cmd) == (
        r'"C:\Program Files\KCP Desk\kcpdesk.exe" --basedir "D:\my cfg" --minimized'
    )
    reg = FakeRegistry()
    auto = Autostart(platform="win32", cmd=cmd, env={}, registry=reg)
    assert not auto.enabled()
    auto.set_enabled(True)
    assert reg.values == {"KCP Desk": windows_run_value(cmd)} and auto.enabled()
    assert auto.location().startswith("HKEY_CURRENT_USER\\Software\\Microsoft\\Windows")
    auto.set_enabled(False)
    assert reg.values == {} and not auto.enabled()


def test_macos_launch_agent(tmp_path: Path) -> None:
    cmd = ["/Applications/KCP Desk.app/Contents/MacOS/kcpdesk", "--minimized"]
    agent = plistlib.loads(launch_agent_plist(cmd))
    assert agent == {
        "Label": "org.kcpdesk.KCPDesk",
        "ProgramArguments": cmd,
        "RunAtLoad": True,
        "ProcessType": "Interactive",
    }
    auto = Autostart(platform="darwin", cmd=cmd, env={}, home=tmp_path)
    assert auto.path() == tmp_path / "Library/LaunchAgents/org.kcpdesk.KCPDesk.plist"
    auto.set_enabled(True)
    assert plistlib.loads(auto.path().read_bytes())["ProgramArguments"] == cmd


@pytest.mark.parametrize("platform", ["linux", "freebsd13"])
def test_other_unixes_use_xdg(tmp_path: Path, platform: str) -> None:
    auto = Autostart(platform=platform, cmd=["kcpdesk"], env={}, home=tmp_path)
    assert auto.path() == tmp_path / ".config" / "autostart" / "kcpdesk.desktop"
