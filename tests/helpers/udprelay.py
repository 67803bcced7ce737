"""The demo's ``LossyRelay`` on its own asyncio loop in a thread, for tests whose tunnel ends
are other processes (so no test loop is there to run it)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from app.demo.relay import LossyRelay


class LossyUdpRelay:
    """Clients send to ``port``; each client address gets its own upstream socket to the
    server. ``loss`` of the datagrams is dropped in each direction; ``impair`` passes any other
    ``LossyRelay`` option."""

    def __init__(self, server: tuple[str, int], loss: float, seed: int = 1, **impair: Any) -> None:
        self.relay = LossyRelay(server, loss=loss, seed=seed, **impair)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.port: int = self._call(self.relay.start())

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(5)

    @property
    def counts(self) -> dict[str, int]:
        return self.relay.counts

    def close(self) -> None:
        self._call(self.relay.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(2)
        self._loop.close()
