"""``kcpdesk install-service``: the systemd units, pointed at this installation.

The unit templates (``packaging/systemd/kcpdesk-{server,client}@.service``) ship in the wheel
under ``<prefix>/share/kcpdesk/systemd``. As shipped they expect the venv ``/opt/kcpdesk``;
this command writes them to ``/etc/systemd/system`` with ``ExecStart`` naming the Python that
runs it (``sys.executable -m kcpcore``), so any venv or prefix works, creates
``/etc/kcpdesk`` (mode 700), warns about config files there that others can read, and reloads
systemd. Everything else in the units (DynamicUser, ProtectSystem=strict...) is as shipped.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from .keyfile import key_file_problem

__all__ = ["UNITS", "install", "main", "render_unit", "template_dir"]

UNITS: Final = ("kcpdesk-server@.service", "kcpdesk-client@.service")
SHIPPED_PYTHON: Final = "/opt/kcpdesk/bin/python3"
UNIT_DIR: Final = "/etc/systemd/system"
CONFIG_DIR: Final = "/etc/kcpdesk"
_EXEC_START: Final = re.compile(r"^ExecStart=(\S+)( -m kcpcore .*)$", re.M)


def template_dir() -> Path:
    """Where the unit templates are: the wheel's data files, else the source checkout."""
    installed = Path(sys.prefix) / "share" / "kcpdesk" / "systemd"
    if (installed / UNITS[0]).is_file():
        return installed
    return Path(__file__).resolve().parents[1] / "packaging" / "systemd"


def render_unit(text: str, python: str) -> str:
    """The unit ``text`` with its ExecStart running ``python -m kcpcore``.

    Raises:
        ValueError: the template has no ``ExecStart=... -m kcpcore`` line (a damaged file).
    """
    if not _EXEC_START.search(text):
        raise ValueError("no 'ExecStart=... -m kcpcore' line")
    return _EXEC_START.sub(lambda m: f"ExecStart={shlex.quote(python)}{m.group(2)}", text)


def install(unit_dir: Path, config_dir: Path, python: str) -> list[str]:
    """Write both units and the config directory; returns what to tell the operator.

    Raises:
        OSError: a file cannot be written (not root, read-only /etc...).
        ValueError: a template is damaged.
    """
    notes = []
    if Path(python).is_relative_to("/home") or Path(python).is_relative_to("/root"):
        notes.append(
            f"warning: {python} is under /home or /root, which the units hide "
            "(ProtectHome=yes): install kcpdesk in a venv such as /opt/kcpdesk"
        )
    src = template_dir()
    unit_dir.mkdir(parents=True, exist_ok=True)
    for name in UNITS:
        text = render_unit((src / name).read_text(encoding="utf-8"), python)
        tmp = unit_dir / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o644)
        os.replace(tmp, unit_dir / name)
        notes.append(f"wrote {unit_dir / name}")
    config_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in sorted(config_dir.glob("*.json")):
        problem = key_file_problem(str(path))
        if problem is not None:
            notes.append(f"warning: {problem}")
    return notes


def _reload() -> str:
    if shutil.which("systemctl") is None:
        return "systemctl not found: run 'systemctl daemon-reload' where systemd runs"
    done = subprocess.run(
        ["systemctl", "daemon-reload"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return f"systemctl daemon-reload failed: {' '.join(done.stderr.split())}"
    return "systemd reloaded"


def main(args: Sequence[str]) -> int:
    """``kcpdesk install-service [--unit-dir DIR] [--config-dir DIR] [--no-reload]``."""
    ap = argparse.ArgumentParser(
        prog="kcpdesk install-service",
        description="Install the kcpdesk-server@/kcpdesk-client@ systemd units for this "
        "installation (then: systemctl enable --now kcpdesk-server@NAME, with "
        f"the config in {CONFIG_DIR}/NAME.json).",
    )
    ap.add_argument("--unit-dir", default=UNIT_DIR, help=f"default {UNIT_DIR}")
    ap.add_argument("--config-dir", default=CONFIG_DIR, help=f"default {CONFIG_DIR}")
    ap.add_argument("--no-reload", action="store_true", help="skip systemctl daemon-reload")
    opts = ap.parse_args(list(args))
    try:
        notes = install(Path(opts.unit_dir), Path(opts.config_dir), sys.executable)
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        print(
            f"kcpdesk: error: install-service: {why}"
            f"{' (run as root)' if isinstance(exc, PermissionError) else ''}",
            file=sys.stderr,
        )
        return 1
    if not opts.no_reload:
        notes.append(_reload())
    notes += [
        f"next: put a kcptun -c JSON file in {opts.config_dir}/NAME.json (chmod 600),",
        "      then: systemctl enable --now kcpdesk-server@NAME  (or kcpdesk-client@NAME)",
    ]
    print("\n".join(notes))
    return 0
