"""Replay every input the fuzzers ever crashed on (``tests/fuzz/corpus/<target>/``) and the
generated seeds, through the same ``fuzz.targets`` checks the atheris harnesses run.

A file named ``known-<issue>-...`` reproduces a bug reported but not yet fixed (its module
belongs to another engineer); it runs with that tolerance switched off as a strict xfail, so
the fix makes it pass loudly and the name can move out of ``targets.KNOWN_ISSUES``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzz import targets

CORPUS = Path(__file__).parent / "corpus"


def _cases() -> list[object]:
    out: list[object] = []
    for path in sorted(CORPUS.glob("*/*")):
        name = path.parent.name
        marks = []
        if path.name.startswith("known-"):
            issue = next(
                (
                    i
                    for i in targets.KNOWN_ISSUES
                    if path.name == f"known-{i}" or path.name.startswith(f"known-{i}-")
                ),
                None,
            )
            marks.append(pytest.mark.xfail(strict=True, reason=f"reported: {issue}"))
        out.append(pytest.param(name, path, marks=marks, id=f"{name}/{path.name}"))
    return out


@pytest.mark.parametrize(("name", "path"), _cases())
def test_saved_crash_input(name: str, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(targets, "KNOWN_ISSUES", frozenset())
    targets.CHECKS[name](path.read_bytes())


@pytest.mark.parametrize("name", sorted(targets.CHECKS))
def test_seeds_pass(name: str) -> None:
    """The valid seeds pass every check (they are what the fuzzers start from)."""
    for seed in targets.seeds(name):
        targets.CHECKS[name](seed)


def test_records_round_trip() -> None:
    parts = [b"", b"a", bytes(300)]
    assert targets.records(targets.join_records(parts)) == parts
    assert targets.records(b"\x05\x00ab") == [b"ab"]  # a length past the end takes the rest
    assert targets.records(b"\x01") == []


def test_known_corpus_files_name_a_known_issue() -> None:
    """Every ``known-*`` corpus file names an entry of KNOWN_ISSUES (and so runs as xfail)."""
    for path in CORPUS.glob("*/known-*"):
        assert any(path.name.startswith(f"known-{i}") for i in targets.KNOWN_ISSUES), path
