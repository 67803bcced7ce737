"""Plain-words diagnosis of a running tunnel from a few seconds of SNMP counter deltas.

A pure function: counters in, findings out, no Qt and no clock, so every rule is tested with
hand-made deltas. The rules read what each failure looks like on the wire (checked against our
engine with deliberately mismatched peers):

* wrong key or cipher: the receiving end counts every datagram in ``InCsumErrors``; the sending
  end hears nothing back, so it looks like "nothing arriving" from there;
* server down, wrong address, firewall: ``OutPkts`` rise, ``InPkts`` stay flat;
* different FEC shard counts: FEC groups never line up, so ``FECErrs`` rise while
  ``FECRecovered`` does not;
* different compression or smux version: the session dies on its first frames and is opened
  again and again (``ActiveOpens``/``PassiveOpens`` keep rising); when the reason it died is a
  frame of the other smux version, the finding names the kcptun generations instead;
* a lossy or long link: many ``RetransSegs`` per ``OutSegs``; which kind dominates says
  whether a faster mode, more parity or bigger windows would help.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol

Level = Literal["ok", "info", "warning", "error"]

MIN_BAD_CSUM: Final = 3  # datagrams; one stray packet from a port scanner is not a mismatch
CSUM_SHARE: Final = 0.2  # of everything received, above which it is a mismatch
MIN_UNANSWERED: Final = 5  # datagrams sent with nothing back before we call it unreachable
MIN_FEC_ERRS: Final = 3
MIN_REOPENS: Final = 2  # session opens in one window: one is a normal (re)connect
MIN_SEGS_FOR_RATIO: Final = 50  # segments; below this a retransmit ratio means nothing
HEAVY_RETRANS: Final = 0.10  # retransmitted share of sent segments
WINDOW_FULL: Final = 0.9  # share of sndwnd in flight that means "window-limited"


class _SessionLike(Protocol):
    @property
    def srtt_ms(self) -> int: ...
    @property
    def snd_wnd_used(self) -> int: ...
    @property
    def rmt_wnd(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the user should know, in words they can act on."""

    code: str
    """stable identifier for tests and icons"""
    level: Level
    title: str
    advice: str


def diagnose(
    delta: Mapping[str, int],
    *,
    role: str,
    seconds: float,
    sessions: Sequence[_SessionLike] = (),
    sndwnd: int = 0,
    peer: str = "",
    last_error: str = "",
) -> list[Finding]:
    """Findings for one tunnel, most serious first.

    Args:
        delta: counter changes over the last ``seconds``, by kcptun name (``Snmp.delta``).
        role: "client" or "server".
        seconds: how long ``delta`` covers (0 means no data yet).
        sessions: current per-session stats (``Engine.session_stats()``).
        sndwnd: this end's send window, to tell a window-limited link.
        peer: the other end's address, for the messages.
        last_error: why the last session ended abnormally (``Engine.last_error``), if any.
    """

    def d(name: str) -> int:
        return max(int(delta.get(name, 0)), 0)

    generation = _generation_mismatch(last_error, role)
    if seconds <= 0:
        return [
            *generation,
            Finding(
                "no-data",
                "info",
                "Collecting data",
                "Diagnostics appear after a few seconds of running.",
            ),
        ]
    found = [
        *generation,
        *_reachability(d, seconds, role, peer),
        *_mismatches(d, seconds, bool(generation)),
        *_retransmits(d, sessions, sndwnd),
    ]
    if not found:
        found.append(_quiet_or_healthy(d, seconds, role))
    order = {"error": 0, "warning": 1, "info": 2, "ok": 3}
    return sorted(found, key=lambda f: order[f.level])


def _reachability(d: _Counter, seconds: float, role: str, peer: str) -> list[Finding]:
    """Wrong key or cipher (checksum failures), or nothing coming back at all."""
    in_pkts, out_pkts, csum = d("InPkts"), d("OutPkts"), d("InCsumErrors")
    other = "server" if role == "client" else "client"
    where = f" at {peer}" if peer else ""
    if csum >= MIN_BAD_CSUM and csum >= CSUM_SHARE * (in_pkts + csum):
        return [
            Finding(
                "checksum",
                "error",
                f"Packets arrive but fail the checksum ({csum} in {seconds:.0f} s)",
                f"The {other} uses a different key or cipher (crypt). Make both ends match: "
                "export this profile for the other end to get a config that agrees.",
            )
        ]
    if out_pkts >= MIN_UNANSWERED and in_pkts == 0:
        return [
            Finding(
                "no-reply",
                "error",
                f"Nothing is coming back from the {other}{where}",
                f"{out_pkts} packets went out in {seconds:.0f} s and none arrived. Check that the "
                f"{other} is running and the address and port are right, that no firewall drops "
                "UDP on that port, and that the key and crypt match (a mismatched end drops "
                "everything it gets).",
            )
        ]
    return []


def _mismatches(d: _Counter, seconds: float, generation_known: bool) -> list[Finding]:
    """Settings that must agree between the ends but do not (compression, smux, FEC)."""
    found: list[Finding] = []
    reopens = d("ActiveOpens") + d("PassiveOpens")
    if reopens >= MIN_REOPENS and d("InCsumErrors") == 0 and not generation_known:
        found.append(
            Finding(
                "reopens",
                "warning",
                f"The session was opened {reopens} times in {seconds:.0f} s",
                "It dies right after it starts. Compression (nocomp) or the smux version "
                "(smuxver) probably differ between the ends; make them equal.",
            )
        )
    fec_errs, fec_rec = d("FECErrs"), d("FECRecovered")
    if fec_errs >= MIN_FEC_ERRS and fec_rec == 0:
        found.append(
            Finding(
                "fec-mismatch",
                "warning",
                f"FEC errors and no recoveries ({fec_errs} errors)",
                "Forward error correction cannot rebuild anything: datashard and parityshard "
                "probably differ between the ends. Set the same values on both.",
            )
        )
    return found


def _quiet_or_healthy(d: _Counter, seconds: float, role: str) -> Finding:
    """Nothing wrong: traffic flows, or there is none."""
    in_pkts, out_pkts = d("InPkts"), d("OutPkts")
    if in_pkts or out_pkts:
        return Finding(
            "healthy",
            "ok",
            "The link looks healthy",
            f"{in_pkts / seconds:.0f} packets/s in, {out_pkts / seconds:.0f} packets/s out,"
            f" {_pct(d('RetransSegs'), d('OutSegs'))} of segments retransmitted.",
        )
    hint = (
        "Connect an application to the local address to open a session."
        if role == "client"
        else "Waiting for a client."
    )
    return Finding("idle", "info", "Idle: no packets", hint)


def _retransmits(d: _Counter, sessions: Sequence[_SessionLike], sndwnd: int) -> list[Finding]:
    found: list[Finding] = []
    out_segs, retrans = d("OutSegs"), d("RetransSegs")
    if out_segs >= MIN_SEGS_FOR_RATIO and retrans >= HEAVY_RETRANS * out_segs:
        lost, fast = d("LostSegs"), d("FastRetransSegs") + d("EarlyRetransSegs")
        if lost >= fast:
            why = (
                "Most were timeouts (LostSegs): packets are being lost. A faster mode "
                "(fast2 or fast3) retransmits sooner, and more parity shards (for example "
                "parityshard 5) repair losses without waiting."
            )
        else:
            why = (
                "Most were fast retransmits: packets are lost or reordered. More parity "
                "shards repair them without resending; if the link is simply congested, "
                "the 'normal' mode or smaller windows send less."
            )
        found.append(
            Finding(
                "retransmits",
                "warning",
                f"Heavy retransmits: {_pct(retrans, out_segs)} of segments sent again",
                why,
            )
        )
    if sndwnd and sessions and any(s.snd_wnd_used >= WINDOW_FULL * sndwnd for s in sessions):
        rtt = max(s.srtt_ms for s in sessions)
        found.append(
            Finding(
                "window-full",
                "info",
                "The send window is full",
                f"Throughput is capped at about sndwnd x MTU per RTT ({rtt} ms). Raise sndwnd here "
                "and rcvwnd on the other end for more speed on this link.",
            )
        )
    elif sessions and any(s.rmt_wnd == 0 for s in sessions):
        found.append(
            Finding(
                "peer-window",
                "info",
                "The other end's receive window is full",
                "The receiver is not keeping up, or its rcvwnd is small: raise rcvwnd there.",
            )
        )
    return found


_FRAME_VERSION: Final = re.compile(r"smux: frame version (\d+), expected (\d+)")


def _generation_mismatch(last_error: str, role: str) -> list[Finding]:
    """A session that died on a frame of the other smux version: the two ends run different
    kcptun generations (v20251205 changed the --smuxver default from 1 to 2)."""
    m = _FRAME_VERSION.search(last_error)
    if m is None:
        return []
    theirs, ours = m.group(1), m.group(2)
    if {theirs, ours} != {"1", "2"}:
        return []
    other = "server" if role == "client" else "client"
    newer = "this end" if ours == "2" else f"the {other}"
    return [
        Finding(
            "generation",
            "warning",
            f"The {other} runs another kcptun generation (smux v{theirs}, this end v{ours})",
            f"kcptun v20251205 and later use smux v2 by default, older kcptun (Debian's 20210922) "
            f"v1; {newer} follows the newer default. Set Peer in this profile to what the {other} "
            f"runs, or give both ends the same smux version."
            + (
                " A client tries the other version once by itself and keeps it if it works."
                if role == "client"
                else ""
            ),
        )
    ]


class _Counter(Protocol):
    def __call__(self, name: str) -> int: ...


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"
