"""Start KCP Desk at login: the one file (or registry value) each desktop reads for that.

* Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/kcpdesk.desktop`` (the XDG
  Autostart specification; GNOME, KDE, Xfce, LXQt... read it);
* Windows: the value ``KCP Desk`` under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``;
* macOS: ``~/Library/LaunchAgents/org.kcpdesk.KCPDesk.plist`` with ``RunAtLoad``.

The command starts this same program (the frozen bundle, the ``kcpdesk`` script installed beside
this Python, or this Python with ``-m app``) with
``--minimized``, so a login brings the app up in the tray rather than a window in the user's
face, and with ``--basedir`` when the profiles are not in the default place, so the login copy
sees the same profiles. Each writer's output is a pure function of the command (tested on
every platform); only the Linux file is written and read back by the tests.

No Qt here: the file formats and paths need none.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import plistlib
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Protocol

from kcpcore.profiles import CONFIG_DIR_ENV, config_dir

__all__ = [
    "Autostart",
    "desktop_entry",
    "desktop_exec",
    "launch_agent_plist",
    "launch_command",
    "windows_run_value",
]

ENTRY_NAME: Final = "kcpdesk"
DISPLAY_NAME: Final = "KCP Desk"
AGENT_LABEL: Final = "org.kcpdesk.KCPDesk"  # the macOS bundle id (packaging/kcpdesk.spec)
RUN_KEY: Final = r"Software\Microsoft\Windows\CurrentVersion\Run"
_EXEC_RESERVED: Final = set(" \t\n\"'\\><~|&;$*?#()`")
_EXEC_ESCAPED: Final = set('"`$\\')


def launch_command(
    *,
    executable: str | None = None,
    frozen: bool | None = None,
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """The command line that starts this KCP Desk hidden in the tray, with its profiles."""
    exe = executable or sys.executable
    is_frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    script = Path(exe).with_name("kcpdesk.exe" if exe.lower().endswith(".exe") else "kcpdesk")
    if is_frozen:
        cmd = [exe]
    elif script.is_file():  # the console script pip installed beside this Python
        cmd = [str(script)]
    else:
        cmd = [exe, "-m", "app"]
    env = os.environ if env is None else env
    if env.get(CONFIG_DIR_ENV):
        cmd += ["--basedir", str(Path(env[CONFIG_DIR_ENV]).resolve())]
    return [*cmd, "--minimized"]


def entry_name(env: Mapping[str, str] | None = None) -> str:
    """``kcpdesk``; with a custom config directory, a name of its own (a portable or test
    copy must not replace the login entry of the user's main one)."""
    env = os.environ if env is None else env
    if not env.get(CONFIG_DIR_ENV):
        return ENTRY_NAME
    digest = hashlib.sha256(str(config_dir(env).resolve()).encode()).hexdigest()[:8]
    return f"{ENTRY_NAME}-{digest}"


def desktop_exec(cmd: Sequence[str]) -> str:
    """``Exec=`` value: arguments quoted and escaped as the Desktop Entry Specification says
    (reserved characters need double quotes; inside them ``" ` $ \\`` take a backslash; the
    value is then a string, where a backslash is written twice; ``%`` is ``%%``)."""
    words = []
    for arg in cmd:
        if arg and not (set(arg) & _EXEC_RESERVED):
            word = arg
        else:
            word = '"' + "".join("\\" + c if c in _EXEC_ESCAPED else c for c in arg) + '"'
        words.append(word.replace("%", "%%"))
    return " ".join(words).replace("\\", "\\\\")


def desktop_entry(cmd: Sequence[str]) -> str:
    """The XDG autostart file's text."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={DISPLAY_NAME}\n"
        "Comment=kcptun tunnel manager, started at login\n"
        f"Exec={desktop_exec(cmd)}\n"
        f"Icon={ENTRY_NAME}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def windows_run_value(cmd: Sequence[str]) -> str:
    """The Run key's data: one command line with Windows' quoting rules."""
    return subprocess.list2cmdline(list(cmd))


def launch_agent_plist(cmd: Sequence[str], label: str = AGENT_LABEL) -> bytes:
    """The LaunchAgent's property list (XML)."""
    agent: dict[str, Any] = {
        "Label": label,
        "ProgramArguments": list(cmd),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
    }
    return plistlib.dumps(agent)


class Registry(Protocol):
    """The part of ``winreg`` the Windows writer uses (a fake in the tests)."""

    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


def _winreg() -> Any:  # pragma: no cover - Windows only
    return importlib.import_module("winreg")


class _WinReg:  # pragma: no cover - Windows only
    def _key(self, write: bool) -> Any:
        winreg = _winreg()
        access = winreg.KEY_SET_VALUE if write else winreg.KEY_QUERY_VALUE
        return winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, access)

    def get(self, name: str) -> str | None:
        winreg = _winreg()

        try:
            with self._key(False) as key:
                return str(winreg.QueryValueEx(key, name)[0])
        except FileNotFoundError:
            return None

    def set(self, name: str, value: str) -> None:
        winreg = _winreg()

        with self._key(True) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> None:
        winreg = _winreg()

        try:
            with self._key(True) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            pass


class Autostart:
    """Turns start-at-login on or off for this platform. Errors are ``OSError``s."""

    def __init__(
        self,
        *,
        platform: str | None = None,
        cmd: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        home: Path | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.platform = platform or sys.platform
        self.env = dict(os.environ if env is None else env)
        self.cmd = list(cmd) if cmd is not None else launch_command(env=self.env)
        self.home = home or Path.home()
        self.name = entry_name(self.env)
        self._registry = registry

    def _registry_or_winreg(self) -> Registry:
        if self._registry is None:
            self._registry = _WinReg()  # pragma: no cover - Windows only
        return self._registry

    def _value_name(self) -> str:
        return DISPLAY_NAME if self.name == ENTRY_NAME else f"{DISPLAY_NAME} ({self.name})"

    def location(self) -> str:
        """Where the entry lives, for the UI's tooltip."""
        if self.platform == "win32":
            return f"HKEY_CURRENT_USER\\{RUN_KEY}\\{self._value_name()}"
        return str(self.path())

    def path(self) -> Path:
        """The file (XDG or macOS) that holds the entry."""
        if self.platform == "darwin":
            label = AGENT_LABEL if self.name == ENTRY_NAME else f"{AGENT_LABEL}.{self.name}"
            return self.home / "Library" / "LaunchAgents" / f"{label}.plist"
        xdg = self.env.get("XDG_CONFIG_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else self.home / ".config"
        return base / "autostart" / f"{self.name}.desktop"

    def content(self) -> bytes:
        """What ``enable`` writes (the file's bytes, or the Run value's text)."""
        if self.platform == "win32":
            return windows_run_value(self.cmd).encode()
        if self.platform == "darwin":
            label = self.path().stem
            return launch_agent_plist(self.cmd, label)
        return desktop_entry(self.cmd).encode()

    def enabled(self) -> bool:
        if self.platform == "win32":
            return self._registry_or_winreg().get(self._value_name()) is not None
        return self.path().is_file()

    def set_enabled(self, on: bool) -> None:
        """Write or remove the entry. Raises OSError when that is not possible."""
        if self.platform == "win32":
            reg = self._registry_or_winreg()
            if on:
                reg.set(self._value_name(), self.content().decode())
            else:
                reg.delete(self._value_name())
            return
        path = self.path()
        if not on:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_bytes(self.content())
        os.replace(tmp, path)
