"""kcptun_gclient's ``kcptun://`` share links: a client profile in one line (or one QR code).

The format, from kcptun_gclient's README::

    kcptun://BASE64( server=host:port;key=BASE64(key);crypt=aes;nocomp=false;datashard=10;
                     parityshard=3;conn=1;mtu=1350;sndwnd=128;rcvwnd=512;dscp=0;autoexpire=0;
                     mode=fast;[nodelay=..;interval=..;resend=..;nc=..;]acknodelay=false;
                     keepalive=10;sockbuf=4194304;remark=BASE64(remark); )

``key=`` and ``remark=`` are base64 again; the four manual-mode fields appear only with
``mode=manual``. A link carries the pre-shared key only when the user asks for it
(``include_key``): a link without ``key=`` imports with kcptun's public default key and says so.

Reading is strict, because a link comes from someone else: unknown or repeated fields, values
that are not numbers or booleans, and settings outside kcptun's ranges are refused with a
message that names the field. Base64 may be wrapped (Delphi wraps at 76 columns), URL-safe or
unpadded; the decoded text must end with ``;``, which is how a truncated link is told apart.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, replace
from typing import Any, Final

from .config import DEFAULT_KEY, FIELD_SPECS, MODES, TunnelConfig
from .errors import ConfigError

__all__ = ["SCHEME", "ShareLink", "parse_link", "to_link"]

SCHEME: Final = "kcptun://"
LINK_MAX: Final = 8192  # characters; a full link is ~400, a QR code holds ~2900

# Field order of kcptun_gclient's README; the manual-mode four come after ``mode``.
_SETTINGS: Final = (
    "crypt", "nocomp", "datashard", "parityshard", "conn", "mtu", "sndwnd", "rcvwnd", "dscp",
    "autoexpire", "mode",
)  # fmt: skip
_MANUAL: Final = ("nodelay", "interval", "resend", "nc")
_TAIL: Final = ("acknodelay", "keepalive", "sockbuf")
KNOWN: Final = frozenset({"server", "key", "remark", *_SETTINGS, *_MANUAL, *_TAIL})


@dataclass(frozen=True, slots=True)
class ShareLink:
    """What a link held: a client config, its remark, and whether the key was in it."""

    config: TunnelConfig
    remark: str = ""
    has_key: bool = False


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def to_link(cfg: TunnelConfig, *, remark: str = "", include_key: bool = False) -> str:
    """The ``kcptun://`` link of a client config; the key only when ``include_key``."""
    if cfg.role != "client":
        raise ConfigError("share links describe a client (the server address to dial)")
    items = [f"server={cfg.remoteaddr}"]
    if include_key:
        items.append(f"key={_b64(cfg.key)}")
    names = [*_SETTINGS, *(_MANUAL if cfg.mode not in MODES else ()), *_TAIL]
    items += [f"{n}={_text(getattr(cfg, n))}" for n in names]
    items.append(f"remark={_b64(remark)}")
    return SCHEME + _b64(";".join(items) + ";")


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _decode_b64(data: str, what: str) -> str:
    s = "".join(data.split()).replace("-", "+").replace("_", "/")
    if len(s) % 4 == 1:
        raise ConfigError(
            f"{what} is not valid base64 (its length is off by one character: "
            "the link may be cut short)"
        )
    try:
        raw = base64.b64decode(s + "=" * (-len(s) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{what} is not valid base64") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{what} does not decode to text (wrong base64?)") from None


def _fields(body: str) -> dict[str, str]:
    if not body.endswith(";"):
        raise ConfigError("the link is cut short: its settings do not end with ';'")
    out: dict[str, str] = {}
    unknown: list[str] = []
    for item in body[:-1].split(";"):
        if not item.strip():
            continue
        name, eq, value = item.partition("=")
        name = name.strip().lower()
        if not eq:
            raise ConfigError(f"'{item[:40]}' is not name=value")
        if name not in KNOWN:
            unknown.append(name[:40])
            continue
        if name in out:
            raise ConfigError(f"{name} appears twice")
        out[name] = value.strip()
    if unknown:
        raise ConfigError(
            f"unknown field{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)} (not a kcptun_gclient link, or a newer one)"
        )
    return out


def _value(name: str, text: str) -> Any:
    spec = FIELD_SPECS[name]
    if spec.kind == "str":
        return text
    if spec.kind == "bool" or (name in ("nodelay", "nc") and text.lower() in ("true", "false")):
        low = text.lower()
        if low not in ("true", "false", "1", "0"):
            raise ConfigError(f"{name}: expected true or false, got {text[:20]!r}", field=name)
        flag = low in ("true", "1")
        return flag if spec.kind == "bool" else int(flag)
    if not (text.lstrip("+-").isdigit() and len(text) <= 20):
        raise ConfigError(f"{name}: expected a whole number, got {text[:20]!r}", field=name)
    return int(text)


def parse_link(link: str) -> ShareLink:
    """Read a pasted ``kcptun://`` link into a client config.

    Raises:
        ConfigError: with a message saying what is wrong (scheme, base64, truncation, an
            unknown field, a value kcptun would refuse...).
    """
    text = link.strip()
    if len(text) > LINK_MAX:
        raise ConfigError(
            f"the link is {len(text)} characters long; a kcptun link is a few hundred"
        )
    if not text.lower().startswith(SCHEME):
        raise ConfigError(f"a share link starts with {SCHEME}")
    payload = text[len(SCHEME) :]
    if not payload.strip():
        raise ConfigError("the link is empty after kcptun://")
    fields = _fields(_decode_b64(payload, "the link"))
    server = fields.pop("server", "")
    if not server:
        raise ConfigError("the link has no server=host:port", field="remoteaddr")
    key_b64 = fields.pop("key", None)
    key = DEFAULT_KEY if key_b64 is None else _decode_b64(key_b64, "the key")
    remark_b64 = fields.pop("remark", "")
    remark = _decode_b64(remark_b64, "the remark") if remark_b64 else ""
    changes = {n: _value(n, v) for n, v in fields.items()}
    cfg = replace(TunnelConfig(role="client"), remoteaddr=server, key=key, **changes)
    problems = cfg.validate()
    if problems:
        raise ConfigError("; ".join(str(p) for p in problems), field=problems[0].field)
    return ShareLink(cfg, remark, key_b64 is not None)
