"""The Windows paths, run on Linux: no batched reads, no loop signal handlers, no SIGUSR1.

Windows' asyncio loop (and qasync's there) has neither ``add_reader`` nor
``add_signal_handler``, its sockets are not file descriptors (so ``os.dup`` cannot give the
batch reader its own handle), and it has no SIGUSR1. Nothing here can run Windows; these tests
take the same code paths on Linux, so a Windows bundle does not meet them for the first time.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest

from kcpcore.aio import engine as engine_mod
from kcpcore.aio import sighandlers, udp
from kcpcore.config import TunnelConfig
from tests.aio.test_tunnel import echo_check, run, tunnel
from tests.helpers.waits import until


class WindowsLikeLoop(asyncio.SelectorEventLoop):
    """A loop without the Unix-only public API, as on Windows."""

    def add_signal_handler(self, sig: int, callback: Any, *args: Any) -> None:
        raise NotImplementedError

    def add_reader(self, fd: Any, callback: Any, *args: Any) -> None:
        raise NotImplementedError


@pytest.fixture
def no_dup(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Sockets that cannot be duplicated (Windows); records every batch's size."""

    def refuse(_fd: int) -> int:
        raise OSError("not a file descriptor")

    sizes: list[int] = []
    drain = udp._BatchReader.drain

    def recording(self: Any, first: Any) -> Any:
        batch, error = drain(self, first)
        sizes.append(len(batch))
        return batch, error

    monkeypatch.setattr(udp.os, "dup", refuse)
    monkeypatch.setattr(udp._BatchReader, "drain", recording)
    yield sizes


def test_engine_without_batched_reads(no_dup: list[int]) -> None:
    async def main() -> None:
        async with tunnel() as (port, _client, _server):
            assert all(await asyncio.gather(*(echo_check(port, 400_000, i) for i in range(3))))

    run(main())
    assert no_dup and set(no_dup) == {1}  # every datagram on its own, all bytes intact


@pytest.fixture
def restore_signals() -> Iterator[None]:
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1)}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


def test_run_forever_on_a_loop_without_signal_handlers(
    restore_signals: None, no_dup: list[int]
) -> None:
    """The CLI's main loop: SIGTERM still stops it (through ``signal.signal``), and a tunnel
    works meanwhile, on a loop that refuses ``add_signal_handler`` and ``add_reader``."""
    loop = WindowsLikeLoop()
    cfg = TunnelConfig(role="server", listen="127.0.0.1:0", target="127.0.0.1:9", quiet=True)
    started: list[Any] = []
    real_engine = engine_mod.Engine

    class Recorded(real_engine):  # type: ignore[misc, valid-type]
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            started.append(self)

    async def main() -> int:
        task = asyncio.ensure_future(engine_mod.run_forever(cfg))
        await until(lambda: started and started[0].tunnel is not None)
        os.kill(os.getpid(), signal.SIGTERM)
        return await asyncio.wait_for(task, 10)

    engine_mod.Engine = Recorded  # type: ignore[misc]
    try:
        assert loop.run_until_complete(main()) == 0
    finally:
        engine_mod.Engine = real_engine  # type: ignore[misc]
        loop.close()


def test_install_reports_what_it_could_not_catch() -> None:
    loop = WindowsLikeLoop()
    try:
        assert sighandlers.signal_named("SIGNOPE") is None
        usr1 = sighandlers.signal_named("SIGUSR1")
        assert usr1 is not None
        saved = signal.getsignal(usr1)
        try:
            fired: list[int] = []
            assert sighandlers.install(loop, usr1, lambda: fired.append(1))
            os.kill(os.getpid(), usr1)
            loop.run_until_complete(asyncio.sleep(0))  # the handler hops onto the loop
            loop.run_until_complete(until(lambda: fired, 5))
        finally:
            signal.signal(usr1, saved)
        assert not sighandlers.install(loop, signal.SIGKILL, lambda: None)  # uncatchable
    finally:
        loop.close()
