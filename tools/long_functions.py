"""List functions longer than the house limit (STYLE.md: about 60 lines per function).

    .venv/bin/python tools/long_functions.py [--limit 60] [PATH ...]   # default: app kcpcore

Exit status 1 when any is found, so CI can run it once the tree is clean.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path


def long_functions(paths: list[Path], limit: int) -> list[tuple[Path, int, str, int]]:
    """(file, line, qualified name, length) of every function over ``limit`` lines."""
    found = []
    for root in paths:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > limit:
                        found.append((path, node.lineno, node.name, length))
    return found


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="*", type=Path, default=[Path("app"), Path("kcpcore")])
    p.add_argument("--limit", type=int, default=60)
    args = p.parse_args()
    found = long_functions(args.paths, args.limit)
    for path, line, name, length in found:
        print(f"{path}:{line}: {name} is {length} lines")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
