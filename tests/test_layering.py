"""The layers stay apart: kcpcore never imports ``app`` (nor Qt), so ``pip install kcpdesk``
without the ``[gui]`` extra and ``python -m kcpcore`` work, and the core can be reused."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GUI_PACKAGES = ("app", "PySide6", "shiboken6", "qasync", "pyqtgraph")


def _imported_names(path: Path) -> set[str]:
    """Every absolute module name an import statement in ``path`` names (lazy ones too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_kcpcore_module_imports_the_gui() -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(
            n for n in _imported_names(path) if n.split(".")[0] in GUI_PACKAGES
        )
        for path in sorted((REPO / "kcpcore").rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_all_of_kcpcore_loads_no_gui_module() -> None:
    """Also catches importlib and ``__import__`` (which the source scan above cannot see)."""
    code = (
        "import pkgutil, importlib, sys, kcpcore\n"
        "for m in pkgutil.walk_packages(kcpcore.__path__, 'kcpcore.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {GUI_PACKAGES!r}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
