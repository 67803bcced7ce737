"""Plain-words diagnosis of a running tunnel from a few seconds of SNMP counter deltas.

A pure function: counters in, findings out, no widgets and no clock, so every rule is tested
with hand-made deltas (the words go through ``app.i18n.translate``, a catalogue lookup). The
rules read what each failure looks like on the wire (checked against our engine with
deliberately mismatched peers):

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

Findings never contradict each other: when nothing comes back (or it fails the checksum), the
retransmits and the full window are that problem's symptoms, not a link to tune, so no tuning
advice is given beside it; and the advice never names a mode or a parity the profile already
has. An idle link stays "idle" while only keepalives move (one smux NOP each way every 10 s
used to flip the finding between "Idle" and "healthy: 1 packets/s").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from app.i18n import translate

Level = Literal["ok", "info", "warning", "error"]

MIN_BAD_CSUM: Final = 3  # datagrams; one stray packet from a port scanner is not a mismatch
CSUM_SHARE: Final = 0.2  # of everything received, above which it is a mismatch
MIN_UNANSWERED: Final = 5  # datagrams sent with nothing back before we call it unreachable
MIN_FEC_ERRS: Final = 3
MIN_REOPENS: Final = 2  # session opens in one window: one is a normal (re)connect
MIN_SEGS_FOR_RATIO: Final = 50  # segments; below this a retransmit ratio means nothing
HEAVY_RETRANS: Final = 0.10  # retransmitted share of sent segments
WINDOW_FULL: Final = 0.9  # share of sndwnd in flight that means "window-limited"
KEEPALIVE_BYTES_PER_S: Final = 64  # B/s of smux payload (both ways) below which a link is idle;
# a NOP keepalive is an 8-byte frame each way every 10 s, a typed keystroke over ssh ~100 B
MODE_ORDER: Final = ("normal", "fast", "fast2", "fast3")  # slowest to fastest retransmission
PARITY_STEP: Final = 2  # parity shards to suggest adding
SYMPTOMS_OF_NO_REPLY: Final = frozenset({"retransmits", "window-full", "peer-window"})
"""findings that only restate "nothing comes back": dropped beside it (they would advise
tuning a link that does not carry anything)"""


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
    mode: str = "",
    datashard: int = 0,
    parityshard: int = 0,
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
        mode: the profile's mode (the advice never suggests the one already in use).
        datashard: the profile's FEC data shards (0: FEC off).
        parityshard: the profile's FEC parity shards.
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
                translate("Diagnostics", "Collecting data"),
                translate("Diagnostics", "Diagnostics appear after a few seconds of running."),
            ),
        ]
    unreachable = _reachability(d, seconds, role, peer)
    tuning = _retransmits(d, sessions, sndwnd, _Tuning(mode, datashard, parityshard))
    found = [
        *generation,
        *unreachable,
        *_mismatches(d, seconds, bool(generation)),
        *(f for f in tuning if not (unreachable and f.code in SYMPTOMS_OF_NO_REPLY)),
    ]
    if not found:
        found.append(_quiet_or_healthy(d, seconds, role))
    order = {"error": 0, "warning": 1, "info": 2, "ok": 3}
    return sorted(found, key=lambda f: order[f.level])


def _reachability(d: _Counter, seconds: float, role: str, peer: str) -> list[Finding]:
    """Wrong key or cipher (checksum failures), or nothing coming back at all."""
    in_pkts, out_pkts, csum = d("InPkts"), d("OutPkts"), d("InCsumErrors")
    other = _other(role)
    secs = f"{seconds:.0f}"
    if csum >= MIN_BAD_CSUM and csum >= CSUM_SHARE * (in_pkts + csum):
        return [
            Finding(
                "checksum",
                "error",
                translate(
                    "Diagnostics", "Packets arrive but fail the checksum ({count} in {seconds} s)"
                ).format(count=csum, seconds=secs),
                translate(
                    "Diagnostics",
                    "The {other} uses a different key or cipher (crypt). Make both ends match: "
                    "export this profile for the other end to get a config that agrees.",
                ).format(other=other),
            )
        ]
    if out_pkts >= MIN_UNANSWERED and in_pkts == 0 and role == "server":
        # a client that went away (closed, asleep, another network) is the server's daily
        # life, not its fault: its session ends at the keepalive timeout
        return [
            Finding(
                "client-gone",
                "info",
                translate("Diagnostics", "A client stopped answering"),
                translate(
                    "Diagnostics",
                    "{count} packets went out in {seconds} s and none came back: the client "
                    "went away (closed, asleep, another network). Its session ends by itself.",
                ).format(count=out_pkts, seconds=secs),
            )
        ]
    if out_pkts >= MIN_UNANSWERED and in_pkts == 0:
        return [
            Finding(
                "no-reply",
                "error",
                (
                    translate("Diagnostics", "Nothing is coming back from the {other} at {peer}")
                    if peer
                    else translate("Diagnostics", "Nothing is coming back from the {other}")
                ).format(other=other, peer=peer),
                translate(
                    "Diagnostics",
                    "{count} packets went out in {seconds} s and none arrived. Check that the "
                    "{other} is running and the address and port are right, that no firewall "
                    "drops UDP on that port, and that the key and crypt match (a mismatched end "
                    "drops everything it gets).",
                ).format(count=out_pkts, seconds=secs, other=other),
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
                translate(
                    "Diagnostics", "The session was opened {count} times in {seconds} s"
                ).format(count=reopens, seconds=f"{seconds:.0f}"),
                translate(
                    "Diagnostics",
                    "It dies right after it starts. Compression (nocomp) or the smux version "
                    "(smuxver) probably differ between the ends; make them equal.",
                ),
            )
        )
    fec_errs, fec_rec = d("FECErrs"), d("FECRecovered")
    if fec_errs >= MIN_FEC_ERRS and fec_rec == 0:
        found.append(
            Finding(
                "fec-mismatch",
                "warning",
                translate("Diagnostics", "FEC errors and no recoveries ({count} errors)").format(
                    count=fec_errs
                ),
                translate(
                    "Diagnostics",
                    "Forward error correction cannot rebuild anything: datashard and parityshard "
                    "probably differ between the ends. Set the same values on both.",
                ),
            )
        )
    return found


def _quiet_or_healthy(d: _Counter, seconds: float, role: str) -> Finding:
    """Nothing wrong: traffic flows, the first reply is awaited, or only keepalives move."""
    in_pkts, out_pkts = d("InPkts"), d("OutPkts")
    payload = d("BytesSent") + d("BytesReceived")
    if role == "client" and out_pkts and not in_pkts:
        return Finding(
            "waiting",
            "info",
            translate("Diagnostics", "Waiting for the server's first reply"),
            translate(
                "Diagnostics", "{count} packets went out in {seconds} s; none came back yet."
            ).format(count=out_pkts, seconds=f"{seconds:.0f}"),
        )
    if payload > KEEPALIVE_BYTES_PER_S * seconds:
        return Finding(
            "healthy",
            "ok",
            translate("Diagnostics", "The link looks healthy"),
            translate(
                "Diagnostics",
                "{rate_in} packets/s in, {rate_out} packets/s out, {share} of segments "
                "retransmitted.",
            ).format(
                rate_in=f"{in_pkts / seconds:.0f}",
                rate_out=f"{out_pkts / seconds:.0f}",
                share=_pct(d("RetransSegs"), d("OutSegs")),
            ),
        )
    if in_pkts or out_pkts:
        return Finding(
            "idle",
            "info",
            translate("Diagnostics", "Idle: keepalives only"),
            translate(
                "Diagnostics", "The session is open and answers; no application data is moving."
            ),
        )
    hint = (
        translate("Diagnostics", "Connect an application to the local address to open a session.")
        if role == "client"
        else translate("Diagnostics", "Waiting for a client.")
    )
    return Finding("idle", "info", translate("Diagnostics", "Idle: no packets"), hint)


@dataclass(frozen=True, slots=True)
class _Tuning:
    """The profile's settings the retransmit advice must not repeat back."""

    mode: str
    datashard: int
    parityshard: int

    def faster_modes(self) -> list[str]:
        """Modes that retransmit sooner than this one (all but normal when it is unknown)."""
        if self.mode not in MODE_ORDER:
            return [] if self.mode else list(MODE_ORDER[2:])
        return list(MODE_ORDER[MODE_ORDER.index(self.mode) + 1 :])[-2:]

    def more_parity(self) -> str:
        if self.datashard <= 0:
            return translate(
                "Diagnostics", "turning FEC on (for example datashard 10, parityshard 3)"
            )
        return translate("Diagnostics", "more parity shards (parityshard {count})").format(
            count=self.parityshard + PARITY_STEP
        )


def _loss_advice(t: _Tuning) -> str:
    """Timeouts dominate: packets are being lost."""
    faster = t.faster_modes()
    parity = t.more_parity()
    if faster:
        text = translate(
            "Diagnostics",
            "Most were timeouts (LostSegs): packets are being lost. A faster mode ({modes}) "
            "retransmits sooner, and {parity} repairs losses without waiting.",
        )
    elif t.mode in MODE_ORDER:
        text = translate(
            "Diagnostics",
            "Most were timeouts (LostSegs): packets are being lost. The mode ({mode}) already "
            "retransmits as soon as kcptun can; {parity} repairs losses without waiting.",
        )
    else:  # manual: its own nodelay/interval/resend
        text = translate(
            "Diagnostics",
            "Most were timeouts (LostSegs): packets are being lost. A lower interval or "
            "nodelay 1 retransmits sooner, and {parity} repairs losses without waiting.",
        )
    modes = translate("Diagnostics", " or ").join(faster)
    return text.format(modes=modes, mode=t.mode, parity=parity)


def _reorder_advice(t: _Tuning) -> str:
    """Fast retransmits dominate: loss or reordering; or a congested link."""
    calmer = (
        translate("Diagnostics", "smaller windows send less")
        if t.mode == "normal"
        else translate("Diagnostics", "the 'normal' mode or smaller windows send less")
    )
    parity = t.more_parity()
    return translate(
        "Diagnostics",
        "Most were fast retransmits: packets are lost or reordered. {parity} repairs them "
        "without resending; if the link is simply congested, {calmer}.",
    ).format(parity=parity[:1].upper() + parity[1:], calmer=calmer)


def _retransmits(
    d: _Counter, sessions: Sequence[_SessionLike], sndwnd: int, tuning: _Tuning
) -> list[Finding]:
    found: list[Finding] = []
    out_segs, retrans = d("OutSegs"), d("RetransSegs")
    heavy = out_segs >= MIN_SEGS_FOR_RATIO and retrans >= HEAVY_RETRANS * out_segs
    if heavy:
        lost, fast = d("LostSegs"), d("FastRetransSegs") + d("EarlyRetransSegs")
        why = _loss_advice(tuning) if lost >= fast else _reorder_advice(tuning)
        found.append(
            Finding(
                "retransmits",
                "warning",
                translate(
                    "Diagnostics", "Heavy retransmits: {share} of segments sent again"
                ).format(share=_pct(retrans, out_segs)),
                why,
            )
        )
    # a window full of segments awaiting retransmission is the loss above, not a small window:
    # "raise sndwnd" beside "send less" would contradict it
    full = sndwnd and sessions and any(s.snd_wnd_used >= WINDOW_FULL * sndwnd for s in sessions)
    if full and not heavy:
        rtt = max(s.srtt_ms for s in sessions)
        found.append(
            Finding(
                "window-full",
                "info",
                translate("Diagnostics", "The send window is full"),
                translate(
                    "Diagnostics",
                    "Throughput is capped at about sndwnd x MTU per RTT ({rtt} ms). Raise sndwnd "
                    "here and rcvwnd on the other end for more speed on this link.",
                ).format(rtt=rtt),
            )
        )
    elif not full and sessions and any(s.rmt_wnd == 0 for s in sessions):
        found.append(
            Finding(
                "peer-window",
                "info",
                translate("Diagnostics", "The other end's receive window is full"),
                translate(
                    "Diagnostics",
                    "The receiver is not keeping up, or its rcvwnd is small: raise rcvwnd there.",
                ),
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
    other = _other(role)
    newer = (
        translate("Diagnostics", "this end")
        if ours == "2"
        else translate("Diagnostics", "the {other}").format(other=other)
    )
    advice = translate(
        "Diagnostics",
        "kcptun v20251205 and later use smux v2 by default, older kcptun (Debian's 20210922) "
        "v1; {newer} follows the newer default. Set Peer in this profile to what the {other} "
        "runs, or give both ends the same smux version.",
    ).format(newer=newer, other=other)
    if role == "client":
        advice += translate(
            "Diagnostics",
            " A client tries the other version once by itself and keeps it if it works.",
        )
    return [
        Finding(
            "generation",
            "warning",
            translate(
                "Diagnostics",
                "The {other} runs another kcptun generation (smux v{theirs}, this end v{ours})",
            ).format(other=other, theirs=theirs, ours=ours),
            advice,
        )
    ]


def _other(role: str) -> str:
    """The other end, as the messages name it."""
    return (
        translate("Diagnostics", "server")
        if role == "client"
        else translate("Diagnostics", "client")
    )


class _Counter(Protocol):
    def __call__(self, name: str) -> int: ...


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"
