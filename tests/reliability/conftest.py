"""Fixtures of the reliability tests: a figures book printed at the end of the run.

Each test records what it measured (flood rate held, memory bound, bytes verified...) with
``figures.add(name, **values)``; ``pytest -rA tests/reliability`` or any run prints them in a
"reliability figures" section, which is where the issue's note gets its numbers.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

_FIGURES: dict[str, dict[str, Any]] = {}


class Figures:
    def add(self, name: str, **values: Any) -> None:
        _FIGURES.setdefault(name, {}).update(values)


@pytest.fixture
def figures() -> Figures:
    return Figures()


@pytest.fixture
def run() -> Any:
    """Run a coroutine on a fresh loop with a hard deadline (seconds)."""

    def _run(coro: Any, timeout: float) -> Any:
        async def bounded() -> Any:
            return await asyncio.wait_for(coro, timeout)

        return asyncio.run(bounded())

    return _run


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("reliability figures")
    for name, values in _FIGURES.items():
        terminalreporter.write_line(f"{name}: {json.dumps(values, default=str)}")
