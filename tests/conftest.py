"""Shared pytest fixtures and markers (declared in pyproject.toml)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
