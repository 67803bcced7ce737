"""A bounded UDP flooder for the flood tests, run as its own process (the second core).

``python -m tests.reliability.flooder --port P --kind K --rate PPS --seconds S [--ports N]
[--key KEY --crypt aes --ds 10 --ps 3]`` sends to 127.0.0.1:P only and prints one JSON line:
``{"sent": ..., "errors": ..., "long": ..., "seconds": ..., "rate": ...}`` (``long``: datagrams
of at least the 20-byte crypt header, the ones a server must decrypt and count).

Kinds:

* ``garbage``: random datagrams (0..1499 bytes, some at header-boundary sizes).
* ``badconv``: correctly sealed datagrams (right key and CRC) with random conv numbers and
  random non-zero sn: an unknown address opens one session, a known one drops them.
* ``sessions``: like ``badconv`` but sn 0 and garbage smux bytes, so each new source port
  opens a server session (kcp-go's rule) that smux then rejects.

``--ports N`` rotates over N sockets (N source ports).
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import time

from kcpcore.crypt import CRYPT_HEADER_SIZE
from tests.reliability.util import LOCAL, kcp_datagram, random_datagram

POOL = 2048  # distinct datagrams, cycled


def build_pool(args: argparse.Namespace, rng: random.Random) -> list[bytes]:
    if args.kind == "garbage":
        return [random_datagram(rng) for _ in range(POOL)]
    fec = (args.ds, args.ps)
    out = []
    for i in range(POOL):
        conv = rng.getrandbits(32)
        if args.kind == "badconv":
            out.append(
                kcp_datagram(
                    args.key,
                    args.crypt,
                    conv,
                    sn=1 + rng.getrandbits(20),
                    data=rng.randbytes(rng.randrange(64)),
                    fec=fec,
                    seqid=i,
                )
            )
        else:
            out.append(
                kcp_datagram(
                    args.key,
                    args.crypt,
                    conv,
                    sn=0,
                    data=rng.randbytes(8 + rng.randrange(32)),
                    fec=fec,
                    seqid=i,
                )
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--kind", choices=("garbage", "badconv", "sessions"), default="garbage")
    ap.add_argument("--rate", type=float, default=5000.0, help="datagrams per second")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--ports", type=int, default=1)
    ap.add_argument("--key", default="it's a secrect")
    ap.add_argument("--crypt", default="aes")
    ap.add_argument("--ds", type=int, default=10)
    ap.add_argument("--ps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    pool = build_pool(args, rng)
    socks = []
    for _ in range(max(1, min(args.ports, 4096))):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((LOCAL, 0))
        s.setblocking(False)
        socks.append(s)
    dest = (LOCAL, args.port)
    seconds = min(args.seconds, 900.0)
    start = time.monotonic()
    end = start + seconds
    sent = errors = long = 0
    sizes = [len(d) for d in pool]
    batch = max(1, int(args.rate / 1000))  # send in 1 ms slices
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * args.rate)
        if sent >= due:
            time.sleep(min(0.001, end - now))
            continue
        for _ in range(min(batch, due - sent)):
            s = socks[sent % len(socks)]
            try:
                s.sendto(pool[sent % POOL], dest)
                long += sizes[sent % POOL] >= CRYPT_HEADER_SIZE
            except OSError:
                errors += 1  # ENOBUFS / EAGAIN: counted, not sent
            sent += 1
    took = time.monotonic() - start
    for s in socks:
        s.close()
    print(
        json.dumps(
            {
                "sent": sent - errors,
                "errors": errors,
                "long": long,
                "seconds": round(took, 3),
                "rate": round((sent - errors) / took, 1),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
