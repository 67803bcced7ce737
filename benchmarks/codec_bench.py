"""Per-packet cost of the datagram layer (packet crypt + FEC) at kcptun's default MTU.

For each crypt method: seal = FEC encode + nonce/CRC + encrypt per KCP packet (parity shards
amortised over the group); open = decrypt + CRC + FEC unframe per datagram; rebuild = FEC
decode of one lost data shard from a 10/3 group.

    python3 benchmarks/codec_bench.py [--crypts aes,salsa20] [--packets 3000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kcpcore.crypt import CRYPT_METHODS, derive_key, new_block_crypt
from kcpcore.fec import FecDecoder
from kcpcore.packet import PacketCodec, header_reserve
from kcpcore.snmp import Snmp

MTU = 1350


def bench(method: str, ds: int, ps: int, packets: int) -> tuple[float, float, float]:
    crypt = new_block_crypt(method, derive_key("it's a secrect"))
    kcp_len = MTU - header_reserve(ds, ps)
    payloads = [os.urandom(kcp_len) for _ in range(64)]
    tx = PacketCodec(crypt=crypt, datashard=ds, parityshard=ps, snmp=Snmp())
    rx = PacketCodec(crypt=crypt, datashard=ds, parityshard=ps, snmp=Snmp())
    t0 = time.perf_counter()
    datagrams = []
    for i in range(packets):
        datagrams += tx.seal(payloads[i & 63])
    t_seal = (time.perf_counter() - t0) / packets
    t0 = time.perf_counter()
    for i, d in enumerate(datagrams):
        rx.open(d, i)
    t_open = (time.perf_counter() - t0) / len(datagrams)
    t_rebuild = float("nan")
    if ds and ps:
        bodies = [crypt.decrypt(d)[20:] for d in datagrams]
        group = ds + ps
        groups = len(bodies) // group
        dec = FecDecoder(ds, ps, Snmp())
        t0 = time.perf_counter()
        for g in range(groups):
            for j, body in enumerate(bodies[g * group:(g + 1) * group]):
                if j != 0:  # lose the first data shard of every group
                    dec.decode(body, g)
        t_rebuild = (time.perf_counter() - t0) / max(1, groups)
    return t_seal * 1e6, t_open * 1e6, t_rebuild * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crypts", default=",".join(CRYPT_METHODS))
    ap.add_argument("--packets", type=int, default=3000)
    args = ap.parse_args()
    print(f"{'crypt':10} {'fec':6} {'seal us/pkt':>12} {'open us/dgram':>14} "
          f"{'group decode us (1 lost)':>25}")
    for method in args.crypts.split(","):
        slow = method in ("tea", "xtea", "salsa20")
        n = args.packets // 10 if slow else args.packets
        for ds, ps in ((10, 3), (0, 0)):
            s, o, r = bench(method, ds, ps, n)
            print(f"{method:10} {f'{ds}/{ps}':6} {s:12.1f} {o:14.1f} {r:25.1f}")


if __name__ == "__main__":
    main()
