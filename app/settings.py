"""UI state only (window geometry, splitter, chart span, tray choice) in an INI file.

Profiles never go here: they are JSON files in the profile store. The file sits next to the
profiles (``kcpcore.profiles.config_dir()``), so ``--basedir`` and ``KCPDESK_CONFIG_DIR`` move
both, and tests never touch the user's real settings. Reads are typed.
"""

from __future__ import annotations

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

    def close_to_tray(self) -> bool:
        return bool(self._s.value("window/close_to_tray", False, type=bool))

    def set_close_to_tray(self, on: bool) -> None:
        self._s.setValue("window/close_to_tray", on)

    def notifications(self) -> bool:
        """Desktop notifications when a tunnel connects, drops or fails (on unless turned off)."""
        return bool(self._s.value("notify/enabled", True, type=bool))

    def set_notifications(self, on: bool) -> None:
        self._s.setValue("notify/enabled", on)

    def last_profile(self) -> str:
        return str(self._s.value("window/last_profile", "", type=str))

    def set_last_profile(self, name: str) -> None:
        self._s.setValue("window/last_profile", name)

    def sync(self) -> None:
        self._s.sync()
