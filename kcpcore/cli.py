"""``kcpdesk client|server``: the headless kcptun-compatible commands.

The flags and the config they build are ``kcpcore.flags``'s (Go's flag syntax, kcptun's
precedence). This module turns a command line into a running tunnel: one ``kcpdesk: error:``
line and a non-zero exit for every input error (kcptun prints usage and exits 0, or exits 255
from ``-c``); values kcptun would silently ignore or crash on are refused
(``TunnelConfig.validate``); an unknown cipher or mode is warned about; stray positional
arguments are refused (kcptun silently stops reading flags there).

It never opens the window: the ``kcpdesk`` console script is ``app.launcher``, which opens the
GUI when asked and hands everything else to ``main`` here; ``python -m kcpcore`` calls ``main``
directly. No module of kcpcore imports ``app`` (tests/test_layering.py).

Exit status: 0 ok, 1 runtime failure (port in use...), 2 usage or config error (or, from
``app.launcher``, the GUI not installed), 130 interrupted.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Final

from . import __version__
from .config import DEFAULT_KEY, KCPTUN_VERSION, Role, TunnelConfig, effective_kcp_params
from .errors import ConfigError, KcpError
from .flags import Flag, build_config, parse_role_args, role_flags
from .generations import peer_label
from .keyfile import check_key_file
from .logformat import KcptunFormatter, formatter_for
from .process_options import ProcessOptions
from .process_options import parse as parse_process_options

__all__ = ["TOP_HELP", "error", "main", "role_help", "run", "setup_logging", "startup_lines"]

PROG: Final = "kcpdesk"
EXIT_OK: Final = 0
EXIT_FAILURE: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 130

VERSION_LINE: Final = f"{PROG} version {__version__} (kcptun {KCPTUN_VERSION} compatible)"

log = logging.getLogger("kcpdesk")
_OUR_HANDLERS: weakref.WeakSet[logging.Handler] = weakref.WeakSet()
"""handlers ``setup_logging`` installed (replaced by the next call)"""

# --- logging and startup report -------------------------------------------------------------


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
            raise ConfigError(
                f"log: cannot open {cfg.log}: {exc.strerror or exc}", field="log"
            ) from None
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KcptunFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if old in _OUR_HANDLERS:
            root.removeHandler(old)
            old.close()
    _OUR_HANDLERS.add(handler)
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
    head = [
        f"version: {PROG} {__version__} (kcptun {KCPTUN_VERSION} compatible)",
        f"smux version: {cfg.smuxver}",
    ]
    if cfg.role == "client":
        head += [
            f"listening on: {cfg.localaddr}",
            f"encryption: {cfg.crypt}",
            f"key: {_masked(cfg.key)}",
            f"mode: {cfg.mode}",
            f"nodelay parameters: {nd}",
            f"remote address: {cfg.remoteaddr}",
        ]
    else:
        head += [
            f"listening on: {cfg.listen}",
            f"target: {cfg.target}",
            f"encryption: {cfg.crypt}",
            f"key: {_masked(cfg.key)}",
            f"mode: {cfg.mode}",
            f"nodelay parameters: {nd}",
        ]
    body = [
        f"sndwnd: {cfg.sndwnd} rcvwnd: {cfg.rcvwnd}",
        f"compression: {g(not cfg.nocomp)}",
        f"mtu: {cfg.mtu}",
        f"datashard: {cfg.datashard} parityshard: {cfg.parityshard}",
        f"acknodelay: {g(cfg.acknodelay)}",
        f"dscp: {cfg.dscp}",
        f"sockbuf: {cfg.sockbuf}",
        f"smuxbuf: {cfg.smuxbuf}",
        f"streambuf: {cfg.streambuf}",
        f"keepalive: {cfg.keepalive}",
    ]
    if cfg.role == "client":
        body += [
            f"conn: {cfg.conn}",
            f"autoexpire: {cfg.autoexpire}",
            f"scavengettl: {cfg.scavengettl}",
        ]
    body += [f"snmplog: {cfg.snmplog}", f"snmpperiod: {cfg.snmpperiod}"]
    if cfg.role == "server":
        body.append(f"pprof: {g(cfg.pprof)}")
    body += [f"quiet: {g(cfg.quiet)}", f"tcp: {g(cfg.tcp)}"]
    if any(getattr(cfg, n) != v for n, v in _KCPTUN_2021_TAIL[cfg.role].items()):
        body += [
            f"closewait: {cfg.closewait}",
            f"ratelimit: {cfg.ratelimit}",
            f"framesize: {cfg.framesize}",
            f"peer: {peer_label(cfg.peer)}",
        ]
    if cfg.qpp:  # as kcptun 2024+ prints them (only when on: 20210922's banner stays exact)
        body += [f"QPP: {g(cfg.qpp)}", f"QPPCount: {cfg.qppcount}"]
    return head + body


_KCPTUN_2021_TAIL: Final = {  # settings 20210922 lacks: reported when they matter
    r: {
        n: getattr(TunnelConfig.default(r), n)
        for n in ("closewait", "ratelimit", "framesize", "peer")
    }
    for r in ("client", "server")
}


# --- help -----------------------------------------------------------------------------------


def _flag_label(f: Flag) -> str:
    value = "" if f.kind == "bool" else " value"
    return ", ".join(("-" if len(n) == 1 else "--") + n + value for n in f.names)


def role_help(role: Role) -> str:
    """urfave/cli v1's help layout, so it reads (and parses) like kcptun's ``--help``."""
    shown = [f for f in role_flags(role) if not f.hidden]
    width = max(len(_flag_label(f)) for f in shown) + 2
    lines = [
        "NAME:",
        f"   {PROG} {role} - kcptun-compatible {role}(with SMUX)",
        "",
        "USAGE:",
        f"   {PROG} {role} [options]",
        "",
        "VERSION:",
        f"   {__version__} (kcptun {KCPTUN_VERSION} compatible)",
        "",
        "GLOBAL OPTIONS:",
    ]
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
       {PROG} tune --profile NAME     measure the link, say what to change and why
       {PROG} install-service    install the systemd units kcpdesk-server@/kcpdesk-client@
       {PROG} snmp PATTERN       print the counters from a running tunnel's --snmplog file
                                 (what SIGUSR1 logs, also where there is no SIGUSR1: Windows)

Every kcptun {KCPTUN_VERSION} flag and -c JSON file works unchanged; --tcp is not supported.
"""


# --- entry points ---------------------------------------------------------------------------


def error(msg: object) -> None:
    """Print one ``kcpdesk: error: ...`` line on stderr (whitespace collapsed)."""
    text = " ".join(str(msg).split())
    print(f"{PROG}: error: {text}", file=sys.stderr)


def run(cfg: TunnelConfig, opts: ProcessOptions | None = None) -> int:
    """Run the tunnel until SIGINT/SIGTERM (``kcpcore.aio.engine.run_forever``), or a
    supervisor and ``opts.workers`` server processes (``kcpcore.aio.workers``)."""
    # not at import time: --help and flag errors stay instant
    opts = opts or ProcessOptions()
    if opts.workers > 1:
        from .aio.workers import run_forever
    else:
        from .aio.engine import run_forever
    try:
        rc = asyncio.run(run_forever(cfg, opts))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except ConfigError as exc:
        error(exc)
        return EXIT_USAGE
    except (KcpError, OSError) as exc:
        error(exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)
        return EXIT_FAILURE
    return int(rc or 0)


def _config_or_exit(
    role: Role, args: Sequence[str]
) -> tuple[TunnelConfig, ProcessOptions, str] | int:
    """The validated config, process options and ``-c`` path for ``kcpdesk <role> args``, or
    the exit status to end with."""
    try:
        parsed = parse_role_args(role, args)
    except ConfigError as exc:
        error(f"{exc} (see '{PROG} {role} --help')")
        return EXIT_USAGE
    if parsed.help or parsed.positional[:1] in (("help",), ("h",)):
        sys.stdout.write(role_help(role))
        return EXIT_OK
    if parsed.version:
        print(VERSION_LINE)
        return EXIT_OK
    if parsed.positional:
        error(
            f"unexpected argument {parsed.positional[0]!r}: flags must come before it "
            "(kcptun would silently ignore everything from here on)"
        )
        return EXIT_USAGE
    try:
        cfg, warnings = build_config(parsed)
        if cfg.tcp:
            raise ConfigError(
                "--tcp (raw-socket TCP emulation) is not supported; run without it to use UDP",
                field="tcp",
            )
        opts = parse_process_options(parsed.process, role)
        setup_logging(cfg).setFormatter(formatter_for(opts.log_format))
    except ConfigError as exc:
        error(exc)
        return EXIT_USAGE
    for w in warnings:
        log.warning("%s", w)
    problems = cfg.validate()
    if problems:
        error("; ".join(str(p) for p in problems))
        return EXIT_USAGE
    for note in cfg.warnings():  # kcptun runs these silently; say so once at startup
        log.warning("%s", note)
    return cfg, opts, parsed.config_path


def run_role(role: Role, args: Sequence[str]) -> int:
    """``kcpdesk client|server [flags]``: build the config, log it like kcptun, run it."""
    checked = _config_or_exit(role, args)
    if isinstance(checked, int):
        return checked
    cfg, opts, config_path = checked
    for line in startup_lines(cfg):
        log.info("%s", line)
    check_key_file(config_path, cfg)
    return run(cfg, opts)


def _tune(args: Sequence[str]) -> int:
    from .tune.command import main as tune_main  # lazy: asyncio engine only when measuring

    return tune_main(args)


def _install_service(args: Sequence[str]) -> int:
    from .service import main as install_main  # argparse and subprocess only when asked

    return install_main(args)


def _snmp(args: Sequence[str]) -> int:
    """``kcpdesk snmp PATTERN``: the newest row of a ``--snmplog`` file, as SIGUSR1 logs it."""
    from .logformat import LOG_DATEFMT
    from .snmplog import latest_row, log_file

    if len(args) != 1 or args[0].startswith("-"):
        error(
            f"usage: {PROG} snmp PATTERN (the --snmplog value of the running tunnel, "
            "e.g. ./snmp-20060102.csv)"
        )
        return EXIT_USAGE
    try:
        path = log_file(args[0])
        unix, snmp = latest_row(path)
    except ConfigError as exc:
        error(exc)
        return EXIT_FAILURE
    stamp = time.strftime(LOG_DATEFMT, time.localtime(unix))
    print(f"{stamp} KCP SNMP:{snmp.go_dump()}")
    return EXIT_OK


Command = Callable[[Sequence[str]], int]
"""A subcommand: its arguments (after the command word) in, the exit status out."""

COMMANDS: Final[dict[str, Command]] = {
    "client": lambda args: run_role("client", args),
    "server": lambda args: run_role("server", args),
    "tune": lambda args: _tune(args),
    "install-service": lambda args: _install_service(args),
    "snmp": _snmp,
}
"""``kcpdesk <command> ...``; a new subcommand is one entry here and one line in TOP_HELP."""


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m kcpcore``, and ``kcpdesk`` whenever ``app.launcher`` does not open the window.

    Args:
        argv: arguments after the program name; ``sys.argv[1:]`` when None. Empty prints the
            usage (this module never opens the window).
    """
    args = sys.argv[1:] if argv is None else list(argv)
    if not args:
        sys.stderr.write(TOP_HELP)
        return EXIT_USAGE
    command, rest = args[0], args[1:]
    if command in ("-h", "-help", "--help", "help"):
        sys.stdout.write(TOP_HELP)
        return EXIT_OK
    if command in ("-v", "-version", "--version"):
        print(VERSION_LINE)
        return EXIT_OK
    handler = COMMANDS.get(command)
    if handler is None:
        known = " or ".join(repr(c) for c in COMMANDS)
        error(
            f"unknown command {command!r}: expected {known} "
            f"(kcptun flags go after it, e.g. '{PROG} client -r host:29900')"
        )
        return EXIT_USAGE
    return handler(rest)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
