"""Server-side demultiplexing of one UDP port into KCP sessions (kcp-go Listener rules).

* A datagram is decrypted and CRC-checked once, here; failures are counted and dropped.
* Sessions are keyed by the remote ``ip:port``. An unknown address opens a session if the
  datagram carries a KCP segment (raw, or an FEC *data* packet); parity packets cannot open
  sessions.
* Backlog: a session is *pending* until KCP has delivered its first in-order byte (a real
  client's first datagram carries sn 0, its first smux frame). At most ``ACCEPT_BACKLOG``
  sessions are pending; a new one evicts the oldest pending one. Datagrams with the right key
  but a made-up conv or sn (or replayed from new source ports) therefore hold at most that
  many sessions, however many source addresses they come from, and a real client that opens
  meanwhile still gets in. (kcp-go's backlog is its accept channel, which kcptun drains at
  once, so there the table grows with every source address until smux's keepalive timeout.)
* A known address with a different conv replaces its session only if the first segment's
  sn is 0 (the peer restarted); otherwise the datagram is dropped.
* Replay (KCP Desk only; kcp-go has none): a conv that opened a session here never opens
  one from another address (the last ``CONV_MEMORY`` convs are remembered with their
  address). Clients draw a fresh random conv for every session, so only a replayed or
  NAT-rebound old session is refused, and both are dead to kcp-go anyway (their sn is past a
  new session's window). Captured datagrams sent again from new source ports are counted in
  InErrs. The same address may reopen its conv, as with kcp-go: after a protocol error the
  peer's next frames then reach it and say why (e.g. a compression mismatch).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable

from .crypt import BlockCrypt
from .errors import MalformedPacket
from .packet import PacketCodec, peek_conv
from .packetcrypt import PacketCrypt
from .session import KcpSession, SessionParams
from .snmp import Snmp

log = logging.getLogger(__name__)

ACCEPT_BACKLOG = 128  # kcp-go chAccepts capacity
CONV_MEMORY = 65536  # convs remembered against replay (~5 MB at most)


class ServerDemux:
    """Routes datagrams from many peers to their sessions; sans-I/O."""

    def __init__(
        self, *, crypt: BlockCrypt | PacketCrypt, params: SessionParams, max_sessions: int = 65536
    ) -> None:
        self.crypt = crypt
        self.params = params
        self.snmp = Snmp()  # drops that belong to no session
        self._codec = PacketCodec(crypt=crypt, datashard=0, parityshard=0, snmp=self.snmp)
        self.sessions: dict[Hashable, KcpSession] = {}
        self.max_sessions = max_sessions
        self._pending: dict[Hashable, None] = {}  # addr, oldest first: no byte delivered yet
        self.evicted = 0
        """pending sessions dropped to make room for newer ones"""
        self._convs: dict[int, Hashable] = {}  # conv -> the address it opened from, oldest first
        self.replays = 0
        """datagrams refused because their conv already had a session from another address"""
        self.on_close: Callable[[Hashable, KcpSession], None] | None = None

    def route(self, data: bytes, addr: Hashable, now: float) -> tuple[KcpSession, bool] | None:
        """Deliver one datagram. Returns ``(session, is_new)``, or None if it was dropped."""
        try:
            body = self._codec.decrypt(data)
        except MalformedPacket:
            return None
        ident = peek_conv(body)
        sess = self.sessions.get(addr)
        if sess is not None:
            if ident is None or ident[0] == sess.conv:
                sess.receive_body(body, now)
                if addr in self._pending and sess.received_in_order():
                    del self._pending[addr]
                return sess, False
            if ident[1] != 0:
                return None
            log.info("peer %s restarted (conv %08x -> %08x)", addr, sess.conv, ident[0])
            self.remove(addr)
        if ident is None:
            return None
        conv = ident[0]
        if self._convs.get(conv, addr) != addr:
            self.replays += 1
            self.snmp.in_errs += 1
            return None
        if len(self._pending) >= ACCEPT_BACKLOG:
            self.evicted += 1
            self.remove(next(iter(self._pending)))
        if len(self.sessions) >= self.max_sessions:
            self.snmp.in_errs += 1
            return None
        self._convs[conv] = addr
        if len(self._convs) > CONV_MEMORY:
            del self._convs[next(iter(self._convs))]
        sess = KcpSession(conv=conv, crypt=self.crypt, params=self.params, now=now)
        sess.snmp.passive_opens += 1
        self.sessions[addr] = sess
        sess.receive_body(body, now)
        if not sess.received_in_order():
            self._pending[addr] = None
        return sess, True

    @property
    def pending_accepts(self) -> int:
        """Sessions that have not delivered a byte yet (see the backlog rule above)."""
        return len(self._pending)

    def remove(self, addr: Hashable) -> None:
        self._pending.pop(addr, None)
        sess = self.sessions.pop(addr, None)
        if sess is not None:
            sess.close()
            if self.on_close is not None:
                self.on_close(addr, sess)
