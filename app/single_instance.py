"""One KCP Desk per user and config directory: a second launch hands its request to the first.

Two copies over the same profiles would each think they own the tunnels: the second shows the
first's running tunnels as stopped, and starting one there fails on a port the first holds.
So the first copy listens on a local socket (``QLocalServer``: a Unix socket in
``$XDG_RUNTIME_DIR`` or the temp directory, a named pipe on Windows) whose name is derived
from the user and the config directory; a later ``kcpdesk`` (or ``kcpdesk --start NAME`` /
``--stop NAME``) connects, sends one request, prints the answer and exits. ``--basedir``
and ``$KCPDESK_CONFIG_DIR`` give another name, so tests and portable installs run side by
side.

The protocol is one JSON object per line each way::

    -> {"cmd": "show"}                 <- {"ok": true, "message": "..."}
    -> {"cmd": "start", "name": "vps"}  <- {"ok": false, "message": "no profile named ..."}

A crash leaves the Unix socket file behind. Listening then fails with "address in use"; if
nothing answers a connection on it, the file is stale and is removed before listening again,
so a crash never blocks the next start.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QByteArray, QObject
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

__all__ = ["InstanceServer", "Reply", "Request", "instance_key", "send_request"]

Request = dict[str, Any]
Reply = dict[str, Any]
Handler = Callable[[Request], Awaitable[Reply]]
Spawn = Callable[[Coroutine[Any, Any, Any]], Any]

CONNECT_TIMEOUT_MS: Final = 1000  # a live instance accepts at once; a stale socket refuses
REPLY_TIMEOUT_MS: Final = 20000  # "start" waits for the tunnel (name resolution: up to 5 s)
MAX_REQUEST: Final = 64 * 1024  # bytes; a request is one short line


def instance_key(
    config_dir: Path, user: str | None = None, env: Mapping[str, str] | None = None
) -> str:
    """The local socket's name for this user and config directory.

    Hashed, because a path may hold characters a socket or pipe name cannot, and Unix
    socket paths are limited to about 100 bytes. On Unix the socket goes in the user's
    private runtime directory (``$XDG_RUNTIME_DIR``, mode 0700) when there is one, else in
    the temp directory under a name with the user's in it.
    """
    try:
        who = user if user is not None else getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (containers)
        who = "user"
    digest = hashlib.sha256(f"{who}\0{config_dir.resolve()}".encode()).hexdigest()[:16]
    safe_user = "".join(c for c in who if c.isalnum())[:16] or "user"
    name = f"kcpdesk-{safe_user}-{digest}"
    runtime = (os.environ if env is None else env).get("XDG_RUNTIME_DIR", "")
    if os.name == "posix" and runtime and Path(runtime).is_dir():
        return str(Path(runtime) / name)
    return name


def _encode(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=True).encode() + b"\n"


def _decode(data: bytes) -> dict[str, Any] | None:
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def send_request(
    key: str, request: Request, *, reply_timeout_ms: int = REPLY_TIMEOUT_MS
) -> Reply | None:
    """Hand ``request`` to the running instance; its reply, or None when none is running.

    Blocking on purpose: it runs before this process's event loop exists, and a second
    launch has nothing else to do meanwhile.
    """
    sock = QLocalSocket()
    sock.connectToServer(key)
    if not sock.waitForConnected(CONNECT_TIMEOUT_MS):
        return None
    sock.write(QByteArray(_encode(request)))
    sock.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    buf = b""
    while b"\n" not in buf:
        if not sock.waitForReadyRead(reply_timeout_ms):
            break
        buf += bytes(sock.readAll().data())
    sock.disconnectFromServer()
    reply = _decode(buf.split(b"\n", 1)[0]) if b"\n" in buf else None
    if reply is None:
        return {"ok": False, "message": "the running KCP Desk did not answer in time"}
    return reply


class InstanceServer(QObject):
    """The first instance's end: accepts requests and answers each with ``handler``'s reply."""

    def __init__(self, key: str, handler: Handler, spawn: Spawn, parent: QObject | None = None):
        super().__init__(parent)
        self.key = key
        self._handler = handler
        self._spawn = spawn
        self._server = QLocalServer(self)
        # no UserAccessOption: with it Qt's listen() renames its socket over an existing
        # one, so a second instance would silently take the name from a live first one.
        # Access: the runtime directory is the user's alone (else the umask's mode applies).
        self._server.newConnection.connect(self._on_new_connection)

    def listen(self) -> bool:
        """Take the name; a stale socket left by a crash is removed first. False when another
        live instance holds it (the caller should have asked ``send_request`` before)."""
        if self._server.listen(self.key):
            return True
        if self._server.serverError() != QAbstractSocket.SocketError.AddressInUseError:
            log.warning("single instance: cannot listen: %s", self._server.errorString())
            return False
        probe = QLocalSocket()
        probe.connectToServer(self.key)
        if probe.waitForConnected(CONNECT_TIMEOUT_MS):
            probe.disconnectFromServer()
            return False
        log.info("single instance: removing the stale socket %s (a crash left it)", self.key)
        QLocalServer.removeServer(self.key)
        if self._server.listen(self.key):
            return True
        log.warning("single instance: cannot listen: %s", self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            buf = bytearray()

            def on_ready(s: QLocalSocket = sock, b: bytearray = buf) -> None:
                self._on_ready_read(s, b)

            sock.readyRead.connect(on_ready)
            sock.disconnected.connect(sock.deleteLater)
            if sock.bytesAvailable():
                on_ready()

    def _on_ready_read(self, sock: QLocalSocket, buf: bytearray) -> None:
        buf += bytes(sock.readAll().data())
        if b"\n" not in buf and len(buf) < MAX_REQUEST:
            return
        request = _decode(bytes(buf).split(b"\n", 1)[0])
        buf.clear()
        sock.readyRead.disconnect()
        if request is None:
            self._answer(sock, {"ok": False, "message": "not a KCP Desk request"})
            return
        self._spawn(self._serve(sock, request))

    async def _serve(self, sock: QLocalSocket, request: Request) -> None:
        try:
            reply = await self._handler(request)
        except Exception as exc:  # a bad request must not take the running app down
            log.exception("single instance: handling %r", request)
            reply = {"ok": False, "message": f"{type(exc).__name__}: {exc}"}
        self._answer(sock, reply)

    @staticmethod
    def _answer(sock: QLocalSocket, reply: Reply) -> None:
        if sock.state() == QLocalSocket.LocalSocketState.ConnectedState:
            sock.write(QByteArray(_encode(reply)))
            sock.flush()
            sock.disconnectFromServer()
