"""Desktop notifications when a tunnel connects, drops or goes into an error, rate-limited.

Tunnel managers people leave running (WireGuard, v2rayN, Clash Verge) say so when a link comes
up or goes down; a user with the window hidden otherwise learns it from a stalled download.
A flapping link (connected, dropped, connected... every few seconds) must not bury the desktop
in bubbles, so per profile at most one notification leaves every ``MIN_GAP`` seconds; what
happens meanwhile is held, and when the gap is over the latest of it is shown once, saying how
many changes it stands for. The last word is therefore always the current state.

Where they go is a *sink*, ``(title, text, level) -> None``: the window attaches its tray icon's
``showMessage`` when there is a tray (``tray_sink``), and anything else that owns a tray can
attach its own with ``Notifier.attach``. Without a sink a notification is only logged (under
its profile, so it shows in that profile's Log tab). ``Throttle`` is the rule on its own, pure
and on an explicit clock, so it is tested without waiting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final, Literal

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from app.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

Level = Literal["info", "warning", "error"]
Sink = Callable[[str, str, Level], None]

MIN_GAP: Final = 30.0  # s between two notifications about the same profile
SHOW_MS: Final = 8000  # how long a tray bubble stays (the desktop may cap it)
TITLES: Final = {
    "connected": QT_TRANSLATE_NOOP("Notifier", "connected"),
    "dropped": QT_TRANSLATE_NOOP("Notifier", "link dropped"),
    "error": QT_TRANSLATE_NOOP("Notifier", "error"),
}
"""(shown through ``translate("Notifier", ...)``)"""
LEVELS: Final[dict[str, Level]] = {"connected": "info", "dropped": "warning", "error": "error"}


@dataclass(frozen=True, slots=True)
class Note:
    """One tunnel event worth telling the user about."""

    profile: str
    event: str
    """"connected", "dropped" or "error" (``app.models.health.LinkEvent``)"""
    text: str
    folded: int = 0
    """earlier events this one stands for (held back by the rate limit)"""

    @property
    def title(self) -> str:
        event = TITLES.get(self.event)
        return f"{self.profile}: {translate('Notifier', event) if event else self.event}"

    @property
    def body(self) -> str:
        if not self.folded:
            return self.text
        if self.folded == 1:
            return translate("Notifier", "{text} (1 earlier change since the last notice)").format(
                text=self.text
            )
        return translate(
            "Notifier", "{text} ({count} earlier changes since the last notice)"
        ).format(text=self.text, count=self.folded)


class Throttle:
    """Per profile, at most one note per ``gap`` seconds; the latest held one comes out when
    the gap is over (``due``). Time is an argument."""

    def __init__(self, gap: float = MIN_GAP) -> None:
        self.gap = gap
        self._shown_at: dict[str, float] = {}
        self._held: dict[str, tuple[Note, int]] = {}
        """profile -> (latest held note, how many were held)"""

    def offer(self, note: Note, now: float) -> Note | None:
        """The note to show now, or None when it is held for later."""
        last = self._shown_at.get(note.profile)
        if last is None or now - last >= self.gap:
            held = self._held.pop(note.profile, None)
            self._shown_at[note.profile] = now
            return replace(note, folded=held[1]) if held else note
        count = self._held[note.profile][1] + 1 if note.profile in self._held else 1
        self._held[note.profile] = (note, count)
        return None

    def due(self, now: float) -> list[Note]:
        """Held notes whose gap is over (each the latest for its profile)."""
        out = []
        for profile, (note, count) in list(self._held.items()):
            if now - self._shown_at[profile] >= self.gap:
                del self._held[profile]
                self._shown_at[profile] = now
                out.append(replace(note, folded=count - 1))
        return out

    def next_deadline(self) -> float | None:
        """When the next held note is due (None: nothing held)."""
        if not self._held:
            return None
        return min(self._shown_at[p] + self.gap for p in self._held)

    def forget(self, profile: str) -> None:
        self._held.pop(profile, None)
        self._shown_at.pop(profile, None)


class Notifier(QObject):
    """Tunnel events in, rate-limited notifications out to the attached sink (or the log)."""

    shown = Signal(str, str)
    """(title, text) of every notification that went out"""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        gap: float = MIN_GAP,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.enabled = True
        self._sink: Sink | None = None
        self._clock = clock
        self.throttle = Throttle(gap)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._release_due)

    def attach(self, sink: Sink | None) -> None:
        """Send notifications to ``sink`` (a tray's ``showMessage``, see ``tray_sink``)."""
        self._sink = sink

    def set_enabled(self, on: bool) -> None:
        """The user's setting; off drops events (nothing piles up to show later)."""
        self.enabled = on
        if not on:
            self._timer.stop()
            self.throttle = Throttle(self.throttle.gap)

    def tunnel_event(self, profile: str, event: str, text: str) -> None:
        """A tunnel connected, dropped or went into an error (``ProfileManager.link_event``)."""
        if not self.enabled:
            return
        note = self.throttle.offer(Note(profile, event, text), self._clock())
        if note is not None:
            self._show(note)
        self._arm()

    def _arm(self) -> None:
        deadline = self.throttle.next_deadline()
        if deadline is not None and not self._timer.isActive():
            self._timer.start(max(0, int((deadline - self._clock()) * 1000)) + 1)

    def _release_due(self) -> None:
        for note in self.throttle.due(self._clock()):
            self._show(note)
        self._arm()

    def _show(self, note: Note) -> None:
        log.info("notification: %s", note.body, extra={"profile": note.profile})
        if self._sink is not None:
            try:
                self._sink(note.title, note.body, LEVELS.get(note.event, "info"))
            except RuntimeError:  # the tray's C++ side is gone (quitting)
                self._sink = None
        self.shown.emit(note.title, note.body)


_ICONS: Final = {
    "info": QSystemTrayIcon.MessageIcon.Information,
    "warning": QSystemTrayIcon.MessageIcon.Warning,
    "error": QSystemTrayIcon.MessageIcon.Critical,
}


def tray_sink(tray: QSystemTrayIcon) -> Sink:
    """A sink that shows notifications as the tray icon's balloon/desktop notification."""

    def show(title: str, text: str, level: Level) -> None:
        if QSystemTrayIcon.supportsMessages() and tray.isVisible():
            tray.showMessage(title, text, _ICONS[level], SHOW_MS)

    return show
