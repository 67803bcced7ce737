"""``kcpdesk``: kcptun-compatible ``client``/``server`` commands, and the GUI when run bare.

``kcpdesk client [flags]`` accepts exactly kcptun-client 20210922's flags (``server`` likewise),
with Go's flag syntax, because users paste kcptun command lines: ``-x v``, ``--x v``, ``-x=v``,
``--x=v``; bool flags take no separate value (``--nocomp``, ``--nocomp=false``); integers use Go's
``ParseInt(s, 0, 64)`` (``0x500``, ``0o17``, ``010`` octal, ``1_000``); parsing stops at the
first non-flag or ``--``; naming one flag by two of its names is an error (urfave/cli v1).
argparse cannot do this (values starting with ``-``, octal, ``-flag=false``), so the parser
here is a small re-implementation of Go's ``flag.FlagSet.parseOne``.

Config precedence is kcptun's (``kcpcore.config``): defaults < ``KCPTUN_KEY`` < ``--profile``
(ours) < flags < ``-c`` JSON < mode preset. Differences from kcptun, all deliberate: every
input error is one ``kcpdesk: error:`` line and a non-zero exit (kcptun prints usage and exits
0, or exits 255 from ``-c``); values kcptun would silently ignore or crash on are refused
(``TunnelConfig.validate``); an unknown cipher or mode is warned about; stray positional
arguments are refused (kcptun silently stops reading flags there).

Exit status: 0 ok, 1 runtime failure (port in use...), 2 usage or config error, 3 engine or
GUI missing.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from . import __version__
from .config import (
    DEFAULT_CRYPT,
    DEFAULT_KEY,
    KCPTUN_VERSION,
    MANUAL_MODE,
    MODES,
    ROLES,
    Role,
    TunnelConfig,
    apply_mode,
    crypt_names,
    effective_kcp_params,
    fields_for,
)
from .errors import ConfigError, KcpError

__all__ = ["build_config", "load_profile", "main", "parse_go_flags", "run", "setup_logging",
           "startup_lines"]

PROG: Final = "kcpdesk"
EXIT_OK: Final = 0
EXIT_FAILURE: Final = 1
EXIT_USAGE: Final = 2
EXIT_MISSING: Final = 3
EXIT_INTERRUPTED: Final = 130

LOG_DATEFMT: Final = "%Y/%m/%d %H:%M:%S"  # Go's log.LstdFlags
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


_CLI_ONLY: Final = (
    Flag("c", ("c",), "str", "config from json file, which will override the command from shell",
         ""),
    Flag("profile", ("profile",), "str",
         "start from a saved KCP Desk profile (flags and -c still apply on top)", ""),
    Flag("help", ("help", "h"), "bool", "show help", False),
    Flag("version", ("version", "v"), "bool", "print the version", False),
)


def role_flags(role: Role) -> tuple[Flag, ...]:
    """kcptun's flags for ``role`` in its ``--help`` order, then ours."""
    own = tuple(Flag(s.name, s.flags, s.kind, s.help, s.default_for(role), s.hidden, s.env)
                for s in fields_for(role))
    return own + _CLI_ONLY


# --- Go flag syntax -------------------------------------------------------------------------

_GO_INT: Final = re.compile(
    r"[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*"
    r"|[1-9](?:_?[0-9])*)\Z")
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


def parse_go_flags(args: Sequence[str],
                   flags: Sequence[Flag]) -> tuple[dict[str, Any], list[str]]:
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
                raise ConfigError(f"invalid boolean value {value!r} for -{name}: parse error "
                                  "(use -flag or -flag=false)") from None
        else:
            if not eq:
                if not rest:
                    raise ConfigError(f"flag needs an argument: -{name}")
                value = rest.pop(0)
            try:
                parsed = go_parse_int(value) if flag.kind == "int" else value
            except ValueError as exc:
                raise ConfigError(f'invalid value "{value}" for flag -{name}: {exc} '
                                  "(expected an integer)") from None
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


def parse_role_args(role: Role, args: Sequence[str]) -> ParsedArgs:
    """Parse ``kcpdesk client|server`` arguments (after the role word)."""
    values, rest = parse_go_flags(args, role_flags(role))
    cli_only = {f.dest for f in _CLI_ONLY}
    return ParsedArgs(
        role=role, settings={k: v for k, v in values.items() if k not in cli_only},
        config_path=values.get("c", ""), profile=values.get("profile", ""),
        help=values.get("help", False), version=values.get("version", False),
        positional=tuple(rest))


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
        raise ConfigError(f"profiles in {store.directory}: {exc.strerror or exc}",
                          field="profile") from None
    for profile in profiles:
        if profile.name == name:
            for problem in problems:
                log.warning("profile store: %s", problem)
            return profile.config
    known = ", ".join(repr(p.name) for p in profiles) or f"none in {store.directory}"
    damaged = "".join(f"; {p}" for p in problems)
    raise ConfigError(f"no profile named {name!r} (saved profiles: {known}{damaged})",
                      field="profile")


def read_json_config(path: str, base: TunnelConfig) -> TunnelConfig:
    """kcptun's ``-c``: the file's keys override ``base`` (see TunnelConfig.from_kcptun_json)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise ConfigError(f"-c {path}: {exc.strerror or exc}", field="c") from None
    try:
        return TunnelConfig.from_kcptun_json_text(base.role, raw.decode("utf-8", "replace"),
                                                  base)
    except ConfigError as exc:
        raise ConfigError(f"-c {path}: {exc}", field=exc.field) from None


def build_config(parsed: ParsedArgs,
                 env: Mapping[str, str] | None = None) -> tuple[TunnelConfig, list[str]]:
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
            raise ConfigError(f"profile {parsed.profile!r} is a {cfg.role} profile, "
                              f"not a {role} one", field="profile")
    cfg = replace(cfg, **parsed.settings)
    if parsed.config_path:
        cfg = read_json_config(parsed.config_path, cfg)
    warnings: list[str] = []
    if cfg.crypt not in crypt_names():
        warnings.append(f"unknown crypt {cfg.crypt!r}, using {DEFAULT_CRYPT} as kcptun does "
                        f"(valid: {', '.join(crypt_names())})")
        cfg = replace(cfg, crypt=DEFAULT_CRYPT)
    if cfg.mode not in MODES and cfg.mode != MANUAL_MODE:
        warnings.append(f"unknown mode {cfg.mode!r}, treating it as manual as kcptun does "
                        f"(valid: {', '.join([*MODES, MANUAL_MODE])})")
        cfg = replace(cfg, mode=MANUAL_MODE)
    if cfg.role == "server" and cfg.pprof:
        warnings.append("--pprof does nothing here (there is no Go profiler in Python)")
    return apply_mode(cfg), warnings


# --- logging and startup report -------------------------------------------------------------


class _KcptunFormatter(logging.Formatter):
    """``2026/11/24 20:27:01 message`` like Go's log package; warnings and errors say so."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(message)s", LOG_DATEFMT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging API
        level = f"{record.levelname.lower()}: " if record.levelno >= logging.WARNING else ""
        return f"{record.asctime} {level}{record.message}"


def setup_logging(cfg: TunnelConfig) -> logging.Handler:
    """Send the root logger to ``cfg.log`` (appended, like kcptun) or stderr, at INFO.

    Replaces the handler a previous call installed, so ``main`` can run repeatedly in one
    process (tests, GUI). ``cfg.quiet`` is honoured where the stream lines are logged.

    Raises:
        ConfigError: the log file cannot be opened.
    """
    handler: logging.Handler
    if cfg.log:
        try:
            handler = logging.FileHandler(cfg.log, mode="a", encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"log: cannot open {cfg.log}: {exc.strerror or exc}",
                              field="log") from None
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_KcptunFormatter())
    handler._kcpdesk = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_kcpdesk", False):
            root.removeHandler(old)
            old.close()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def _go(v: object) -> str:
    """Go's Println rendering of a value (bools are lowercase)."""
    return str(v).lower() if isinstance(v, bool) else str(v)


def _masked(key: str) -> str:
    if key == "":
        return "(empty)"
    return "******** (kcptun's public default: change it)" if key == DEFAULT_KEY else "********"


def startup_lines(cfg: TunnelConfig) -> list[str]:
    """The effective settings, one per line, in kcptun's startup-log order; the key is masked."""
    nd = " ".join(str(v) for v in effective_kcp_params(cfg))
    g = _go
    head = [f"version: {PROG} {__version__} (kcptun {KCPTUN_VERSION} compatible)",
            f"smux version: {cfg.smuxver}"]
    if cfg.role == "client":
        head += [f"listening on: {cfg.localaddr}", f"encryption: {cfg.crypt}",
                 f"key: {_masked(cfg.key)}", f"mode: {cfg.mode}", f"nodelay parameters: {nd}",
                 f"remote address: {cfg.remoteaddr}"]
    else:
        head += [f"listening on: {cfg.listen}", f"target: {cfg.target}",
                 f"encryption: {cfg.crypt}", f"key: {_masked(cfg.key)}", f"mode: {cfg.mode}",
                 f"nodelay parameters: {nd}"]
    body = [f"sndwnd: {cfg.sndwnd} rcvwnd: {cfg.rcvwnd}", f"compression: {g(not cfg.nocomp)}",
            f"mtu: {cfg.mtu}", f"datashard: {cfg.datashard} parityshard: {cfg.parityshard}",
            f"acknodelay: {g(cfg.acknodelay)}", f"dscp: {cfg.dscp}", f"sockbuf: {cfg.sockbuf}",
            f"smuxbuf: {cfg.smuxbuf}", f"streambuf: {cfg.streambuf}",
            f"keepalive: {cfg.keepalive}"]
    if cfg.role == "client":
        body += [f"conn: {cfg.conn}", f"autoexpire: {cfg.autoexpire}",
                 f"scavengettl: {cfg.scavengettl}"]
    body += [f"snmplog: {cfg.snmplog}", f"snmpperiod: {cfg.snmpperiod}"]
    if cfg.role == "server":
        body.append(f"pprof: {g(cfg.pprof)}")
    body += [f"quiet: {g(cfg.quiet)}", f"tcp: {g(cfg.tcp)}"]
    return head + body


# --- help -----------------------------------------------------------------------------------


def _flag_label(f: Flag) -> str:
    value = "" if f.kind == "bool" else " value"
    return ", ".join(("-" if len(n) == 1 else "--") + n + value for n in f.names)


def role_help(role: Role) -> str:
    """urfave/cli v1's help layout, so it reads (and parses) like kcptun's ``--help``."""
    shown = [f for f in role_flags(role) if not f.hidden]
    width = max(len(_flag_label(f)) for f in shown) + 2
    lines = ["NAME:", f"   {PROG} {role} - kcptun-compatible {role}(with SMUX)", "",
             "USAGE:", f"   {PROG} {role} [options]", "", "VERSION:",
             f"   {__version__} (kcptun {KCPTUN_VERSION} compatible)", "", "GLOBAL OPTIONS:"]
    for f in shown:
        text = f.help
        if f.kind == "int" or (f.kind == "str" and f.default != ""):
            shown_default = f'"{f.default}"' if f.kind == "str" else str(f.default)
            text += f" (default: {shown_default})"
        if f.env:
            text += f" [${f.env}]"
        lines.append(f"   {_flag_label(f):<{width}}{text}".rstrip())
    return "\n".join(lines) + "\n"


TOP_HELP: Final = f"""\
usage: {PROG}                    open the KCP Desk window (needs: pip install kcpdesk[gui])
       {PROG} client [options]   run a kcptun-compatible client (kcptun-client's flags)
       {PROG} server [options]   run a kcptun-compatible server (kcptun-server's flags)
       {PROG} client --help      list the options
       {PROG} --demo             open the window and start the built-in loopback demo
       {PROG} client --profile NAME   run a profile saved in the window, headless

Every kcptun {KCPTUN_VERSION} flag and -c JSON file works unchanged; --tcp is not supported.
"""


# --- entry points ---------------------------------------------------------------------------


def _error(msg: object) -> None:
    text = " ".join(str(msg).split())
    print(f"{PROG}: error: {text}", file=sys.stderr)


def run(cfg: TunnelConfig) -> int:
    """Run the tunnel until SIGINT/SIGTERM (``kcpcore.aio.engine.run_forever``)."""
    try:
        engine = importlib.import_module(".aio.engine", __package__)
    except ImportError as exc:
        _error(f"engine not available ({exc})")
        return EXIT_MISSING
    try:
        rc = asyncio.run(engine.run_forever(cfg))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except ConfigError as exc:
        _error(exc)
        return EXIT_USAGE
    except (KcpError, OSError) as exc:
        _error(exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)
        return EXIT_FAILURE
    return int(rc or 0)


GUI_OPTIONS: Final = ("--demo", "--basedir", "--smoke-test", "--debug")
"""Options that mean "open the window" (``python -m app``'s own flags)."""


def _gui(args: Sequence[str] = ()) -> int:
    try:
        from app.main import main as gui_main
    except ImportError as exc:
        _error(f"the GUI is not installed ({exc}): pip install kcpdesk[gui], or use "
               f"'{PROG} client --help' / '{PROG} server --help'")
        return EXIT_USAGE
    rc = gui_main(list(args)) if args else gui_main()
    return rc if isinstance(rc, int) else EXIT_OK


def _run_role(role: Role, args: Sequence[str]) -> int:
    try:
        parsed = parse_role_args(role, args)
    except ConfigError as exc:
        _error(f"{exc} (see '{PROG} {role} --help')")
        return EXIT_USAGE
    if parsed.help or parsed.positional[:1] in (("help",), ("h",)):
        sys.stdout.write(role_help(role))
        return EXIT_OK
    if parsed.version:
        print(f"{PROG} version {__version__} (kcptun {KCPTUN_VERSION} compatible)")
        return EXIT_OK
    if parsed.positional:
        _error(f"unexpected argument {parsed.positional[0]!r}: flags must come before it "
               "(kcptun would silently ignore everything from here on)")
        return EXIT_USAGE
    try:
        cfg, warnings = build_config(parsed)
        if cfg.tcp:
            raise ConfigError("--tcp (raw-socket TCP emulation) is not supported; "
                              "run without it to use UDP", field="tcp")
        setup_logging(cfg)
    except ConfigError as exc:
        _error(exc)
        return EXIT_USAGE
    for w in warnings:
        log.warning("%s", w)
    problems = cfg.validate()
    if problems:
        _error("; ".join(str(p) for p in problems))
        return EXIT_USAGE
    for line in startup_lines(cfg):
        log.info("%s", line)
    return run(cfg)


def main(argv: Sequence[str] | None = None, *, allow_gui: bool = True) -> int:
    """``kcpdesk`` (console script) and ``python -m kcpcore`` (``allow_gui=False``).

    Args:
        argv: arguments after the program name; ``sys.argv[1:]`` when None.
        allow_gui: whether no arguments opens the GUI; ``python -m kcpcore`` never imports
            Qt or ``app`` and prints the usage instead.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    if not args:
        if allow_gui:
            return _gui()
        sys.stderr.write(TOP_HELP)
        return EXIT_USAGE
    command, rest = args[0], args[1:]
    if allow_gui and command.partition("=")[0] in GUI_OPTIONS:
        return _gui(args)
    if command in ("-h", "-help", "--help", "help"):
        sys.stdout.write(TOP_HELP)
        return EXIT_OK
    if command in ("-v", "-version", "--version"):
        print(f"{PROG} version {__version__} (kcptun {KCPTUN_VERSION} compatible)")
        return EXIT_OK
    if command not in ROLES:
        _error(f"unknown command {command!r}: expected 'client' or 'server' "
               f"(kcptun flags go after it, e.g. '{PROG} client -r host:29900')")
        return EXIT_USAGE
    role: Role = "client" if command == "client" else "server"
    return _run_role(role, rest)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
