"""The asyncio event loop on Qt's: qasync, plus the context rule stock asyncio has.

Stock asyncio runs a socket's reader/writer callback in the ``contextvars`` context that was
current when the callback was registered (``Handle(..., context=None)`` copies it). qasync 0.28
registers a ``QSocketNotifier`` and later schedules the callback with ``call_soon`` from Qt's
signal handler, i.e. in whatever context the Qt side has. Everything an engine does in reaction
to a datagram or an accepted TCP connection would then lose ``CURRENT_PROFILE`` and its log
lines could not be told apart per profile. Capturing the context at registration, as asyncio
does, fixes that; each call runs in a fresh copy so a re-entrant callback cannot collide with
itself ("cannot enter context").
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

import qasync


def _in_context(ctx: contextvars.Context, callback: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        return ctx.copy().run(callback, *args)

    return run


class ContextQEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """``qasync.QEventLoop`` whose fd callbacks keep their registration context."""

    def _add_reader(self, fd: Any, callback: Callable[..., Any], *args: Any) -> None:
        super()._add_reader(fd, _in_context(contextvars.copy_context(), callback), *args)

    def _add_writer(self, fd: Any, callback: Callable[..., Any], *args: Any) -> None:
        super()._add_writer(fd, _in_context(contextvars.copy_context(), callback), *args)
