"""Load known-answer vectors from ``tests/vectors/``.

The recordings in ``tests/vectors/go/`` come from the real Debian Go kcptun (see
``tests/vectors/README.md``). They are the ground truth our decoders are held to, so the loader
stays dumb: it parses JSON and hex, and it regenerates the deterministic TCP payloads the recorder
pushed through the tunnel, so the recordings do not have to store them twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VECTORS_DIR = Path(__file__).resolve().parent.parent / "vectors"
GO_DIR = VECTORS_DIR / "go"

C2S = "c2s"  # client -> server, as seen by the relay between them
S2C = "s2c"


def load(name: str) -> Any:
    """Return ``tests/vectors/<name>``: parsed JSON for ``*.json``, otherwise the raw bytes."""
    path = VECTORS_DIR / name
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    return path.read_bytes()


def stream_payload(label: str, length: int) -> bytes:
    """The deterministic bytes one recorder TCP connection sent (and expects echoed back).

    Text lines with a repeated prefix and a SHA-256 tail: part of it is compressible, so the
    compression-on recording holds both snappy chunk types. The recorder imports this function,
    so the definition cannot drift from the data that was recorded.
    """
    out = bytearray()
    i = 0
    while len(out) < length:
        tail = hashlib.sha256(f"{label}:{i}".encode()).hexdigest()[:24]
        out += f"{label} line {i:06d} {tail}\n".encode()
        i += 1
    return bytes(out[:length])


@dataclass(frozen=True, slots=True)
class Datagram:
    """One UDP datagram the relay forwarded."""

    direction: str
    """``c2s`` or ``s2c``"""
    t_ms: float
    """ms since the relay started"""
    data: bytes


@dataclass(frozen=True, slots=True)
class GoRecording:
    """One loopback session between the Debian ``kcptun-client`` and ``kcptun-server``."""

    name: str
    source: str
    key: str
    crypt: str
    datashard: int
    parityshard: int
    nocomp: bool
    mtu: int
    streams: tuple[tuple[str, int], ...]
    """(label, length) of each TCP connection's payload; see ``stream_payload``"""
    datagrams: tuple[Datagram, ...]

    @property
    def fec(self) -> bool:
        """kcp-go only adds FEC headers when both shard counts are positive."""
        return self.datashard > 0 and self.parityshard > 0

    def payloads(self) -> list[bytes]:
        return [stream_payload(label, length) for label, length in self.streams]

    def direction(self, direction: str) -> list[Datagram]:
        return [d for d in self.datagrams if d.direction == direction]


def go_recording_names() -> list[str]:
    """Names (file stems) of every recording in ``tests/vectors/go``, sorted."""
    return sorted(p.stem for p in GO_DIR.glob("*.json"))


def load_go(name: str) -> GoRecording:
    raw = load(f"go/{name}.json")
    return GoRecording(
        name=name,
        source=raw["source"],
        key=raw["key"],
        crypt=raw["crypt"],
        datashard=raw["datashard"],
        parityshard=raw["parityshard"],
        nocomp=raw["nocomp"],
        mtu=raw["mtu"],
        streams=tuple((s["label"], s["length"]) for s in raw["streams"]),
        datagrams=tuple(
            Datagram(d["dir"], d["t_ms"], bytes.fromhex(d["hex"])) for d in raw["datagrams"]
        ),
    )
