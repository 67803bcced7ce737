"""Tunnel settings: the single source of truth for defaults, kcptun JSON keys, CLI flags and ranges.

The CLI, the ``-c`` JSON loader and the GUI profile editor all read the table built from the
``TunnelConfig`` field metadata (``FIELD_SPECS``), so a default or a flag name exists in one place
only. Values and names are kcptun 20210922's (``client/main.go``, ``server/main.go``; PROTOCOL.md
8.1-8.3); ``tests/core/test_config.py`` compares them with the real binaries' ``--help``.

Precedence, as in kcptun: defaults < ``KCPTUN_KEY`` < command line < ``-c`` JSON < mode preset.
The JSON step follows Go's ``json.Unmarshal`` into the already-filled struct: present keys
override, absent keys keep their value, keys match case-insensitively, unknown keys are ignored,
``null`` changes nothing and a wrongly typed value is an error. The mode preset then overwrites
nodelay/interval/resend/nc unless the mode is ``manual`` (or any unknown string).

``validate()`` is stricter than kcptun on purpose: kcptun silently ignores or crashes on values
outside the ranges below; we report them next to the field instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final, Literal

from .errors import ConfigError
from .generations import DEFAULT_PEER, GENERATIONS, PEERS, Since, generation
from .hosts import host_problem

__all__ = [
    "DEFAULT_KEY", "FIELD_SPECS", "KCPTUN_CRYPTS", "MANUAL_MODE", "MODES", "ROLES", "FieldError",
    "FieldSpec", "ModePreset", "PortRange", "Role", "TunnelConfig", "apply_mode", "crypt_names",
    "effective_kcp_params", "fields_for", "infer_peer", "json_setting_names", "parse_hostport",
    "parse_port_range", "resolve_mode", "split_hostport", "unknown_json_keys", "with_peer",
]  # fmt: skip

Role = Literal["client", "server"]
ROLES: Final[tuple[Role, ...]] = ("client", "server")
KCPTUN_VERSION: Final = "20210922"

# kcptun's --crypt names (client/main.go SelectBlockCrypt switch); kcpcore.crypt is authoritative.
KCPTUN_CRYPTS: Final[tuple[str, ...]] = (
    "aes", "aes-128", "aes-192", "salsa20", "blowfish", "twofish", "cast5", "3des", "tea",
    "xtea", "xor", "sm4", "none",
)  # fmt: skip
# names kcptun added later (v20251212 / 2022-06): their datagram layer is kcpcore.packetcrypt's
CRYPT_CHOICES: Final[tuple[str, ...]] = (*KCPTUN_CRYPTS, "aes-128-gcm", "null")
CRYPT_OVERHEAD: Final[dict[str, int]] = {"aes-128-gcm": 28, "null": 0}  # others: 20
DEFAULT_KEY: Final = "it's a secrect"  # sic: kcptun's public default pre-shared key
KEYLESS_CRYPTS: Final = frozenset({"none", "null"})  # no cipher: the key protects nothing
DEFAULT_CRYPT: Final = "aes"  # kcptun also falls back to aes for unknown names
MANUAL_MODE: Final = "manual"

IKCP_OVERHEAD: Final = 24  # bytes; KCP segment header (kcp-go kcp.go)
IKCP_MTU_DEF: Final = 1400  # bytes; what kcp-go keeps when SetMtu refuses a value
IKCP_INTERVAL: Final = 100  # ms; kcp-go default, kept when interval < 0
INTERVAL_MIN: Final = 10  # ms; kcp-go NoDelay clamps the interval to [10, 5000]
INTERVAL_MAX: Final = 5000  # ms
MTU_MIN: Final = 50  # bytes; kcp-go KCP.SetMtu refuses less
MTU_MAX: Final = 1500  # bytes; kcp-go sess.go mtuLimit
CRYPT_HEADER_SIZE: Final = 20  # bytes; 16 nonce + 4 CRC32, present even with crypt "none"
FEC_HEADER_SIZE_PLUS2: Final = 8  # bytes; FEC seqid + flag + size, only when FEC is on
WND_MAX: Final = 65535  # packets; the KCP header's wnd field is 16 bits
MAX_SHARDS: Final = 256  # Reed-Solomon over GF(2^8): datashard + parityshard <= 256
DSCP_MAX: Final = 63  # 6-bit field
SMUX_KEEPALIVE_TIMEOUT: Final = 30  # s; smux default, not configurable in kcptun
INT32_MAX: Final = 2**31 - 1
CLOSEWAIT_MAX: Final = 86400  # s; one day
SMUX_FRAME_MAX: Final = 65535  # bytes; smux's 16-bit frame length
GO_INT_MIN: Final = -(2**63)  # Go int on 64-bit platforms
GO_INT_MAX: Final = 2**63 - 1


@dataclass(frozen=True, slots=True)
class ModePreset:
    """The four ``SetNoDelay`` arguments a ``--mode`` name stands for (PROTOCOL.md 5.3)."""

    nodelay: int
    """0 or 1: 1 lowers the minimum RTO to 30 ms and backs off 1.5x instead of 2x"""
    interval: int
    """ms between KCP flushes"""
    resend: int
    """duplicate ACKs that trigger a fast retransmit (0 = off)"""
    nc: int
    """1 = no congestion window"""


MODES: Final[dict[str, ModePreset]] = {
    "normal": ModePreset(nodelay=0, interval=40, resend=2, nc=1),
    "fast": ModePreset(nodelay=0, interval=30, resend=2, nc=1),
    "fast2": ModePreset(nodelay=1, interval=20, resend=2, nc=1),
    "fast3": ModePreset(nodelay=1, interval=10, resend=2, nc=1),
}


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid setting, for a message next to the GUI field or one CLI error line."""

    field: str
    """TunnelConfig attribute name (equal to the kcptun JSON key and long flag)"""
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldSpec:
    """Everything the CLI, the JSON loader and the GUI need to know about one setting."""

    name: str
    """TunnelConfig attribute"""
    kind: Literal["str", "int", "bool"]
    json_key: str
    """kcptun JSON key (Go struct tag); matched case-insensitively on input"""
    flags: tuple[str, ...]
    """kcptun flag names without dashes, primary first (``("datashard", "ds")``)"""
    help: str
    """kcptun's usage text (ours for flags kcptun hides)"""
    tooltip: str
    """what the setting trades, for the GUI"""
    roles: tuple[Role, ...]
    defaults: tuple[tuple[Role, str | int | bool], ...]
    """per-role kcptun default"""
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    outside: str = ""
    """what kcptun does with a value outside the range (shown in the error)"""
    hidden: bool = False
    """kcptun hides the flag in --help"""
    extension: bool = False
    """KCP Desk only: kcptun has no such flag or JSON key (parity checks skip it)"""
    env: str | None = None
    """environment variable that replaces the default"""
    unit: str = ""
    since: Since = "kcptun-2021"
    """the first peer generation whose command line knows the flag (kcpcore.generations)"""

    def default_for(self, role: Role, peer: str = DEFAULT_PEER) -> str | int | bool:
        """The default for ``role`` when the other end is ``peer`` (a generation name)."""
        by_role = generation(peer).defaults.get(self.name)
        if by_role is not None:
            return by_role[role]
        return dict(self.defaults)[role]


class _RoleDefault(int):
    """Placeholder for defaults that depend on the role; replaced in ``__post_init__``.

    An ``int`` subclass so the field stays typed ``int``; a plain ``-1`` or ``0`` read from JSON is
    never mistaken for it.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "ROLE_DEFAULT"


ROLE_DEFAULT: Final[int] = _RoleDefault(0)
PEER_DEFAULT: Final[int] = _RoleDefault(0)
"""Placeholder for defaults that follow the peer generation (``kcpcore.generations``)."""


def _spec(
    default: Any,
    *,
    help: str,
    tip: str,
    flags: tuple[str, ...] = (),
    roles: tuple[Role, ...] = ROLES,
    role_defaults: Mapping[Role, Any] | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
    outside: str = "",
    hidden: bool = False,
    env: str | None = None,
    unit: str = "",
    repr: bool = True,
    extension: bool = False,
    since: Since = "kcptun-2021",
) -> Any:
    """A dataclass field carrying its FieldSpec draft (name and kind are filled in later)."""
    meta = {
        "help": help,
        "tooltip": tip,
        "flags": flags,
        "roles": roles,
        "role_defaults": dict(role_defaults or {}),
        "minimum": minimum,
        "maximum": maximum,
        "outside": outside,
        "hidden": hidden,
        "env": env,
        "unit": unit,
        "extension": extension,
        "since": "kcpdesk" if extension else since,
    }
    return field(default=default, metadata={"kcptun": meta}, repr=repr)


_CLIENT: Final[tuple[Role, ...]] = ("client",)
_SERVER: Final[tuple[Role, ...]] = ("server",)
_CRYPT_HELP = ", ".join(KCPTUN_CRYPTS)


@dataclass(frozen=True, slots=True, kw_only=True)
class TunnelConfig:
    """One kcptun client or server configuration (both roles' fields; each role uses its own).

    ``TunnelConfig(role="server")`` has kcptun-server's defaults, ``TunnelConfig(role="client")``
    kcptun-client's. Field order is kcptun's ``--help`` order. See ``FIELD_SPECS`` for each
    field's flags, JSON key, range and help text.
    """

    role: Role
    """which kcptun binary this stands for"""
    localaddr: str = _spec(
        ":12948",
        flags=("localaddr", "l"),
        roles=_CLIENT,
        help="local listen address",
        tip="Local TCP address your applications connect to. ':port' listens on every "
        "interface; '127.0.0.1:port' keeps the tunnel private to this machine.",
    )
    remoteaddr: str = _spec(
        "vps:29900",
        flags=("remoteaddr", "r"),
        roles=_CLIENT,
        help="kcp server address",
        tip="UDP host:port of the kcptun server.",
    )
    listen: str = _spec(
        ":29900",
        flags=("listen", "l"),
        roles=_SERVER,
        help="kcp server listen address",
        tip="UDP address the server listens on for KCP clients.",
    )
    target: str = _spec(
        "127.0.0.1:12948",
        flags=("target", "t"),
        roles=_SERVER,
        help="target server address, or path/to/unix_socket",
        tip="Where tunnelled streams are delivered: a TCP host:port, or a unix socket path.",
    )
    key: str = _spec(
        DEFAULT_KEY,
        env="KCPTUN_KEY",
        repr=False,
        help="pre-shared secret between client and server",
        tip="Pre-shared secret; must match the peer. The default is public: change it.",
    )
    crypt: str = _spec(
        DEFAULT_CRYPT,
        help=_CRYPT_HELP,
        tip="Cipher; must match the peer. Stronger ciphers cost more CPU per packet; 'xor' "
        "only obfuscates and 'none' only checksums.",
    )
    mode: str = _spec(
        "fast",
        help="profiles: fast3, fast2, fast, normal, manual",
        tip="Preset trading bandwidth for latency: fast3 retransmits most eagerly (lowest "
        "latency, most overhead), normal is the gentlest. 'manual' uses nodelay, interval, "
        "resend and nc.",
    )
    conn: int = _spec(
        1,
        roles=_CLIENT,
        minimum=1,
        maximum=65535,
        unit="sessions",
        outside="kcptun keeps it in 16 bits and crashes on 0",
        help="set num of UDP connections to server",
        tip="Parallel KCP sessions to the server, used round robin: can use more bandwidth on "
        "lossy paths, at the cost of more UDP flows and memory.",
    )
    autoexpire: int = _spec(
        0,
        roles=_CLIENT,
        minimum=0,
        unit="s",
        outside="kcptun treats it as 0 (off)",
        help="set auto expiration time(in seconds) for a single UDP connection, 0 to disable",
        tip="Replace each UDP session after this many seconds (0 = never): dodges per-flow "
        "throttling, costs a reconnect.",
    )
    scavengettl: int = _spec(
        600,
        roles=_CLIENT,
        minimum=0,
        unit="s",
        outside="kcptun closes expired sessions at once",
        help="set how long an expired connection can live (in seconds)",
        tip="How long an expired session may keep carrying its open streams before it is closed.",
    )
    mtu: int = _spec(
        1350,
        minimum=MTU_MIN,
        maximum=MTU_MAX,
        unit="bytes",
        outside=f"kcptun silently keeps KCP's default of {IKCP_MTU_DEF}",
        help="set maximum transmission unit for UDP packets",
        tip="Largest UDP datagram sent. Too large gets fragmented or dropped on the path; "
        "smaller wastes more bytes on headers.",
    )
    sndwnd: int = _spec(
        ROLE_DEFAULT,
        role_defaults={"client": 128, "server": 1024},
        minimum=1,
        maximum=WND_MAX,
        unit="packets",
        outside="kcp-go ignores values below 1 and the wire field is 16 bits",
        help="set send window size(num of packets)",
        tip="Send window: larger fills long fat links, at the cost of memory and burstier traffic.",
    )
    rcvwnd: int = _spec(
        ROLE_DEFAULT,
        role_defaults={"client": 512, "server": 1024},
        minimum=1,
        maximum=WND_MAX,
        unit="packets",
        outside="kcp-go ignores values below 1 and the wire field is 16 bits",
        help="set receive window size(num of packets)",
        tip="Receive window: must cover bandwidth x RTT for full speed; costs memory.",
    )
    datashard: int = _spec(
        10,
        flags=("datashard", "ds"),
        minimum=0,
        maximum=MAX_SHARDS - 1,
        unit="shards",
        help="set reed-solomon erasure coding - datashard",
        tip="FEC data shards per group; must match the peer. With parityshard it trades "
        "parityshard/datashard extra bandwidth for repairing loss without a retransmit.",
    )
    parityshard: int = _spec(
        3,
        flags=("parityshard", "ps"),
        minimum=0,
        maximum=MAX_SHARDS - 1,
        unit="shards",
        help="set reed-solomon erasure coding - parityshard",
        tip="FEC parity shards per group (0 turns FEC off); must match the peer. More parity "
        "survives more loss and costs more bandwidth.",
    )
    dscp: int = _spec(
        0,
        minimum=0,
        maximum=DSCP_MAX,
        outside="DSCP is a 6-bit field",
        help="set DSCP(6bit)",
        tip="DiffServ code point on outgoing UDP packets; some networks prioritise marked "
        "traffic, some drop it.",
    )
    nocomp: bool = _spec(
        False,
        help="disable compression",
        tip="Turn off snappy compression; must match the peer. Saves CPU, costs bandwidth on "
        "compressible data.",
    )
    acknodelay: bool = _spec(
        False,
        hidden=True,
        help="flush ack immediately when a packet is received",
        tip="ACK every packet at once instead of once per interval: lower latency, more packets.",
    )
    nodelay: int = _spec(
        0,
        hidden=True,
        minimum=0,
        maximum=1,
        help="manual mode: 1 = minimum RTO 30 ms and gentler RTO backoff",
        tip="Manual mode only. 1 retransmits sooner after loss (minimum RTO 30 ms instead of "
        "100 ms), at the cost of more spurious retransmits.",
    )
    interval: int = _spec(
        50,
        hidden=True,
        minimum=INTERVAL_MIN,
        maximum=INTERVAL_MAX,
        unit="ms",
        outside="kcp-go clamps it to 10..5000",
        help="manual mode: KCP update interval in ms",
        tip="Manual mode only. KCP's internal clock tick: shorter reacts faster, costs CPU.",
    )
    resend: int = _spec(
        0,
        hidden=True,
        minimum=0,
        maximum=INT32_MAX,
        help="manual mode: fast retransmit after this many duplicate ACKs, 0 to disable",
        tip="Manual mode only. Fast retransmit trigger: lower recovers sooner, may resend "
        "needlessly on reordering.",
    )
    nc: int = _spec(
        0,
        hidden=True,
        minimum=0,
        maximum=1,
        help="manual mode: 1 to turn off congestion control",
        tip="Manual mode only. 1 ignores the congestion window: faster on lossy links, unfair "
        "to other traffic.",
    )
    sockbuf: int = _spec(
        4194304,
        minimum=0,
        maximum=INT32_MAX,
        unit="bytes",
        help="per-socket buffer in bytes",
        tip="OS UDP socket buffer, both directions (0 leaves the OS default). Larger absorbs "
        "bursts; the OS may cap it.",
    )
    smuxver: int = _spec(
        PEER_DEFAULT,
        minimum=1,
        maximum=2,
        outside="kcptun exits at startup above 2 and smux refuses anything but 1 and 2",
        help="specify smux version, available 1,2",
        tip="Stream multiplexer version; must match the peer. 2 adds per-stream flow "
        "control. kcptun changed its default from 1 to 2 in v20251205; the default here "
        "follows the peer's generation.",
    )
    smuxbuf: int = _spec(
        4194304,
        minimum=1,
        maximum=GO_INT_MAX,
        unit="bytes",
        outside="smux requires > 0",
        help="the overall de-mux buffer in bytes",
        tip="Receive buffer shared by all streams of one session: bounds memory per session.",
    )
    streambuf: int = _spec(
        2097152,
        minimum=1,
        maximum=INT32_MAX,
        unit="bytes",
        outside="smux refuses it",
        help="per stream receive buffer in bytes, smux v2+",
        tip="Per-stream receive buffer (smux v2): smaller is fairer between streams, larger "
        "lets one stream go faster. Must not exceed smuxbuf.",
    )
    keepalive: int = _spec(
        10,
        minimum=1,
        maximum=SMUX_KEEPALIVE_TIMEOUT,
        unit="s",
        outside="smux rejects it (its keepalive timeout is a fixed 30 s): the kcptun client "
        "exits on the first connection and the server never serves a session",
        help="seconds between heartbeats",
        tip="Seconds between keepalive frames: shorter keeps NAT mappings open, costs a few bytes.",
    )
    snmplog: str = _spec(
        "",
        help="collect snmp to file, aware of timeformat in golang, like: ./snmp-20060102.log",
        tip="Append the counters to this CSV file every snmpperiod seconds; Go time layout "
        "tokens in the file name are replaced (snmp-20060102.log).",
    )
    snmpperiod: int = _spec(
        60,
        minimum=0,
        unit="s",
        outside="kcptun crashes on negative periods",
        help="snmp collect period, in seconds",
        tip="Seconds between snmplog rows; 0 turns snmplog off.",
    )
    pprof: bool = _spec(
        False,
        roles=_SERVER,
        help="start profiling server on :6060",
        tip="kcptun's Go profiler; accepted for compatibility, does nothing here.",
    )
    log: str = _spec(
        "",
        help="specify a log file to output, default goes to stderr",
        tip="Append the log to this file instead of stderr.",
    )
    quiet: bool = _spec(
        False,
        help="to suppress the 'stream open/close' messages",
        tip="Hide the per-stream open/close log lines.",
    )
    tcp: bool = _spec(
        False,
        help="to emulate a TCP connection(linux)",
        tip="kcptun's raw-socket TCP emulation; not supported by KCP Desk.",
    )
    qpp: bool = _spec(
        False,
        flags=("QPP",),
        since="kcptun-2025",
        help="enable Quantum Permutation Pads(QPP)",
        tip="Quantum Permutation Pad over each stream's bytes, keyed by the raw key, on top of "
        "the cipher; must match the peer (kcptun v20240701+). Works best with a key of 211 "
        "bytes or more.",
    )
    qppcount: int = _spec(
        61,
        flags=("QPPCount",),
        minimum=1,
        maximum=65535,
        unit="pads",
        since="kcptun-2025",
        outside="kcptun refuses 0 and keeps the count in 16 bits",
        help="the prime number of pads to use for QPP: The more pads you use, the more secure "
        "the encryption. Each pad requires 256 bytes.",
        tip="Number of QPP pads (permutations); must match the peer. kcptun warns below 7 and "
        "for even counts: choose a prime such as 61.",
    )
    closewait: int = _spec(
        PEER_DEFAULT,
        minimum=0,
        maximum=CLOSEWAIT_MAX,
        unit="s",
        since="kcptun-2025",
        outside="a forwarded connection half-closed for longer than a day is a leak",
        help="the seconds to wait before tearing down a connection after one direction ends, "
        "0 to wait for both directions",
        tip="When one direction of a forwarded connection ends (one side sent EOF), close the "
        "whole connection this many seconds later. Bounds what half-closed connections "
        "cost a busy server; 0 keeps the other direction open until it ends too. "
        "kcptun 2025 defaults: client 0, server 30.",
    )
    ratelimit: int = _spec(
        0,
        minimum=0,
        maximum=GO_INT_MAX,
        unit="bytes/s",
        since="kcptun-2025",
        help="per-session send rate limit in bytes per second (wire bytes), 0 to disable",
        tip="Cap what each KCP session sends, counted on the wire (headers, retransmits and "
        "FEC parity included), like kcptun's --ratelimit. Keeps a tunnel from filling a "
        "shared link or a metered plan; 0 = no cap. Applies to this end only.",
    )
    framesize: int = _spec(
        PEER_DEFAULT,
        minimum=1,
        maximum=SMUX_FRAME_MAX,
        unit="bytes",
        since="kcptun-2025",
        outside="smux refuses it (the frame length field is 16 bits)",
        help="smux maximum frame size in bytes",
        tip="Largest smux data frame this end sends. Smaller frames interleave parallel streams "
        "more finely (less head-of-line waiting), larger ones cost less per byte. Any "
        "peer accepts any size; kcptun 2025 uses 8192, older kcptun 32768.",
    )
    peer: str = _spec(
        DEFAULT_PEER,
        extension=True,
        help="what the other end runs: kcptun-2021, kcptun-2025 or kcpdesk; the defaults of "
        "smuxver, framesize and closewait follow it",
        tip="Which kcptun the other end runs. kcptun v20251205 and later default to smux v2, "
        "older kcptun (Debian's 20210922) to v1, so two ends on their defaults only "
        "understand each other when this is right. Exports for a Go peer leave out the "
        "flags its version would refuse.",
    )
    pacing: bool = _spec(
        True,
        extension=True,
        help="KCP Desk only: pace sends at the measured delivery rate (BBR-like); "
        "--pacing=false sends like kcptun",
        tip="KCP Desk only, and only for what this end sends; any peer works, Go kcptun too. "
        "Sends at the rate the path delivers instead of a window at a time, so the "
        "bottleneck queue stops overflowing: more goodput and about half the bytes on the "
        "wire on shaped or lossy links. This end also acknowledges what it receives "
        "within 5 ms instead of at the next interval, which helps the peer's sender too. "
        "Off = kcptun's own sending rules.",
    )
    fecadaptive: bool = _spec(
        True,
        extension=True,
        help="KCP Desk only: send only the FEC parity shards the measured loss needs; "
        "--fecadaptive=false sends them all like kcptun",
        tip="KCP Desk only, and only for what this end sends; any peer works, Go kcptun too. "
        "Of the parityshard shards per group, sends as many as the loss measured on the "
        "link needs (none on a clean link, all of them at high loss); the skipped ones "
        "look like lost parity to the peer. Saves up to parityshard/datashard of the "
        "wire (30 % with 10/3) on clean links. With pacing, a bulk transfer sends no "
        "parity (resending a lost packet costs less than parity for every group); "
        "parity goes out when the sender has rate to spare.",
    )

    tuneserve: bool = _spec(
        False,
        roles=_SERVER,
        extension=True,
        help="KCP Desk only: answer KCP Desk's tune test (a bounded transfer of random data, "
        "at most 64 MB and 10 s per request) for clients that hold the key; off by default",
        tip="KCP Desk only. Lets 'Tune this link' on a KCP Desk client measure the path: a "
        "client with the key may download or upload up to 64 MB of random data for up to "
        "10 s per request, on its own test session (which may raise that session's "
        "windows); nothing else is reachable through it. Off: test sessions are treated "
        "like any other and the client falls back to passive figures.",
    )

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ConfigError(f"role must be 'client' or 'server', not {self.role!r}", field="role")
        for name in _ROLE_DEFAULTED:
            if type(getattr(self, name)) is _RoleDefault:
                object.__setattr__(self, name, FIELD_SPECS[name].default_for(self.role, self.peer))

    @classmethod
    def default(cls, role: Role) -> TunnelConfig:
        """kcptun's defaults for ``role`` (what kcptun-client/-server run with no flags)."""
        return cls(role=role)

    # --- kcptun JSON ------------------------------------------------------------------------

    def to_kcptun_json(self) -> dict[str, Any]:
        """Every setting of this role under its kcptun JSON key (what ``-c`` reads)."""
        return {s.json_key: getattr(self, s.name) for s in fields_for(self.role)}

    @classmethod
    def from_kcptun_json(
        cls,
        role: Role,
        data: Mapping[str, Any] | Iterable[tuple[str, Any]] | None,
        base: TunnelConfig | None = None,
    ) -> TunnelConfig:
        """Apply a decoded kcptun JSON object on top of ``base`` like Go's ``json.Unmarshal``.

        Args:
            role: which kcptun struct the object is for; keys of the other role are unknown.
            data: the object as a mapping, or as (key, value) pairs in document order (so a key
                repeated in another case is applied in order, as Go does). ``None`` (JSON
                ``null``) changes nothing.
            base: the values before the file (defaults, env, command line); defaults if None.

        Raises:
            ConfigError: ``data`` is not an object, or a known key has a value of the wrong
                type (a string for an int, ``1.0`` for an int, ``1`` for a bool...).
        """
        cfg = cls.default(role) if base is None else base
        if cfg.role != role:
            raise ConfigError(f"base config is for the {cfg.role}, not the {role}", field="role")
        if data is None:
            return cfg
        if isinstance(data, Mapping):
            pairs: Iterable[Any] = data.items()
        elif isinstance(data, _JsonObject | list | tuple):
            pairs = data
        else:
            raise ConfigError(f"kcptun config must be a JSON object, not {_json_type(data)}")
        index = _json_index(role)
        changes: dict[str, Any] = {}
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise ConfigError("kcptun config must be a JSON object, not array")
            key, value = pair
            spec = index.get(_fold(key)) if isinstance(key, str) else None
            if spec is None or value is None:  # unknown key, or null: Go leaves the field
                continue
            changes[spec.name] = _coerce_json(spec, value)
        if "peer" in changes:  # the generation's defaults first, the file's own values on top
            cfg = with_peer(cfg, changes.pop("peer"))
        return replace(cfg, **changes)

    @classmethod
    def from_kcptun_json_text(
        cls, role: Role, text: str, base: TunnelConfig | None = None
    ) -> TunnelConfig:
        """Decode a kcptun JSON config file's text like Go's ``json.NewDecoder(f).Decode``.

        Only the first JSON value is read (trailing text is ignored, as in kcptun); NaN and
        Infinity are not JSON; lone surrogate escapes become U+FFFD.
        """
        start = len(text) - len(text.lstrip(" \t\r\n"))
        if start == len(text):
            raise ConfigError("config file is empty (kcptun: EOF)")
        decoder = json.JSONDecoder(
            object_pairs_hook=_JsonObject, parse_float=_NonInteger, parse_constant=_reject_constant
        )
        try:
            value, _end = decoder.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"invalid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})"
            ) from None
        except ValueError as exc:
            raise ConfigError(f"invalid JSON: {exc}") from None
        except RecursionError:
            raise ConfigError("invalid JSON: nested too deeply") from None
        if value is not None and not isinstance(value, _JsonObject):
            raise ConfigError(f"kcptun config must be a JSON object, not {_json_type(value)}")
        return cls.from_kcptun_json(role, value, base)

    # --- command line -------------------------------------------------------------------------

    def to_args(
        self, *, full: bool = False, kcptun: bool = False, runs: str | None = None
    ) -> list[str]:
        """The kcptun command line (flags only) that produces this config.

        Pass it to ``kcpdesk client``/``server``, or with ``kcptun`` to ``kcptun-client``/
        ``kcptun-server``, which refuse KCP Desk's extension flags (they are left out: Go
        kcptun always sends by its own rules). ``runs`` names the generation of the program
        that will read the line (``kcpcore.generations``; default: kcptun 2021 with
        ``kcptun``, KCP Desk without): flags it does not know are left out, since the Go
        binaries exit on them. By default only settings that differ from the role's kcptun
        2021 defaults are listed (a program of another generation would otherwise apply its
        own); ``full`` lists every flag, hidden ones included.
        """
        knows = generation(runs or (DEFAULT_PEER if kcptun else "kcpdesk")).knows
        args: list[str] = []
        for s in fields_for(self.role):
            if s.since not in knows:
                continue
            value = getattr(self, s.name)
            if not full and value == s.default_for(self.role):
                continue
            flag = "--" + s.flags[0]
            if s.kind == "bool":
                args.append(flag if value else flag + "=false")
            else:
                args += [flag, str(value)]
        return args

    # --- checks ---------------------------------------------------------------------------

    def validate(self) -> list[FieldError]:
        """Every problem with this config, one ``FieldError`` per field (empty when usable)."""
        errors: dict[str, str] = {}
        manual = self.mode not in MODES
        for s in fields_for(self.role):
            if s.name in _MANUAL_ONLY and not manual:
                continue  # the mode preset overrides these, as in kcptun
            msg = _check_range(s, getattr(self, s.name))
            if msg:
                errors[s.name] = msg
        for name in _address_fields(self.role):
            try:
                _check_address(name, getattr(self, name))
            except ConfigError as exc:
                errors.setdefault(name, str(exc))
        if self.crypt not in crypt_names():
            errors["crypt"] = (
                f"unknown cipher {self.crypt!r} (kcptun would silently use aes); "
                f"valid: {', '.join(crypt_names())}"
            )
        if manual and self.mode != MANUAL_MODE:
            errors["mode"] = (
                f"unknown mode {self.mode!r} (kcptun treats it as manual); "
                f"valid: {', '.join([*MODES, MANUAL_MODE])}"
            )
        if (
            "datashard" not in errors
            and "parityshard" not in errors
            and self.datashard + self.parityshard > MAX_SHARDS
        ):
            errors["parityshard"] = (
                f"datashard + parityshard must be <= {MAX_SHARDS} (Reed-Solomon over GF(2^8))"
            )
        if "streambuf" not in errors and "smuxbuf" not in errors and self.streambuf > self.smuxbuf:
            errors["streambuf"] = "must not exceed smuxbuf (smux refuses the session)"
        if "mtu" not in errors and self.mtu - _packet_overhead(self) < 1:
            errors["mtu"] = (
                f"must be larger than the {_packet_overhead(self)} header bytes (KCP + crypt + FEC)"
            )
        if self.tcp:
            errors["tcp"] = "raw-socket TCP emulation (--tcp) is not supported"
        if self.key == "" and (self.crypt not in KEYLESS_CRYPTS or self.qpp):
            errors["key"] = "empty key: enter the key the other end uses (or generate one for both)"
        _check_generation_fields(self, errors)
        order = {s.name: i for i, s in enumerate(fields_for(self.role))}
        return [FieldError(k, v) for k, v in sorted(errors.items(), key=lambda kv: order[kv[0]])]

    def fec_on(self) -> bool:
        """kcptun's rule: FEC runs only when both datashard and parityshard are above 0."""
        return self.datashard > 0 and self.parityshard > 0

    def warnings(self) -> list[FieldError]:
        """What is allowed (kcptun runs it) but probably not meant: shown, never blocking.

        The GUI shows these beside the field; the headless CLI logs them at startup.
        """
        notes: dict[str, str] = {}
        if self.key == DEFAULT_KEY and self.crypt not in KEYLESS_CRYPTS:
            notes["key"] = (
                "kcptun's published default key: anyone who knows kcptun can use this "
                "tunnel. Use your own key at both ends."
            )
        if self.datashard == 0 and self.parityshard > 0:
            notes["datashard"] = (
                f"FEC is off: kcptun uses FEC only when both shards are above 0 (parityshard "
                f"{self.parityshard} is ignored). Set parityshard 0 too, or datashard above 0."
            )
        return [FieldError(k, v) for k, v in notes.items()]


# --- the spec table -------------------------------------------------------------------------


def _build_specs() -> dict[str, FieldSpec]:
    specs: dict[str, FieldSpec] = {}
    for f in fields(TunnelConfig):
        meta = f.metadata.get("kcptun")
        if meta is None:
            continue
        per_role = meta["role_defaults"]
        peer_defaults = GENERATIONS[DEFAULT_PEER].defaults.get(f.name, {})
        defaults = tuple((r, peer_defaults.get(r, per_role.get(r, f.default))) for r in ROLES)
        kind: Any = f.type  # "str" | "int" | "bool" (annotations are strings here)
        specs[f.name] = FieldSpec(
            name=f.name,
            kind=kind,
            json_key=f.name,
            flags=meta["flags"] or (f.name,),
            help=meta["help"],
            tooltip=meta["tooltip"],
            roles=meta["roles"],
            defaults=defaults,
            minimum=meta["minimum"],
            maximum=meta["maximum"],
            outside=meta["outside"],
            hidden=meta["hidden"],
            env=meta["env"],
            unit=meta["unit"],
            extension=meta["extension"],
            since=meta["since"],
            choices=(*MODES, MANUAL_MODE)
            if f.name == "mode"
            else CRYPT_CHOICES
            if f.name == "crypt"
            else PEERS
            if f.name == "peer"
            else (),
        )
    return specs


FIELD_SPECS: Final[dict[str, FieldSpec]] = _build_specs()
"""Every kcptun setting by TunnelConfig attribute name, in kcptun ``--help`` order."""

_ROLE_DEFAULTED: Final = tuple(
    n
    for n, s in FIELD_SPECS.items()
    if len({v for _, v in s.defaults}) > 1 or any(n in g.defaults for g in GENERATIONS.values())
)
_MANUAL_ONLY: Final = frozenset({"nodelay", "interval", "resend", "nc"})
_PEER_FIELDS: Final = tuple(
    n for n in FIELD_SPECS if any(n in g.defaults for g in GENERATIONS.values())
)
_FIELDS_FOR: Final[dict[Role, tuple[FieldSpec, ...]]] = {
    r: tuple(s for s in FIELD_SPECS.values() if r in s.roles) for r in ROLES
}


def fields_for(role: Role) -> tuple[FieldSpec, ...]:
    """The settings kcptun's ``role`` binary has, in its ``--help`` order."""
    return _FIELDS_FOR[role]


def crypt_names() -> tuple[str, ...]:
    """Valid ``crypt`` names: kcpcore.packetcrypt's when it is importable, else kcptun's."""
    try:
        from .packetcrypt import PACKET_METHODS  # lazy: crypt is optional for config users
    except ImportError:
        return CRYPT_CHOICES
    return tuple(PACKET_METHODS)


# --- mode -----------------------------------------------------------------------------------


def resolve_mode(cfg: TunnelConfig) -> ModePreset:
    """The preset for ``cfg.mode``; manual and unknown names (kcptun too) use the four fields."""
    preset = MODES.get(cfg.mode)
    if preset is not None:
        return preset
    return ModePreset(nodelay=cfg.nodelay, interval=cfg.interval, resend=cfg.resend, nc=cfg.nc)


def apply_mode(cfg: TunnelConfig) -> TunnelConfig:
    """kcptun's last config step: copy the mode preset into nodelay/interval/resend/nc."""
    p = resolve_mode(cfg)
    return replace(cfg, nodelay=p.nodelay, interval=p.interval, resend=p.resend, nc=p.nc)


def effective_kcp_params(cfg: TunnelConfig) -> tuple[int, int, int, int]:
    """(nodelay, interval, resend, nc) as the KCP engine ends up with them.

    kcp-go's ``NoDelay`` leaves a setting unchanged when its argument is negative (defaults:
    nodelay 0, interval 100 ms, resend 0, nc 0) and clamps the interval to [10, 5000] ms.
    """
    p = resolve_mode(cfg)
    interval = IKCP_INTERVAL if p.interval < 0 else min(max(p.interval, INTERVAL_MIN), INTERVAL_MAX)
    return max(p.nodelay, 0), interval, max(p.resend, 0), max(p.nc, 0)


# --- addresses ------------------------------------------------------------------------------


def split_hostport(s: str) -> tuple[str, str]:
    """Go's ``net.SplitHostPort``: ``"h:p"``, ``"[v6]:p"``, ``":p"``; the host loses its brackets.

    Raises:
        ConfigError: with Go's reason (missing port, too many colons...).
    """

    def bad(why: str) -> ConfigError:
        return ConfigError(f"address {s!r}: {why}")

    colon = s.rfind(":")
    if colon < 0:
        raise bad("missing port in address (expected host:port)")
    j = k = 0
    if s.startswith("["):
        end = s.find("]")
        if end < 0:
            raise bad("missing ']' in address")
        if end + 1 == len(s):
            raise bad("missing port in address (expected host:port)")
        if end + 1 != colon:
            raise bad(
                "too many colons in address"
                if s[end + 1] == ":"
                else "missing port in address (expected host:port)"
            )
        host = s[1:end]
        j, k = 1, end + 1
    else:
        host = s[:colon]
        if ":" in host:
            raise bad("too many colons in address (write IPv6 hosts as [addr]:port)")
    if "[" in s[j:]:
        raise bad("unexpected '[' in address")
    if "]" in s[k:]:
        raise bad("unexpected ']' in address")
    return host, s[colon + 1 :]


_PORT_RE: Final = re.compile(r"\+?[0-9]+\Z")


def parse_hostport(s: str) -> tuple[str, int]:
    """Split ``s`` and parse the port (0..65535; empty means 0, as in Go).

    ``":12948"`` gives ``("", 12948)`` (all interfaces), ``"[::1]:1"`` gives ``("::1", 1)``.
    Service names (``host:http``), which Go would look up, are refused.

    Raises:
        ConfigError: malformed address or port.
    """
    host, port = split_hostport(s)
    if port == "":
        return host, 0
    if not _PORT_RE.match(port):
        raise ConfigError(f"address {s!r}: port {port!r} is not a number")
    value = int(port)
    if value > 65535:
        raise ConfigError(f"address {s!r}: port {value} is out of range 0..65535")
    return host, value


@dataclass(frozen=True, slots=True)
class PortRange:
    """``host:MIN-MAX`` (kcptun 2022-10+): a client dials one random port of the range per KCP
    session, a server listens on all of them. A plain ``host:port`` is the range of one."""

    host: str
    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def ports(self) -> range:
        return range(self.first, self.last + 1)


MAX_LISTEN_PORTS: Final = 4096
"""Most ports a server listens on at once. Each costs two file descriptors here (the socket and
the batch reader's duplicate), so 4096 ports need 8192: above the usual soft limit of 1024,
which the server raises to the hard limit as Go does, and below the hard limits Linux
distributions ship (kcptun users' ranges such as 3000-4000 fit). The whole 1-65535 would need
131 070 descriptors and would take every UDP port the machine has."""


def parse_port_range(s: str) -> PortRange:
    """``host:port`` or ``host:MIN-MAX`` (kcptun's ``std.ParseMultiPort`` rules, stricter).

    Raises:
        ConfigError: malformed, a port outside 1..65535 in a range, or MIN > MAX.
    """
    host, port = split_hostport(s)
    if "-" not in port:
        return PortRange(host, *(parse_hostport(s)[1],) * 2)
    lo_text, _, hi_text = port.partition("-")
    for text in (lo_text, hi_text):
        if not _PORT_RE.match(text):
            raise ConfigError(
                f"address {s!r}: port range {port!r} is not MIN-MAX "
                "(two numbers, such as 3000-4000)"
            )
    lo, hi = int(lo_text), int(hi_text)
    if not (1 <= lo <= 65535 and 1 <= hi <= 65535):
        raise ConfigError(f"address {s!r}: ports of a range must be 1..65535")
    if lo > hi:
        raise ConfigError(
            f"address {s!r}: port range {lo}-{hi} is backwards (did you mean {hi}-{lo}?)"
        )
    return PortRange(host, lo, hi)


def _address_fields(role: Role) -> tuple[str, ...]:
    return ("localaddr", "remoteaddr") if role == "client" else ("listen", "target")


def _check_address(name: str, value: str) -> None:
    if name == "target":
        if value == "":
            raise ConfigError("empty target (expected host:port or a unix socket path)")
        try:
            split_hostport(value)
        except ConfigError:
            return  # kcptun: not host:port means a unix socket path
    problem = host_problem(split_hostport(value)[0])
    if problem:
        raise ConfigError(f"address {value!r}: {problem}")
    if name in ("remoteaddr", "listen"):
        ports = parse_port_range(value)
        if name == "listen" and ports.count > MAX_LISTEN_PORTS:
            raise ConfigError(
                f"address {value!r}: {ports.count} ports is more than the "
                f"{MAX_LISTEN_PORTS} a server listens on (2 file descriptors "
                "each); use a smaller range"
            )
        port = ports.first
    else:
        _host, port = parse_hostport(value)
    if port == 0 and name in ("remoteaddr", "target"):
        raise ConfigError(f"address {value!r}: port 0 cannot be dialled")


GO_ONLY_CRYPTS: Final[dict[str, str]] = {"aes-128-gcm": "kcptun-2025", "null": "kcptun-2025"}
"""Ciphers a Go peer knows only from a generation on (older ones silently use aes instead)."""


def _check_generation_fields(cfg: TunnelConfig, errors: dict[str, str]) -> None:
    """What the 2025 generation added: the peer choice, ratelimit's floor, new cipher names."""
    if cfg.peer not in PEERS:
        errors["peer"] = f"unknown peer {cfg.peer!r}; valid: {', '.join(PEERS)}"
        return
    if "ratelimit" not in errors and 0 < cfg.ratelimit < cfg.mtu:
        errors["ratelimit"] = (
            f"must be 0 (no limit) or at least one datagram per second "
            f"(mtu {cfg.mtu} bytes/s), not {cfg.ratelimit}"
        )
    since = GO_ONLY_CRYPTS.get(cfg.crypt)
    peer = generation(cfg.peer)
    if since is not None and since not in peer.knows and "crypt" not in errors:
        errors["crypt"] = (
            f"{peer.label} has no cipher {cfg.crypt!r} (it would use aes and "
            "nothing would decrypt): choose another cipher or another peer"
        )
    if cfg.qpp and FIELD_SPECS["qpp"].since not in peer.knows:
        errors["qpp"] = (
            f"{peer.label} has no QPP (it refuses --QPP, and streams would not "
            "decode): turn QPP off or choose another peer"
        )


def with_peer(cfg: TunnelConfig, peer: str) -> TunnelConfig:
    """``cfg`` for another peer generation: settings still at the old generation's default
    take the new one's (a value the user chose stays)."""
    if peer == cfg.peer:
        return cfg
    changes: dict[str, Any] = {"peer": peer}
    if peer in GENERATIONS:
        for name in {n for g in GENERATIONS.values() for n in g.defaults}:
            spec = FIELD_SPECS[name]
            if getattr(cfg, name) == spec.default_for(cfg.role, cfg.peer):
                changes[name] = spec.default_for(cfg.role, peer)
    return replace(cfg, **changes)


def infer_peer(cfg: TunnelConfig, explicit: Iterable[str]) -> tuple[TunnelConfig, str]:
    """A config that names settings only kcptun 2025 has was written for kcptun 2025+.

    ``explicit`` are the settings the command line or file gave. Unless it chose a peer, the
    peer becomes kcptun 2025+ and the generation's defaults (smuxver 2...) apply to what it did
    not give, so a pasted 2025 command line or JSON matches the Go binary it came from.

    Returns:
        (config, the warning to show, or "" when nothing was inferred).
    """
    given = set(explicit)
    if "peer" in given or cfg.peer != DEFAULT_PEER:
        return cfg, ""
    newer = [
        f"--{FIELD_SPECS[n].flags[0]}"
        for n in FIELD_SPECS
        if n in given and FIELD_SPECS[n].since == "kcptun-2025"
    ]
    if cfg.crypt in GO_ONLY_CRYPTS:
        newer.append(f"--crypt {cfg.crypt}")
    if not newer:
        return cfg, ""
    # values of several fields' types (str, int, bool): replace() checks them at run time
    moved: dict[str, Any] = {
        n: FIELD_SPECS[n].default_for(cfg.role, "kcptun-2025")
        for n in _PEER_FIELDS
        if n not in given and getattr(cfg, n) == FIELD_SPECS[n].default_for(cfg.role)
    }
    note = ", ".join(f"{n} {v}" for n, v in moved.items())
    verb = "exists" if len(newer) == 1 else "exist"
    return replace(cfg, peer="kcptun-2025", **moved), (
        f"{', '.join(newer)} {verb} only in kcptun 2025+: taking the other end to be kcptun "
        f"2025+{' (' + note + ')' if note else ''}; --peer kcptun-2021 keeps the old defaults"
    )


def json_setting_names(role: Role, data: Any) -> set[str]:
    """The settings (TunnelConfig names) a decoded kcptun JSON object gives a value."""
    if isinstance(data, Mapping):
        pairs: Iterable[Any] = data.items()
    elif isinstance(data, list | tuple):
        pairs = (p for p in data if isinstance(p, tuple) and len(p) == 2)
    else:
        return set()
    index = _json_index(role)
    return {
        index[_fold(k)].name
        for k, v in pairs
        if isinstance(k, str) and _fold(k) in index and v is not None
    }


META_KEYS: Final = frozenset({"kcpdesk"})
"""Keys of our own profile files that are not settings (``kcpcore.profiles``)."""


def unknown_json_keys(role: Role, data: Any) -> list[str]:
    """Keys of a kcptun JSON object that are not settings of ``role`` here, in file order.

    kcptun ignores unknown keys and so do we, but silently dropping a newer kcptun's setting
    (or a typo) would hide why the tunnel behaves differently, so callers warn about these.
    """
    if isinstance(data, Mapping):
        keys: Iterable[Any] = data.keys()
    elif isinstance(data, list | tuple):
        keys = (p[0] for p in data if isinstance(p, tuple) and len(p) == 2)
    else:
        return []
    index = _json_index(role)
    out: list[str] = []
    for key in keys:
        if (
            isinstance(key, str)
            and _fold(key) not in index
            and key not in META_KEYS
            and key not in out
        ):
            out.append(key)
    return out


# --- helpers ----------------------------------------------------------------------------------


def _check_range(s: FieldSpec, value: Any) -> str:
    if s.kind != "int":
        return ""
    lo = GO_INT_MIN if s.minimum is None else s.minimum
    hi = GO_INT_MAX if s.maximum is None else s.maximum
    if lo <= value <= hi:
        return ""
    if s.maximum is None or s.maximum >= GO_INT_MAX:
        rng = f"at least {lo}"
    else:
        rng = f"{lo}..{hi}"
    unit = f" {s.unit}" if s.unit else ""
    why = f"; {s.outside}" if s.outside else ""
    return f"must be {rng}{unit}, not {value}{why}"


def _packet_overhead(cfg: TunnelConfig) -> int:
    fec = FEC_HEADER_SIZE_PLUS2 if cfg.datashard > 0 and cfg.parityshard > 0 else 0
    return IKCP_OVERHEAD + CRYPT_OVERHEAD.get(cfg.crypt, CRYPT_HEADER_SIZE) + fec


def _fold(key: str) -> str:
    """Go's case-insensitive JSON key match, exact for our ASCII keys (Kelvin K and long s too)."""
    return key.lower().replace("\u017f", "s")


_JSON_INDEX: dict[Role, dict[str, FieldSpec]] = {
    r: {s.json_key: s for s in fields_for(r)} for r in ROLES
}


def _json_index(role: Role) -> dict[str, FieldSpec]:
    return _JSON_INDEX[role]


class _JsonObject(list):  # type: ignore[type-arg]
    """A decoded JSON object as (key, value) pairs in document order (Go applies them in order)."""


@dataclass(frozen=True, slots=True)
class _NonInteger:
    """A JSON number with a fraction or exponent; Go refuses it for int fields."""

    text: str


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return f"number {value}"
    if isinstance(value, _NonInteger):
        return f"number {value.text}"
    if isinstance(value, float):
        return f"number {value!r}"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping | _JsonObject):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def _coerce_json(s: FieldSpec, value: Any) -> Any:
    ok: bool
    if s.kind == "str":
        ok = isinstance(value, str)
        if ok:
            value = _LONE_SURROGATE.sub("\ufffd", value)
    elif s.kind == "bool":
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and not GO_INT_MIN <= value <= GO_INT_MAX:
            raise ConfigError(f"{s.json_key}: number {value} does not fit a Go int", field=s.name)
    if not ok:
        want = {"str": "a string", "bool": "true or false", "int": "an integer"}[s.kind]
        raise ConfigError(f"{s.json_key}: expected {want}, got {_json_type(value)}", field=s.name)
    return value
