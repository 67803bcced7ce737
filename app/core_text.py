"""kcpcore's English (setting help, tooltips, units, validation messages) in the app's language.

kcpcore imports no Qt and stays English (its CLI speaks English), so its words are translated
here, on their way to the screen:

- fixed texts (each ``FieldSpec``'s help, tooltip, unit and out-of-range reason; the peer
  generations' labels and notes) by exact lookup in the ``kcpcore`` context:
  ``spec_text(spec.help)``. ``app/core_catalog.py`` lists them for lupdate; it is generated
  from kcpcore by ``python -m app.i18n update`` and a test fails when it is out of date;
- messages with values in them (``must be 1..65535 packets, not 0``) by ``PATTERNS``: a
  regular expression of the English message and a translated template with the same named
  fields. Fields named ``why``/``unit``/``what`` are themselves translated. A message no
  pattern knows is shown in English (tests/app/test_i18n.py opens the editor with each kind
  of error in Chinese and fails on one).
"""

from __future__ import annotations

import re
from typing import Final

from app.i18n import QT_TRANSLATE_NOOP, translate

CONTEXT: Final = "kcpcore"


def spec_text(text: str) -> str:
    """A fixed kcpcore text (help, tooltip, unit...) in the installed language."""
    return translate("kcpcore", text) if text else text


PATTERNS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(rx), template)
    for rx, template in (
        (
            r"^must be at least (?P<low>-?\d+)(?: (?P<unit>[a-z/]+))?, not (?P<value>-?\d+)"
            r"(?:; (?P<why>.+))?$",
            QT_TRANSLATE_NOOP("CoreText", "must be at least {low}{unit}, not {value}{why}"),
        ),
        (
            r"^must be (?P<low>-?\d+)\.\.(?P<high>-?\d+)(?: (?P<unit>[a-z/]+))?, "
            r"not (?P<value>-?\d+)(?:; (?P<why>.+))?$",
            QT_TRANSLATE_NOOP("CoreText", "must be {low}..{high}{unit}, not {value}{why}"),
        ),
        (
            r"^unknown cipher (?P<value>'.*') \(kcptun would silently use aes\); "
            r"valid: (?P<valid>.+)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "unknown cipher {value} (kcptun would silently use aes); valid: {valid}"
            ),
        ),
        (
            r"^unknown mode (?P<value>'.*') \(kcptun treats it as manual\); valid: (?P<valid>.+)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "unknown mode {value} (kcptun treats it as manual); valid: {valid}"
            ),
        ),
        (
            r"^datashard \+ parityshard must be <= (?P<max>\d+) \(Reed-Solomon over GF\(2\^8\)\)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "datashard + parityshard must be <= {max} (Reed-Solomon over GF(2^8))"
            ),
        ),
        (
            r"^must not exceed smuxbuf \(smux refuses the session\)$",
            QT_TRANSLATE_NOOP("CoreText", "must not exceed smuxbuf (smux refuses the session)"),
        ),
        (
            r"^must be larger than the (?P<bytes>\d+) header bytes \(KCP \+ crypt \+ FEC\)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "must be larger than the {bytes} header bytes (KCP + crypt + FEC)"
            ),
        ),
        (
            r"^raw-socket TCP emulation \(--tcp\) is not supported$",
            QT_TRANSLATE_NOOP("CoreText", "raw-socket TCP emulation (--tcp) is not supported"),
        ),
        (
            r"^unknown peer (?P<value>'.*'); valid: (?P<valid>.+)$",
            QT_TRANSLATE_NOOP("CoreText", "unknown peer {value}; valid: {valid}"),
        ),
        (
            r"^must be 0 \(no limit\) or at least one datagram per second "
            r"\(mtu (?P<mtu>\d+) bytes/s\), not (?P<value>-?\d+)$",
            QT_TRANSLATE_NOOP(
                "CoreText",
                "must be 0 (no limit) or at least one datagram per second "
                "(mtu {mtu} bytes/s), not {value}",
            ),
        ),
        (
            r"^empty target \(expected host:port or a unix socket path\)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "empty target (expected host:port or a unix socket path)"
            ),
        ),
        (
            r"^address (?P<value>'.*'): port 0 cannot be dialled$",
            QT_TRANSLATE_NOOP("CoreText", "address {value}: port 0 cannot be dialled"),
        ),
        (
            r"^address (?P<value>'.*'): port (?P<port>'.*') is not a number$",
            QT_TRANSLATE_NOOP("CoreText", "address {value}: port {port} is not a number"),
        ),
        (
            r"^address (?P<value>'.*'): port (?P<port>\d+) is out of range 0\.\.65535$",
            QT_TRANSLATE_NOOP("CoreText", "address {value}: port {port} is out of range 0..65535"),
        ),
        (
            r"^address (?P<value>'.*'): ports of a range must be 1\.\.65535$",
            QT_TRANSLATE_NOOP("CoreText", "address {value}: ports of a range must be 1..65535"),
        ),
        (
            r"^not an IPv4 address \(four numbers 0\.\.255 joined by dots\)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "not an IPv4 address (four numbers 0..255 joined by dots)"
            ),
        ),
        (
            r"^not an IPv4 address: (?P<part>\d+) is above (?P<max>\d+)$",
            QT_TRANSLATE_NOOP("CoreText", "not an IPv4 address: {part} is above {max}"),
        ),
        (
            r"^not an IPv4 address: write (?P<good>\d+), not (?P<bad>\d+)$",
            QT_TRANSLATE_NOOP("CoreText", "not an IPv4 address: write {good}, not {bad}"),
        ),
        (
            r"^empty zone after '%' \(e\.g\. fe80::1%eth0\)$",
            QT_TRANSLATE_NOOP("CoreText", "empty zone after '%' (e.g. fe80::1%eth0)"),
        ),
        (
            r"^(?P<addr>\S+) is not an IPv6 address$",
            QT_TRANSLATE_NOOP("CoreText", "{addr} is not an IPv6 address"),
        ),
        (
            r"^not a valid host name$",
            QT_TRANSLATE_NOOP("CoreText", "not a valid host name"),
        ),
        (
            r"^write the international name (?P<host>.+) in its ASCII form: (?P<ascii>\S+)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "write the international name {host} in its ASCII form: {ascii}"
            ),
        ),
        (
            r"^host name is (?P<n>\d+) characters long, more than (?P<max>\d+)$",
            QT_TRANSLATE_NOOP("CoreText", "host name is {n} characters long, more than {max}"),
        ),
        (
            r"^empty part between dots in the host name$",
            QT_TRANSLATE_NOOP("CoreText", "empty part between dots in the host name"),
        ),
        (
            r"^the part (?P<part>.+)\.\.\. of the host name has more than (?P<max>\d+) "
            r"characters$",
            QT_TRANSLATE_NOOP(
                "CoreText", "the part {part}... of the host name has more than {max} characters"
            ),
        ),
        (
            r"^not a host name: character (?P<char>'.*')$",
            QT_TRANSLATE_NOOP("CoreText", "not a host name: character {char}"),
        ),
        (
            r"^not a host name: '-' at the start or end of a part$",
            QT_TRANSLATE_NOOP("CoreText", "not a host name: '-' at the start or end of a part"),
        ),
        (
            r"^empty key: enter the key the other end uses \(or generate one for both\)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "empty key: enter the key the other end uses (or generate one for both)"
            ),
        ),
        (
            r"^kcptun's published default key: anyone who knows kcptun can use this tunnel\. "
            r"Use your own key at both ends\.$",
            QT_TRANSLATE_NOOP(
                "CoreText",
                "kcptun's published default key: anyone who knows kcptun can use this "
                "tunnel. Use your own key at both ends.",
            ),
        ),
        (
            r"^FEC is off: kcptun uses FEC only when both shards are above 0 \(parityshard "
            r"(?P<ps>\d+) is ignored\)\. Set parityshard 0 too, or datashard above 0\.$",
            QT_TRANSLATE_NOOP(
                "CoreText",
                "FEC is off: kcptun uses FEC only when both shards are above 0 (parityshard "
                "{ps} is ignored). Set parityshard 0 too, or datashard above 0.",
            ),
        ),
        (
            r"^address (?P<value>'.*'): (?P<what>.+)$",
            QT_TRANSLATE_NOOP("CoreText", "address {value}: {what}"),
        ),
        (
            r"^a profile needs a name$",
            QT_TRANSLATE_NOOP("CoreText", "a profile needs a name"),
        ),
        (
            r"^no spaces at the start or end$",
            QT_TRANSLATE_NOOP("CoreText", "no spaces at the start or end"),
        ),
        (
            r"^at most (?P<max>\d+) characters$",
            QT_TRANSLATE_NOOP("CoreText", "at most {max} characters"),
        ),
        (
            r"^no control characters \(tabs, line breaks\)$",
            QT_TRANSLATE_NOOP("CoreText", "no control characters (tabs, line breaks)"),
        ),
        (
            r"^a profile named (?P<name>'.*') already exists$",
            QT_TRANSLATE_NOOP("CoreText", "a profile named {name} already exists"),
        ),
        # importing a kcptun JSON file, a command line or a share link
        (
            r"^not valid JSON \((?P<detail>.*)\)$",
            QT_TRANSLATE_NOOP("CoreText", "not valid JSON ({detail})"),
        ),
        (
            r"^a kcptun config is a JSON object$",
            QT_TRANSLATE_NOOP("CoreText", "a kcptun config is a JSON object"),
        ),
        (
            r"^cannot tell whether this is a client or a server config "
            r"\(no localaddr/remoteaddr or listen/target keys\)$",
            QT_TRANSLATE_NOOP(
                "CoreText",
                "cannot tell whether this is a client or a server config "
                "(no localaddr/remoteaddr or listen/target keys)",
            ),
        ),
        (
            r"^cannot split the command line: (?P<detail>.*)$",
            QT_TRANSLATE_NOOP("CoreText", "cannot split the command line: {detail}"),
        ),
        (
            r"^the command must start with kcptun-client or kcptun-server "
            r"\(or 'kcpdesk client' / 'kcpdesk server'\)$",
            QT_TRANSLATE_NOOP(
                "CoreText",
                "the command must start with kcptun-client or kcptun-server "
                "(or 'kcpdesk client' / 'kcpdesk server')",
            ),
        ),
        (
            r"^unexpected argument (?P<arg>'.*') \(kcptun stops reading flags there\)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "unexpected argument {arg} (kcptun stops reading flags there)"
            ),
        ),
        (
            r"^flag provided but not defined: (?P<flag>-\S+)$",
            QT_TRANSLATE_NOOP("CoreText", "flag provided but not defined: {flag}"),
        ),
        (
            r"^flag needs an argument: (?P<flag>-\S+)$",
            QT_TRANSLATE_NOOP("CoreText", "flag needs an argument: {flag}"),
        ),
        (
            r"^bad flag syntax: (?P<flag>.*)$",
            QT_TRANSLATE_NOOP("CoreText", "bad flag syntax: {flag}"),
        ),
        (
            r"^share links describe a client \(the server address to dial\)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "share links describe a client (the server address to dial)"
            ),
        ),
        (
            r"^(?P<what>.+) is not valid base64$",
            QT_TRANSLATE_NOOP("CoreText", "{what} is not valid base64"),
        ),
        (
            r"^(?P<what>.+) is not valid base64 \(its length is off by one character: "
            r"the link may be cut short\)$",
            QT_TRANSLATE_NOOP(
                "CoreText",
                "{what} is not valid base64 (its length is off by one character: "
                "the link may be cut short)",
            ),
        ),
        (
            r"^(?P<what>.+) does not decode to text \(wrong base64\?\)$",
            QT_TRANSLATE_NOOP("CoreText", "{what} does not decode to text (wrong base64?)"),
        ),
        (  # Python's json module, inside "not valid JSON (...)"
            r"^(?P<what>[A-Z][^:]*): line (?P<line>\d+) column (?P<col>\d+) \(char \d+\)$",
            QT_TRANSLATE_NOOP("CoreText", "line {line} column {col}: {what}"),
        ),
        # why a session ended (kcpcore.smux), in "link dropped: ..." and "last session ended"
        (
            r"^smux: no frame from the peer in (?P<s>[\d.]+) s \(keepalive timeout\)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "smux: no frame from the peer in {s} s (keepalive timeout)"
            ),
        ),
        (
            r"^smux: frame version (?P<a>\d+), expected (?P<b>\d+)$",
            QT_TRANSLATE_NOOP("CoreText", "smux: frame version {a}, expected {b}"),
        ),
        (
            r"^smux: invalid command (?P<c>\d+)$",
            QT_TRANSLATE_NOOP("CoreText", "smux: invalid command {c}"),
        ),
        # warnings on import (kcpcore.flags): shown in the status bar or the import preview
        (
            r"^(?P<where>.+): ignoring (?P<n>\d+) unknown keys? \((?P<keys>.+)\): not "
            r"kcptun-(?P<role>client|server) settings KCP Desk knows \(a newer kcptun's, or a "
            r"typo\); the tunnel runs without them$",
            QT_TRANSLATE_NOOP(
                "CoreText",
                "{where}: ignoring {n} unknown keys ({keys}): not kcptun-{role} settings KCP Desk "
                "knows (a newer kcptun's, or a typo); the tunnel runs without them",
            ),
        ),
        (
            r"^unknown crypt (?P<value>'.*'), using (?P<default>\S+) as kcptun does "
            r"\(valid: (?P<valid>.+)\)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "unknown crypt {value}, using {default} as kcptun does (valid: {valid})"
            ),
        ),
        (
            r"^unknown mode (?P<value>'.*'), treating it as manual as kcptun does "
            r"\(valid: (?P<valid>.+)\)$",
            QT_TRANSLATE_NOOP(
                "CoreText",
                "unknown mode {value}, treating it as manual as kcptun does (valid: {valid})",
            ),
        ),
        (
            r"^--pprof does nothing here \(there is no Go profiler in Python\)$",
            QT_TRANSLATE_NOOP(
                "CoreText", "--pprof does nothing here (there is no Go profiler in Python)"
            ),
        ),
        (
            r"^(?P<flags>.+) exists? only in kcptun 2025\+: taking the other end to be kcptun "
            r"2025\+ \((?P<note>.+)\); --peer kcptun-2021 keeps the old defaults$",
            QT_TRANSLATE_NOOP(
                "CoreText",
                "{flags} exist only in kcptun 2025+: taking the other end to be kcptun 2025+ "
                "({note}); --peer kcptun-2021 keeps the old defaults",
            ),
        ),
        (
            r"^(?P<flags>.+) exists? only in kcptun 2025\+: taking the other end to be kcptun "
            r"2025\+; --peer kcptun-2021 keeps the old defaults$",
            QT_TRANSLATE_NOOP(
                "CoreText",
                "{flags} exist only in kcptun 2025+: taking the other end to be kcptun 2025+; "
                "--peer kcptun-2021 keeps the old defaults",
            ),
        ),
        (
            r"^the link is cut short: its settings do not end with ';'$",
            QT_TRANSLATE_NOOP(
                "CoreText", "the link is cut short: its settings do not end with ';'"
            ),
        ),
    )
)
"""(the English message's shape, its translation with the same named fields), first match wins"""

_NESTED: Final = ("why", "what", "detail")

OTHER_TEXTS: Final = (
    # what kcpcore's messages quote from elsewhere: the share link's parts, shlex, json
    QT_TRANSLATE_NOOP("kcpcore", "the link"),
    QT_TRANSLATE_NOOP("kcpcore", "the key"),
    QT_TRANSLATE_NOOP("kcpcore", "the remark"),
    QT_TRANSLATE_NOOP("kcpcore", "No closing quotation"),
    QT_TRANSLATE_NOOP("kcpcore", "No escaped character"),
    QT_TRANSLATE_NOOP("kcpcore", "Expecting value"),
    QT_TRANSLATE_NOOP("kcpcore", "Expecting property name enclosed in double quotes"),
    QT_TRANSLATE_NOOP("kcpcore", "Expecting ',' delimiter"),
    QT_TRANSLATE_NOOP("kcpcore", "Expecting ':' delimiter"),
    QT_TRANSLATE_NOOP("kcpcore", "Extra data"),
    QT_TRANSLATE_NOOP("kcpcore", "Unterminated string starting at"),
    QT_TRANSLATE_NOOP("kcpcore", "Invalid control character at"),
)
"""Marked for the catalogue; shown through ``spec_text`` when a message quotes them."""


def problem_text(message: str) -> str:
    """A kcpcore message (a ``FieldError``'s, a ``ConfigError``'s) in the installed language."""
    for rx, template in PATTERNS:
        m = rx.match(message)
        if m is None:
            continue
        values = {k: v or "" for k, v in m.groupdict().items()}
        for key in _NESTED:
            if values.get(key):
                values[key] = problem_text(values[key])
        if values.get("why"):
            values["why"] = translate("CoreText", "; {why}").format(why=values["why"])
        if values.get("unit"):
            values["unit"] = " " + spec_text(values["unit"])
        return translate("CoreText", template).format(**values)
    return spec_text(message)


def fixed_texts() -> list[str]:
    """Every fixed kcpcore text shown through ``spec_text``, in a stable order, once each."""
    from kcpcore.config import FIELD_SPECS
    from kcpcore.generations import GENERATIONS

    texts: list[str] = []
    for spec in FIELD_SPECS.values():
        texts += [spec.help, spec.tooltip, spec.unit, spec.outside or ""]
    for gen in GENERATIONS.values():
        texts += [gen.label, gen.note]
    return [t for t in dict.fromkeys(texts) if t]


def catalog_source() -> str:
    """The text of ``app/core_catalog.py``: ``fixed_texts()`` marked for lupdate."""
    lines = [
        '"""Generated by ``python -m app.i18n update`` from kcpcore',
        "(``app.core_text.fixed_texts``): kcpcore's fixed texts, marked so lupdate finds them.",
        'Do not edit."""',
        "",
        "from app.i18n import QT_TRANSLATE_NOOP",
        "",
        "TEXTS = (",
    ]
    lines += [f"    QT_TRANSLATE_NOOP({CONTEXT!r}, {text!r})," for text in fixed_texts()]
    lines.append(")")
    return "\n".join(lines).replace("'kcpcore'", '"kcpcore"') + "\n"
