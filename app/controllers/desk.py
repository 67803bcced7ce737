"""The application's operations, without a single widget: what the window's menus, buttons
and list do, and what ``app.main`` needs to start the demo and quit.

``MainWindow`` builds widgets and forwards to this object; it shows the results (selection,
status bar, dialogs). Keeping the operations here means they are tested without clicking and
``app.main`` never reaches into the window's private methods. Nothing here asks the user
anything: a question (delete?) is the window's, before it calls ``delete``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.controllers.manager import ProfileManager
from app.controllers.traffic import TrafficMeter
from app.demo.controller import DemoController
from app.i18n import translate
from kcpcore.aio.tasks import BackgroundTasks
from kcpcore.config import Role, TunnelConfig
from kcpcore.errors import ConfigError
from kcpcore.keygen import new_profile_config
from kcpcore.profiles import Profile, import_kcptun_json, parse_command_line, validate_name

__all__ = ["DeskController"]


class DeskController(QObject):
    """Profiles (new, save, duplicate, rename, delete and undo, import), tunnels, demo, quit."""

    undo_changed = Signal(str)
    """the name ``undo_delete`` would bring back, or "" when there is nothing to undo"""
    show_requested = Signal()
    """a second launch asked this instance to show its window"""

    def __init__(self, manager: ProfileManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.demo = DemoController(manager, self)
        self.traffic = TrafficMeter(manager, parent=self)
        """per-profile traffic totals (today, this month, all time), kept across restarts"""
        self.tasks = BackgroundTasks()
        self.last_deleted: Profile | None = None
        self.stopping = False
        """set once ``shutdown`` has begun (the window then closes for real)"""

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` in the background on the app's loop (kept until it finishes)."""
        return self.tasks.spawn(coro)

    # --- profiles -------------------------------------------------------------------------

    def draft(
        self, role: Role, config: TunnelConfig | None = None, name: str | None = None
    ) -> Profile:
        """A new, unsaved profile with a name no other profile has."""
        cfg = config or new_profile_config(role)  # a generated key, not kcptun's public one
        default = (
            translate("DeskController", "New client")
            if cfg.role == "client"
            else translate("DeskController", "New server")
        )
        return Profile(self.manager.unique_name(name or default), cfg)

    @staticmethod
    def parse_json(text: str) -> TunnelConfig:
        """A kcptun ``-c`` JSON file's config. Raises ConfigError with the reason."""
        return import_kcptun_json(text)

    @staticmethod
    def parse_command(text: str) -> tuple[TunnelConfig, list[str]]:
        """A pasted kcptun command line's config and warnings. Raises ConfigError."""
        return parse_command_line(text)

    def save(self, profile: Profile, old_name: str | None = None) -> str:
        """Save (or rename and save); returns the note to show.

        Raises:
            ConfigError: a demo profile, a name in use, or the file could not be written.
        """
        if old_name is not None and self.manager.is_transient(old_name):
            raise ConfigError(
                translate(
                    "DeskController",
                    "demo profiles are not saved: use Profile \u2192 Duplicate to keep a copy",
                ),
                field="name",
            )
        try:
            self.manager.save(profile, old_name)
        except OSError as exc:
            raise ConfigError(
                translate("DeskController", "could not write the profile: {error}").format(
                    error=exc.strerror or exc
                ),
                field="name",
            ) from None
        # a running tunnel's "restart to apply" is the window's restart bar, shown from state
        # (ProfileManager.needs_restart): a note here outlived the restart
        return translate("DeskController", "Saved.")

    def duplicate(self, name: str) -> Profile:
        """A saved copy under a new name. Raises ConfigError or OSError."""
        return self.manager.duplicate(name)

    def rename(self, old: str, new: str) -> str:
        """Rename; returns an error message, or "" when done."""
        problem = validate_name(new)
        if problem:
            return problem
        try:
            self.manager.rename(old, new)
        except (ConfigError, OSError) as exc:
            return str(exc)
        return ""

    async def delete(self, name: str) -> Profile:
        """Stop and delete; ``undo_delete`` brings the profile back until the next delete."""
        profile = await self.manager.delete(name)
        self.last_deleted = profile
        self.undo_changed.emit(name)
        return profile

    def undo_delete(self) -> str:
        """Save the last deleted profile again (renamed if its name was taken meanwhile);
        returns its name, or "" when there is nothing to undo."""
        profile = self.last_deleted
        if profile is None:
            return ""
        profile = replace(profile, name=self.manager.unique_name(profile.name))
        self.manager.save(profile)
        self.last_deleted = None
        self.undo_changed.emit("")
        return profile.name

    # --- tunnels, demo, quitting ------------------------------------------------------------

    async def start(self, name: str) -> bool:
        return await self.manager.start(name)

    async def stop(self, name: str) -> None:
        await self.manager.stop(name)

    async def restart(self, name: str) -> bool:
        """Stop and start with the saved settings (the restart bar, Profile → Restart)."""
        return await self.manager.restart(name)

    async def toggle(self, name: str) -> None:
        """Stop a running (or starting) tunnel, start a stopped one."""
        ctrl = self.manager.controller(name)
        if ctrl is not None and ctrl.active:
            await self.stop(name)
        else:
            await self.start(name)

    def saved_running(self) -> list[str]:
        """The saved profiles whose tunnels run or are starting (the demo's are not counted:
        they live only in memory and mean nothing after a restart)."""
        return [n for n in self.manager.running() if not self.manager.is_transient(n)]

    async def start_all(self) -> list[str]:
        """Start every saved profile that is not running, at once; returns the names that
        could not start (each profile shows why)."""
        names = [
            n
            for n in self.manager.names()
            if not self.manager.is_transient(n) and n not in self.manager.running()
        ]
        results = await asyncio.gather(*(self.start(n) for n in names))
        return [n for n, ok in zip(names, results, strict=True) if not ok]

    async def stop_all(self) -> None:
        """Stop every tunnel, the demo's included."""
        if self.demo.running:
            await self.demo.stop()
        await self.manager.stop_all()

    async def handle_request(self, request: dict[str, Any]) -> dict[str, Any]:
        """A request from a second launch (``app.single_instance``): show, start or stop."""
        cmd = request.get("cmd")
        if self.stopping:
            return {"ok": False, "message": "KCP Desk is quitting; start it again in a moment"}
        if cmd == "show":
            self.show_requested.emit()
            return {"ok": True, "message": "KCP Desk is already running: its window is shown"}
        name = request.get("name")
        if cmd not in ("start", "stop") or not isinstance(name, str):
            return {"ok": False, "message": f"unknown request {request!r}"}
        if name not in self.manager:
            known = ", ".join(self.manager.names()) or "none"
            return {"ok": False, "message": f"no profile named {name!r} (profiles: {known})"}
        if cmd == "stop":
            await self.stop(name)
            return {"ok": True, "message": f"{name}: stopped"}
        ok = await self.start(name)
        ctrl = self.manager.controller(name)
        detail = ctrl.detail if ctrl is not None else ""
        return {"ok": ok, "message": f"{name}: {'running' if ok else 'not started'}: {detail}"}

    async def shutdown(self) -> bool:
        """Stop the demo and every tunnel, write the traffic totals; False if a shutdown had
        already begun."""
        if self.stopping:
            return False
        self.stopping = True
        await self.demo.stop()
        await self.manager.stop_all()
        self.traffic.flush()
        return True
