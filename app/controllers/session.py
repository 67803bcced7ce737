"""Which tunnels run, remembered, so the next launch can start them again.

Users of WireGuard and v2rayN expect a restart (or a reboot, with start at login) to bring
back the tunnels they had running. KCP Desk keeps the list of running saved profiles in the
UI settings, written whenever it changes rather than only at quit: a logout, a kill or a
crash then still leaves the right list. Quitting freezes it first, so the tunnels stopped
*by* quitting are remembered as running.

Whether the next launch starts them is the user's choice (Settings -> "Reconnect tunnels
at launch", off by default): restoring is one global switch, as in WireGuard's Windows
client, rather than a flag per profile, because the profile files are kcptun's own JSON and
are shared with the command line.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from app.controllers.desk import DeskController
from app.settings import UiSettings

__all__ = ["SessionKeeper"]


class SessionKeeper(QObject):
    """Writes the running set on every change; answers which names to start at launch."""

    def __init__(
        self, desk: DeskController, settings: UiSettings, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.settings = settings
        self._frozen = False
        self._last: list[str] | None = None
        self.remembered = settings.running_profiles()
        """what ran when KCP Desk last quit (read before anything overwrites it)"""
        desk.manager.profile_changed.connect(self.record)
        desk.manager.profiles_changed.connect(self.record)

    def record(self, _name: str = "") -> None:
        """Write the running saved profiles if they changed (cheap: called per sample)."""
        if self._frozen or self.desk.stopping:
            return
        names = sorted(self.desk.saved_running())
        if names != self._last:
            self._last = names
            self.settings.set_running_profiles(names)
            self.settings.sync()

    def freeze(self) -> None:
        """Quitting: keep the list as it is now, while the tunnels stop."""
        self.record()
        self._frozen = True

    def to_restore(self, also: list[str] | None = None) -> list[str]:
        """The saved profiles to start at launch: the remembered ones when the user chose
        so, then ``also`` (``--start NAME``); each once, unknown names dropped."""
        wanted = self.remembered if self.settings.restore_tunnels() else []
        out: list[str] = []
        for name in [*wanted, *(also or [])]:
            if name in self.desk.manager and name not in out:
                out.append(name)
        return out
