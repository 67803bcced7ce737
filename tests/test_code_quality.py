"""The tree's own checks, run with the suite so CI enforces them (issue 14's "done when").

One formatter for the whole tree (``ruff format``), lint (``ruff check``), the type checker
(mypy: strict on kcpcore, normal on app; config in pyproject.toml) and the house limit of about
60 lines per function (``tools/long_functions.py``). Each names what to run to see the details.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_lint_is_clean() -> None:
    r = run([str(BIN / "ruff"), "check", "."])
    assert r.returncode == 0, f"ruff check .\n{r.stdout}{r.stderr}"


def test_one_formatter_for_the_whole_tree() -> None:
    r = run([str(BIN / "ruff"), "format", "--check", "."])
    assert r.returncode == 0, f"ruff format --check . (run `ruff format .`)\n{r.stdout}{r.stderr}"


@pytest.mark.slow
def test_type_checker_passes() -> None:
    r = run([str(BIN / "mypy")])
    assert r.returncode == 0, f"mypy (targets and strictness in pyproject.toml)\n{r.stdout}"


def test_no_function_over_the_house_limit() -> None:
    r = run([sys.executable, "tools/long_functions.py"])
    assert r.returncode == 0, f"tools/long_functions.py\n{r.stdout}{r.stderr}"
