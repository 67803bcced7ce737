"""kcptun's command-line flags: Go's flag syntax, and the config a command line builds.

``kcpdesk client [flags]`` accepts exactly kcptun-client 20210922's flags (``server`` likewise),
with Go's flag syntax, because users paste kcptun command lines: ``-x v``, ``--x v``, ``-x=v``,
``--x=v``; bool flags take no separate value (``--nocomp``, ``--nocomp=false``); integers use Go's
``ParseInt(s, 0, 64)`` (``0x500``, ``0o17``, ``010`` octal, ``1_000``); parsing stops at the
first non-flag or ``--``; naming one flag by two of its names is an error (urfave/cli v1).
argparse cannot do this (values starting with ``-``, octal, ``-flag=false``), so the parser
here is a small re-implementation of Go's ``flag.FlagSet.parseOne``.

Config precedence is kcptun's (``kcpcore.config``): defaults < ``KCPTUN_KEY`` < ``--profile``
(ours) < flags < ``-c`` JSON < mode preset.

The command (``kcpcore.cli``), pasted command lines (``kcpcore.profiles``) and the profile
editor all parse through this module; it runs nothing and imports neither asyncio nor the GUI.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from .config import (
    DEFAULT_CRYPT,
    MANUAL_MODE,
    MODES,
    Role,
    TunnelConfig,
    apply_mode,
    crypt_names,
    fields_for,
    infer_peer,
    json_setting_names,
    unknown_json_keys,
    with_peer,
)
from .errors import ConfigError
from .process_options import PROCESS_FLAGS

__all__ = [
    "CLI_ONLY",
    "KEY_ENV",
    "Flag",
    "ParsedArgs",
    "build_config",
    "go_parse_bool",
    "go_parse_int",
    "load_profile",
    "parse_go_flags",
    "parse_role_args",
    "read_json_config",
    "role_flags",
]

KEY_ENV: Final = "KCPTUN_KEY"

log = logging.getLogger("kcpdesk")

Kind = Literal["str", "int", "bool"]


@dataclass(frozen=True, slots=True)
class Flag:
    """One command-line flag as kcptun (urfave/cli v1) defines it."""

    dest: str
    """TunnelConfig attribute, or a CLI-only name: c, profile, help, version"""
    names: tuple[str, ...]
    """without dashes, primary first; any name works with one or two dashes"""
    kind: Kind
    help: str
    default: str | int | bool
    hidden: bool = False
    env: str | None = None


CLI_ONLY: Final = (
    Flag(
        "c", ("c",), "str", "config from json file, which will override the command from shell", ""
    ),
    Flag(
        "profile",
        ("profile",),
        "str",
        "start from a saved KCP Desk profile (flags and -c still apply on top)",
        "",
    ),
    Flag("help", ("help", "h"), "bool", "show help", False),
    Flag("version", ("version", "v"), "bool", "print the version", False),
)


def role_flags(role: Role) -> tuple[Flag, ...]:
    """kcptun's flags for ``role`` in its ``--help`` order, then ours."""
    own = tuple(
        Flag(s.name, s.flags, s.kind, s.help, s.default_for(role), s.hidden, s.env)
        for s in fields_for(role)
    )
    process = tuple(
        Flag(p.dest, (p.name,), "str", p.help, p.default) for p in PROCESS_FLAGS if role in p.roles
    )
    return own + process + CLI_ONLY


# --- Go flag syntax -------------------------------------------------------------------------

_GO_INT: Final = re.compile(
    r"[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*"
    r"|[1-9](?:_?[0-9])*)\Z"
)
_GO_TRUE: Final = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_GO_FALSE: Final = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1


def go_parse_int(s: str) -> int:
    """Go's ``strconv.ParseInt(s, 0, 64)``: base prefixes, leading-0 octal, ``_`` separators.

    Raises:
        ValueError: "parse error" or "value out of range", Go's wording.
    """
    if not _GO_INT.match(s):
        raise ValueError("parse error")
    body = s.lstrip("+-").replace("_", "")
    sign = -1 if s.startswith("-") else 1
    if body[:2].lower() in ("0x", "0b", "0o"):
        value = int(body, 0)
    elif body[0] == "0":  # a leading 0 means octal in Go ("0" itself is 0 either way)
        value = int(body, 8)
    else:
        value = int(body)
    value *= sign
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise ValueError("value out of range")
    return value


def go_parse_bool(s: str) -> bool:
    """Go's ``strconv.ParseBool``."""
    if s in _GO_TRUE:
        return True
    if s in _GO_FALSE:
        return False
    raise ValueError("parse error")


def parse_go_flags(args: Sequence[str], flags: Sequence[Flag]) -> tuple[dict[str, Any], list[str]]:
    """Parse ``args`` the way Go's ``flag`` package (under urfave/cli v1) does.

    Returns:
        ({dest: value} for every flag given, the last occurrence winning; the positional
        arguments left after the first non-flag or ``--``).

    Raises:
        ConfigError: unknown flag, missing or malformed value, bad syntax, or one flag given
            under two of its names.
    """
    by_name = {n: f for f in flags for n in f.names}
    values: dict[str, Any] = {}
    used_as: dict[str, str] = {}
    rest = list(args)
    while rest:
        s = rest[0]
        if len(s) < 2 or s[0] != "-":
            break
        if s == "--":
            rest.pop(0)
            break
        rest.pop(0)
        name = s[2:] if s[1] == "-" else s[1:]
        if not name or name[0] in "-=":
            raise ConfigError(f"bad flag syntax: {s}")
        name, eq, value = name.partition("=")
        flag = by_name.get(name)
        if flag is None:
            raise ConfigError(f"flag provided but not defined: -{name}")
        if flag.kind == "bool":
            if not eq:
                value = "true"
            try:
                parsed: Any = go_parse_bool(value)
            except ValueError:
                raise ConfigError(
                    f"invalid boolean value {value!r} for -{name}: parse error "
                    "(use -flag or -flag=false)"
                ) from None
        else:
            if not eq:
                if not rest:
                    raise ConfigError(f"flag needs an argument: -{name}")
                value = rest.pop(0)
            try:
                parsed = go_parse_int(value) if flag.kind == "int" else value
            except ValueError as exc:
                raise ConfigError(
                    f'invalid value "{value}" for flag -{name}: {exc} (expected an integer)'
                ) from None
        other = used_as.get(flag.dest)
        if other is not None and other != name:
            raise ConfigError(f"cannot use two forms of the same flag: {other} {name}")
        used_as[flag.dest] = name
        values[flag.dest] = parsed
    return values, rest


# --- building the config --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedArgs:
    """A role's command line, split into settings and CLI-only switches."""

    role: Role
    settings: dict[str, Any]
    """explicitly given TunnelConfig fields"""
    config_path: str = ""
    profile: str = ""
    help: bool = False
    version: bool = False
    positional: tuple[str, ...] = ()
    process: dict[str, Any] = field(default_factory=dict)
    """process-level flags given (``kcpcore.process_options``), unchecked"""


def parse_role_args(role: Role, args: Sequence[str]) -> ParsedArgs:
    """Parse ``kcpdesk client|server`` arguments (after the role word)."""
    values, rest = parse_go_flags(args, role_flags(role))
    cli_only = {f.dest for f in CLI_ONLY}
    process = {p.dest for p in PROCESS_FLAGS}
    return ParsedArgs(
        role=role,
        settings={k: v for k, v in values.items() if k not in cli_only and k not in process},
        process={k: v for k, v in values.items() if k in process},
        config_path=values.get("c", ""),
        profile=values.get("profile", ""),
        help=values.get("help", False),
        version=values.get("version", False),
        positional=tuple(rest),
    )


def load_profile(name: str) -> TunnelConfig:
    """A saved KCP Desk profile by name (``kcpcore.profiles``); the hook ``--profile`` uses.

    Damaged profile files met on the way are moved aside and logged, never silently skipped.

    Raises:
        ConfigError: no such profile, or its file cannot be read.
    """
    from .profiles import ProfileStore  # lazy: profiles imports this module for parsing

    store = ProfileStore()
    try:
        profiles, problems = store.load_all()
    except OSError as exc:
        raise ConfigError(
            f"profiles in {store.directory}: {exc.strerror or exc}", field="profile"
        ) from None
    for profile in profiles:
        if profile.name == name:
            for problem in problems:
                log.warning("profile store: %s", problem)
            return profile.config
    known = ", ".join(repr(p.name) for p in profiles) or f"none in {store.directory}"
    damaged = "".join(f"; {p}" for p in problems)
    raise ConfigError(
        f"no profile named {name!r} (saved profiles: {known}{damaged})", field="profile"
    )


def read_json_config(
    path: str, base: TunnelConfig, warnings: list[str] | None = None, given: set[str] | None = None
) -> TunnelConfig:
    """kcptun's ``-c``: the file's keys override ``base`` (see TunnelConfig.from_kcptun_json).

    Keys that are no setting here (a newer kcptun's, a typo) are ignored as kcptun does, and
    named in ``warnings``; the settings the file gives are added to ``given``.
    """
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise ConfigError(f"-c {path}: {exc.strerror or exc}", field="c") from None
    text = raw.decode("utf-8", "replace")
    try:
        cfg = TunnelConfig.from_kcptun_json_text(base.role, text, base)
    except ConfigError as exc:
        raise ConfigError(f"-c {path}: {exc}", field=exc.field) from None
    if warnings is not None:
        warnings += json_key_warnings(base.role, text, f"-c {path}")
    if given is not None:
        given |= json_setting_names(base.role, _decode_pairs(text))
    return cfg


def _decode_pairs(text: str) -> Any:
    """The first JSON value of ``text`` with objects as (key, value) lists; None if invalid."""
    try:
        return json.JSONDecoder(object_pairs_hook=list).raw_decode(text.lstrip())[0]
    except ValueError:
        return None


def json_key_warnings(role: Role, text: str, where: str) -> list[str]:
    """One warning naming the keys of a kcptun JSON text that this role has no setting for."""
    unknown = unknown_json_keys(role, _decode_pairs(text))
    if not unknown:
        return []
    return [
        f"{where}: ignoring {len(unknown)} unknown key{'s' if len(unknown) > 1 else ''} "
        f"({', '.join(unknown)}): not kcptun-{role} settings KCP Desk knows (a newer "
        "kcptun's, or a typo); the tunnel runs without them"
    ]


def build_config(
    parsed: ParsedArgs, env: Mapping[str, str] | None = None
) -> tuple[TunnelConfig, list[str]]:
    """The effective config for a parsed command line, and warnings to log.

    Order, as in kcptun: defaults, ``KCPTUN_KEY`` (even when empty, like urfave/cli), our
    ``--profile``, the flags, ``-c`` JSON, then the mode preset. An unknown cipher becomes
    ``aes`` and an unknown mode ``manual``, as kcptun does, but with a warning.
    """
    env = os.environ if env is None else env
    role = parsed.role
    cfg = TunnelConfig.default(role)
    if KEY_ENV in env:
        cfg = replace(cfg, key=env[KEY_ENV])
    if parsed.profile:
        cfg = load_profile(parsed.profile)
        if cfg.role != role:
            raise ConfigError(
                f"profile {parsed.profile!r} is a {cfg.role} profile, not a {role} one",
                field="profile",
            )
    settings = dict(parsed.settings)
    if "peer" in settings:  # the generation's defaults first, the other flags on top
        cfg = with_peer(cfg, settings.pop("peer"))
    cfg = replace(cfg, **settings)
    warnings: list[str] = []
    explicit = set(parsed.settings)
    if parsed.config_path:
        cfg = read_json_config(parsed.config_path, cfg, warnings, explicit)
    if not parsed.profile:  # a saved profile's peer is the user's choice already
        cfg, inferred = infer_peer(cfg, explicit)
        if inferred:
            warnings.append(inferred)
    if cfg.crypt not in crypt_names():
        warnings.append(
            f"unknown crypt {cfg.crypt!r}, using {DEFAULT_CRYPT} as kcptun does "
            f"(valid: {', '.join(crypt_names())})"
        )
        cfg = replace(cfg, crypt=DEFAULT_CRYPT)
    if cfg.mode not in MODES and cfg.mode != MANUAL_MODE:
        warnings.append(
            f"unknown mode {cfg.mode!r}, treating it as manual as kcptun does "
            f"(valid: {', '.join([*MODES, MANUAL_MODE])})"
        )
        cfg = replace(cfg, mode=MANUAL_MODE)
    if cfg.role == "server" and cfg.pprof:
        warnings.append("--pprof does nothing here (there is no Go profiler in Python)")
    return apply_mode(cfg), warnings
