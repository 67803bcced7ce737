"""Server-side demultiplexing of one UDP port into KCP sessions (kcp-go Listener rules).

* A datagram is decrypted and CRC-checked once, here; failures are counted and dropped.
* Sessions are keyed by the remote ``ip:port``. An unknown address opens a session if the
  datagram carries a KCP segment (raw, or an FEC *data* packet), while fewer than
  ``backlog`` sessions wait to be accepted; parity packets cannot open sessions.
* A known address with a different conv replaces its session only if the first segment's
  sn is 0 (the peer restarted); otherwise the datagram is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable

from .crypt import BlockCrypt
from .errors import MalformedPacket
from .packet import PacketCodec, peek_conv
from .session import KcpSession, SessionParams
from .snmp import Snmp

log = logging.getLogger(__name__)

ACCEPT_BACKLOG = 128  # kcp-go chAccepts capacity


class ServerDemux:
    """Routes datagrams from many peers to their sessions; sans-I/O."""

    def __init__(self, *, crypt: BlockCrypt, params: SessionParams,
                 max_sessions: int = 65536) -> None:
        self.crypt = crypt
        self.params = params
        self.snmp = Snmp()  # drops that belong to no session
        self._codec = PacketCodec(crypt=crypt, datashard=0, parityshard=0, snmp=self.snmp)
        self.sessions: dict[Hashable, KcpSession] = {}
        self.max_sessions = max_sessions
        self.pending_accepts = 0
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
                return sess, False
            if ident[1] != 0:
                return None
            log.info("peer %s restarted (conv %08x -> %08x)", addr, sess.conv, ident[0])
            self.remove(addr)
        if ident is None:
            return None
        if self.pending_accepts >= ACCEPT_BACKLOG or len(self.sessions) >= self.max_sessions:
            self.snmp.in_errs += 1
            return None
        sess = KcpSession(conv=ident[0], crypt=self.crypt, params=self.params, now=now)
        sess.snmp.passive_opens += 1
        self.sessions[addr] = sess
        sess.receive_body(body, now)
        return sess, True

    def remove(self, addr: Hashable) -> None:
        sess = self.sessions.pop(addr, None)
        if sess is not None:
            sess.close()
            if self.on_close is not None:
                self.on_close(addr, sess)
