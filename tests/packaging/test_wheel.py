"""``pip install 'kcpdesk[gui]'`` gets the icons and stylesheet too (not only the bundle), and
the systemd units ``kcpdesk install-service`` installs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_carries_the_resources(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("kcpdesk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    share = [n.split("/data/", 1)[1] for n in names if ".data/data/share/kcpdesk/" in n]
    expected = {
        f"share/kcpdesk/{p.relative_to(REPO / 'resources')}"
        for p in (REPO / "resources").rglob("*")
        if p.suffix in (".png", ".svg", ".qss", ".qm")  # .qm: compiled translations
    }
    expected |= {
        f"share/kcpdesk/systemd/{p.name}"
        for p in (REPO / "packaging" / "systemd").glob("*.service")
    }
    assert expected and set(share) == expected
    assert not any(n.startswith(("tests/", "benchmarks/", "fuzz/")) for n in names)


def test_installed_app_finds_resources_under_the_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("PySide6")
    import app.resources as res

    (tmp_path / "site" / "app").mkdir(parents=True)
    (tmp_path / "share" / "kcpdesk" / "icons").mkdir(parents=True)
    monkeypatch.setattr(res, "__file__", str(tmp_path / "site" / "app" / "resources.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert res._find_resources() == tmp_path / "share" / "kcpdesk"
    monkeypatch.undo()
    assert res._find_resources() == REPO / "resources"  # a checkout (or the bundle) wins
