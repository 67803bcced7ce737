"""The Tune advice (``kcpcore.tune``'s reasons and findings) in the app's language.

kcpcore composes its advice in English for the CLI and the dialog alike: clauses joined by
"; ", each with measured numbers in it. The dialog translates it clause by clause: ``CLAUSES``
holds each clause's English shape (a regular expression) and its translated template with the
same named fields; a field named ``x`` is itself a clause (translated again), ``parts`` is a
list joined by " and ". A clause no pattern knows is looked up as a fixed text, and shown in
English if it is not one (``tests/app/test_i18n.py`` runs the rules over many measurements
in Chinese and fails on one).
"""

from __future__ import annotations

import re
from typing import Final

from app.i18n import QT_TRANSLATE_NOOP, translate

_RATE = r"[\d.]+ Mbit/s"
_PCT = r"[\d.]+ %"


def _rx(shape: str) -> re.Pattern[str]:
    return re.compile("^" + shape.replace("{RATE}", _RATE).replace("{PCT}", _PCT) + "$")


CLAUSES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (_rx(shape), template)
    for shape, template in (
        (
            r"(?P<dir>download \(server to client\)|upload \(client to server\)): (?P<x>.+)",
            QT_TRANSLATE_NOOP("TuneText", "{dir}: {x}"),
        ),
        (
            r"(?P<x>.+) \(held back by the (?P<role>client|server)'s (?P<w>sndwnd|rcvwnd)\)",
            QT_TRANSLATE_NOOP("TuneText", "{x} (held back by the {role}'s {w})"),
        ),
        (
            r"(?P<eff>\d+) segments x (?P<kb>[\d.]+) kB / (?P<rtt>\d+) ms = (?P<r>{RATE}) at most",
            QT_TRANSLATE_NOOP("TuneText", "{eff} segments x {kb} kB / {rtt} ms = {r} at most"),
        ),
        (r"it carried (?P<r>{RATE})", QT_TRANSLATE_NOOP("TuneText", "it carried {r}")),
        (
            r"with large windows the link carried (?P<r>{RATE}) in the test",
            QT_TRANSLATE_NOOP("TuneText", "with large windows the link carried {r} in the test"),
        ),
        (
            r"the link carried (?P<r>{RATE}) in the test",
            QT_TRANSLATE_NOOP("TuneText", "the link carried {r} in the test"),
        ),
        (
            r"the window was full most of the time at (?P<r>{RATE}), so the link may carry more",
            QT_TRANSLATE_NOOP(
                "TuneText",
                "the window was full most of the time at {r}, so the link may carry more",
            ),
        ),
        (
            r"raising it (?P<n>\d+)x and measuring again will tell",
            QT_TRANSLATE_NOOP("TuneText", "raising it {n}x and measuring again will tell"),
        ),
        (
            r"the window was full, yet large windows carried no more \((?P<r>{RATE})\): "
            r"loss or the path limits it, not the windows",
            QT_TRANSLATE_NOOP(
                "TuneText",
                "the window was full, yet large windows carried no more ({r}): loss or the path "
                "limits it, not the windows",
            ),
        ),
        (
            r"it carried (?P<r>{RATE}) without filling the window: windows are not the limit",
            QT_TRANSLATE_NOOP(
                "TuneText", "it carried {r} without filling the window: windows are not the limit"
            ),
        ),
        (
            r"(?P<x>.+), and (?P<n>\d+) segments already cover that",
            QT_TRANSLATE_NOOP("TuneText", "{x}, and {n} segments already cover that"),
        ),
        (r"(?P<x>.+): raise (?P<parts>.+)", QT_TRANSLATE_NOOP("TuneText", "{x}: raise {parts}")),
        (
            r"(?P<w>sndwnd|rcvwnd) on the (?P<role>client|server) to (?P<n>\d+)",
            QT_TRANSLATE_NOOP("TuneText", "{w} on the {role} to {n}"),
        ),
        (r"mode (?P<m>'.*') is hand-set", QT_TRANSLATE_NOOP("TuneText", "mode {m} is hand-set")),
        (
            r"this end used (?P<p>{PCT}) of a core: (?P<x>.+)",
            QT_TRANSLATE_NOOP("TuneText", "this end used {p} of a core: {x}"),
        ),
        (r"(?P<p>{PCT}) loss: (?P<x>.+)", QT_TRANSLATE_NOOP("TuneText", "{p} loss: {x}")),
        (r"(?P<p>{PCT}) loss", QT_TRANSLATE_NOOP("TuneText", "{p} loss")),
        (
            r"(?P<ds>\d+)/(?P<ps>\d+) leaves (?P<p>{PCT}) of groups waiting for a retransmission",
            QT_TRANSLATE_NOOP(
                "TuneText", "{ds}/{ps} leaves {p} of groups waiting for a retransmission"
            ),
        ),
        (
            r"without FEC (?P<p>{PCT}) of groups waiting for a retransmission",
            QT_TRANSLATE_NOOP("TuneText", "without FEC {p} of groups waiting for a retransmission"),
        ),
        (
            r"(?P<ds>\d+)/(?P<ps>\d+) spends (?P<p>{PCT}) on parity",
            QT_TRANSLATE_NOOP("TuneText", "{ds}/{ps} spends {p} on parity"),
        ),
        (
            r"FEC (?P<ds>\d+)/(?P<ps>\d+) fits it \((?P<p>{PCT}) of groups unrecoverable\)",
            QT_TRANSLATE_NOOP("TuneText", "FEC {ds}/{ps} fits it ({p} of groups unrecoverable)"),
        ),
        (
            r"(?P<cur>\w+) flushes \(sends and acknowledges\) every (?P<i>\d+) ms against a "
            r"(?P<rtt>\d+) ms round trip, so each window waits up to two intervals more than "
            r"the path needs",
            QT_TRANSLATE_NOOP(
                "TuneText",
                "{cur} flushes (sends and acknowledges) every {i} ms against a {rtt} ms round "
                "trip, so each window waits up to two intervals more than the path needs",
            ),
        ),
        (
            r"fast2 flushes every (?P<i>\d+) ms \(a little more CPU\)",
            QT_TRANSLATE_NOOP("TuneText", "fast2 flushes every {i} ms (a little more CPU)"),
        ),
        (
            r"no loss measured \((?P<p>{PCT})\): (?P<ps>\d+) parity per (?P<ds>\d+) data shards "
            r"costs (?P<c>{PCT}) extra bandwidth for nothing",
            QT_TRANSLATE_NOOP(
                "TuneText",
                "no loss measured ({p}): {ps} parity per {ds} data shards costs {c} extra "
                "bandwidth for nothing",
            ),
        ),
        (
            r"(?P<ds>\d+)/(?P<ps>\d+) would leave (?P<u>{PCT}) for (?P<o>{PCT}) more bandwidth: "
            r"worth it for interactive traffic \(fewer stalls\), not for downloads "
            r"\(less goodput\)",
            QT_TRANSLATE_NOOP(
                "TuneText",
                "{ds}/{ps} would leave {u} for {o} more bandwidth: worth it for interactive "
                "traffic (fewer stalls), not for downloads (less goodput)",
            ),
        ),
        (
            r"(?P<ds>\d+)/(?P<ps>\d+) rebuilds all but (?P<u>{PCT}) of groups for (?P<o>{PCT})",
            QT_TRANSLATE_NOOP("TuneText", "{ds}/{ps} rebuilds all but {u} of groups for {o}"),
        ),
        (
            r"CPU-bound at (?P<p>{PCT}) of a core with compression off: a cheaper cipher or a "
            r"faster machine is what is left",
            QT_TRANSLATE_NOOP(
                "TuneText",
                "CPU-bound at {p} of a core with compression off: a cheaper cipher or a faster "
                "machine is what is left",
            ),
        ),
        (
            r"RTT (?P<a>\d+) ms against (?P<b>\d+) ms empty: a queue builds: (?P<x>.+)",
            QT_TRANSLATE_NOOP("TuneText", "RTT {a} ms against {b} ms empty: a queue builds: {x}"),
        ),
        (
            r"mtu (?P<m>\d+) spends (?P<p>{PCT}) of every packet on headers",
            QT_TRANSLATE_NOOP("TuneText", "mtu {m} spends {p} of every packet on headers"),
        ),
        (
            r"(?P<n>\d+) \(kcptun's default\) fits almost every path, with no loss measured",
            QT_TRANSLATE_NOOP(
                "TuneText", "{n} (kcptun's default) fits almost every path, with no loss measured"
            ),
        ),
        (
            r"a (?P<w>\d+)-segment window arrives in bursts of up to (?P<k>\d+) KiB",
            QT_TRANSLATE_NOOP(
                "TuneText", "a {w}-segment window arrives in bursts of up to {k} KiB"
            ),
        ),
        (
            r"the (?P<k>\d+) KiB socket buffer would drop the tail",
            QT_TRANSLATE_NOOP("TuneText", "the {k} KiB socket buffer would drop the tail"),
        ),
        (
            r"(?P<d>download|upload), (?P<w>current windows|large windows)",
            QT_TRANSLATE_NOOP("TuneText", "{d}, {w}"),
        ),
    )
)
"""(a clause's English shape, its translation with the same named fields), first match wins"""

FIXED: Final = (
    QT_TRANSLATE_NOOP("TuneText", "download (server to client)"),
    QT_TRANSLATE_NOOP("TuneText", "upload (client to server)"),
    QT_TRANSLATE_NOOP("TuneText", "too little traffic to judge the windows"),
    QT_TRANSLATE_NOOP("TuneText", "left alone"),
    QT_TRANSLATE_NOOP("TuneText", "this end is CPU-bound, larger windows would not help"),
    QT_TRANSLATE_NOOP("TuneText", "the mode rule leaves it alone"),
    QT_TRANSLATE_NOOP(
        "TuneText",
        "fast3 flushes every 10 ms, fast2 every 20 ms with the same quick resends: less CPU for "
        "the same recovery",
    ),
    QT_TRANSLATE_NOOP(
        "TuneText",
        "fast2 (nodelay) lowers the minimum RTO from 100 to 30 ms and backs off 1.5x instead of "
        "2x, so lost segments are resent sooner",
    ),
    QT_TRANSLATE_NOOP("TuneText", "loss not measured: FEC left as it is"),
    QT_TRANSLATE_NOOP("TuneText", "turn parity off"),
    QT_TRANSLATE_NOOP("TuneText", "not changed"),
    QT_TRANSLATE_NOOP("TuneText", "snappy compression costs CPU on every byte"),
    QT_TRANSLATE_NOOP("TuneText", "turning it off (both ends) frees it for the transfer"),
    QT_TRANSLATE_NOOP("TuneText", "CPU-bound"),
    QT_TRANSLATE_NOOP(
        "TuneText",
        "pacing sends at the rate the path delivers instead of a window at a time, so the "
        "bottleneck queue stops overflowing (KCP Desk only)",
    ),
    QT_TRANSLATE_NOOP("TuneText", "client"),
    QT_TRANSLATE_NOOP("TuneText", "server"),
    QT_TRANSLATE_NOOP("TuneText", "download"),
    QT_TRANSLATE_NOOP("TuneText", "upload"),
    QT_TRANSLATE_NOOP("TuneText", "current windows"),
    QT_TRANSLATE_NOOP("TuneText", "large windows"),
    QT_TRANSLATE_NOOP(  # kcpcore.aio.tunetest.NoTuneService
        "TuneText",
        "the server did not answer the tune test (Go kcptun, or KCP Desk without --tuneserve)",
    ),
)
"""Clauses and words without numbers, looked up as they are."""

_WORDS: Final = ("dir", "role", "d", "w")
"""fields that are a fixed word (client, download...): looked up in ``FIXED``"""


def advice_text(text: str) -> str:
    """A reason or finding of ``kcpcore.tune`` (clauses joined by "; ") in the app's language."""
    return translate("TuneText", "; ").join(_clause(c) for c in text.split("; "))


def _clause(text: str) -> str:
    for rx, template in CLAUSES:
        m = rx.match(text)
        if m is None:
            continue
        values = {k: v or "" for k, v in m.groupdict().items()}
        if "x" in values:
            values["x"] = _clause(values["x"])
        if "parts" in values:
            words = translate("TuneText", " and ")
            values["parts"] = words.join(_clause(p) for p in values["parts"].split(" and "))
        for key in _WORDS:
            if key in values and not (key == "w" and values[key].endswith("wnd")):
                values[key] = translate("TuneText", values[key])
        return translate("TuneText", template).format(**values)
    return translate("TuneText", text)


def change_line(end: str, setting: str, current: object, proposed: object) -> str:
    """A recommendation's one line (``Recommendation.line``) with the end in words."""
    return translate("TuneText", "{end}: {setting} {current} -> {proposed}").format(
        end=translate("TuneText", end), setting=setting, current=current, proposed=proposed
    )
