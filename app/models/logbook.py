"""Per-profile log records from the kcpcore loggers, with keys scrubbed before anyone sees them.

kcpcore logs through module loggers shared by every tunnel in the process, so a record does not
say which tunnel wrote it. The controller starts each engine in a copy of the context with
``CURRENT_PROFILE`` set; asyncio copies the context into every task and callback the engine
creates (``app.loop`` makes qasync do the same for socket callbacks), so ``emit`` can read the
variable and file the record under its profile. Records from outside any engine go under "".

Lines from outside any engine normally go under "" (shown with every profile), except the
demo's own (its relay, traffic and start/stop lines, from the ``app.demo`` loggers): they go
under ``DEMO_SCOPE``, which only the demo's profiles show (``join``). They used to appear in
every profile's Log tab.

Pre-shared keys must never reach a log line: every registered key is replaced by ``********``
in the formatted text, whatever logger produced it.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

CURRENT_PROFILE: Final[contextvars.ContextVar[str]] = contextvars.ContextVar(
    "kcpdesk_profile", default=""
)
MAX_ENTRIES: Final = 5000  # per profile; about 1 MB of text, days of stream open/close lines
MIN_SECRET_LEN: Final = 3  # shorter "keys" would blank out ordinary words
MASK: Final = "********"
WATCHED_LOGGERS: Final = ("kcpcore", "kcpdesk", "app")
DEMO_SCOPE: Final = " demo"
"""the demo's lines; a leading space, so no profile can have this name (validate_name)"""
SCOPED_LOGGERS: Final = {"app.demo": DEMO_SCOPE}
"""logger name prefix -> the scope its lines go under when no profile wrote them"""


def _scope_of(logger: str) -> str:
    for prefix, scope in SCOPED_LOGGERS.items():
        if logger == prefix or logger.startswith(prefix + "."):
            return scope
    return ""


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One scrubbed log line."""

    created: float
    """Unix time"""
    level: int
    profile: str
    """profile name, or "" for app-wide records"""
    logger: str
    message: str

    def format(self) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(self.created))
        ms = int(self.created * 1000) % 1000
        return f"{stamp}.{ms:03d} {logging.getLevelName(self.level):<7} {self.message}"


class LogBook(logging.Handler):
    """Bounded per-profile history plus listeners for new entries (the log pane)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        super().__init__(logging.DEBUG)
        self.max_entries = max_entries
        self._entries: dict[str, deque[LogEntry]] = {}
        self._secrets: dict[str, str] = {}
        self._listeners: list[Callable[[LogEntry], None]] = []
        self._scopes: dict[str, set[str]] = {}
        """profile -> the extra scopes its log shows (the demo's profiles: DEMO_SCOPE)"""
        self._mutex = threading.Lock()  # emit may come from an executor thread

    # --- secrets ------------------------------------------------------------------------------

    def set_secret(self, owner: str, secret: str) -> None:
        """Scrub ``secret`` from every future line (one secret per owner, replaced on change)."""
        with self._mutex:
            if len(secret) >= MIN_SECRET_LEN:
                self._secrets[owner] = secret
            else:
                self._secrets.pop(owner, None)

    def scrub(self, text: str) -> str:
        for secret in sorted(set(self._secrets.values()), key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    # --- logging.Handler ----------------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                message += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
            profile = (
                getattr(record, "profile", None) or CURRENT_PROFILE.get() or _scope_of(record.name)
            )
            with self._mutex:
                entry = LogEntry(
                    record.created, record.levelno, profile, record.name, self.scrub(message)
                )
                ring = self._entries.get(profile)
                if ring is None:
                    ring = self._entries[profile] = deque(maxlen=self.max_entries)
                ring.append(entry)
                listeners = list(self._listeners)
            for listener in listeners:
                try:
                    listener(entry)
                except RuntimeError:  # a Qt listener whose C++ side is gone: forget it
                    self.unsubscribe(listener)
        except Exception:  # a log handler must never take the tunnel down
            self.handleError(record)

    # --- reading ------------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[LogEntry], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[LogEntry], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def entries(self, profiles: Iterable[str] | None = None) -> list[LogEntry]:
        """History for the given profiles (all when None), oldest first."""
        with self._mutex:
            keys = list(self._entries) if profiles is None else list(profiles)
            merged = [e for k in keys for e in self._entries.get(k, ())]
        merged.sort(key=lambda e: e.created)
        return merged

    def join(self, profile: str, scope: str) -> None:
        """Show ``scope``'s lines in ``profile``'s log too (a demo profile and DEMO_SCOPE)."""
        with self._mutex:
            self._scopes.setdefault(profile, set()).add(scope)

    def shown_with(self, profile: str) -> set[str]:
        """Every key whose lines ``profile``'s log shows: its own, app-wide, joined scopes."""
        with self._mutex:
            return {"", profile, *self._scopes.get(profile, ())}

    def rename(self, old: str, new: str) -> None:
        with self._mutex:
            if old in self._entries:
                self._entries[new] = self._entries.pop(old)
            if old in self._scopes:
                self._scopes[new] = self._scopes.pop(old)

    def forget(self, profile: str) -> None:
        with self._mutex:
            self._entries.pop(profile, None)
            self._secrets.pop(profile, None)
            self._scopes.pop(profile, None)

    # --- installation -------------------------------------------------------------------------

    def install(self, level: int = logging.INFO) -> None:
        """Attach to the kcpcore/kcpdesk/app loggers; ``level`` is what the pane can show."""
        for name in WATCHED_LOGGERS:
            lg = logging.getLogger(name)
            if self not in lg.handlers:
                lg.addHandler(self)
            if lg.level == logging.NOTSET or lg.level > level:
                lg.setLevel(level)

    def uninstall(self) -> None:
        for name in WATCHED_LOGGERS:
            logging.getLogger(name).removeHandler(self)
