"""packaging/icons.py (the .ico/.icns the spec generates) and the Linux desktop entry; quick."""

from __future__ import annotations

import configparser
import importlib.util
import struct
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ICON_DIR = REPO / "resources" / "icons"


def load_icons():  # type: ignore[no-untyped-def]
    # by path: "packaging" is also the name of a PyPI package
    spec = importlib.util.spec_from_file_location("kcpdesk_icons", REPO / "packaging" / "icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ico_directory_points_at_each_png(tmp_path: Path) -> None:
    icons = load_icons()
    pngs = icons.square_pngs(ICON_DIR)
    data = icons.write_ico(ICON_DIR, tmp_path / "k.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1) and count == len([s for s in pngs if s <= 256])
    seen = {}
    for i in range(count):
        w, h, _c, _r, planes, bpp, size, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        assert w == h and (planes, bpp) == (1, 32)
        seen[w or 256] = data[offset : offset + size]
    assert seen == {s: p for s, p in pngs.items() if s <= 256}


def test_icns_elements_are_the_pngs(tmp_path: Path) -> None:
    icons = load_icons()
    pngs = icons.square_pngs(ICON_DIR)
    data = icons.write_icns(ICON_DIR, tmp_path / "k.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack_from(">I", data, 4)[0] == len(data)
    pos, found = 8, {}
    while pos < len(data):
        kind, length = data[pos : pos + 4], struct.unpack_from(">I", data, pos + 4)[0]
        found[kind] = data[pos + 8 : pos + length]
        pos += length
    assert pos == len(data)
    assert found == {icons.ICNS_TYPES[s]: p for s, p in pngs.items() if s in icons.ICNS_TYPES}
    assert b"ic08" in found  # 256 px, what Finder and the Dock use


def test_desktop_entry_keys() -> None:
    parser = configparser.RawConfigParser(strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(REPO / "packaging" / "linux" / "kcpdesk.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Exec"] == "kcpdesk"
    assert entry["Icon"] == "kcpdesk" and entry["Terminal"] == "false"
    assert entry["StartupWMClass"] == "kcpdesk"  # QApplication.setDesktopFileName("kcpdesk")
    assert entry["Categories"].endswith(";")
    assert (ICON_DIR / "kcpdesk.png").is_file()
