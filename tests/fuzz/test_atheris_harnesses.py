"""CI-sized coverage-guided fuzzing: every atheris harness runs ~10 s and must not crash.

The long runs (minutes per harness) are manual, see fuzz/README.md; their crashing inputs
are kept in tests/fuzz/corpus and replayed by test_corpus.py in the default run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fuzz.targets import CHECKS

pytest.importorskip("atheris")

ROOT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("KCPDESK_FUZZ_SECONDS", "10"))


@pytest.mark.slow
@pytest.mark.timeout(SECONDS * 6 + 120)
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_harness_runs_without_crashing(name: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    cmd = [
        sys.executable,
        str(ROOT / "fuzz" / f"fuzz_{name}.py"),
        f"-max_total_time={SECONDS}",
        "-rss_limit_mb=2048",
        "-timeout=20",
        "-print_final_stats=1",
        f"-artifact_prefix={tmp_path}/",
        str(corpus),
    ]
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=SECONDS * 6 + 60, check=False
    )
    crashes = sorted(p.name for p in tmp_path.glob("*-*") if p.is_file())
    assert proc.returncode == 0 and not crashes, (crashes, proc.stderr[-4000:])
    executed = 0
    for line in proc.stderr.splitlines():
        if line.startswith("stat::number_of_executed_units:"):
            executed = int(line.rsplit(":", 1)[1])
    assert executed > 0, proc.stderr[-2000:]
