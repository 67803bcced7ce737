#!/usr/bin/env python3
"""Record real kcptun traffic from the Debian Go binaries as golden test vectors.

For each configuration in ``RUNS`` this starts, all on 127.0.0.1::

    TCP clients --> kcptun-client :P3 --UDP--> relay :P2 --UDP--> kcptun-server :P1 --> echo :E
                                         (records every datagram)

pushes a few deterministic payloads (``tests.helpers.vectors.stream_payload``) through the tunnel,
reads the echo back, stops everything and writes ``<out>/<run>.json``. The relay only copies bytes,
so the datagrams are exactly what the Go peers put on the wire.

Usage: ``python3 tests/vectors/record_go.py --out tests/vectors/go [--only aes_fec10-3_nocomp]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shlex
import shutil
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.helpers.vectors import stream_payload  # noqa: E402

SOURCE = "Debian kcptun 20210922+ds-1, recorded by tests/vectors/record_go.py"
KEY = "golden key"
MTU = 1350
HOST = "127.0.0.1"
CRYPTS = ("aes", "aes-128", "aes-192", "salsa20", "blowfish", "twofish", "cast5", "3des", "tea",
          "xtea", "xor", "sm4", "none")
# Three connections of 13.5 KB each: ~40 KB each way, several complete FEC groups per direction,
# and each recording stays near 250 KB of JSON. FEC 5/5 doubles the parity, so it sends less.
STREAM_LABELS = ("conn0", "conn1", "conn2")
STREAM_LEN = 13500
CHUNK = 4096  # bytes per TCP write (kcptun itself reads 4096 at a time)
READY_TIMEOUT = 10.0  # s for a binary to log that it is ready
TRANSFER_TIMEOUT = 30.0  # s for all echoes to come back
SETTLE = 0.6  # s after the TCP closes, so FIN frames and final ACKs are recorded too


@dataclass(frozen=True)
class Run:
    name: str
    crypt: str
    datashard: int
    parityshard: int
    nocomp: bool
    stream_len: int = STREAM_LEN

    @property
    def streams(self) -> tuple[tuple[str, int], ...]:
        return tuple((label, self.stream_len) for label in STREAM_LABELS)


RUNS: tuple[Run, ...] = (
    *(Run(f"{c}_fec10-3_nocomp", c, 10, 3, True) for c in CRYPTS),
    Run("aes_fec5-5_nocomp", "aes", 5, 5, True, stream_len=8000),
    Run("aes_fecoff_nocomp", "aes", 0, 0, True),
    Run("aes_fec10-3_comp", "aes", 10, 3, False),
)


def free_port(kind: int) -> int:
    """A port the kernel considers free right now (tiny race, acceptable on loopback)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Relay(asyncio.DatagramProtocol):
    """Front side of the relay: faces kcptun-client, remembers its address."""

    t0: float
    log: list[dict[str, object]] = field(default_factory=list)
    transport: asyncio.DatagramTransport | None = None
    back: asyncio.DatagramTransport | None = None
    client: tuple[str, int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def record(self, direction: str, data: bytes) -> None:
        t_ms = round((time.monotonic() - self.t0) * 1000.0, 1)
        self.log.append({"dir": direction, "t_ms": t_ms, "hex": data.hex()})

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.client is None:
            self.client = addr
        if addr != self.client or self.back is None:
            return
        self.record("c2s", data)
        self.back.sendto(data)

    def from_server(self, data: bytes) -> None:
        if self.client is None or self.transport is None:
            return
        self.record("s2c", data)
        self.transport.sendto(data, self.client)


class Back(asyncio.DatagramProtocol):
    """Back side of the relay: one UDP socket connected to kcptun-server."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.relay.from_server(data)

    def error_received(self, exc: Exception) -> None:  # ICMP unreachable before server is up
        pass


async def echo_handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def wait_for_line(proc: asyncio.subprocess.Process, needle: str, lines: list[str]) -> None:
    """Read the child's stderr until ``needle`` shows up (bounded by the caller's timeout)."""
    assert proc.stderr is not None
    while True:
        raw = await proc.stderr.readline()
        if not raw:
            raise RuntimeError(f"process exited before logging {needle!r}: {lines}")
        line = raw.decode(errors="replace").rstrip()
        lines.append(line)
        if needle in line:
            return


async def drain_stderr(proc: asyncio.subprocess.Process, lines: list[str]) -> None:
    assert proc.stderr is not None
    while raw := await proc.stderr.readline():
        lines.append(raw.decode(errors="replace").rstrip())


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 3.0)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


async def one_connection(port: int, payload: bytes, echoing: asyncio.Event,
                         after: asyncio.Event | None) -> None:
    """Send ``payload`` and read it back; set ``echoing`` once the first echo bytes arrive.

    Later connections wait for the first one's echo (``after``), so its smux SYN (sid 3) is
    the first frame on the wire; the Go client opens streams from concurrent goroutines.
    """
    if after is not None:
        await after.wait()
    reader, writer = await asyncio.open_connection(HOST, port)

    async def send() -> None:
        for off in range(0, len(payload), CHUNK):
            writer.write(payload[off:off + CHUNK])
            await writer.drain()

    sender = asyncio.create_task(send())
    got = bytearray()
    while len(got) < len(payload):
        chunk = await reader.read(65536)
        if not chunk:
            raise RuntimeError("tunnel closed before the whole echo came back")
        got += chunk
        echoing.set()
    await sender
    if got != payload:
        raise RuntimeError("echo mismatch")
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


def flags(run: Run) -> list[str]:
    out = ["--key", KEY, "--crypt", run.crypt, "--mtu", str(MTU),
           "--ds", str(run.datashard), "--ps", str(run.parityshard)]
    if run.nocomp:
        out.append("--nocomp")
    return out


async def record(run: Run, server_bin: str, client_bin: str) -> dict[str, object]:
    loop = asyncio.get_running_loop()
    echo = await asyncio.start_server(echo_handler, HOST, 0)
    echo_port = echo.sockets[0].getsockname()[1]
    relay = Relay(t0=time.monotonic())
    front, _ = await loop.create_datagram_endpoint(lambda: relay, local_addr=(HOST, 0))
    relay_port = front.get_extra_info("sockname")[1]
    server_port = free_port(socket.SOCK_DGRAM)
    client_port = free_port(socket.SOCK_STREAM)
    back, _ = await loop.create_datagram_endpoint(lambda: Back(relay),
                                                  remote_addr=(HOST, server_port))
    relay.back = back

    server_cmd = [server_bin, "-l", f"{HOST}:{server_port}", "-t", f"{HOST}:{echo_port}",
                  *flags(run)]
    client_cmd = [client_bin, "-l", f"{HOST}:{client_port}", "-r", f"{HOST}:{relay_port}",
                  *flags(run)]
    procs: list[asyncio.subprocess.Process] = []
    logs: dict[str, list[str]] = {"server": [], "client": []}
    drains: list[asyncio.Task[None]] = []
    try:
        for role, cmd, needle in (("server", server_cmd, "key derivation done"),
                                  ("client", client_cmd, "key derivation done")):
            proc = await asyncio.create_subprocess_exec(
                *cmd, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE)
            procs.append(proc)
            await asyncio.wait_for(wait_for_line(proc, needle, logs[role]), READY_TIMEOUT)
            drains.append(asyncio.create_task(drain_stderr(proc, logs[role])))
        await asyncio.sleep(0.3)  # the server binds its UDP socket just after that log line
        relay.t0 = time.monotonic()
        payloads = [stream_payload(label, length) for label, length in run.streams]
        echoing = asyncio.Event()
        await asyncio.wait_for(
            asyncio.gather(*(one_connection(client_port, p, echoing, echoing if i else None)
                             for i, p in enumerate(payloads))),
            TRANSFER_TIMEOUT)
        await asyncio.sleep(SETTLE)
    finally:
        for proc in reversed(procs):
            await stop(proc)
        for task in drains:
            task.cancel()
        back.close()
        front.close()
        echo.close()
        await echo.wait_closed()

    return {
        "source": SOURCE,
        "commands": {"server": shlex.join(server_cmd), "client": shlex.join(client_cmd)},
        "key": KEY,
        "crypt": run.crypt,
        "datashard": run.datashard,
        "parityshard": run.parityshard,
        "nocomp": run.nocomp,
        "mtu": MTU,
        "streams": [{"label": label, "length": length} for label, length in run.streams],
        "payload": "tests.helpers.vectors.stream_payload(label, length); each TCP connection "
                   "sent its payload in 4096-byte writes and read the same bytes back; "
                   "conn1 and conn2 connected once conn0's first echo bytes had arrived",
        "relay": "c2s = kcptun-client -> kcptun-server, s2c = back; t_ms since the first "
                 "TCP connect; hex = the whole UDP payload",
        "datagrams": relay.log,
    }


def dump(rec: dict[str, object]) -> str:
    """Readable but compact JSON: metadata indented, one datagram per line."""
    datagrams = rec.pop("datagrams")
    head = json.dumps(rec, indent=2)
    assert head.endswith("\n}")
    rows = ",\n".join("    " + json.dumps(d) for d in datagrams)  # type: ignore[attr-defined]
    return head[:-2] + ',\n  "datagrams": [\n' + rows + "\n  ]\n}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "go")
    parser.add_argument("--only", action="append", help="record only this run name (repeatable)")
    parser.add_argument("--server", default="kcptun-server")
    parser.add_argument("--client", default="kcptun-client")
    args = parser.parse_args()
    server_bin = shutil.which(args.server)
    client_bin = shutil.which(args.client)
    if not server_bin or not client_bin:
        parser.error("kcptun-server/kcptun-client not found (apt install kcptun)")
    runs = [r for r in RUNS if not args.only or r.name in args.only]
    if args.only and len(runs) != len(set(args.only)):
        parser.error(f"unknown run; known: {', '.join(r.name for r in RUNS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for run in runs:
        rec = asyncio.run(record(run, Path(server_bin).name, Path(client_bin).name))
        n = len(rec["datagrams"])  # type: ignore[arg-type]
        text = dump(rec)
        (args.out / f"{run.name}.json").write_text(text, encoding="utf-8")
        print(f"{run.name}: {n} datagrams, {len(text) // 1024} KiB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
