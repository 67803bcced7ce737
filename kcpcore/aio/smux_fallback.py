"""The client's answer to a peer of another kcptun generation: try the other smux version once.

kcptun v20251205 changed the ``--smuxver`` default from 1 to 2, and smux on either side drops a
session whose first frame carries the other version. kcptun then simply hangs. Our client
reads what the dead session left behind:

* the server answered with a frame of the other version (``SmuxSession.peer_version``): it
  certainly speaks that version;
* or the session timed out without a single smux frame while KCP was acknowledging our data
  (``snd_una`` moved): the server is alive and reads us, its smux just will not answer.

In either case, and only if no frame of ours was ever understood (no frame came back), the next
sessions use the other version. This happens once per tunnel: if the other version fails the
same way, the problem is elsewhere (compression, key) and we say so instead of flapping. The
version is *learned* (reported to whoever can store it in the profile) only after a session
on it received a frame, so a wrong guess is never saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Protocol

log = logging.getLogger(__name__)

__all__ = ["SmuxFallback"]


class _Smux(Protocol):
    version: int
    frames_in: int
    peer_version: int | None
    timed_out: bool


class SmuxFallback:
    """State of the one-time smux version switch of a client tunnel."""

    def __init__(self, version: int, on_learned: Callable[[int], None] | None = None) -> None:
        self.version = version
        """the version new sessions should use"""
        self.tried = False
        self.pending: int | None = None
        """the version switched to and not yet confirmed by a frame from the server"""
        self.learned: int | None = None
        """the version confirmed after a switch (None until then)"""
        self.on_learned = on_learned

    def session_closed(self, smux: _Smux, snd_una: int, reason: str) -> bool:
        """Look at a dead session (its smux and KCP's ``snd_una``); True if new sessions must
        now use ``self.version``."""
        if smux.frames_in > 0 or smux.version != self.version:
            return False
        wrong_version = smux.peer_version in (1, 2) and smux.peer_version != smux.version
        ignored = smux.timed_out and snd_una > 0
        if not (wrong_version or ignored):
            return False
        other = 2 if smux.version == 1 else 1
        if self.tried:
            log.warning(
                "smux v%d failed too (%s): the server's smux version is not the "
                "problem; check that compression (nocomp) and the key match",
                smux.version,
                reason,
            )
            return False
        self.tried = True
        self.version = self.pending = other
        why = (
            f"it answered with smux v{smux.peer_version} frames"
            if wrong_version
            else "it acknowledged our data but never answered in smux"
        )
        log.warning(
            "the server does not speak smux v%d (%s): kcptun v20251205 and later "
            "default to --smuxver 2, older kcptun to 1; retrying with smux v%d",
            smux.version,
            why,
            other,
        )
        return True

    def check(self, sessions: Iterable[_Smux]) -> None:
        """Confirm a pending switch once a session on the new version heard from the server."""
        if self.pending is None:
            return
        for smux in sessions:
            if smux.version == self.pending and smux.frames_in:
                self.learned, self.pending = self.pending, None
                log.info(
                    "smux v%d works with this server: using it from now on (set "
                    "--smuxver %d, or the peer's generation, to skip the retry)",
                    self.learned,
                    self.learned,
                )
                if self.on_learned is not None:
                    self.on_learned(self.learned)
                return
