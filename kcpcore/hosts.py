"""Host syntax of an address: IPv4 octets, IPv6, hostnames (RFC 1123), checked before a run.

Go's ``net`` package resolves anything that does not parse as an IP address as a name, so
kcptun takes ``999.1.2.3`` or ``10.0.0.1.`` typos and fails only when it dials ("no such
host"), or, behind a resolver that answers every name, reaches somewhere else. These checks
turn such a host into a message beside the field (``TunnelConfig.validate``) instead.

The rules, strict where Go would certainly fail and lenient where a resolver may still answer:

* a host made only of digits and dots is an IPv4 address: four octets 0..255, no leading
  zeros (Go 1.17+ refuses ``010.1.1.1`` as an IP and would then look it up as a name);
* a host with a colon is an IPv6 address (``fe80::1%eth0`` zones allowed);
* anything else is a hostname: labels of 1..63 letters, digits, ``-`` or ``_`` (``_`` is
  not RFC 1123, but resolvers serve such names inside companies), not starting or ending with
  ``-``, 253 characters at most, one optional trailing dot. International names must be in
  their ASCII (``xn--``) form, which Go's resolver needs.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

__all__ = ["host_problem"]

HOSTNAME_MAX: Final = 253  # characters, without the trailing dot (RFC 1035 2.3.4)
LABEL_MAX: Final = 63  # characters per dot-separated label
IPV4_OCTETS: Final = 4
OCTET_MAX: Final = 255

_NUMERIC: Final = re.compile(r"[0-9.]+\Z")
_LABEL: Final = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?\Z")


def host_problem(host: str) -> str:
    """Why ``host`` (without brackets or port) cannot be dialled or bound, or "" if it can.

    An empty host is fine: ``:port`` means every interface (listen) or this machine (dial).
    """
    if host == "":
        return ""
    if ":" in host:
        return _ipv6_problem(host)
    if _NUMERIC.match(host):
        return _ipv4_problem(host)
    return _hostname_problem(host)


def _ipv4_problem(host: str) -> str:
    parts = host.split(".")
    if len(parts) != IPV4_OCTETS or any(p == "" for p in parts):
        return "not an IPv4 address (four numbers 0..255 joined by dots)"
    for part in parts:
        if int(part) > OCTET_MAX:
            return f"not an IPv4 address: {part} is above {OCTET_MAX}"
        if len(part) > 1 and part.startswith("0"):
            return f"not an IPv4 address: write {int(part)}, not {part}"
    return ""


def _ipv6_problem(host: str) -> str:
    addr, sep, zone = host.partition("%")
    if sep and not zone:
        return "empty zone after '%' (e.g. fe80::1%eth0)"
    try:
        ipaddress.IPv6Address(addr)
    except ValueError:
        return f"{addr} is not an IPv6 address"
    return ""


def _hostname_problem(host: str) -> str:
    if not host.isascii():
        try:
            ascii_form = host.encode("idna").decode("ascii")
        except UnicodeError:
            return "not a valid host name"
        return f"write the international name {host} in its ASCII form: {ascii_form}"
    name = host[:-1] if host.endswith(".") else host
    if len(name) > HOSTNAME_MAX:
        return f"host name is {len(name)} characters long, more than {HOSTNAME_MAX}"
    for label in name.split("."):
        if label == "":
            return "empty part between dots in the host name"
        if len(label) > LABEL_MAX:
            return f"the part {label[:12]}... of the host name has more than {LABEL_MAX} characters"
        if not _LABEL.match(label):
            bad = next((c for c in label if not (c.isalnum() or c in "-_")), "-")
            why = f"character {bad!r}" if bad != "-" else "'-' at the start or end of a part"
            return f"not a host name: {why}"
    return ""
