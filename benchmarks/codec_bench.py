"""Per-packet cost of the datagram layer (packet crypt + FEC) at kcptun's default MTU.

For each crypt method: seal = FEC encode + crypt layer per KCP packet (parity shards
amortised over the group); open = crypt layer + FEC unframe per datagram; rebuild = FEC
decode of one lost data shard from a 10/3 group. The crypt layer is nonce/CRC + cipher for
kcptun 2021's 13 methods, nonce + AES-GCM + tag for aes-128-gcm (with the replay filter on,
as the tunnel runs it) and nothing for null. ``--qpp`` adds the QPP stream codec's MB/s.

    python3 benchmarks/codec_bench.py [--crypts aes,aes-128-gcm] [--packets 3000] [--qpp]
        [--repeat 5]

Every figure is the best of ``--repeat`` runs: on a shared machine the minimum is the cost of
the code, the rest is other processes' noise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kcpcore.fec import FecDecoder
from kcpcore.packet import PacketCodec
from kcpcore.packetcrypt import PACKET_METHODS, new_packet_crypt
from kcpcore.qpp import KEYSTREAM_CACHE_WORDS, QppDecoder, QppEncoder, qpp_pads
from kcpcore.snmp import Snmp

MTU = 1350


def bench(method: str, ds: int, ps: int, packets: int) -> tuple[float, float, float]:
    tx = PacketCodec(
        crypt=new_packet_crypt(method, "it's a secrect"), datashard=ds, parityshard=ps, snmp=Snmp()
    )
    rx = PacketCodec(
        crypt=new_packet_crypt(method, "it's a secrect"), datashard=ds, parityshard=ps, snmp=Snmp()
    )
    kcp_len = MTU - tx.reserve
    payloads = [os.urandom(kcp_len) for _ in range(64)]
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
        opener = new_packet_crypt(method, "it's a secrect", replay_window=None)
        bodies = [opener.open(d) for d in datagrams]
        group = ds + ps
        groups = len(bodies) // group
        dec = FecDecoder(ds, ps, Snmp())
        t0 = time.perf_counter()
        for g in range(groups):
            for j, body in enumerate(bodies[g * group : (g + 1) * group]):
                if j != 0:  # lose the first data shard of every group
                    dec.decode(body, g)
        t_rebuild = (time.perf_counter() - t0) / max(1, groups)
    return t_seal * 1e6, t_open * 1e6, t_rebuild * 1e6


def bench_qpp(count: int, chunk: int) -> tuple[float, float, float, float, float]:
    """(pad build s, encrypt and decrypt MB/s in a stream's first 4 MB (shared keystream
    cache, warm as in a running tunnel), encrypt and decrypt MB/s past them)."""
    seed = b"it's a secrect"
    qpp_pads.cache_clear()
    t0 = time.perf_counter()
    qpp_pads(seed, count)
    t_pads = time.perf_counter() - t0
    span = KEYSTREAM_CACHE_WORDS * 8
    data = os.urandom(chunk)
    QppEncoder(seed, count).encrypt(bytes(span))  # warm the shared cache
    rates = []
    for codec in (QppEncoder(seed, count).encrypt, QppDecoder(seed, count).decrypt):
        for _half in range(2):  # inside the cache, then past it
            t0 = time.perf_counter()
            for _ in range(span // chunk):
                codec(data)
            rates.append(span // chunk * chunk / (time.perf_counter() - t0) / 1e6)
    return t_pads, rates[0], rates[2], rates[1], rates[3]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crypts", default=",".join(PACKET_METHODS))
    ap.add_argument("--packets", type=int, default=3000)
    ap.add_argument("--qpp", action="store_true", help="also time the QPP stream codec")
    ap.add_argument("--repeat", type=int, default=5, help="runs per figure (best is shown)")
    args = ap.parse_args()
    print(
        f"{'crypt':11} {'fec':6} {'seal us/pkt':>12} {'open us/dgram':>14} "
        f"{'group decode us (1 lost)':>25}"
    )
    for method in args.crypts.split(","):
        slow = method in ("tea", "xtea", "salsa20")
        n = args.packets // 10 if slow else args.packets
        for ds, ps in ((10, 3), (0, 0)):
            runs = [bench(method, ds, ps, n) for _ in range(args.repeat)]
            s, o, r = (min(col) for col in zip(*runs, strict=True))
            print(f"{method:11} {f'{ds}/{ps}':6} {s:12.1f} {o:14.1f} {r:25.1f}")
    if args.qpp:
        print(
            f"\n{'QPPCount':8} {'pads s':>7} {'chunk':>6} {'enc MB/s':>9} {'dec MB/s':>9} "
            f"{'enc >4MB':>9} {'dec >4MB':>9}"
        )
        for count in (7, 61):
            for chunk in (1400, 32768):
                qruns = [bench_qpp(count, chunk) for _ in range(args.repeat)]
                best = [min(r[0] for r in qruns)] + [max(r[i] for r in qruns) for i in range(1, 5)]
                print(
                    f"{count:8} {best[0]:7.2f} {chunk:6} " + " ".join(f"{v:9.1f}" for v in best[1:])
                )


if __name__ == "__main__":
    main()
