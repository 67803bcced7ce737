"""kcp-go's FEC framing (v5.6.1 fec.go, autotune.go; PROTOCOL.md 2.1, 2.2 and 4).

Offsets are relative to the bytes after the 20-byte crypt header; little-endian throughout::

    data packet                                  parity packet
    0      4      6       8                      0      4      6
    +------+------+-------+---------------+      +------+------+------------------+
    |seqid | 0xF1 | size  | KCP bytes ... |      |seqid | 0xF2 | RS parity (L)    |
    | u32  | u16  | u16   |  (size - 2)   |      | u32  | u16  |                  |
    +------+------+-------+---------------+      +------+------+------------------+
                  |<-- shard j ---------->|

Group = seqid // (ds+ps), index = seqid % (ds+ps): indices < ds are data, the rest parity.
Shard j is the data packet from its size field on, zero-padded to L = the longest shard of
the group; the ps parity packets follow the ds-th data packet at once. Data seqids advance
mod 2**32, parity seqids mod ``paws`` (the largest multiple of ds+ps below 2**32), so the
wrap only ever happens at a group boundary.

The decoder gives back only the packets FEC *rebuilt*: every data packet that arrives is
already handed to KCP by the caller (``data_payload``), exactly as kcp-go does.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Protocol

from .errors import ConfigError, LocalProtocolError, MalformedPacket
from .rs import ReedSolomon, check_shard_counts
from .snmp import Snmp

FEC_HEADER_SIZE = 6  # seqid u32 + flag u16; kcp-go fecHeaderSize
FEC_HEADER_SIZE_PLUS2 = 8  # + the size u16 of data packets; kcp-go fecHeaderSizePlus2
TYPE_DATA = 0xF1  # kcp-go typeData
TYPE_PARITY = 0xF2  # kcp-go typeParity
FEC_EXPIRE = 60_000  # ms an entry may wait in the rx queue; kcp-go fecExpire
RX_FEC_MULTI = 3  # rx queue holds RX_FEC_MULTI * (ds+ps) packets; kcp-go rxFECMulti
MAX_AUTOTUNE_SAMPLES = 258  # ring of (flag, seqid) samples; kcp-go maxAutoTuneSamples
# KCP Desk: autotune follows a peer's layout only up to this many shards per group (or the
# configured layout, if larger). kcp-go follows any ds + ps <= 256, so a peer holding the key
# could make every group cost a 128x128 GF(256) inversion (~280 ms of our event loop per new
# loss pattern). A peer beyond the cap keeps its data flowing; only FEC recovery stops.
AUTOTUNE_MAX_SHARDS = 64
MAX_SIZE_FIELD = 0xFFFF  # the size field is a u16 that counts itself

_U32 = 0xFFFFFFFF
_HALF = 0x80000000

FEC_HEADER = struct.Struct("<IH")  # seqid, flag
DATA_HEADER = struct.Struct("<IHH")  # seqid, flag, size
_SIZE = struct.Struct("<H")


def fec_flag(body: bytes | bytearray | memoryview) -> int:
    """The u16 at offset 4 after the crypt header (0 if too short).

    0xF1/0xF2 mean FEC; raw KCP has cmd (81-84) and frg there, so they never collide.
    """
    if len(body) < FEC_HEADER_SIZE:
        return 0
    return body[4] | (body[5] << 8)


def fec_seqid(body: bytes | bytearray | memoryview) -> int:
    """The u32 FEC sequence id at offset 0 (the caller checked the header is there)."""
    return int(FEC_HEADER.unpack_from(body)[0])


def data_payload(packet: bytes | bytearray | memoryview, *, strict: bool = False) -> bytes:
    """The KCP bytes of an FEC data packet.

    kcp-go (sess.go kcpInput) passes ``packet[8:]`` to KCP and ignores the size field of
    arriving data packets; that is the default here. ``strict=True`` instead returns
    ``packet[8:8+size-2]`` and rejects a size field outside ``2 <= size <= len(packet)-6``.

    Raises:
        MalformedPacket: shorter than the 8-byte header, or (strict) a bad size field.
    """
    n = len(packet)
    if n < FEC_HEADER_SIZE_PLUS2:
        raise MalformedPacket(f"fec: short data packet ({n} bytes)")
    if not strict:
        return bytes(packet[FEC_HEADER_SIZE_PLUS2:])
    size = packet[6] | (packet[7] << 8)
    if size < 2 or FEC_HEADER_SIZE + size > n:
        raise MalformedPacket(f"fec: bad size field {size} in a {n}-byte packet")
    return bytes(packet[FEC_HEADER_SIZE_PLUS2 : FEC_HEADER_SIZE + size])


def paws_for(data_shards: int, parity_shards: int) -> int:
    """kcp-go's Protect-Against-Wrapped-Sequence modulus: 0xFFFFFFFF // (ds+ps) * (ds+ps)."""
    total = data_shards + parity_shards
    return (_U32 // total) * total


class FecEncoder:
    """Adds FEC headers to outgoing KCP packets and emits parity after every ds-th packet."""

    __slots__ = (
        "_max",
        "_next",
        "_paws",
        "_rs",
        "_shards",
        "adaptive",
        "data_shards",
        "parity_sent",
        "parity_shards",
        "parity_skipped",
    )

    def __init__(
        self,
        data_shards: int,
        parity_shards: int,
        *,
        next_seqid: int = 0,
        adaptive: AdaptiveParity | None = None,
    ) -> None:
        """``next_seqid`` (default 0, as kcp-go) lets tests start near the wrap; it must be a
        group boundary below ``paws``.

        ``adaptive`` (KCP Desk only): each completed group sends only the first
        ``adaptive.count()`` of its parity shards. The skipped ones still use up their seqids,
        so to any kcp-go receiver they look exactly like parity the link lost.
        """
        check_shard_counts(data_shards, parity_shards)
        self.adaptive = adaptive
        self.parity_sent = 0
        self.parity_skipped = 0
        self.data_shards = data_shards
        self.parity_shards = parity_shards
        self._rs = ReedSolomon(data_shards, parity_shards)
        self._paws = paws_for(data_shards, parity_shards)
        if not 0 <= next_seqid < self._paws or next_seqid % (data_shards + parity_shards):
            raise ConfigError(
                f"fec: next_seqid {next_seqid} is not a group start below paws", field="next_seqid"
            )
        self._next = next_seqid
        self._shards: list[bytes] = []
        self._max = 0

    @property
    def next_seqid(self) -> int:
        """The seqid the next outgoing packet will carry."""
        return self._next

    def encode(self, kcp_bytes: bytes | bytearray | memoryview) -> list[bytes]:
        """``[data packet]``, plus the group's ps parity packets when it completes a group.

        Raises:
            LocalProtocolError: the packet does not fit the u16 size field.
        """
        size = len(kcp_bytes) + 2
        if size > MAX_SIZE_FIELD:
            raise LocalProtocolError(f"fec: {size - 2}-byte KCP packet overflows the size field")
        seqid = self._next
        self._next = (seqid + 1) & _U32  # data never wraps at paws (kcp-go markData)
        packet = DATA_HEADER.pack(seqid, TYPE_DATA, size) + kcp_bytes
        shards = self._shards
        shards.append(packet[FEC_HEADER_SIZE:])
        if size > self._max:
            self._max = size
        if len(shards) < self.data_shards:
            return [packet]
        longest = self._max
        self._shards = []
        self._max = 0
        out = [packet]
        paws = self._paws
        nxt = self._next
        ps = self.parity_shards
        count = ps if self.adaptive is None else self.adaptive.count()
        if count:
            padded = [s if len(s) == longest else s.ljust(longest, b"\0") for s in shards]
            for parity in self._rs.encode(padded, count):
                out.append(FEC_HEADER.pack(nxt, TYPE_PARITY) + parity)
                nxt = (nxt + 1) % paws  # kcp-go markParity: the only place seqids wrap
            self.parity_sent += count
        if count < ps:  # skipped parity keeps its seqids: the numbering stays kcp-go's
            self.parity_skipped += ps - count
            for _ in range(ps - count):
                nxt = (nxt + 1) % paws
        self._next = nxt
        return out


def residual_loss(data_shards: int, parity: int, loss: float) -> float:
    """P(a group of ``data_shards`` + ``parity`` shards loses more than ``parity`` of them)
    when each shard is lost independently with probability ``loss``: what FEC cannot rebuild."""
    n = data_shards + parity
    ok = 0.0
    term = (1.0 - loss) ** n  # P(0 lost)
    for i in range(parity + 1):
        ok += term
        if loss >= 1.0:
            break
        term *= (n - i) / (i + 1) * loss / (1.0 - loss)
    return max(0.0, 1.0 - ok)


class ParitySender(Protocol):
    """What adaptive parity asks the session's sender policy (``kcpcore.sendpolicy``)."""

    def bulk_sending(self) -> bool:
        """True while the sender fills the path: parity would displace data."""
        ...

    def sender_loss(self) -> float | None:
        """Loss the sender measured on the path away from us, when trustworthy."""
        ...

    def set_wire_overhead(self, overhead: float) -> None:
        """Wire packets per data packet from now on."""
        ...


class AdaptiveParity:
    """KCP Desk only: how many of the configured parity shards each FEC group should send.

    kcp-go always sends all ``ps`` parity shards of a group: on a clean link that is 30 % of
    the wire (10/3) for nothing. A kcp-go receiver treats a parity shard that never comes
    exactly like one the link lost, so the sender may skip some, as long as the seqids of
    the skipped ones stay used (``FecEncoder`` does that) and flags stay where the numbering
    puts them (the receiver's autotune only looks when they do not).

    The loss estimate comes from the peer's own FEC stream, which both kcp-go and we send:
    its *data* seqids are contiguous (parity sits at fixed places in each group), so the
    data seqids that never arrived over a window are the path's loss, before any repair.
    It is measured on the path towards us; the path away from us gets the same estimate
    (loss is usually symmetric). When this end also paces, the pacer's retransmission rate
    counts as well while the RTT shows no queue, so loss on our direction alone still
    raises parity (less smoothly: FEC then hides part of it).

    Each group then sends the fewest parity shards ``k`` for which a group of ds + k shards
    loses more than ``k`` with probability at most ``RESIDUAL_TARGET`` (no parity at 0 %
    loss; all ``ps`` until the first estimate, and whenever loss needs more than ``ps``).
    Except when this end paces and has data waiting (a bulk transfer): the pacer then fills
    the bottleneck, every parity shard displaces a data packet, and ARQ repairs a loss with
    one resend, so no parity goes out (simulator, linkbench's profiles: 10 MB at 2 % loss
    10 % faster; 5 MB at 10 % loss as fast with 11 % fewer wire bytes).
    Cost on the hot path: a few integer operations per received data packet and one float
    comparison per ``count()`` (once per sent group).
    """

    RESIDUAL_TARGET = 0.01  # groups that FEC may leave to ARQ
    WINDOW_DATA = 64  # peer data packets per loss sample...
    FIRST_WINDOW_DATA = 16  # ...the first one (until then every group sends all parity)
    WINDOW_MS = 1000  # ...or fewer (at least one group's worth) once this much time passed
    GAIN_UP = 0.5  # EWMA weight of a sample above the estimate (react to new loss quickly)
    GAIN_DOWN = 0.125  # ...and below it (hold parity a while after loss stops)

    __slots__ = (
        "_got",
        "_hi",
        "_limits",
        "_start",
        "_t0",
        "data_shards",
        "loss",
        "parity_shards",
        "samples",
        "sender",
    )

    def __init__(
        self, data_shards: int, parity_shards: int, sender: ParitySender | None = None
    ) -> None:
        check_shard_counts(data_shards, parity_shards)
        self.data_shards = data_shards
        self.parity_shards = parity_shards
        self.loss: float | None = None  # estimated loss per packet; None until measured
        self.sender = sender  # the session's sender policy (kcpcore.sendpolicy)
        self.samples = 0
        # _limits[k]: the highest loss for which k parity shards meet the target
        self._limits = [self._limit(k) for k in range(parity_shards)]
        self._start: int | None = None  # first data seqid of the current window
        self._hi = 0
        self._got = 0
        self._t0 = 0

    def _limit(self, k: int) -> float:
        lo, hi = 0.0, 1.0
        for _ in range(40):
            mid = (lo + hi) / 2
            if residual_loss(self.data_shards, k, mid) <= self.RESIDUAL_TARGET:
                lo = mid
            else:
                hi = mid
        return lo

    def parity_for(self, loss: float) -> int:
        for k, limit in enumerate(self._limits):
            if loss <= limit:
                return k
        return self.parity_shards

    def count(self) -> int:
        """Parity shards the group being completed should send."""
        loss = self.loss
        sender = self.sender
        if sender is not None and sender.bulk_sending():
            # A paced bulk sender fills the bottleneck: every parity shard displaces a data
            # packet, while ARQ repairs a loss for one resend. Parity is spent only when the
            # sender has rate to spare (interactive traffic), where it saves a round trip.
            k = 0
        elif loss is None:
            k = self.parity_shards
        else:
            own = sender.sender_loss() if sender is not None else None
            if own is not None and own > loss:
                loss = own
            k = self.parity_for(loss)
        if sender is not None:
            sender.set_wire_overhead((self.data_shards + k) / self.data_shards)
        return k

    def on_peer_data(self, seqid: int, now_ms: int, data_shards: int, size: int) -> None:
        """A data packet from the peer arrived (``data_shards``/``size``: its group layout)."""
        start = self._start
        if start is None:
            self._start = self._hi = seqid
            self._got = 1
            self._t0 = now_ms
            return
        self._got += 1  # a late one from the window before counts here: no bias either way
        if (seqid - self._hi) & _U32 < _HALF:
            self._hi = seqid
        span = (self._hi - start) & _U32
        window = self.WINDOW_DATA if self.samples else self.FIRST_WINDOW_DATA
        if span * data_shards < window * size and (
            span < size or (now_ms - self._t0) & _U32 < self.WINDOW_MS
        ):
            return
        hi = self._hi + 1
        self._start = hi & _U32  # the next window starts right after this one
        self._t0 = now_ms
        got = self._got
        self._got = 0
        if span > 1 << 24:  # the peer restarted its numbering (or wrapped at paws)
            return
        expected = (
            (hi // size) * data_shards
            + min(hi % size, data_shards)
            - (start // size) * data_shards
            - min(start % size, data_shards)
        )
        if expected <= 0:
            return
        # below 0 when late packets of the window before arrived in this one
        sample = 1.0 - got / expected
        self.samples += 1
        loss = self.loss
        if loss is None:
            loss = sample
        else:
            loss += (sample - loss) * (self.GAIN_UP if sample > loss else self.GAIN_DOWN)
        self.loss = max(loss, 0.0)


@dataclass(slots=True)
class _Entry:
    flag: int  # TYPE_DATA or TYPE_PARITY as received
    ts: int  # ms32 when queued
    shard: bytes  # the packet from offset 6 on


class _Group:
    """The queued shards of one FEC group, kept so a packet's group is found in O(1)."""

    __slots__ = ("count", "ndata", "shards")

    def __init__(self, size: int) -> None:
        self.shards: list[bytes | None] = [None] * size
        self.count = 0  # shards present
        self.ndata = 0  # present shards whose flag is TYPE_DATA (kcp-go numDataShard)


class FecDecoder:
    """kcp-go's fecDecoder: an rx queue of FEC packets that rebuilds lost data shards.

    kcp-go keeps one slice sorted by seqid and rescans a window of it per packet. We keep
    the same sorted queue (it decides eviction and expiry order) plus a dict from group
    number to its shards, so each packet costs O(1) Python work when packets arrive in order.
    """

    TRUST_AFTER = 3  # groups of shards in a row that must fit a layout once one did not
    INFER_EVERY = 64  # packets between two runs of _infer_layout

    __slots__ = (
        "_entries",
        "_groups",
        "_max_size",
        "_next_infer",
        "_pulse_bit",
        "_pulse_seq",
        "_pulse_written",
        "_rs",
        "_rx",
        "_rxlimit",
        "_seen",
        "_size",
        "_trusted",
        "_well_placed",
        "data_shards",
        "parity_shards",
        "snmp",
    )

    def __init__(self, data_shards: int, parity_shards: int, snmp: Snmp) -> None:
        check_shard_counts(data_shards, parity_shards)
        self.snmp = snmp
        self.data_shards = data_shards
        self.parity_shards = parity_shards
        self._size = data_shards + parity_shards
        self._max_size = max(self._size, AUTOTUNE_MAX_SHARDS)
        self._rxlimit = RX_FEC_MULTI * self._size
        self._rs = ReedSolomon(data_shards, parity_shards)
        self._rx: list[int] = []  # seqids, oldest first in signed 32-bit order
        self._entries: dict[int, _Entry] = {}
        self._groups: dict[int, _Group] = {}  # seqid // (ds+ps) -> group
        self._pulse_bit = [False] * MAX_AUTOTUNE_SAMPLES
        self._pulse_seq = [0] * MAX_AUTOTUNE_SAMPLES
        self._pulse_written = [False] * MAX_AUTOTUNE_SAMPLES
        # KCP Desk: recover only with a layout the stream has confirmed (see _misplaced)
        self._trusted = True
        self._well_placed = 0
        self._seen = 0  # shards recorded, for pacing _infer_layout
        self._next_infer = 0

    @property
    def queued(self) -> int:
        """Packets waiting in the rx queue."""
        return len(self._rx)

    def decode(self, packet: bytes | bytearray | memoryview, now_ms: int) -> list[bytes]:
        """Queue one FEC packet; return the KCP payloads of data shards it let us rebuild.

        Args:
            packet: the bytes after the crypt header, flag 0xF1 or 0xF2.
            now_ms: a millisecond clock (compared mod 2**32, like kcp-go's currentMs).

        Raises:
            MalformedPacket: shorter than 8 bytes, or not an FEC flag. Nothing else.
        """
        n = len(packet)
        if n < FEC_HEADER_SIZE_PLUS2:
            raise MalformedPacket(f"fec: short packet ({n} bytes)")
        seqid, flag = FEC_HEADER.unpack_from(packet)
        if flag == TYPE_DATA:
            is_data = True
        elif flag == TYPE_PARITY:
            is_data = False
            self.snmp.fec_parity_shards += 1
        else:
            raise MalformedPacket(f"fec: flag {flag:#06x} is not FEC")

        if self._misplaced(seqid, is_data) or not self._trusted:
            return []

        entries = self._entries
        if seqid in entries:  # duplicate
            return []
        rx = self._rx
        pos = len(rx)
        while pos and ((seqid - rx[pos - 1]) & _U32) >= _HALF:  # until an older seqid
            pos -= 1
        rx.insert(pos, seqid)
        shard = bytes(packet[FEC_HEADER_SIZE:])
        entries[seqid] = _Entry(flag, now_ms & _U32, shard)
        recovered = self._add_to_group(seqid, shard, is_data)

        if len(rx) > self._rxlimit:
            old = self._pop_oldest()
            if old.flag == TYPE_DATA:
                self.snmp.fec_short_shards += 1
        self._expire(now_ms & _U32)
        return recovered

    def _misplaced(self, seqid: int, is_data: bool) -> bool:
        """Record the shard for autotune; True when its flag does not fit its place.

        kcp-go: try to retune, then drop the packet if its flag still does not fit its
        place; a misplaced shard would make its group rebuild garbage. KCP Desk goes
        further: a layout that misplaces any shard is not trusted until ``TRUST_AFTER``
        groups' worth of shards in a row fit it. Until then nothing is queued or rebuilt:
        with a wrong layout, shards of different peer groups that happen to fit would
        "rebuild" garbage, and garbage that keeps the conv reaches KCP as data (issue 11's
        5/5-vs-10/3 corruption: the peer's adaptive parity leaves kcp-go's tuner, which
        needs whole parity runs, stuck on the wrong layout).
        """
        i = seqid % MAX_AUTOTUNE_SAMPLES
        self._pulse_bit[i] = is_data
        self._pulse_seq[i] = seqid
        self._pulse_written[i] = True
        self._seen += 1
        if (seqid % self._size < self.data_shards) == is_data:
            self._well_placed += 1
            if not self._trusted and self._well_placed >= self.TRUST_AFTER * self._size:
                self._trusted = True
            return False
        self._well_placed = 0
        self._trusted = False
        retuned = self._autotune(seqid)
        return not retuned or (seqid % self._size < self.data_shards) != is_data

    def _add_to_group(self, seqid: int, shard: bytes, is_data: bool) -> list[bytes]:
        """File the shard in its group; the data shards rebuilt once the group can be."""
        size = self._size
        gnum = seqid // size
        group = self._groups.get(gnum)
        if group is None:
            group = self._groups[gnum] = _Group(size)
        group.shards[seqid - gnum * size] = shard
        group.count += 1
        if is_data:
            group.ndata += 1

        recovered: list[bytes] = []
        if group.ndata == self.data_shards:
            self._free_group(gnum, group)  # nothing lost
        elif group.count >= self.data_shards:
            recovered = self._recover(group)
            self._free_group(gnum, group)
        return recovered

    def _recover(self, group: _Group) -> list[bytes]:
        """Rebuild the group's missing data shards; keep those whose size field is sane."""
        present = [s for s in group.shards if s is not None]
        longest = max(map(len, present))
        padded = [
            s if s is None or len(s) == longest else s.ljust(longest, b"\0") for s in group.shards
        ]
        try:
            data = self._rs.reconstruct(padded)
        except (MalformedPacket, ValueError):  # kcp-go: ReconstructData error, nothing back
            return []
        out: list[bytes] = []
        for k in range(self.data_shards):
            if group.shards[k] is not None:
                continue
            r = data[k]
            sz = r[0] | (r[1] << 8) if len(r) >= 2 else 0
            if 2 <= sz <= len(r):
                out.append(r[2:sz])
            else:
                self.snmp.fec_errs += 1
        return out

    def _free_group(self, gnum: int, group: _Group) -> None:
        base = gnum * self._size
        members = [base + k for k, s in enumerate(group.shards) if s is not None]
        rx = self._rx
        start = rx.index(members[0])
        stop = start + len(members)
        if rx[start:stop] == members:  # the usual case: a group is contiguous in the queue
            del rx[start:stop]
        else:  # only when garbage seqids broke the ordering
            for m in members:
                rx.remove(m)
        entries = self._entries
        for m in members:
            del entries[m]
        del self._groups[gnum]

    def _pop_oldest(self) -> _Entry:
        seqid = self._rx.pop(0)
        entry = self._entries.pop(seqid)
        gnum = seqid // self._size
        group = self._groups[gnum]
        group.shards[seqid - gnum * self._size] = None
        group.count -= 1
        if entry.flag == TYPE_DATA:
            group.ndata -= 1
        if not group.count:
            del self._groups[gnum]
        return entry

    def _expire(self, now: int) -> None:
        """Drop entries older than FEC_EXPIRE from the front (kcp-go stops at the first
        fresh one, as the queue is ordered by seqid, not by time)."""
        rx = self._rx
        entries = self._entries
        while rx:
            age = (now - entries[rx[0]].ts) & _U32
            if age <= FEC_EXPIRE or age >= _HALF:
                break
            self._pop_oldest()

    # -- autotune (kcp-go autotune.go): learn the peer's ds/ps when its layout disagrees ----

    def _find_period(self, bit: bool) -> int:
        """Length of the first complete run of ``bit`` in the sample ring, or <= 0."""
        bits = self._pulse_bit
        seqs = self._pulse_seq
        last_bit, last_seq = bits[0], seqs[0]
        left = 0
        for idx in range(1, MAX_AUTOTUNE_SAMPLES):
            if last_bit != bit and bits[idx] == bit and (last_seq + 1) & _U32 == seqs[idx]:
                left = idx
                break
            last_bit, last_seq = bits[idx], seqs[idx]
        right = 0
        last_bit, last_seq = bits[left], seqs[left]
        for idx in range(left + 1, MAX_AUTOTUNE_SAMPLES):
            if (last_seq + 1) & _U32 != seqs[idx]:
                return -1
            if last_bit == bit and bits[idx] != bit:
                right = idx
                break
            last_bit, last_seq = bits[idx], seqs[idx]
        return right - left

    def _autotune(self, seqid: int) -> bool:
        """Switch to the ds/ps the samples show; False means drop this packet.

        kcp-go sets the new counts before building the codec and returns early if that
        fails (ds+ps > 256), leaving a decoder that can panic later; we keep the old layout
        and only drop the packet. KCP Desk also takes kcp-go's answer only when every
        recent sample fits it, and otherwise looks for a layout that does.
        """
        data, parity = self._recent_samples(seqid)
        ds = self._find_period(True)
        ps = self._find_period(False)
        if not self._fits(ds, ps, data, parity):
            ds, ps = self._infer_layout(data, parity)
        if not (0 < ds < 256 and 0 < ps < 256) or (ds, ps) == (
            self.data_shards,
            self.parity_shards,
        ):
            return True
        if ds + ps > self._max_size:
            return False
        try:
            rs = ReedSolomon(ds, ps)
        except ConfigError:
            return False
        self.data_shards = ds
        self.parity_shards = ps
        self._size = ds + ps
        self._rxlimit = RX_FEC_MULTI * self._size
        self._rs = rs
        self._forget_queue()
        return True

    def _recent_samples(self, newest: int) -> tuple[list[int], list[int]]:
        """The data and parity seqids of the sample ring within its length of ``newest``."""
        window = MAX_AUTOTUNE_SAMPLES
        data: list[int] = []
        parity: list[int] = []
        samples = zip(self._pulse_seq, self._pulse_bit, self._pulse_written, strict=True)
        for seq, bit, written in samples:
            if written and (newest - seq) & _U32 < window:
                (data if bit else parity).append(seq)
        return data, parity

    @staticmethod
    def _fits(ds: int, ps: int, data: list[int], parity: list[int]) -> bool:
        """Every data seqid in a slot below ds of its ds+ps group, every parity one above,
        and the data seqids fill the data slots (one in eight may have lost every sample)."""
        if not (0 < ds < 256 and 0 < ps < 256):
            return False
        size = ds + ps
        slots = {seq % size for seq in data}
        return (
            max(slots, default=size) < ds
            and len(slots) >= ds - ds // 8
            and all(seq % size >= ds for seq in parity)
        )

    def _infer_layout(self, data: list[int], parity: list[int]) -> tuple[int, int]:
        """KCP Desk: the smallest layout every recent sample fits, or (0, 0).

        kcp-go's tuner needs an unbroken run of parity seqids, which a peer skipping parity
        (adaptive parity, or a lossy path) never shows; seqids of skipped parity are simply
        slots nobody filled. One pass per candidate size, so it runs at most once per
        ``INFER_EVERY`` packets, and only with enough data samples to tell layouts apart.
        """
        if self._seen < self._next_infer:
            return 0, 0
        if len(data) < MAX_AUTOTUNE_SAMPLES // 8:
            self._next_infer = self._seen + self.INFER_EVERY // 8
            return 0, 0
        self._next_infer = self._seen + self.INFER_EVERY
        span = max(data) - min(data)
        for size in range(2, min(self._max_size, span // self.TRUST_AFTER) + 1):
            ds = max(seq % size for seq in data) + 1
            if ds < size and self._fits(ds, size - ds, data, parity):
                return ds, size - ds
        return 0, 0

    def _forget_queue(self) -> None:
        """Forget the queue on a new layout (kcp-go keeps it): its shards were filed under
        the old one and would mix groups under the new."""
        self._rx.clear()
        self._entries.clear()
        self._groups = {}
