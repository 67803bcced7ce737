"""A tunnel's status from evidence that persists: a problem stays until it is really gone.

The diagnosis (``app.models.diagnostics``) reads the last few seconds of counters, which is
right for "what is happening now" and wrong for a status light. A client with a wrong key
sends for 15 s, its stall watch closes the session, and from then on the window holds no
packets at all: the diagnosis says "Idle" and the light turned green, though nothing was fixed.
A server that drops a wrong-key client's packets looked the same once the client gave up.

``Health`` remembers the last reachability problem (nothing comes back; packets fail the
checksum) and keeps it, as an error, until good packets arrive: decrypted, checksummed
datagrams from the other end. It also turns the status into link events (connected, dropped,
error) for notifications. Time is an argument (``now``, monotonic seconds; ``wall``, Unix
seconds for the "seen at" clock text), so a minute of a wrong key is tested in microseconds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

from app.core_text import problem_text
from app.i18n import translate
from app.models.diagnostics import Finding

Status = Literal["running", "connecting", "error"]
Link = Literal["none", "up", "down", "error"]
LinkEvent = Literal["connected", "dropped", "error"]

STICKY: Final = frozenset({"checksum", "no-reply"})
"""findings that stay (as errors) until good packets arrive"""
NO_REPLY_GRACE: Final = 2.0  # s of sending with nothing back before it is an error
CONTRADICTED: Final = frozenset({"idle", "healthy", "waiting", "no-data"})
"""window findings that a remembered problem overrides (they would say all is well)"""

_EVENT_OF: Final[dict[Link, LinkEvent]] = {"up": "connected", "down": "dropped", "error": "error"}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one sampling tick concluded."""

    status: Status
    detail: str
    """why, for the header and the list row ("" while running normally); stable text, so the
    row is not repainted for a changing number"""
    findings: tuple[Finding, ...]
    event: LinkEvent | None = None
    """the link changed on this tick (for a notification)"""
    event_text: str = ""


class Health:
    """One running tunnel's remembered problem and link state (reset at each start)."""

    def __init__(self, *, role: str, peer: str = "") -> None:
        self.role = role
        self.peer = peer
        self.problem: Finding | None = None
        """the reachability problem in force, kept until good packets arrive"""
        self.problem_seen = 0.0
        """Unix time the problem was last seen in the counters"""
        self.unanswered_since: float | None = None
        """monotonic time this end started sending without hearing anything back"""
        self.link: Link = "none"
        self.answered = False
        self._last_shown: tuple[Finding, ...] = ()
        """good packets arrived at some point since the start: silence now is a drop, not a
        key mismatch or a wrong address"""

    @property
    def other(self) -> str:
        return "server" if self.role == "client" else "client"

    def update(
        self,
        *,
        now: float,
        tick: Mapping[str, int],
        findings: Sequence[Finding],
        session_ended: str = "",
        wall: float | None = None,
    ) -> Verdict:
        """Fold one sampling tick in.

        Args:
            now: monotonic seconds.
            tick: counter deltas since the previous tick (kcptun names).
            findings: the diagnosis of the recent window (``diagnose``).
            session_ended: the reason a session just ended abnormally ("" if none did).
            wall: Unix time for the "seen at" text; ``time.time()`` if None.
        """
        good = tick.get("InPkts", 0) > 0
        if good:
            self.unanswered_since = None
            self.answered = True
        elif tick.get("OutPkts", 0) > 0 and self.unanswered_since is None:
            self.unanswered_since = now
        current = next((f for f in findings if f.code in STICKY), None)
        waiting = False
        if current is not None and current.code == "no-reply" and self.problem is None:
            since = self.unanswered_since
            waiting = since is None or now - since < NO_REPLY_GRACE
        if current is not None and not waiting:
            self.problem = current
            self.problem_seen = time.time() if wall is None else wall
        elif current is None and good:
            self.problem = None
        shown = self._shown_findings(findings, current, waiting)
        event, text = self._link_event(good, session_ended)
        if self.problem is not None:
            verdict = Verdict("error", self._problem_detail(self.problem), shown, event, text)
        elif waiting or any(f.code == "waiting" for f in shown):
            since = self.unanswered_since
            brief = since is None or now - since < NO_REPLY_GRACE
            if self.link == "up" and brief and self._last_shown:
                # a keepalive whose answer lands in the next tick: keep what was shown
                verdict = Verdict("running", "", self._last_shown, event, text)
            else:
                detail = translate("Health", "waiting for a reply from {where}").format(
                    where=self._where()
                )
                verdict = Verdict("connecting", detail, shown, event, text)
        else:
            verdict = Verdict("running", "", shown, event, text)
        self._last_shown = verdict.findings
        return verdict

    def _shown_findings(
        self, findings: Sequence[Finding], current: Finding | None, waiting: bool
    ) -> tuple[Finding, ...]:
        if waiting:  # the first seconds of silence: connecting, not yet an error
            return tuple(_waiting(f) if f.code == "no-reply" else f for f in findings)
        if self.problem is None or current is not None:
            return tuple(findings)
        seen = time.strftime("%H:%M:%S", time.localtime(self.problem_seen))
        kept = replace(
            self.problem,
            advice=self.problem.advice
            + translate(
                "Health", " Last seen at {time}; this stays until packets from the {other} arrive."
            ).format(time=seen, other=self._other_label()),
        )
        return (kept, *(f for f in findings if f.code not in CONTRADICTED))

    def _problem_detail(self, problem: Finding) -> str:
        """One line for the header and the list row (the card below says what to do)."""
        if problem.code == "checksum":
            return translate(
                "Health", "packets from the {other} fail the checksum (another key or crypt)"
            ).format(other=self._other_label())
        if self.answered:
            return translate(
                "Health", "no reply from {where} any more (link down, or it stopped)"
            ).format(where=self._where())
        return translate(
            "Health", "no reply from {where} (another key or crypt, or unreachable)"
        ).format(where=self._where())

    def _other_label(self) -> str:
        return (
            translate("Health", "server")
            if self.other == "server"
            else translate("Health", "client")
        )

    def _where(self) -> str:
        if self.peer:
            return translate("Health", "the {other} at {peer}").format(
                other=self._other_label(), peer=self.peer
            )
        return translate("Health", "the {other}").format(other=self._other_label())

    def _link_event(self, good: bool, session_ended: str) -> tuple[LinkEvent | None, str]:
        """connected / dropped / error, once per change of the link."""
        link = self.link
        if self.problem is not None:
            dropped = self.answered and self.problem.code == "no-reply"
            link = "down" if dropped else "error"
        elif good:
            link = "up"
        elif session_ended and link == "up":
            link = "down"
        if link == self.link:
            return None, ""
        self.link = link
        if link == "none":
            return None, ""
        if link == "up":
            text = translate("Health", "connected: packets from {where} arrive").format(
                where=self._where()
            )
        elif self.problem is not None:
            text = self._problem_detail(self.problem)
        else:
            text = translate("Health", "link dropped: {reason}").format(
                reason=problem_text(session_ended)
            )
        return _EVENT_OF[link], text


def _waiting(f: Finding) -> Finding:
    return Finding("waiting", "info", translate("Health", "Waiting for the first reply"), f.advice)
