"""Awaiting conditions instead of sleeping a guessed time (asyncio tests).

``until`` returns as soon as a condition holds; ``until_stable`` as soon as a value has stopped
changing (a sender that stalled, a queue that drained), which is what a test asserting "it
stopped" needs, rather than sleeping a fixed while and hoping that was long enough.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

STEP = 0.01  # s between polls


async def until(cond: Callable[[], Any], timeout: float = 10.0) -> None:
    """Return once ``cond()`` is truthy; AssertionError after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(STEP)


async def until_stable(
    value: Callable[[], float], quiet: float, timeout: float = 20.0, slack: float = 0
) -> float:
    """``value()`` once it has moved by no more than ``slack`` for ``quiet`` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    base, since = value(), loop.time()
    while loop.time() - since < quiet:
        if loop.time() > end:
            raise AssertionError(f"still changing after {timeout} s (now {value()!r})")
        await asyncio.sleep(STEP)
        now = value()
        if abs(now - base) > slack:
            base, since = now, loop.time()
    return value()
