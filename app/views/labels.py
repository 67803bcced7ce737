"""The words shown for the app's enumerations (a profile's role, a tunnel's state).

The values themselves (``"client"``, ``TunnelState.RUNNING.value``) are identifiers stored in
files and compared in code; these are what a user reads, in the installed language.
"""

from __future__ import annotations

from app.controllers.tunnel import TunnelState
from app.i18n import translate


def role_label(role: str) -> str:
    """ "client"/"server" as kcptun's users say it (客户端/服务端 in Chinese)."""
    if role == "client":
        return translate("Labels", "client")
    if role == "server":
        return translate("Labels", "server")
    return role


def state_label(state: TunnelState) -> str:
    labels = {
        TunnelState.STOPPED: translate("Labels", "stopped"),
        TunnelState.CONNECTING: translate("Labels", "connecting"),
        TunnelState.RUNNING: translate("Labels", "running"),
        TunnelState.ERROR: translate("Labels", "error"),
    }
    return labels.get(state, state.value)
