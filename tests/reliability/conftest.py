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


def soak_requested(config: Any) -> bool:
    import os

    return "soak" in (config.option.markexpr or "") or bool(os.environ.get("KCPDESK_SOAK_SECONDS"))


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """``soak`` tests run only when asked for (``-m soak`` or ``KCPDESK_SOAK_SECONDS``), so
    CI's plain ``python -m pytest`` keeps to the short versions."""
    if soak_requested(config):
        return
    skip = pytest.mark.skip(reason="long run: use -m soak or set KCPDESK_SOAK_SECONDS")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)
