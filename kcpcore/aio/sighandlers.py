"""Signal handlers that also work where the event loop has none (Windows).

``loop.add_signal_handler`` exists only on Unix selector loops: Windows' loops (asyncio's and
qasync's) raise NotImplementedError, and Windows has no SIGUSR1 at all. ``install`` tries the
loop first and falls back to ``signal.signal`` with a thread-safe hop onto the loop (Python
runs signal handlers in the main thread, between bytecodes); where neither works (not the main
thread, no such signal) it says so and the caller carries on without that signal.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

__all__ = ["install", "signal_named"]


def signal_named(name: str) -> signal.Signals | None:
    """``signal.SIGUSR1`` and the like, or None on a platform without it."""
    value = getattr(signal, name, None)
    return value if isinstance(value, signal.Signals) else None


def install(
    loop: asyncio.AbstractEventLoop, sig: signal.Signals, callback: Callable[[], object]
) -> bool:
    """Run ``callback`` on ``loop`` when ``sig`` arrives; False if it cannot be caught here."""
    try:
        loop.add_signal_handler(sig, callback)
        return True
    except (NotImplementedError, RuntimeError, ValueError, AttributeError):
        pass
    try:
        signal.signal(sig, lambda _sig, _frame: loop.call_soon_threadsafe(callback))
    except (ValueError, OSError):  # not the main thread, or not a catchable signal here
        return False
    return True
