"""The list of profiles the window shows: saved ones from the store, plus transient ones.

Transient profiles (the demo's pair) live only in memory: they carry loopback ports that mean
nothing after a restart, so they are never written to the store. Every profile may have one
``TunnelController``; several run at once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from app.controllers.tunnel import TunnelController, TunnelState
from app.i18n import translate
from app.models.logbook import DEMO_SCOPE, LogBook
from kcpcore.config import TunnelConfig
from kcpcore.errors import ConfigError
from kcpcore.localports import clashing_profile, local_endpoint
from kcpcore.profiles import Profile, ProfileStore, StoreProblem

log = logging.getLogger(__name__)


class ProfileManager(QObject):
    """Profiles by name, their controllers, and the operations the window offers."""

    profiles_changed = Signal()
    """a profile was added, removed or renamed (the list must be rebuilt)"""
    profile_changed = Signal(str)
    """one profile's settings, state or rate changed"""
    link_event = Signal(str, str, str)
    """(name, event, text): a tunnel connected, dropped or went into an error (notifications;
    not for the demo's profiles, which the user is watching in the window anyway)"""
    renamed = Signal(str, str)
    """(old, new) a saved profile got a new name"""
    deleted = Signal(str)
    """a profile was deleted"""

    def __init__(
        self, store: ProfileStore, logbook: LogBook | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.logbook = logbook
        self._saved: dict[str, Profile] = {}
        self._transient: dict[str, Profile] = {}
        self._controllers: dict[str, TunnelController] = {}

    # --- reading ------------------------------------------------------------------------------

    def reload(self) -> list[StoreProblem]:
        """Re-read the store; returns the files that could not be used (already moved aside)."""
        profiles, problems = self.store.load_all()
        self._saved = {p.name: p for p in profiles}
        for p in profiles:
            self._register_secret(p)
            ctrl = self._controllers.get(p.name)
            if ctrl is not None and not ctrl.active:
                ctrl.profile = p
        self.profiles_changed.emit()
        return problems

    def names(self) -> list[str]:
        return [*self._saved, *self._transient]

    def profile(self, name: str) -> Profile:
        p = self._saved.get(name) or self._transient.get(name)
        if p is None:
            raise KeyError(name)
        return p

    def __contains__(self, name: object) -> bool:
        return name in self._saved or name in self._transient

    def is_transient(self, name: str) -> bool:
        return name in self._transient

    def controller(self, name: str) -> TunnelController | None:
        return self._controllers.get(name)

    def state(self, name: str) -> TunnelState:
        ctrl = self._controllers.get(name)
        return ctrl.state if ctrl is not None else TunnelState.STOPPED

    def needs_restart(self, name: str) -> bool:
        """The tunnel runs with settings other than the saved ones (edited while running)."""
        ctrl = self._controllers.get(name)
        if ctrl is None or ctrl.engine is None or name not in self:
            return False
        return ctrl.profile.config != self.profile(name).config

    def running(self) -> list[str]:
        return [n for n, c in self._controllers.items() if c.active]

    def port_owner(
        self, cfg: TunnelConfig, own_name: str | None, *, running_only: bool = False
    ) -> str:
        """The name of another profile (running ones only, if asked) that binds a local port
        ``cfg`` binds, or "" (``kcpcore.localports``)."""
        others = [
            self.profile(n)
            for n in self.names()
            if n != own_name and (not running_only or n in self.running())
        ]
        other = clashing_profile(cfg, others)
        return "" if other is None else other.name

    def unique_name(self, base: str) -> str:
        taken = set(self.names())
        name, n = base, 2
        while name in taken:
            name = f"{base} ({n})"
            n += 1
        return name

    def _register_secret(self, p: Profile) -> None:
        if self.logbook is not None:
            self.logbook.set_secret(p.name, p.config.key)

    # --- editing ------------------------------------------------------------------------------

    def save(self, profile: Profile, old_name: str | None = None) -> None:
        """Write a new or edited profile (renaming it from ``old_name``).

        A running tunnel keeps its old settings until it is restarted.

        Raises:
            ConfigError: the name is taken or unusable.
            OSError: the store cannot be written.
        """
        previous = old_name if old_name is not None else profile.name
        if profile.name != previous:
            if profile.name in self:
                raise ConfigError(f"a profile named {profile.name!r} already exists", field="name")
            ctrl = self._controllers.get(previous)
            if ctrl is not None and ctrl.active:
                raise ConfigError(
                    translate("ProfileManager", "stop the tunnel before renaming it"),
                    field="name",
                )
        if previous in self._transient:
            self._transient.pop(previous)
            self.store.save(profile)
        else:
            self.store.save(profile, old_name=old_name if old_name in self._saved else None)
        self._saved = {p.name: p for p in self.store.load_all()[0]}
        self._register_secret(profile)
        ctrl = self._controllers.pop(previous, None)
        if ctrl is not None:
            if not ctrl.active:
                ctrl.profile = profile
            self._controllers[profile.name] = ctrl
        if self.logbook is not None and previous != profile.name:
            self.logbook.rename(previous, profile.name)
        if previous != profile.name:
            self.renamed.emit(previous, profile.name)
        if previous != profile.name or old_name is None:
            self.profiles_changed.emit()
        self.profile_changed.emit(profile.name)

    def duplicate(self, name: str) -> Profile:
        copy_name = translate("ProfileManager", "{name} copy").format(name=name)
        copy = replace(self.profile(name), name=self.unique_name(copy_name))
        self.save(copy)
        return copy

    def rename(self, old: str, new: str) -> Profile:
        profile = replace(self.profile(old), name=new)
        self.save(profile, old_name=old)
        return profile

    async def delete(self, name: str) -> Profile:
        """Stop (if running) and remove a profile; returns it so the caller can undo."""
        ctrl = self._controllers.pop(name, None)
        if ctrl is not None:
            await ctrl.stop()
            ctrl.deleteLater()
        if name in self._transient:
            profile = self._transient.pop(name)
        else:
            profile = self.store.delete(name)
            self._saved.pop(name, None)
        if self.logbook is not None:
            self.logbook.forget(name)
        self.deleted.emit(name)
        self.profiles_changed.emit()
        return profile

    def add_transient(self, profile: Profile) -> Profile:
        """A profile that is shown and run but never saved (the demo's)."""
        profile = replace(profile, name=self.unique_name(profile.name))
        self._transient[profile.name] = profile
        self._register_secret(profile)
        if self.logbook is not None:
            self.logbook.join(profile.name, DEMO_SCOPE)
        self.profiles_changed.emit()
        return profile

    def update_transient(self, profile: Profile) -> None:
        self._transient[profile.name] = profile
        ctrl = self._controllers.get(profile.name)
        if ctrl is not None:
            ctrl.profile = profile
        self.profile_changed.emit(profile.name)

    # --- running ------------------------------------------------------------------------------

    def _controller_for(self, name: str) -> TunnelController:
        ctrl = self._controllers.get(name)
        if ctrl is None:
            ctrl = TunnelController(self.profile(name), parent=self)
            ctrl.state_changed.connect(lambda c=ctrl: self.profile_changed.emit(c.name))
            ctrl.sampled.connect(lambda c=ctrl: self.profile_changed.emit(c.name))
            ctrl.smuxver_learned.connect(self._on_smuxver_learned)
            ctrl.link_event.connect(lambda event, text, c=ctrl: self._on_link_event(c, event, text))
            self._controllers[name] = ctrl
        elif not ctrl.active:
            ctrl.profile = self.profile(name)  # pick up saved edits on restart
        return ctrl

    def _on_link_event(self, ctrl: TunnelController, event: str, text: str) -> None:
        if not self.is_transient(ctrl.name):
            self.link_event.emit(ctrl.name, event, text)

    def _on_smuxver_learned(self, profile: Profile) -> None:
        """A client found the server's smux version by trying: save it, so the next start
        connects at once (transient demo profiles only keep it in memory)."""
        if profile.name in self._transient:
            self._transient[profile.name] = profile
            return
        try:
            self.save(profile)
        except (ConfigError, OSError) as exc:
            log.warning("could not save the smux version in %s: %s", profile.name, exc)

    async def start(self, name: str) -> bool:
        """Start ``name``; refused, naming the other profile, while one on its port runs."""
        ctrl = self._controller_for(name)
        other = "" if ctrl.active else self.port_owner(ctrl.profile.config, name, running_only=True)
        if other:
            mine = local_endpoint(ctrl.profile.config)
            return ctrl.refuse(
                translate(
                    "ProfileManager",
                    "{address} is in use by the running profile '{other}': stop it first, or "
                    "give one of them another port",
                ).format(address=mine.text if mine is not None else "", other=other)
            )
        return await ctrl.start()

    async def stop(self, name: str) -> None:
        ctrl = self._controllers.get(name)
        if ctrl is not None:
            await ctrl.stop()

    async def restart(self, name: str) -> bool:
        """Stop and start again with the saved settings."""
        await self.stop(name)
        return await self.start(name)

    async def stop_all(self) -> None:
        """Stop every tunnel at once (quitting): they close their sockets concurrently."""
        ctrls = [c for c in self._controllers.values() if c.active]
        if ctrls:
            await asyncio.gather(*(c.stop() for c in ctrls), return_exceptions=True)
