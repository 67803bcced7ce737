"""The datagram layer under KCP: FEC framing plus the packet crypt.

::

    send:    KCP packet -> FecEncoder (data packet + parity when a group completes)
                        -> PacketCrypt.seal -> datagrams
    receive: datagram -> PacketCrypt.open -> FEC flag? -> data payload now, recovered later

The crypt (``kcpcore.packetcrypt``) is kcptun's nonce 16 | crc32 4 header under a cipher, the
aes-128-gcm AEAD (nonce 12 | ciphertext | tag 16), or nothing at all (``--crypt null``).

Every outgoing KCP packet becomes one data datagram (and, every ``datashard`` packets, the
group's parity datagrams). Incoming FEC headers are always recognised and stripped, even when
our own FEC is off, because kcp-go accepts FEC from a peer whatever its own setting is.
"""

from __future__ import annotations

from .crypt import CRYPT_HEADER_SIZE, BlockCrypt
from .errors import AuthFailed, MalformedPacket
from .fec import (
    FEC_HEADER_SIZE_PLUS2,
    TYPE_DATA,
    TYPE_PARITY,
    AdaptiveParity,
    FecDecoder,
    FecEncoder,
    ParitySender,
    data_payload,
    fec_flag,
    fec_seqid,
)
from .packetcrypt import PacketCrypt, as_packet_crypt
from .replay import ReplayedPacket
from .segment import IKCP_OVERHEAD
from .snmp import Snmp


def header_reserve(
    datashard: int, parityshard: int, crypt_overhead: int = CRYPT_HEADER_SIZE
) -> int:
    """Bytes KCP must leave free in each ``mtu`` for the outer headers (kcp-go headerSize).

    ``crypt_overhead`` is the crypt's ``overhead``: 20 (nonce + CRC), 28 (aes-128-gcm) or 0
    (null); with FEC the 8-byte FEC header comes on top.
    """
    return crypt_overhead + (FEC_HEADER_SIZE_PLUS2 if fec_enabled(datashard, parityshard) else 0)


def fec_enabled(datashard: int, parityshard: int) -> bool:
    return datashard > 0 and parityshard > 0


class PacketCodec:
    """Seals KCP packets into datagrams and opens datagrams back into KCP packets."""

    def __init__(
        self,
        *,
        crypt: BlockCrypt | PacketCrypt,
        datashard: int,
        parityshard: int,
        snmp: Snmp,
        fec_adaptive: bool = False,
        sender: ParitySender | None = None,
    ) -> None:
        self.crypt = as_packet_crypt(crypt)
        self.reserve = header_reserve(datashard, parityshard, self.crypt.overhead)
        """bytes of each datagram that are not KCP: crypt overhead + FEC header"""
        self.snmp = snmp
        on = fec_enabled(datashard, parityshard)
        # KCP Desk only: send only the parity the measured loss needs (fec.AdaptiveParity)
        self.adaptive = (
            AdaptiveParity(datashard, parityshard, sender=sender) if on and fec_adaptive else None
        )
        self.encoder = FecEncoder(datashard, parityshard, adaptive=self.adaptive) if on else None
        # kcp-go builds a (1,1) decoder on the fly when FEC arrives at a session without one;
        # a (1,1) decoder never recovers anything, so with FEC off we strip headers only.
        self.decoder = FecDecoder(datashard, parityshard, snmp) if on else None

    def seal(self, kcp_packet: bytes) -> list[bytes]:
        """Datagrams for one KCP packet (parity datagrams follow when a group completes)."""
        seal = self.crypt.seal
        if self.encoder is None:
            out = [seal(kcp_packet)]
        else:
            out = [seal(p) for p in self.encoder.encode(kcp_packet)]
        snmp = self.snmp
        snmp.out_pkts += len(out)
        snmp.out_bytes += sum(map(len, out))
        return out

    def open(self, datagram: bytes, now_ms: int) -> tuple[bytes | None, list[bytes]]:
        """Decrypt, check and unframe one datagram: ``split(decrypt(datagram))``."""
        return self.split(self.decrypt(datagram), now_ms)

    def decrypt(self, datagram: bytes) -> bytes:
        """The body inside the crypt layer. Raises ``AuthFailed`` (counted as InCsumErrors),
        ``ReplayedPacket`` (an AEAD nonce seen before, counted as InErrs) or ``MalformedPacket``;
        never anything else."""
        try:
            body = self.crypt.open(datagram)
        except AuthFailed:
            self.snmp.in_csum_errors += 1
            raise
        except ReplayedPacket:
            self.snmp.in_errs += 1
            raise
        if len(body) < IKCP_OVERHEAD:
            raise MalformedPacket(f"packet: {len(body)} bytes after the crypt header")
        return body

    def split(self, body: bytes, now_ms: int) -> tuple[bytes | None, list[bytes]]:
        """Returns ``(kcp_packet or None, recovered)``: the body's own KCP bytes (None for a
        parity packet), and the KCP packets FEC rebuilt with its help.

        Raises ``MalformedPacket`` for a body shorter than a KCP header: ``decrypt`` already
        refuses those, but ``split`` is public and must not index past a short buffer.
        """
        if len(body) < IKCP_OVERHEAD:
            raise MalformedPacket(f"packet: {len(body)}-byte body is shorter than a KCP header")
        snmp = self.snmp
        snmp.in_pkts += 1
        snmp.in_bytes += len(body)
        flag = fec_flag(body)
        if flag != TYPE_DATA and flag != TYPE_PARITY:
            return body, []
        decoder = self.decoder
        if decoder is None:
            if flag == TYPE_PARITY:
                snmp.fec_parity_shards += 1
                return None, []
            return data_payload(body), []
        if flag == TYPE_DATA:
            adaptive = self.adaptive
            if adaptive is not None:
                adaptive.on_peer_data(
                    fec_seqid(body),
                    now_ms,
                    decoder.data_shards,
                    decoder.data_shards + decoder.parity_shards,
                )
            return data_payload(body), decoder.decode(body, now_ms)
        return None, decoder.decode(body, now_ms)


def peek_conv(body: bytes) -> tuple[int, int] | None:
    """(conv, sn) of the first KCP segment of a decrypted body, or None for a parity packet.

    The server uses it to route a datagram to a session, as kcp-go's Listener does. A body
    too short to hold a segment is None too, never an IndexError.
    """
    if len(body) < IKCP_OVERHEAD:
        return None
    flag = fec_flag(body)
    if flag == TYPE_PARITY:
        return None
    off = FEC_HEADER_SIZE_PLUS2 if flag == TYPE_DATA else 0
    if len(body) < off + IKCP_OVERHEAD:
        return None
    return (
        int.from_bytes(body[off : off + 4], "little"),
        int.from_bytes(body[off + 12 : off + 16], "little"),
    )
