"""A launch's first step: give the request to the KCP Desk already running, if there is one.

Runs before the window's modules are imported (``app.launcher``, ``app.main``): clicking the
icon of a running app, or ``kcpdesk --start NAME`` from a script, then answers in about a
second instead of the several a full start takes to import Qt's widgets, numpy and the views.
Only ``QtCore``/``QtNetwork`` are loaded here, and no ``QApplication`` is needed for the
blocking local-socket calls.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from app.options import parse_args
from app.single_instance import Request, instance_key, send_request
from kcpcore.profiles import config_dir

__all__ = ["hand_over", "requests_of"]


def requests_of(args: argparse.Namespace) -> list[Request]:
    """What this launch asks of an instance already running."""
    requests: list[Request] = [{"cmd": "start", "name": n} for n in args.start]
    requests += [{"cmd": "stop", "name": n} for n in args.stop]
    return requests or [{"cmd": "show"}]


def hand_over(argv: Sequence[str] | None) -> int | None:
    """The exit status once the running instance has answered this launch's requests, or
    None when none runs and this process should start the app itself.

    ``--stop`` with nothing running has nothing to do and says so (status 0).
    """
    args, _qt = parse_args(argv)
    if args.smoke_test and not (args.start or args.stop):
        return None  # packaging checks start their own copy (they use a fresh --basedir)
    key = instance_key(Path(args.basedir).resolve() if args.basedir else config_dir())
    status = None
    for request in requests_of(args):
        reply = send_request(key, request)
        if reply is None:
            break
        ok = bool(reply.get("ok"))
        status = max(status or 0, 0 if ok else 1)
        print(f"kcpdesk: {reply.get('message', '')}", file=sys.stdout if ok else sys.stderr)
    if status is not None:
        return status
    if args.stop and not args.start:
        print("kcpdesk: KCP Desk is not running; nothing to stop")
        return 0
    return None
