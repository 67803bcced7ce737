"""Windows ``.ico`` and macOS ``.icns`` from the app's committed PNGs, with no image library.

Both formats can hold PNG data as is: an ICO directory entry may point at a PNG (Vista+), and
ICNS has PNG element types per size. ``kcpdesk.spec`` calls these at build time, so only the
PNGs (rendered from ``resources/icons/kcpdesk.svg``) live in the repository.
"""

from __future__ import annotations

import struct
from pathlib import Path

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ICNS_TYPES = {
    16: b"icp4",
    32: b"icp5",
    64: b"icp6",
    128: b"ic07",
    256: b"ic08",
    512: b"ic09",
    1024: b"ic10",
}


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    if data[:8] != PNG_MAGIC or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def square_pngs(icon_dir: Path) -> dict[int, bytes]:
    """{size: PNG bytes} for every square ``kcpdesk*.png`` in ``icon_dir``."""
    out: dict[int, bytes] = {}
    for path in sorted(icon_dir.glob("kcpdesk*.png")):
        data = path.read_bytes()
        w, h = png_size(data)
        if w == h:
            out[w] = data
    if not out:
        raise FileNotFoundError(f"no kcpdesk*.png in {icon_dir}")
    return out


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    sizes = sorted(s for s in pngs if s <= 256)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for s in sizes:
        data = pngs[s]
        dim = 0 if s == 256 else s  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(
        ICNS_TYPES[s] + struct.pack(">I", 8 + len(pngs[s])) + pngs[s]
        for s in sorted(pngs)
        if s in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_ico(icon_dir: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(ico_bytes(square_pngs(icon_dir)))
    return target


def write_icns(icon_dir: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(icns_bytes(square_pngs(icon_dir)))
    return target
