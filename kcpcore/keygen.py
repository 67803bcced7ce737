"""Strong random keys for new profiles, instead of kcptun's published default.

kcptun's flag default ``it's a secrect`` is printed in its README and ``--help``: a tunnel
left on it can be used by anyone who knows kcptun. The CLI keeps that default (a headless run
must behave like kcptun's binary, and it logs a warning), but a profile made in the window
starts with a key from ``secrets``.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Final

from .config import Role, TunnelConfig
from .qpp import QPP_MIN_SEED

__all__ = ["KEY_BYTES", "QPP_KEY_BYTES", "generate_key", "new_profile_config"]

KEY_BYTES: Final = 32
"""Random bytes per key (256 bits): as much as the AES-256 key kcptun derives from it with
PBKDF2 can hold. Written URL-safe base64 (43 characters), so it survives shells, JSON and
kcptun:// links without quoting."""


QPP_KEY_BYTES: Final = -(-QPP_MIN_SEED * 3 // 4)
"""With QPP on: enough random bytes for a key of QPP_MIN_SEED characters, the seed length
below which kcptun warns that the pads are weaker than they could be."""


def generate_key(*, qpp: bool = False) -> str:
    """A fresh key; never starting with '-', which a careless command line reads as a flag."""
    while True:
        key = secrets.token_urlsafe(QPP_KEY_BYTES if qpp else KEY_BYTES)
        if not key.startswith("-"):
            return key


def new_profile_config(role: Role) -> TunnelConfig:
    """kcptun's defaults for ``role`` with a generated key: what "New client/server" opens."""
    return replace(TunnelConfig.default(role), key=generate_key())
