"""Warn when a ``-c`` JSON file that holds the tunnel key can be read by other users.

The key is the tunnel's only secret: anyone who reads it can decrypt captured traffic and use
the server as a relay. ssh refuses world-readable private keys; we only warn, because kcptun
reads such files without complaint and an upgrade must not stop a running service.
"""

from __future__ import annotations

import json
import logging
import os
import stat

from .config import TunnelConfig

__all__ = ["check_key_file", "key_file_problem"]

log = logging.getLogger("kcpdesk")

_READABLE_BY_OTHERS = stat.S_IRGRP | stat.S_IROTH


def _holds_key(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read().decode("utf-8", "replace"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and any(
        isinstance(k, str) and k.lower() == "key" and v for k, v in data.items()
    )


def key_file_problem(path: str) -> str | None:
    """Why ``path`` exposes a key (group- or world-readable and has a ``key``), or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if not mode & _READABLE_BY_OTHERS or not _holds_key(path):
        return None
    return (
        f"{path} holds the tunnel key and is readable by other users "
        f"(mode {stat.S_IMODE(mode):04o}): chmod 600 {path}"
    )


def check_key_file(path: str, cfg: TunnelConfig) -> None:
    """Log a warning for ``key_file_problem``; nothing for an empty path or no key."""
    if not path or not cfg.key:
        return
    problem = key_file_problem(path)
    if problem is not None:
        log.warning("%s", problem)
