"""A thread relaying UDP between tunnel ends with seeded random loss each way (any process)."""

from __future__ import annotations

import contextlib
import random
import selectors
import socket
import threading
from typing import Any


class LossyUdpRelay:
    """Clients send to ``port``; each client address gets its own upstream socket to the
    server. ``loss`` of the datagrams is dropped in each direction."""

    def __init__(self, server: tuple[str, int], loss: float, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.loss = loss
        self.server = server
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind(("127.0.0.1", 0))
        self.port: int = self.front.getsockname()[1]
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.front, selectors.EVENT_READ, None)
        self.upstream: dict[Any, socket.socket] = {}
        self.counts = {"forwarded": 0, "lost": 0}
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _pass(self) -> bool:
        if self.rng.random() < self.loss:
            self.counts["lost"] += 1
            return False
        self.counts["forwarded"] += 1
        return True

    def _run(self) -> None:
        while not self._stop:
            for key, _ in self.sel.select(0.2):
                sock: socket.socket = key.fileobj  # type: ignore[assignment]
                try:
                    data, addr = sock.recvfrom(65536)
                except OSError:
                    continue
                if key.data is None:  # from a client
                    up = self.upstream.get(addr)
                    if up is None:
                        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        up.connect(self.server)
                        self.upstream[addr] = up
                        self.sel.register(up, selectors.EVENT_READ, addr)
                    if self._pass():
                        with contextlib.suppress(OSError):
                            up.send(data)
                elif self._pass():
                    with contextlib.suppress(OSError):
                        self.front.sendto(data, key.data)

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        for s in [self.front, *self.upstream.values()]:
            s.close()
        self.sel.close()
