"""UI state and app choices (window geometry, splitter, chart span, what closing does, which
tunnels to restore) in an INI file.

Profiles never go here: they are JSON files in the profile store. The file sits next to the
profiles (``kcpcore.profiles.config_dir()``), so ``--basedir`` and ``KCPDESK_CONFIG_DIR`` move
both, and tests never touch the user's real settings. Reads are typed.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QSettings

from kcpcore.profiles import config_dir


class UiSettings:
    def __init__(self, path: str | None = None) -> None:
        self._s = QSettings(path or str(config_dir() / "ui.ini"), QSettings.Format.IniFormat)

    def geometry(self) -> QByteArray:
        return self._bytes("window/geometry")

    def _bytes(self, key: str) -> QByteArray:
        """A saved window state; an empty one when there is none."""
        value = self._s.value(key, QByteArray(), type=QByteArray)
        return value if isinstance(value, QByteArray) else QByteArray()

    def set_geometry(self, data: QByteArray) -> None:
        self._s.setValue("window/geometry", data)

    def splitter(self) -> QByteArray:
        return self._bytes("window/splitter")

    def set_splitter(self, data: QByteArray) -> None:
        self._s.setValue("window/splitter", data)

    def chart_span(self) -> float:
        value = self._s.value("charts/span", 60.0, type=float)
        # type=float converts what the file holds (QSettings' value() is typed object)
        return float(value) if isinstance(value, int | float) else 60.0

    def set_chart_span(self, seconds: float) -> None:
        self._s.setValue("charts/span", seconds)

    def close_action(self) -> str:
        """What closing with tunnels running does: "ask", "tray" or "quit"
        (``app.views.close_dialog``). The old "close to tray" checkbox reads as "tray"."""
        value = self._s.value("window/close_action", "", type=str)
        if value in ("ask", "tray", "quit"):
            return str(value)
        return "tray" if self._s.value("window/close_to_tray", False, type=bool) else "ask"

    def set_close_action(self, action: str) -> None:
        self._s.setValue("window/close_action", action)

    def restore_tunnels(self) -> bool:
        """Start again, at launch, the tunnels that were running when KCP Desk last quit."""
        return bool(self._s.value("session/restore_tunnels", False, type=bool))

    def set_restore_tunnels(self, on: bool) -> None:
        self._s.setValue("session/restore_tunnels", on)

    def running_profiles(self) -> list[str]:
        """The profiles running when this was last written (kept up to date while running)."""
        value = self._s.value("session/running", "[]", type=str)
        try:
            names = json.loads(str(value))
        except ValueError:
            return []
        return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []

    def set_running_profiles(self, names: list[str]) -> None:
        # JSON in one string: QSettings' INI lists turn a one-element list into a plain string
        self._s.setValue("session/running", json.dumps(names))

    def notifications(self) -> bool:
        """Desktop notifications when a tunnel connects, drops or fails (on unless turned off)."""
        return bool(self._s.value("notify/enabled", True, type=bool))

    def set_notifications(self, on: bool) -> None:
        self._s.setValue("notify/enabled", on)

    def theme(self) -> str:
        """ "system", "light" or "dark" (``app.theme.Scheme``); anything else reads as system."""
        value = str(self._s.value("window/theme", "system", type=str))
        return value if value in ("system", "light", "dark") else "system"

    def set_theme(self, value: str) -> None:
        self._s.setValue("window/theme", value)

    def last_profile(self) -> str:
        return str(self._s.value("window/last_profile", "", type=str))

    def set_last_profile(self, name: str) -> None:
        self._s.setValue("window/last_profile", name)

    def language(self) -> str:
        """ "" follows the system locale; else a code of ``app.i18n.LANGUAGES``."""
        return str(self._s.value("ui/language", "", type=str))

    def set_language(self, code: str) -> None:
        self._s.setValue("ui/language", code)

    def sync(self) -> None:
        self._s.sync()
