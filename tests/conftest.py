"""Shared pytest fixtures and markers (declared in pyproject.toml)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """Put the root logger back as it was after each test.

    ``kcpcore.cli.main`` run in-process (tests/test_cli.py and others) installs a handler on
    pytest's captured stderr of that test; left in place, every later log line (one per KCP
    session since the open/close lines) failed on the closed stream and printed a traceback:
    1.4 million lines of CI output, and under test_flood's bogus-session flood enough stderr
    to starve the real session until its connection was reset.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)
