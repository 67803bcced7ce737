"""Saved tunnel profiles: one kcptun JSON file per profile, shared by the desktop app and the CLI.

A profile is a name plus a ``TunnelConfig``. Each file is a complete kcptun ``-c`` config for its
role with one extra key, ``"kcpdesk"`` (format, name, role), which kcptun ignores: the file a user
builds on the desktop runs unchanged with ``kcpdesk client --profile NAME`` *or* with the Go
binary's ``kcptun-client -c FILE``.

No Qt here, so the headless CLI can read profiles. The directory is what Qt's
``QStandardPaths.AppConfigLocation`` gives for the application name ``kcpdesk`` (checked by a
test), or ``$KCPDESK_CONFIG_DIR`` when set (tests, portable installs).

Durability rules, because a tunnel profile is the user's only copy of a key:

* writes are atomic (temporary file in the same directory, ``fsync``, ``os.replace``, directory
  ``fsync``), so a crash leaves either the old or the new file, never a truncated one;
* the directory is 0700 and files are 0600 (the files hold the pre-shared key in clear text,
  exactly as kcptun's own JSON does);
* a file that cannot be read or parsed is renamed ``<file>.corrupt-<UTC time>`` and reported,
  never silently skipped and never overwritten by a later save.

The import/export helpers below turn pasted kcptun command lines into profiles and profiles
into the config for the other end, so both ends are generated from one source.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from .config import (
    FIELD_SPECS,
    MODES,
    ROLES,
    PortRange,
    Role,
    TunnelConfig,
    fields_for,
    infer_peer,
    json_setting_names,
    parse_port_range,
    with_peer,
)
from .errors import ConfigError
from .flags import build_config, parse_role_args
from .generations import generation

__all__ = [
    "CONFIG_DIR_ENV", "MUST_MATCH", "SHARED_FIELDS", "Profile", "ProfileStore", "StoreProblem",
    "atomic_write_text", "command_line", "config_dir", "export_json", "guess_role",
    "import_kcptun_json", "known_peer_address", "normalized", "omitted_flags",
    "parse_command_line", "peer_config", "range_problem",
    "validate_name",
]  # fmt: skip

APP_NAME: Final = "kcpdesk"
CONFIG_DIR_ENV: Final = "KCPDESK_CONFIG_DIR"
PROFILES_SUBDIR: Final = "profiles"
FORMAT_VERSION: Final = 1
META_KEY: Final = "kcpdesk"  # the one key kcptun does not know; it ignores unknown keys
DIR_MODE: Final = 0o700
FILE_MODE: Final = 0o600
NAME_MAX: Final = 64  # characters; long enough for "office relay (backup, fast3)"
_BAD_NAME_CHARS: Final = re.compile(r"[\x00-\x1f\x7f]")  # file names are derived, so "/" is fine
_FILE_CHARS: Final = re.compile(r"[^A-Za-z0-9._-]+")

# Settings both ends must agree on, or the tunnel does not work at all (PROTOCOL.md 8.4).
MUST_MATCH: Final[tuple[str, ...]] = (
    "key",
    "crypt",
    "datashard",
    "parityshard",
    "nocomp",
    "smuxver",
)
# What the other end's config copies from this one: the must-match set plus the settings
# kcptun's docs tell users to keep equal so both directions behave alike.
SHARED_FIELDS: Final[tuple[str, ...]] = (
    *MUST_MATCH,
    "mode",
    "nodelay",
    "interval",
    "resend",
    "nc",
    "mtu",
    "smuxbuf",
    "streambuf",
    "keepalive",
)
_MANUAL_FIELDS: Final = ("nodelay", "interval", "resend", "nc")
PROGRAMS: Final[dict[Role, str]] = {"client": "kcptun-client", "server": "kcptun-server"}
_ADDRESS_FIELDS: Final[dict[Role, tuple[str, ...]]] = {
    "client": ("localaddr", "remoteaddr"),
    "server": ("listen", "target"),
}


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where KCP Desk keeps its settings: QStandardPaths' AppConfigLocation for ``kcpdesk``."""
    env = os.environ if env is None else env
    if env.get(CONFIG_DIR_ENV):
        return Path(env[CONFIG_DIR_ENV])
    if sys.platform == "win32":
        base = env.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Preferences" / APP_NAME
    xdg = env.get("XDG_CONFIG_HOME", "")
    base_dir = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"
    return base_dir / APP_NAME


def validate_name(name: str) -> str:
    """The message for an unusable profile name, or "" when it is fine."""
    if not name.strip():
        return "a profile needs a name"
    if name != name.strip():
        return "no spaces at the start or end"
    if len(name) > NAME_MAX:
        return f"at most {NAME_MAX} characters"
    if _BAD_NAME_CHARS.search(name):
        return "no control characters (tabs, line breaks)"
    return ""


@dataclass(frozen=True, slots=True)
class Profile:
    """A named tunnel configuration, as saved on disk."""

    name: str
    config: TunnelConfig

    @property
    def role(self) -> Role:
        return self.config.role

    def to_json_text(self) -> str:
        """The file body: kcptun's JSON for the role, plus our ``kcpdesk`` header first."""
        body: dict[str, Any] = {
            META_KEY: {"format": FORMAT_VERSION, "name": self.name, "role": self.config.role}
        }
        body.update(self.config.to_kcptun_json())
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json_text(cls, text: str) -> Profile:
        """Parse a profile file.

        Raises:
            ConfigError: not JSON, no usable ``kcpdesk`` header, or a wrongly typed setting.
        """
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"not valid JSON ({exc})") from None
        meta = data.get(META_KEY) if isinstance(data, dict) else None
        if not isinstance(meta, dict):
            raise ConfigError(f"no {META_KEY!r} header: not a KCP Desk profile")
        name, role = meta.get("name"), meta.get("role")
        if not isinstance(name, str) or validate_name(name):
            raise ConfigError(f"bad profile name {name!r}")
        if role not in ROLES:
            raise ConfigError(f"bad role {role!r} (expected client or server)")
        if not isinstance(meta.get("format"), int) or meta["format"] > FORMAT_VERSION:
            raise ConfigError(f"unknown profile format {meta.get('format')!r}")
        return cls(name, TunnelConfig.from_kcptun_json_text(role, text))


@dataclass(frozen=True, slots=True)
class StoreProblem:
    """A profile file that could not be used; shown to the user, never silently dropped."""

    path: Path
    message: str
    moved_to: Path | None = None
    """where the damaged file now is (None when it could not be moved, or was not damaged)"""

    def __str__(self) -> str:
        where = f"; kept as {self.moved_to.name}" if self.moved_to else ""
        return f"{self.path.name}: {self.message}{where}"


def atomic_write_text(path: Path, text: str, mode: int = FILE_MODE) -> None:
    """Replace ``path`` with ``text`` so a crash leaves the old or the new file, whole.

    The temporary file is created owner-only before any byte is written, so a key is never
    briefly world-readable.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{time.monotonic_ns()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "wb") as f:
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), mode)  # the umask may have removed bits we rely on
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles for this."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ProfileStore:
    """The profile files in one directory. Every call re-reads the directory (it is tiny), so
    the CLI and a running GUI never work from stale copies."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else config_dir() / PROFILES_SUBDIR
        self._paths: dict[str, Path] = {}

    def _ensure_dir(self) -> None:
        self.directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        if os.name == "posix" and (self.directory.stat().st_mode & 0o777) != DIR_MODE:
            os.chmod(self.directory, DIR_MODE)

    def load_all(self) -> tuple[list[Profile], list[StoreProblem]]:
        """Every readable profile (sorted by name) and every problem met on the way.

        Damaged files are moved aside (``.corrupt-<time>``) so the next save cannot overwrite
        them and the next load does not report them again.
        """
        profiles: dict[str, Profile] = {}
        problems: list[StoreProblem] = []
        self._paths = {}
        if not self.directory.is_dir():
            return [], []
        for path in sorted(self.directory.glob("*.json")):
            if path.name.startswith("."):
                continue  # a temporary file left by a crash mid-write; the real file is intact
            try:
                profile = Profile.from_json_text(path.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, ConfigError) as exc:
                why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                problems.append(
                    StoreProblem(path, f"unreadable profile: {why}", self._move_aside(path))
                )
                continue
            if profile.name in profiles:
                problems.append(
                    StoreProblem(
                        path,
                        f"a second profile named {profile.name!r}; "
                        f"{self._paths[profile.name].name} is used",
                    )
                )
                continue
            profiles[profile.name] = profile
            self._paths[profile.name] = path
        return [profiles[n] for n in sorted(profiles, key=str.casefold)], problems

    def _move_aside(self, path: Path) -> Path | None:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        try:
            os.replace(path, target)
        except OSError:
            return None
        return target

    def names(self) -> list[str]:
        return [p.name for p in self.load_all()[0]]

    def get(self, name: str) -> Profile:
        """The profile called ``name``.

        Raises:
            ConfigError: there is none (the message lists the names there are).
        """
        profiles, _problems = self.load_all()
        for p in profiles:
            if p.name == name:
                return p
        known = ", ".join(repr(p.name) for p in profiles) or f"none in {self.directory}"
        raise ConfigError(f"no profile named {name!r} (saved profiles: {known})", field="profile")

    def path_of(self, name: str) -> Path | None:
        """The file that holds ``name`` as of the last scan."""
        return self._paths.get(name)

    def save(self, profile: Profile, *, old_name: str | None = None) -> Path:
        """Write ``profile``; with ``old_name``, it replaces (renames) that profile.

        Raises:
            ConfigError: bad name, or another profile already has it.
            OSError: the directory or file cannot be written.
        """
        problem = validate_name(profile.name)
        if problem:
            raise ConfigError(problem, field="name")
        self.load_all()
        previous = old_name if old_name is not None else profile.name
        if profile.name != previous and profile.name in self._paths:
            raise ConfigError(f"a profile named {profile.name!r} already exists", field="name")
        self._ensure_dir()
        path = self._paths.get(previous)
        if path is None or profile.name != previous:
            path = self._free_path(profile.name)
        atomic_write_text(path, profile.to_json_text())
        old_path = self._paths.get(previous)
        if old_name is not None and old_path is not None and old_path != path:
            old_path.unlink(missing_ok=True)  # only after the new file is safely in place
            _fsync_dir(self.directory)
        self.load_all()
        return path

    def _free_path(self, name: str) -> Path:
        stem = _FILE_CHARS.sub("_", name).strip("._") or "profile"
        used = {p.name.casefold() for p in self.directory.iterdir()}
        candidate, n = f"{stem}.json", 1
        while candidate.casefold() in used or any(
            u.startswith(candidate.casefold() + ".corrupt") for u in used
        ):
            n += 1
            candidate = f"{stem}-{n}.json"
        return self.directory / candidate

    def rename(self, old: str, new: str) -> Profile:
        profile = replace(self.get(old), name=new)
        self.save(profile, old_name=old)
        return profile

    def delete(self, name: str) -> Profile:
        """Remove a profile and return it (so the caller can offer undo by saving it back)."""
        profile = self.get(name)
        path = self._paths[name]
        path.unlink()
        _fsync_dir(self.directory)
        self._paths.pop(name, None)
        return profile

    def unique_name(self, base: str) -> str:
        """``base``, or ``base (2)``, ``base (3)``... whichever is not taken yet."""
        taken = set(self.names())
        base = base.strip()[: NAME_MAX - 5] or "profile"
        if base not in taken:
            return base
        n = 2
        while f"{base} ({n})" in taken:
            n += 1
        return f"{base} ({n})"


# --- import and export ----------------------------------------------------------------------


def normalized(cfg: TunnelConfig) -> TunnelConfig:
    """``cfg`` with nodelay/interval/resend/nc at their defaults unless the mode is manual.

    A mode preset overwrites those four anyway (kcptun does the same), so exports omit them
    instead of listing values that have no effect.
    """
    if cfg.mode not in MODES:
        return cfg
    # the defaults of int and bool fields: replace() takes them by name
    defaults: dict[str, Any] = {n: FIELD_SPECS[n].default_for(cfg.role) for n in _MANUAL_FIELDS}
    return replace(cfg, **defaults)


def guess_role(data: Mapping[str, Any]) -> Role | None:
    """Which kcptun binary a JSON config is for, from its address keys (None if unclear)."""
    keys = {str(k).lower() for k in data}
    client = bool(keys & {"localaddr", "remoteaddr", "conn", "autoexpire", "scavengettl"})
    server = bool(keys & {"listen", "target", "pprof"})
    if client != server:
        return "client" if client else "server"
    return None


def import_kcptun_json(text: str, role: Role | None = None) -> TunnelConfig:
    """A kcptun ``-c`` JSON file as a config, guessing the role from its keys if not given.

    Raises:
        ConfigError: not a kcptun config, or the role cannot be told (pass it explicitly).
    """
    if role is None:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise ConfigError("a kcptun config is a JSON object")
        meta = data.get(META_KEY)
        if isinstance(meta, dict) and meta.get("role") in ROLES:
            role = meta["role"]
        else:
            role = guess_role(data)
        if role is None:
            raise ConfigError(
                "cannot tell whether this is a client or a server config "
                "(no localaddr/remoteaddr or listen/target keys)",
                field="role",
            )
    cfg = TunnelConfig.from_kcptun_json_text(role, text)
    try:
        given = json_setting_names(role, json.loads(text))
    except ValueError:
        return cfg
    return infer_peer(cfg, given)[0]


_ROLE_WORDS: Final[dict[str, Role]] = {"client": "client", "server": "server"}
_ENV_ASSIGN: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def parse_command_line(text: str) -> tuple[TunnelConfig, list[str]]:
    """A pasted ``kcptun-client ...``/``kcptun-server ...`` (or ``kcpdesk client ...``) line.

    Accepts shell quoting and backslash-newline continuations, ``KCPTUN_KEY=... `` in front,
    the release binaries' names (``client_linux_amd64``) and ``python -m kcpcore server``.
    Flags are parsed exactly as ``kcpdesk``/kcptun do (``kcpcore.flags``).

    Returns:
        (config, warnings), the warnings being what the CLI would log (unknown cipher...).

    Raises:
        ConfigError: no program name that says client or server, or a bad flag.
    """
    try:
        tokens = shlex.split(text.replace("\\\r\n", " ").replace("\\\n", " "), comments=True)
    except ValueError as exc:
        raise ConfigError(f"cannot split the command line: {exc}") from None
    env: dict[str, str] = {}
    while tokens and _ENV_ASSIGN.match(tokens[0]):
        k, _, v = tokens.pop(0).partition("=")
        env[k] = v
    role: Role | None = None
    for i, tok in enumerate(tokens):
        if tok.startswith("-") and i > 0 and tok != "-m":  # python -m kcpcore server
            break
        word = os.path.basename(tok).lower()
        if word in _ROLE_WORDS:
            role, tokens = _ROLE_WORDS[word], tokens[i + 1 :]
            break
        for key, r in _ROLE_WORDS.items():
            if key in word:
                role, tokens = r, tokens[i + 1 :]
                break
        if role is not None:
            break
    if role is None:
        raise ConfigError(
            "the command must start with kcptun-client or kcptun-server (or "
            "'kcpdesk client' / 'kcpdesk server')"
        )
    parsed = parse_role_args(role, tokens)
    if parsed.positional:
        raise ConfigError(
            f"unexpected argument {parsed.positional[0]!r} (kcptun stops reading flags there)"
        )
    cfg, warnings = build_config(parsed, env)
    return normalized(cfg), warnings


def command_line(
    cfg: TunnelConfig, program: str | Sequence[str] | None = None, *, runs: str | None = None
) -> str:
    """The shell command that runs ``cfg``: kcptun's program name and only the changed flags.

    ``program`` replaces ``kcptun-client``/``kcptun-server``; a sequence is several words
    (``["kcpdesk", "client"]``). For kcptun's own programs KCP Desk's extension flags are
    left out (Go kcptun refuses them and sends by its own rules anyway), and so are the flags
    the generation ``runs`` (default: kcptun 2021) does not have: the 2021 binary exits on
    ``--closewait``. ``omitted_flags`` names what was left out.
    """
    cfg = normalized(cfg)
    args = cfg.to_args(kcptun=program is None, runs=runs if program is None else None)
    addresses: list[str] = []
    for name in _ADDRESS_FIELDS[cfg.role]:  # always spelled out, even at their defaults
        flag = "--" + FIELD_SPECS[name].flags[0]
        if flag not in args:
            addresses += [flag, getattr(cfg, name)]
    words = [program] if isinstance(program, str) else list(program or [PROGRAMS[cfg.role]])
    return shlex.join([*words, *addresses, *args])


def export_json(cfg: TunnelConfig, runs: str | None = None) -> str:
    """``cfg`` as a kcptun ``-c`` JSON file body; with ``runs`` (a generation), only the keys
    that generation has (Go ignores unknown keys, but a reader should not think they apply)."""
    data = normalized(cfg).to_kcptun_json()
    if runs is not None:
        knows = generation(runs).knows
        data = {s.json_key: data[s.json_key] for s in fields_for(cfg.role) if s.since in knows}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def range_problem(cfg: TunnelConfig, runs: str) -> str:
    """Why generation ``runs`` cannot use ``cfg``'s port range ("" when it can)."""
    if "kcptun-2025" in generation(runs).knows:
        return ""
    name = "remoteaddr" if cfg.role == "client" else "listen"
    try:
        ports = parse_port_range(getattr(cfg, name))
    except ConfigError:
        return ""
    if ports.count == 1:
        return ""
    return (
        f"{generation(runs).label} cannot use the port range in {name} "
        f"({ports.first}-{ports.last}); give it one port"
    )


def omitted_flags(cfg: TunnelConfig, runs: str) -> list[str]:
    """Changed settings an export for generation ``runs`` cannot carry (it has no such flag),
    KCP Desk's own ones excluded: they only ever concern the end that runs KCP Desk."""
    cfg = normalized(cfg)
    knows = generation(runs).knows
    return [
        "--" + s.flags[0]
        for s in fields_for(cfg.role)
        if s.since not in knows
        and not s.extension
        and getattr(cfg, s.name) != s.default_for(cfg.role)
    ]


def peer_config(cfg: TunnelConfig, address: str | None = None) -> TunnelConfig:
    """The matching config for the other end, so the two cannot disagree.

    Args:
        cfg: this end.
        address: for a client's server, the server's ``target`` (default: kcptun's); for a
            server's client, the ``remoteaddr`` clients dial (default: this server's listen
            address, with ``SERVER`` standing in for an unspecified host).
    """
    peer_role: Role = "server" if cfg.role == "client" else "client"
    shared = {n: getattr(cfg, n) for n in SHARED_FIELDS}
    # the other end's peer is this one: KCP Desk (its closewait/framesize defaults follow)
    peer = replace(with_peer(TunnelConfig.default(peer_role), "kcpdesk"), **shared)
    if cfg.role == "client":
        try:
            ports = parse_port_range(cfg.remoteaddr)
        except ConfigError:
            ports = PortRange("", 0, 0)
        listen = f":{_ports_text(ports)}" if ports.first else peer.listen
        peer = replace(peer, listen=listen, target=address or peer.target)
    else:
        if address is None:
            try:
                ports = parse_port_range(cfg.listen)
            except ConfigError:
                ports = PortRange("", 0, 0)
            host = ports.host
            if host in ("", "0.0.0.0", "::"):
                host = "SERVER"
            host = f"[{host}]" if ":" in host else host
            address = f"{host}:{_ports_text(ports) if ports.first else 29900}"
        peer = replace(peer, remoteaddr=address)
    return normalized(peer)


def known_peer_address(cfg: TunnelConfig, profiles: Iterable[Profile]) -> str:
    """The other end's address when one of ``profiles`` is that other end, else "".

    A client's server is a server profile with the same key whose listen ports include the
    port the client dials: its ``target`` is what the export needs. A server's client is a
    client profile with the same key dialling one of its ports: its ``remoteaddr``.
    """
    for other in profiles:
        theirs = other.config
        if theirs.role == cfg.role or theirs.key != cfg.key:
            continue
        client, server = (cfg, theirs) if cfg.role == "client" else (theirs, cfg)
        try:
            dialled = parse_port_range(client.remoteaddr).first
            listened = parse_port_range(server.listen)
        except ConfigError:
            continue
        if dialled in listened.ports():
            return theirs.target if cfg.role == "client" else theirs.remoteaddr
    return ""


def _ports_text(ports: PortRange) -> str:
    return str(ports.first) if ports.count == 1 else f"{ports.first}-{ports.last}"
