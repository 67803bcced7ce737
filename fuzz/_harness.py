"""Shared main() for the atheris harnesses: seeds a corpus directory, then hands over to
libFuzzer with whatever flags were given (``-max_total_time=60``, ``-runs=N``, ...).

Every ``fuzz_<name>.py`` is three lines around ``main(name)``; the check itself lives in
``targets.py`` so pytest replays crashes through exactly the same code.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import atheris  # noqa: E402  (needs the path fix above for the kcpcore import below)


def _seed_corpus(name: str, corpus: Path) -> None:
    """Write the target's generated seeds (valid packets) into ``corpus`` once."""
    from fuzz import targets

    corpus.mkdir(parents=True, exist_ok=True)
    for seed in targets.seeds(name):
        path = corpus / f"seed-{hashlib.sha1(seed).hexdigest()[:16]}"
        if not path.exists():
            path.write_bytes(seed)


def main(name: str) -> None:
    """Run the ``name`` check under libFuzzer; crashes land in ``fuzz/crashes/<name>/``.

    Without a corpus directory argument, ``fuzz/corpus/<name>`` is used (and seeded), so
    repeated runs build on each other. Both directories are git-ignored; keep a crash by
    copying it into ``tests/fuzz/corpus/<name>/``.
    """
    with atheris.instrument_imports(include=["kcpcore", "fuzz"]):
        from fuzz import targets
    check = targets.CHECKS[name]
    argv = list(sys.argv)
    dirs = [a for a in argv[1:] if not a.startswith("-")]
    if not dirs:
        corpus = ROOT / "fuzz" / "corpus" / name
        argv.append(str(corpus))
        dirs = [str(corpus)]
    _seed_corpus(name, Path(dirs[0]))
    if not any(a.startswith("-artifact_prefix=") for a in argv):
        crashes = ROOT / "fuzz" / "crashes" / name
        crashes.mkdir(parents=True, exist_ok=True)
        argv.insert(1, f"-artifact_prefix={crashes}/")
    atheris.Setup(argv, check)
    atheris.Fuzz()
